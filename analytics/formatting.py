"""Plain-text renderings of numbers and dates, shared by the report and the widgets.

Signs are always shown so the meaning survives without colour; a value that rounds to zero
has no sign ("0.00%", never "-0.00%").
"""

from __future__ import annotations

from datetime import date, datetime

from crowdwatch.analytics.results import BASKET_LABELS, FACTOR_LABELS
from crowdwatch.config.calendar import NEW_YORK

DASH = "–"


def pct(value: float | None, digits: int = 2) -> str:
    """A decimal return as a signed percent: -0.0123 -> '-1.23%'."""
    if value is None:
        return DASH
    return with_sign(value * 100, digits) + "%"


def bp(value: float | None) -> str:
    """A decimal as signed basis points: -0.0103 -> '-103bp'."""
    if value is None:
        return DASH
    return with_sign(value * 1e4, 0) + "bp"


def share(value: float | None) -> str:
    """A share of a move as a whole percent: 0.614 -> '61%' (no sign: it is a share)."""
    if value is None:
        return DASH
    return f"{value * 100:.0f}%"


def legs_words(long_share: float | None) -> str:
    """The side that drove a pair's move: 0.78 -> 'long side 78% of the move'."""
    if long_share is None:
        return "no move on either side"
    if long_share >= 0.5:
        return f"long side {share(long_share)} of the move"
    return f"short side {share(1.0 - long_share)} of the move"


def sigma(value: float | None) -> str:
    """A sigma move with its sign: -3.42 -> '-3.4σ'."""
    if value is None:
        return DASH
    return with_sign(value, 1) + "σ"


def billions(value: float | None) -> str:
    """US dollars as signed billions: -1.82e10 -> '-18.2bn'."""
    if value is None:
        return DASH
    return with_sign(value / 1e9, 1) + "bn"


def ordinal(value: float | None) -> str:
    """A percentile in [0, 1] as an ordinal: 0.991 -> '99th'."""
    if value is None:
        return DASH
    n = int(value * 100)
    n = min(max(n, 0), 100)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ratio(value: float | None, digits: int = 2) -> str:
    if value is None:
        return DASH
    return f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 2) -> str:
    if value is None:
        return DASH
    return with_sign(value, digits)


def iso(value: date | None) -> str:
    if value is None:
        return DASH
    return value.isoformat()


def ny_time(ts: datetime | None) -> str:
    """Exchange time (New York) of a UTC timestamp: '10:32:15 ET'."""
    if ts is None:
        return DASH
    return ts.astimezone(NEW_YORK).strftime("%H:%M:%S ET")


def age(seconds: float | None) -> str:
    """A compact age: '4s', '3m05s', '2h10m', '3d'."""
    if seconds is None:
        return DASH
    s = max(int(seconds), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d"


def with_sign(value: float, digits: int) -> str:
    """'+1.50' / '-1.50'; a value that rounds to zero has no sign ('0.00', never '-0.00')."""
    if round(value, digits) == 0:
        return f"{0.0:.{digits}f}"
    return f"{value:+.{digits}f}"


def since(worst: date | None, best: date | None, ret: float | None, on_record: bool) -> str:
    """'worst since 2022-05-09', 'best since ...' or 'record'; the sign of ret picks the side."""
    if ret is None or ret == 0:
        return DASH
    if on_record:
        return "worst ever" if ret < 0 else "best ever"
    day = worst if ret < 0 else best
    if day is None:
        return DASH
    return ("w " if ret < 0 else "b ") + day.isoformat()


def basket_label(key: str) -> str:
    return BASKET_LABELS.get(key, key)


def factor_label(name: str) -> str:
    """'low_vol' -> 'Low-vol factor'; a user's factor 'quality_tilt' -> 'Quality-tilt factor'."""
    return FACTOR_LABELS.get(name) or name.replace("_", "-").capitalize() + " factor"
