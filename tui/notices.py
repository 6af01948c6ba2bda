"""The session's warnings and errors: each logged, time-stamped, when it first appears."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

LOG_LIMIT = 500  # a day at a 2 s refresh with a flapping feed stays far below this


@dataclass(frozen=True, slots=True)
class Notice:
    """One warning or error, stamped with when it (last) appeared."""

    at: datetime
    text: str
    error: bool = False


class NoticeLog:
    """Every warning and error of the session, and the ones in force now.

    The engine repeats a standing warning on every tick; it is logged once, when it
    appears, and again only if it goes away and comes back.
    """

    def __init__(self, limit: int = LOG_LIMIT) -> None:
        self.limit = limit
        self.entries: list[Notice] = []
        self.current: tuple[Notice, ...] = ()

    def observe(self, warnings: Sequence[str], errors: Sequence[str], now: datetime) -> None:
        """The warnings and errors in force now (least pressing first)."""
        standing = {(n.text, n.error): n for n in self.current}
        current = []
        for text, error in [(w, False) for w in warnings] + [(e, True) for e in errors]:
            if not text or any(n.text == text and n.error == error for n in current):
                continue
            notice = standing.get((text, error))
            if notice is None:
                notice = Notice(now, text, error)
                self.entries.append(notice)
            current.append(notice)
        self.current = tuple(current)
        del self.entries[: -self.limit]

    @property
    def shown(self) -> Notice | None:
        """The one the status line shows: the most pressing in force."""
        return self.current[-1] if self.current else None

    @property
    def more(self) -> int:
        """How many others are in force (the status line's "+N more")."""
        return max(len(self.current) - 1, 0)
