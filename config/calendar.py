"""Market-calendar constants in one place: the exchange's zone, its session, trading-day windows."""

from __future__ import annotations

from datetime import time, timedelta, timezone, tzinfo

NEW_YORK_NAME = "America/New_York"  # polars ships its own tz database for this name


def _new_york() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(NEW_YORK_NAME)
    except Exception:  # no tz database (bare Windows): close enough for picking the date
        return timezone(timedelta(hours=-5))


NEW_YORK = _new_york()

SESSION_OPEN = time(9, 30)  # New York
SESSION_CLOSE = time(16, 0)  # New York: what a date-only price or quote time means
SESSION_MINUTES = (SESSION_CLOSE.hour - SESSION_OPEN.hour) * 60 + (
    SESSION_CLOSE.minute - SESSION_OPEN.minute
)
# SESSION_CLOSE as a polars duration from midnight (Expr.dt.offset_by)
SESSION_CLOSE_OFFSET = f"{SESSION_CLOSE.hour}h{SESSION_CLOSE.minute}m"

# windows in trading days (rows of the history)
WEEK = 5
MONTH = 21
QUARTER = 63
HALF_YEAR = 126
YEAR = 252
TWO_YEARS = 504

FORWARD_HORIZONS = (WEEK, MONTH, QUARTER)  # "what followed": fwd_5d, fwd_21d, fwd_63d
