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
- Rows with a missing or invalid date, a missing ticker, a missing or non-positive close are
  dropped; of duplicate (date, ticker) rows the last one wins. The status line says what was
  dropped, e.g. "prices.csv: dropped 3 rows (2 non-positive close, 1 duplicate date/ticker)".
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
until a good one arrives (which clears the warning).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import FeedError
from crowdwatch.feeds.frames import (
    QuotesProblem,
    clean_history,
    clean_quotes,
    read_table,
    read_universe,
    short_error,
)

FORMAT_HINT = "See the README section 'Files source folder'."


def _pick(data_dir: Path, stem: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        path = data_dir / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What a stat says about a file; any change means it was rewritten."""

    path: Path
    size: int
    mtime_ns: int
    inode: int


def _stamp(path: Path) -> _Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _Stamp(path, st.st_size, st.st_mtime_ns, st.st_ino)


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
        self._quotes_stamp: _Stamp | None = None
        self._quotes_warning: str | None = None
        self._quotes_drop_warning: str | None = None
        if not self.data_dir.is_dir():
            raise FeedError(
                f"--data {self.data_dir}: no such folder. Point --data at a folder holding "
                f"prices.parquet or prices.csv. {FORMAT_HINT}"
            )

    def history(self) -> pl.DataFrame:
        path = _pick(self.data_dir, "prices")
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
        return frame

    def universe(self) -> pl.DataFrame | None:
        path = self.data_dir / "universe.csv"
        return read_universe(path) if path.is_file() else None

    def quotes(self) -> pl.DataFrame | None:
        path = _pick(self.data_dir, "quotes")
        if path is None:
            if self._quotes is not None:
                name = self._quotes_stamp.path.name if self._quotes_stamp else "quotes file"
                self._set_problem(name, "file is gone")
            return self._quotes
        stamp = _stamp(path)
        # a bad file is read again every call (it may be mid-write); a good one only on change
        if stamp is not None and stamp == self._quotes_stamp and self.last_error is None:
            return self._quotes
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
            return self._quotes
        self._quotes, self._quotes_stamp = quotes, stamp
        self._quotes_drop_warning = drops
        self._quotes_warning = self.last_error = None
        return self._quotes

    def closing_quotes(self) -> pl.DataFrame | None:
        return self.quotes()

    def series_source(self):
        """The folder's series.parquet|csv, watched (format: feeds/user_series.py)."""
        from crowdwatch.feeds.user_series import SeriesWatch

        return SeriesWatch(folder=self.data_dir)

    def warnings(self) -> list[str]:
        found = (self._history_warning, self._quotes_drop_warning, self._quotes_warning)
        return [w for w in found if w]

    def _set_problem(self, file_name: str, problem: str) -> None:
        kept = "keeping the last good quotes" if self._quotes is not None else "no quotes yet"
        self._quotes_warning = f"{file_name}: {problem}; {kept}, retrying"
        self.last_error = self._quotes_warning
