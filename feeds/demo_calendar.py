"""Trading calendar of the demo market: NYSE business days and the replayed session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from crowdwatch.config.calendar import NEW_YORK, SESSION_MINUTES, SESSION_OPEN

HISTORY_START = date(2021, 1, 4)
HISTORY_END = date(2026, 2, 3)
SESSION_DAY = date(2026, 2, 4)
# one tick per minute from the open (09:30 New York, 14:30 UTC that day) to the close
SESSION_OPEN_UTC = datetime.combine(SESSION_DAY, SESSION_OPEN, tzinfo=NEW_YORK).astimezone(UTC)

# NYSE full-day closures in the simulated span (the demo skips them like a real tape).
NYSE_HOLIDAYS = (
    "2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05",
    "2021-09-06", "2021-11-25", "2021-12-24", "2022-01-17", "2022-02-21", "2022-04-15",
    "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26",
    "2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
    "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25", "2024-01-01", "2024-01-15",
    "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02",
    "2024-11-28", "2024-12-25", "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17",
    "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27",
    "2025-12-25", "2026-01-01", "2026-01-19",
)  # fmt: skip


def trading_days(start: date = HISTORY_START, end: date = HISTORY_END) -> np.ndarray:
    """Business days (Mon-Fri, NYSE holidays removed) from start to end inclusive."""
    holidays = np.array(NYSE_HOLIDAYS, dtype="datetime64[D]")
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
    return days[np.is_busday(days, holidays=holidays)]


def session_times() -> list[datetime]:
    """UTC timestamps of the replayed session's ticks, 09:30 to 16:00 inclusive."""
    return [SESSION_OPEN_UTC + timedelta(minutes=k) for k in range(SESSION_MINUTES + 1)]
