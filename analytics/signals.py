"""Per-ticker signals at every date: 12-1 momentum, beta, volatility, reversal, size."""

from __future__ import annotations

from concurrent.futures import Executor, Future

import numpy as np

from crowdwatch.analytics.jobs import done, submit
from crowdwatch.analytics.panel import Panel, Rows
from crowdwatch.analytics.windows import Moments, rolling_slope
from crowdwatch.config.calendar import HALF_YEAR, MONTH, QUARTER, YEAR

MOM_SKIP, MOM_LOOKBACK = MONTH, YEAR
BETA_WINDOW, BETA_MIN = YEAR, HALF_YEAR
VOL_WINDOW, VOL_MIN = QUARTER, 42
REV_LOOKBACK = MONTH
CHUNK_ROWS = 1 << 18


def own_row_ratio(rows: Rows, shape: tuple[int, int], recent: int, older: int) -> np.ndarray:
    """close(d - recent) / close(d - older) - 1 per cell, offsets counting own rows.

    The long rows are sorted by (ticker, date), so a ticker's row k back is simply k rows
    back in the array whenever the row has at least `older` rows of its ticker before it:
    whole-array slices, no sort, no gather.
    """
    close, total = rows.close, len(rows.close)
    out = np.full(shape, np.nan)
    flat = out.reshape(-1)
    # in chunks of rows: the temporaries stay small and in cache
    for start in range(older, total, CHUNK_ROWS):
        stop = min(total, start + CHUNK_ROWS)
        value = close[start - recent : stop - recent] / close[start - older : stop - older]
        value -= 1.0
        flat[rows.cell[start:stop]] = value
    # rows too close to their ticker's first row got a ratio across two tickers: unset
    flat[rows.cell[rows.first_rows(older)]] = np.nan
    return out


def own_row_signals(panel: Panel, rows: Rows, pool: Executor | None = None) -> dict[str, Future]:
    """mom and rev on the pool: offsets count the ticker's own rows."""
    shape = panel.close.shape
    return {
        "mom": submit(pool, own_row_ratio, rows, shape, MOM_SKIP, MOM_LOOKBACK),
        "rev": submit(pool, own_row_ratio, rows, shape, 0, REV_LOOKBACK),
    }


def window_signals(
    panel: Panel, moments: Moments, pool: Executor | None = None
) -> dict[str, Future]:
    """vol on the pool (a trailing window of the returns; `moments` of panel.returns), and
    size when the history has market caps. Beta, the slowest, is beta_signal's."""
    signals = {"vol": submit(pool, moments.window_std, VOL_WINDOW, VOL_MIN)}
    if panel.market_cap is not None:
        signals["size"] = done(panel.market_cap)
    return signals


def beta_signal(panel: Panel, moments: Moments) -> np.ndarray:
    """beta: the OLS slope on the benchmark over a trailing window of the returns."""
    if panel.benchmark is None:
        return np.full(panel.close.shape, np.nan)
    index_returns = panel.returns[:, panel.benchmark]
    return rolling_slope(panel.returns, index_returns, BETA_WINDOW, BETA_MIN, y_moments=moments)
