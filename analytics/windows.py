"""Trailing-window sums over the rows of a matrix, the kernel of the rolling statistics."""

from __future__ import annotations

import numpy as np


def window_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Sum of each row's `window` trailing rows (inclusive), NaN treated as 0."""
    filled = np.nan_to_num(values, nan=0.0)
    cumulative = np.cumsum(filled, axis=0)
    out = cumulative.copy()
    out[window:] -= cumulative[:-window]
    return out


def window_count(valid: np.ndarray, window: int) -> np.ndarray:
    cumulative = np.cumsum(valid, axis=0, dtype=np.int64)
    out = cumulative.copy()
    out[window:] -= cumulative[:-window]
    return out


def rolling_std(values: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Sample stdev (ddof=1) of the non-NaN values in each trailing window."""
    valid = ~np.isnan(values)
    n = window_count(valid, window).astype(float)
    total = window_sum(values, window)
    squares = window_sum(values * values, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (squares - total * total / n) / (n - 1)
    variance = np.where(variance < 0, 0.0, variance)
    return np.where(n >= max(min_count, 2), np.sqrt(variance), np.nan)


def rolling_slope(y: np.ndarray, x: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """OLS slope of y on x over each trailing window, on rows where both exist.

    y is (days, n); x is (days,) or (days, n).
    """
    if x.ndim == 1:
        x = np.broadcast_to(x[:, None], y.shape)
    both = ~np.isnan(y) & ~np.isnan(x)
    xb = np.where(both, x, 0.0)
    yb = np.where(both, y, 0.0)
    n = window_count(both, window).astype(float)
    sx = window_sum(xb, window)
    sy = window_sum(yb, window)
    sxx = window_sum(xb * xb, window)
    sxy = window_sum(xb * yb, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    return np.where(n >= max(min_count, 2), slope, np.nan)
