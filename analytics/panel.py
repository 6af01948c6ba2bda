"""The wide price panel: the history frame pivoted to date x ticker numpy matrices."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from crowdwatch.analytics.jobs import done, submit
from crowdwatch.config.schema import Config


@dataclass(frozen=True, slots=True)
class Panel:
    """Closes and returns on the global trading-day grid (NaN where missing).

    Columns are tickers in ascending order, so a stable sort over a row breaks ties by ticker.
    """

    dates: np.ndarray  # datetime64[D], ascending, the trading days
    tickers: tuple[str, ...]
    close: np.ndarray  # (days, tickers)
    returns: np.ndarray  # r(i,t) = close(t)/close(t-1) - 1 on the global grid
    market_cap: np.ndarray | None
    member: np.ndarray  # bool (tickers,): universe members
    benchmark: int | None  # column of the benchmark, None when absent
    column: dict[str, int]  # ticker -> column, built once (live() looks tickers up per tick)
    columns: pl.DataFrame  # ticker, column: the same lookup as a frame to join quotes with
    ticker_array: np.ndarray  # the tickers as an object array, to pick names by mask

    def date_at(self, index: int) -> date:
        return self.dates[index].astype(date)


@dataclass(frozen=True, slots=True)
class Rows:
    """The cleaned long rows, sorted by (ticker, date), and where each sits in the Panel."""

    close: np.ndarray  # (rows,) the closes in (ticker, date) order
    cell: np.ndarray  # (rows,) flat index day * n_tickers + column into the Panel matrices
    starts: np.ndarray  # (tickers,) where each ticker's run of rows starts
    lengths: np.ndarray  # (tickers,) how many rows each ticker has

    def first_rows(self, count: int) -> np.ndarray:
        """The indices of each ticker's first `count` rows (all of a shorter run)."""
        taken = np.minimum(self.lengths, count)
        within = np.arange(taken.sum()) - np.repeat(np.cumsum(taken) - taken, taken)
        return np.repeat(self.starts, taken) + within


def place(values: np.ndarray, cell: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Place long values at flat cell indices of a (days, tickers) matrix, NaN elsewhere."""
    out = np.full(shape, np.nan)
    out.reshape(-1)[cell] = values
    return out


def placed_column(
    long: pl.DataFrame, name: str, cell: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """A numeric column of the long rows placed on the panel (nulls as NaN)."""
    values = long.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()
    return place(values, cell, shape)


def universe_members(
    tickers: tuple[str, ...], config: Config, universe: pl.DataFrame | None
) -> np.ndarray:
    """DESIGN.md: universe.csv tickers if given, else all but untracked LETF underlyings."""
    benchmark = config.settings.benchmark
    if universe is not None and universe.height:
        listed = set(universe.get_column("ticker").to_list())
    else:
        themed = {t for theme in config.themes for t in theme.tickers}
        underlyings = {f.underlying for f in config.letfs} - themed
        listed = set(tickers) - underlyings
    listed.discard(benchmark)
    return np.array([t in listed for t in tickers], dtype=bool)


def ticker_runs(long: pl.DataFrame) -> tuple[np.ndarray, tuple[str, ...]] | None:
    """Row offsets where each ticker's run starts, and the tickers, if the frame is sorted.

    DESIGN.md promises history sorted by (ticker, date); checking that is a few linear
    passes, where sorting 7 million rows again costs ~0.2 s. None when it is not sorted.
    """
    ticker = long.get_column("ticker")
    starts = (
        long.select((pl.col("ticker") != pl.col("ticker").shift()).fill_null(True).arg_true())
        .to_series()
        .to_numpy()
    )
    tickers = tuple(ticker.gather(starts).to_list())
    if any(a >= b for a, b in zip(tickers, tickers[1:], strict=False)):
        return None
    days = long.get_column("date").to_physical().to_numpy()
    step = np.diff(days)
    new_run = np.zeros(len(step), dtype=bool)
    new_run[starts[1:] - 1] = True
    if not np.all((step >= 0) | new_run):
        return None
    return starts, tickers


def index_dtype(size: int) -> type:
    """int32 indices while they fit: half the memory of int64 on 7-million-row histories."""
    return np.int32 if size < 2**31 - 1 else np.int64


@dataclass(frozen=True, slots=True)
class DayGrid:
    """The trading days of the long rows, and each row's index on them."""

    dates: np.ndarray  # datetime64[D], ascending
    day: np.ndarray  # (rows,) int32: each row's index into dates

    @classmethod
    def of(cls, long: pl.DataFrame) -> DayGrid:
        """A lookup table over the day numbers: no sort of 7 million dates."""
        days = long.get_column("date").to_physical().to_numpy()
        if not len(days):
            return cls(np.zeros(0, dtype="datetime64[D]"), np.zeros(0, dtype=np.int32))
        first = int(days.min())
        seen = np.zeros(int(days.max()) - first + 1, dtype=bool)
        offset = np.subtract(days, first, dtype=days.dtype)  # int32 day numbers: half the bytes
        seen[offset] = True
        lookup = (np.cumsum(seen) - 1).astype(np.int32)
        return cls((np.flatnonzero(seen) + first).astype("datetime64[D]"), lookup[offset])


def build_panel(
    history: pl.DataFrame,
    config: Config,
    universe: pl.DataFrame | None = None,
    pool: Executor | None = None,
) -> tuple[Panel, Rows]:
    """Pivot the long history into a Panel; also return the cleaned long rows. With a pool,
    the ticker runs are found and the market caps placed there while the day grid, the
    closes and the returns are built here."""
    close_col = pl.col("close")
    unusable = history.select((close_col.is_null() | (close_col <= 0)).any()).item()
    long = history.filter(close_col.is_not_null() & (close_col > 0)) if unusable else history
    runs = submit(pool, ticker_runs, long) if long.height else done(None)
    grid = DayGrid.of(long)
    found = runs.result()
    if found is None and long.height:
        long = long.sort("ticker", "date")
        found, grid = ticker_runs(long), DayGrid.of(long)
    starts, tickers = found if found is not None else (np.zeros(0, dtype=np.int64), ())
    total, dates = long.height, grid.dates
    shape = (len(dates), len(tickers))
    dtype = index_dtype(max(shape[0] * shape[1], total))
    cell = grid.day.astype(dtype, copy=False)  # the day index, then the flat cell index
    del grid
    lengths = np.diff(np.append(starts, total))
    cell *= len(tickers)
    cell += np.repeat(np.arange(len(tickers), dtype=dtype), lengths)
    caps_job = None
    if "market_cap" in long.columns:
        caps_job = submit(pool, placed_column, long, "market_cap", cell, shape)
    closes = long.get_column("close").to_numpy()
    close = place(closes, cell, shape)
    returns = np.full(shape, np.nan)
    if len(dates) > 1:
        np.divide(close[1:], close[:-1], out=returns[1:])
        returns[1:] -= 1.0
    caps = caps_job.result() if caps_job is not None else None
    column = {t: j for j, t in enumerate(tickers)}
    panel = Panel(
        dates=dates,
        tickers=tickers,
        close=close,
        returns=returns,
        market_cap=caps,
        member=universe_members(tickers, config, universe),
        benchmark=column.get(config.settings.benchmark),
        column=column,
        columns=pl.DataFrame(
            {"ticker": list(tickers), "column": np.arange(len(tickers), dtype=np.int64)},
            schema={"ticker": pl.String, "column": pl.Int64},
        ),
        ticker_array=np.array(tickers, dtype=object),
    )
    return panel, Rows(close=closes, cell=cell, starts=starts, lengths=lengths)
