"""The files source: daily prices, optional live quotes and universe from a folder.

Folder format (`crowdwatch --source files --data DIR`)::

    DIR/
      prices.parquet | prices.csv    required  date, ticker, close  [volume, market_cap]
      quotes.parquet | quotes.csv    optional  ticker, last, ts
      universe.csv                   optional  ticker  [name, sector, market_cap]

- When both a Parquet and a CSV copy exist, the Parquet one is read.
- CSV dates are ISO 8601 (`2026-02-04`); `ts` is an ISO 8601 timestamp. A timestamp without
  an offset is taken as UTC (`2026-02-04T15:30:00Z`, `2026-02-04T10:30:00-05:00`).
- `close` is the split- and dividend-adjusted close. The benchmark (settings.yaml
  `benchmark`, default SPY) and the underlyings of the leveraged ETFs are rows of prices.
- Each column's type is checked before it is cast: a Parquet `date` of type Time or a
  `close` that is a List is an error naming the file, the column and the type.
- Rows with a missing or invalid date, a date outside 1900-2199, a missing ticker, a missing
  or non-positive close, or an absurd one (not finite, outside 1e-6..1e9) are dropped; of
  duplicate (date, ticker) rows the last one wins. The status line says what was dropped,
  e.g. "prices.csv: dropped 3 rows (2 non-positive close, 1 duplicate date/ticker)". Quotes
  likewise (an absurd `last`, a `ts` outside 1900-2199); a quote dated over a week after the
  last close while others are not is a bad clock and is ignored, with a warning.
- With a quotes file the dashboard is live: today's session is the date of the quotes and
  r = last / previous close - 1. Without one it shows the last day of prices (close mode).

The quotes file is watched: every refresh stats it (cheap) and re-reads it when its size or
modification time changed, so a rewrite reaches the screen within one refresh.
Producers must replace it atomically: write a temporary file in the same folder, then
rename it over quotes.csv / quotes.parquet (`os.replace`, `mv`), for example::

    frame.write_parquet(d / "quotes.parquet.tmp"); os.replace(d / "quotes.parquet.tmp",
                                                               d / "quotes.parquet")

A half-written, corrupt or empty quotes file never blanks the screen: the last good quotes
stay, a warning names the file and the problem, and the file is read again on every refresh
until a good one arrives (which clears the warning). A file rewritten in place (not renamed
over) is only taken once it held still for one refresh, and a file that changed while it
was read is read again: a CSV cut mid-number would otherwise parse as a wrong price.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import FeedError
from crowdwatch.feeds.frames import (
    NEW_YORK,
    QUOTE_LEAD,
    QuotesProblem,
    clean_history,
    clean_quotes,
    read_table,
    read_universe,
    short_error,
)
from crowdwatch.feeds.watched import (  # noqa: F401  (FileStamp, file_stamp re-exported)
    FileProblem,
    FileStamp,
    WatchedFile,
    file_stamp,
    pick_file,
)

FORMAT_HINT = "See the README section 'Files source folder'."


class FilesFeed:
    """Feed over a folder of prices / quotes / universe files (format in the module doc)."""

    name = "files"
    simulated = False

    def __init__(self, data_dir: Path, config: Config) -> None:
        self.data_dir = Path(data_dir).expanduser()
        self.config = config
        self._history_warning: str | None = None
        # the last good quotes and their dropped-rows warning
        self._watch: WatchedFile[tuple[pl.DataFrame, str | None]] = WatchedFile(
            lambda: pick_file(self.data_dir, "quotes"), "quotes"
        )
        self._ahead_warning: str | None = None
        self._last_close: date | None = None  # known once history() ran
        self._tickers: frozenset[str] = frozenset()
        if not self.data_dir.is_dir():
            raise FeedError(
                f"--data {self.data_dir}: no such folder. Point --data at a folder holding "
                f"prices.parquet or prices.csv. {FORMAT_HINT}"
            )

    def history(self) -> pl.DataFrame:
        path = pick_file(self.data_dir, "prices")
        if path is None:
            raise FeedError(
                f"{self.data_dir}: no prices.parquet or prices.csv. The files source needs one "
                f"(columns date, ticker, close). {FORMAT_HINT}"
            )
        try:
            raw = read_table(path)
        except Exception as exc:  # polars raises several types for unreadable files
            raise FeedError(
                f"{path.name}: unreadable ({short_error(exc)}); rewrite it as CSV or Parquet. "
                f"{FORMAT_HINT}"
            ) from exc
        frame, self._history_warning = clean_history(raw, path.name)
        if frame.is_empty():
            raise FeedError(f"{path.name}: no valid rows. {self._history_warning or FORMAT_HINT}")
        self._last_close = frame.get_column("date").max()  # type: ignore[assignment]
        self._tickers = frozenset(frame.get_column("ticker").unique().to_list())
        return frame

    def universe(self) -> pl.DataFrame | None:
        path = self.data_dir / "universe.csv"
        return read_universe(path) if path.is_file() else None

    @property
    def last_error(self) -> str | None:
        """The current quotes problem, None when healthy."""
        return self._watch.problem

    @property
    def _quotes(self) -> pl.DataFrame | None:
        return self._watch.value[0] if self._watch.value is not None else None

    @property
    def _quotes_name(self) -> str:
        return self._watch.stamp.path.name if self._watch.stamp else "quotes"

    def quotes(self) -> pl.DataFrame | None:
        self._watch.poll(_read_quotes)
        return self._in_window(self._quotes)

    def _in_window(self, quotes: pl.DataFrame | None) -> pl.DataFrame | None:
        """Quotes without those dated over a week after the last close (a bad clock) when
        others are in the window: one 2099 row must not become the session. A whole file
        far ahead stays (the engine warns that returns span several sessions)."""
        self._ahead_warning = None
        if quotes is None or self._last_close is None or quotes.is_empty():
            return quotes
        limit = self._last_close + QUOTE_LEAD
        day = pl.col("ts").dt.convert_time_zone(NEW_YORK).dt.date()
        ahead = quotes.select((day > limit).sum()).item()
        if ahead == 0 or ahead == quotes.height:
            return quotes
        name = self._quotes_name
        noun = "quote" if ahead == 1 else "quotes"
        self._ahead_warning = (
            f"{name}: ignored {ahead} {noun} dated after {limit} (over a week past the last "
            f"close, {self._last_close}): check the producer's clock"
        )
        return quotes.filter(day <= limit)

    def _unknown_warning(self) -> str | None:
        """Quotes for none of the history's tickers: live, but every number would be empty."""
        if self._quotes is None or not self._tickers or self._quotes.is_empty():
            return None
        quoted = self._quotes.get_column("ticker")
        if quoted.is_in(list(self._tickers)).any():
            return None
        name = self._quotes_name
        shown = ", ".join(quoted.head(3).to_list())
        return (
            f"{name}: none of its {quoted.len()} tickers ({shown}"
            f"{', ...' if quoted.len() > 3 else ''}) is in prices; no live numbers"
        )

    def closing_quotes(self) -> pl.DataFrame | None:
        return self.quotes()

    def series_source(self):
        """The folder's series.parquet|csv, watched (format: feeds/user_series.py)."""
        from crowdwatch.feeds.user_series import SeriesWatch

        return SeriesWatch(folder=self.data_dir)

    def warnings(self) -> list[str]:
        found = (
            self._history_warning,
            self._watch.value[1] if self._watch.value is not None else None,
            self._ahead_warning,
            self._unknown_warning(),
            self._watch.problem,
        )
        return [w for w in found if w]


def _read_quotes(path: Path) -> tuple[pl.DataFrame, str | None]:
    """The clean quotes of one file and its dropped-rows warning; FileProblem if unusable."""
    try:
        raw = read_table(path)
    except Exception as exc:  # truncated Parquet, garbage bytes, bad CSV...
        raise FileProblem(f"{path.name}: unreadable ({short_error(exc)})") from exc
    try:
        return clean_quotes(raw, path.name)
    except QuotesProblem as problem:
        raise FileProblem(f"{path.name}: {problem}") from None
