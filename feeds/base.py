"""The Feed protocol every data source implements, and the frame schemas it returns."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import polars as pl

HISTORY_SCHEMA = {"date": pl.Date, "ticker": pl.String, "close": pl.Float64}
QUOTES_SCHEMA = {"ticker": pl.String, "last": pl.Float64, "ts": pl.Datetime("us", "UTC")}


class FeedError(Exception):
    """A data source failed in a way the user can act on; the message says how."""


class SourceUnavailable(FeedError):
    """The source could not be reached (network, service down): not the user's input."""


@runtime_checkable
class Feed(Protocol):
    """A source of daily history and (optionally) live quotes.

    `history()` is called once, in a worker thread; `quotes()` on every refresh.
    Either may raise FeedError with a message fit for the status line.
    """

    name: str  # "demo" | "files" | "yahoo"
    simulated: bool

    def history(self) -> pl.DataFrame:
        """History contract of DESIGN.md: date, ticker, close (+ volume, market_cap)."""
        ...

    def universe(self) -> pl.DataFrame | None:
        """Universe contract (ticker, name, sector, market_cap) or None."""
        ...

    def quotes(self) -> pl.DataFrame | None:
        """The latest quotes (ticker, last, ts UTC), or None outside a live session."""
        ...

    def closing_quotes(self) -> pl.DataFrame | None:
        """Quotes `report`/`export` answer with (the demo: its last ticks), or None."""
        ...

    def warnings(self) -> list[str]:
        """Problems the user should see (dropped rows, a corrupt quotes file...)."""
        ...
