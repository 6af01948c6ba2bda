"""Per-ticker signals at every date: 12-1 momentum, beta, volatility, reversal, size."""

from __future__ import annotations

import numpy as np
import polars as pl

from crowdwatch.analytics.panel import Panel, scatter
from crowdwatch.analytics.windows import rolling_slope, rolling_std

MOM_SKIP, MOM_LOOKBACK = 21, 252
BETA_WINDOW, BETA_MIN = 252, 126
VOL_WINDOW, VOL_MIN = 63, 42
REV_LOOKBACK = 21


def own_row_signals(indexed: pl.DataFrame) -> pl.DataFrame:
    """mom and rev, whose offsets count the ticker's own rows (sorted by ticker, date)."""
    close = pl.col("close")
    return indexed.select(
        "day",
        "col",
        mom=(close.shift(MOM_SKIP) / close.shift(MOM_LOOKBACK) - 1).over("ticker"),
        rev=(close / close.shift(REV_LOOKBACK) - 1).over("ticker"),
    )


def compute_signals(panel: Panel, indexed: pl.DataFrame) -> dict[str, np.ndarray]:
    """Signal matrices (days, tickers): the value AT each date (used the next day)."""
    shape = panel.close.shape
    own = own_row_signals(indexed)
    day = own.get_column("day").to_numpy()
    col = own.get_column("col").to_numpy()
    signals = {
        "mom": scatter(own.get_column("mom"), day, col, shape),
        "rev": scatter(own.get_column("rev"), day, col, shape),
        "vol": rolling_std(panel.returns, VOL_WINDOW, VOL_MIN),
    }
    if panel.benchmark is not None:
        index_returns = panel.returns[:, panel.benchmark]
        signals["beta"] = rolling_slope(panel.returns, index_returns, BETA_WINDOW, BETA_MIN)
    else:
        signals["beta"] = np.full(shape, np.nan)
    if panel.market_cap is not None:
        signals["size"] = panel.market_cap
    return signals
