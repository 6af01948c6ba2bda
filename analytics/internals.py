"""Market internals: breadth, dispersion, reversal and realized correlation, LETF flows."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from crowdwatch.analytics.windows import Moments, rolling_std, row_blocks
from crowdwatch.analytics.windows import moments as windows_moments

DISPERSION_WINDOW, REALIZED_WINDOW = 5, 21
GAMMA_MOVE = 0.01


def breadth(member_returns: np.ndarray, index_return: float) -> float | None:
    """Share of members (with a return today) beating the index."""
    if len(member_returns) == 0 or np.isnan(index_return):
        return None
    return float(np.mean(member_returns > index_return))


def dispersion_history(
    returns: np.ndarray,
    index_returns: np.ndarray,
    member: np.ndarray,
    moments: Moments | None = None,
) -> np.ndarray:
    """The dispersion ratio of every day: mean of stock 5d stdev / index 5d stdev.

    `moments` (windows.moments of `returns`), when given, saves recomputing running sums.
    Works on blocks of rows: each day's ratio only needs that day's row.
    """
    index = rolling_std(index_returns[:, None], DISPERSION_WINDOW, DISPERSION_WINDOW)[:, 0]
    columns = np.flatnonzero(member)
    if moments is None:
        moments = windows_moments(np.ascontiguousarray(returns[:, columns]))
        columns = None
    out = np.empty(len(returns))
    for start, stop in row_blocks(len(returns)):
        stock = moments.window_std_rows(DISPERSION_WINDOW, DISPERSION_WINDOW, start, stop, columns)
        index_block = index[start:stop]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = stock / index_block[:, None]
            count = (~np.isnan(ratio)).sum(axis=1)
            block = np.nansum(ratio, axis=1) / count
        out[start:stop] = np.where((count > 0) & (index_block > 0), block, np.nan)
    return out


def dispersion_ratio(window: np.ndarray, index_window: np.ndarray) -> float | None:
    """window: (5, members) returns ending T; members need all 5 returns."""
    if np.isnan(index_window).any() or window.shape[1] == 0:
        return None
    index_std = float(np.std(index_window, ddof=1))
    complete = window[:, ~np.isnan(window).any(axis=0)]
    if complete.shape[1] == 0 or index_std == 0:
        return None
    return float(np.mean(np.std(complete, axis=0, ddof=1) / index_std))


def share_at_or_below(prior: np.ndarray, value: float | None) -> float | None:
    prior = prior[~np.isnan(prior)]
    if value is None or len(prior) == 0:
        return None
    return float(np.mean(prior <= value))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman correlation with average ranks for ties."""
    if len(x) < 2:
        return None
    rx = pl.Series(x).rank("average").to_numpy().astype(float)
    ry = pl.Series(y).rank("average").to_numpy().astype(float)
    return pearson(rx, ry)


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    return float(np.dot(dx, dy) / denominator) if denominator > 0 else None


def realized_corr(window: np.ndarray, index_window: np.ndarray) -> float | None:
    """Implied-style average correlation from 21-day stdevs, equal weights."""
    if np.isnan(index_window).any():
        return None
    complete = window[:, ~np.isnan(window).any(axis=0)]
    n = complete.shape[1]
    if n < 2:
        return None
    w = 1.0 / n
    s = np.std(complete, axis=0, ddof=1)
    s_index = float(np.std(index_window, ddof=1))
    own = float(np.sum(w * w * s * s))
    denominator = float(np.sum(w * s)) ** 2 - own
    return (s_index**2 - own) / denominator if denominator != 0 else None


def letf_flows(underlying_returns: np.ndarray, notional: np.ndarray) -> np.ndarray:
    """Daily flow sum_j aum*L*(L-1)*r(underlying_j); NaN when no fund has a return."""
    have = ~np.isnan(underlying_returns)
    flows = np.where(have, underlying_returns, 0.0) @ notional
    return np.where(have.any(axis=1), flows, np.nan)
