"""The wide price panel: the history frame pivoted to date x ticker numpy matrices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

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

    @property
    def column(self) -> dict[str, int]:
        return {t: j for j, t in enumerate(self.tickers)}

    def date_at(self, index: int) -> date:
        return self.dates[index].astype(date)


def clean_history(history: pl.DataFrame) -> pl.DataFrame:
    """Rows with a usable close, sorted by (ticker, date)."""
    return history.filter(pl.col("close").is_not_null() & (pl.col("close") > 0)).sort(
        "ticker", "date"
    )


def scatter(
    values: pl.Series, day_index: np.ndarray, ticker_index: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Place one long column into a (days, tickers) matrix, NaN elsewhere."""
    out = np.full(shape, np.nan)
    out[day_index, ticker_index] = values.fill_null(np.nan).to_numpy()
    return out


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


def build_panel(
    history: pl.DataFrame, config: Config, universe: pl.DataFrame | None = None
) -> tuple[Panel, pl.DataFrame]:
    """Pivot the long history into a Panel; also return the cleaned long frame."""
    long = clean_history(history)
    dates = np.unique(long.get_column("date").to_numpy().astype("datetime64[D]"))
    tickers = tuple(long.get_column("ticker").unique().sort().to_list())
    day_index = np.searchsorted(dates, long.get_column("date").to_numpy().astype("datetime64[D]"))
    ticker_index = np.searchsorted(np.array(tickers, dtype=object), long.get_column("ticker"))
    shape = (len(dates), len(tickers))
    close = scatter(long.get_column("close"), day_index, ticker_index, shape)
    returns = np.full(shape, np.nan)
    if len(dates) > 1:
        returns[1:] = close[1:] / close[:-1] - 1.0
    caps = None
    if "market_cap" in long.columns:
        caps = scatter(long.get_column("market_cap").cast(pl.Float64), day_index, ticker_index, shape)
    column = {t: j for j, t in enumerate(tickers)}
    panel = Panel(
        dates=dates,
        tickers=tickers,
        close=close,
        returns=returns,
        market_cap=caps,
        member=universe_members(tickers, config, universe),
        benchmark=column.get(config.settings.benchmark),
    )
    indexed = long.with_columns(
        pl.Series("day", day_index, dtype=pl.Int64), pl.Series("col", ticker_index, dtype=pl.Int64)
    )
    return panel, indexed
