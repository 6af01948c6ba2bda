"""Daily basket selection (top / bottom fraction by a signal) and basket returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-9  # floor(q*n) must not lose a name to float noise (0.29*100 = 28.999...)


@dataclass(frozen=True, slots=True)
class Selection:
    """Top and bottom baskets for each row (day): boolean (days, tickers) masks."""

    top: np.ndarray
    bottom: np.ndarray


def basket_size(quantile: float, n: np.ndarray) -> np.ndarray:
    return np.floor(quantile * n + EPSILON).astype(np.int64)


def select(signal_prev: np.ndarray, eligible: np.ndarray, quantile: float) -> Selection:
    """Rank each row by signal descending, ties by column (ticker) ascending.

    signal_prev is the signal at the previous close, row-aligned with eligible.
    """
    candidate = eligible & ~np.isnan(signal_prev)
    key = np.where(candidate, -np.nan_to_num(signal_prev), np.inf)
    order = np.argsort(key, axis=1)
    ordered = np.take_along_axis(key, order, axis=1)
    tied = ((ordered[:, 1:] == ordered[:, :-1]) & np.isfinite(ordered[:, 1:])).any(axis=1)
    if tied.any():
        # quicksort is not stable: redo the rows with exact ties so the ticker decides
        order[tied] = np.argsort(key[tied], axis=1, kind="stable")
    ranks = np.empty_like(order)
    positions = np.broadcast_to(np.arange(order.shape[1]), order.shape)
    np.put_along_axis(ranks, order, positions, axis=1)
    n = candidate.sum(axis=1)
    k = basket_size(quantile, n)
    top = ranks < k[:, None]
    bottom = (ranks >= (n - k)[:, None]) & (ranks < n[:, None])
    return Selection(top=top, bottom=bottom)


def basket_return(
    returns: np.ndarray, mask: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Weighted (default equal) mean of member returns per row; NaN for an empty basket."""
    w = mask.astype(float) if weights is None else np.where(mask, np.nan_to_num(weights), 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.nan_to_num(returns) * w).sum(axis=1) / total
    return np.where(total > 0, out, np.nan)


def basket_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of values over members that have one (e.g. the basket's mean beta)."""
    have = mask & ~np.isnan(values)
    count = have.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(have, values, 0.0).sum(axis=1) / count
    return np.where(count > 0, out, np.nan)


def beta_neutral(
    winners: np.ndarray, losers: np.ndarray, beta_winners: np.ndarray, beta_losers: np.ndarray
) -> np.ndarray:
    """winners - (bW/bL) * losers; NaN when bL is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = winners - (beta_winners / beta_losers) * losers
    return np.where(beta_losers > 0, out, np.nan)
