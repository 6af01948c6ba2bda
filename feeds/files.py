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

import os
from dataclasses import dataclass
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

FORMAT_HINT = "See the README section 'Files source folder'."


def pick_file(data_dir: Path, stem: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        path = data_dir / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a stat says about a file; any change means it was rewritten."""

    path: Path
    size: int
    mtime_ns: int
    inode: int


def file_stamp(path: Path) -> FileStamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return FileStamp(path, st.st_size, st.st_mtime_ns, st.st_ino)


class FilesFeed:
    """Feed over a folder of prices / quotes / universe files (format in the module doc)."""

    name = "files"
    simulated = False

    def __init__(self, data_dir: Path, config: Config) -> None:
        self.data_dir = Path(data_dir).expanduser()
        self.config = config
        self.last_error: str | None = None  # the current quotes problem, None when healthy
        self._history_warning: str | None = None
        self._quotes: pl.DataFrame | None = None
        self._quotes_stamp: FileStamp | None = None
        self._quotes_warning: str | None = None
        self._quotes_drop_warning: str | None = None
        self._ahead_warning: str | None = None
        self._seen: FileStamp | None = None  # the quotes file as stat saw it at the last read
        self._settling: FileStamp | None = None  # an in-place rewrite seen once, not yet taken
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

    def quotes(self) -> pl.DataFrame | None:
        path = pick_file(self.data_dir, "quotes")
        if path is None:
            if self._quotes is not None:
                name = self._quotes_stamp.path.name if self._quotes_stamp else "quotes file"
                self._set_problem(name, "file is gone")
            return self._in_window(self._quotes)
        stamp = file_stamp(path)
        # a bad file is read again every call (it may be mid-write); a good one only on change
        if stamp is not None and stamp == self._quotes_stamp and self.last_error is None:
            return self._in_window(self._quotes)
        previous, self._seen = self._seen, stamp
        try:
            if stamp is None or stamp.size == 0:
                raise QuotesProblem("empty file")
            try:
                raw = read_table(path)
            except Exception as exc:  # truncated Parquet, garbage bytes, bad CSV...
                raise QuotesProblem(f"unreadable ({short_error(exc)})") from exc
            quotes, drops = clean_quotes(raw, path.name)
        except QuotesProblem as problem:
            self._set_problem(path.name, str(problem))
            return self._in_window(self._quotes)
        if not self._settled(stamp, previous):
            return self._in_window(self._quotes)  # read again next refresh
        self._quotes, self._quotes_stamp = quotes, stamp
        self._quotes_drop_warning = drops
        self._quotes_warning = self.last_error = None
        return self._in_window(self._quotes)

    def _settled(self, stamp: FileStamp | None, previous: FileStamp | None) -> bool:
        """Whether a file that parsed is complete, as far as a stat can tell.

        It changed while it was read: a writer is at work, try again. It was rewritten in
        place (same inode, not renamed over): a slow writer may have paused, and a CSV cut
        mid-number still parses, so it is taken once it held still for one refresh.
        A rename over the file (the documented atomic write) is taken at once.
        """
        if stamp is None or file_stamp(stamp.path) != stamp:
            return False
        # the file seen last poll still existed when this one was made, unless it was
        # rewritten in place (or deleted and re-created: as slow, and as unsafe)
        in_place = (
            previous is not None and previous.path == stamp.path and previous.inode == stamp.inode
        )
        if in_place and stamp != self._settling:
            self._settling = stamp
            return False
        self._settling = None
        return True

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
        name = self._quotes_stamp.path.name if self._quotes_stamp else "quotes"
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
        name = self._quotes_stamp.path.name if self._quotes_stamp else "quotes"
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
            self._quotes_drop_warning,
            self._ahead_warning,
            self._unknown_warning(),
            self._quotes_warning,
        )
        return [w for w in found if w]

    def _set_problem(self, file_name: str, problem: str) -> None:
        kept = "keeping the last good quotes" if self._quotes is not None else "no quotes yet"
        self._quotes_warning = f"{file_name}: {problem}; {kept}, retrying"
        self.last_error = self._quotes_warning
