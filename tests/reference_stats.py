"""Plain numpy helpers of the reference implementation: windows, move statistics, ranks."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view


def num(value: float | None) -> float | None:
    """A JSON number: NaN and inf become null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def windows(values: np.ndarray, length: int) -> np.ndarray:
    """Trailing windows along axis 0: out[t] holds rows t-length+1..t (NaN before the start)."""
    pad_shape = (length - 1, *values.shape[1:])
    padded = np.concatenate([np.full(pad_shape, np.nan), values], axis=0)
    # sliding_window_view puts the window axis last: (n_days, *rest, length)
    return sliding_window_view(padded, length, axis=0)


def rolling_beta(returns: np.ndarray, index_returns: np.ndarray, length: int, minimum: int):
    """OLS slope (with intercept) of each column on the index over trailing `length` rows."""
    y = windows(returns, length)  # (n, m, length)
    x = windows(index_returns, length)[:, None, :]  # (n, 1, length)
    both = ~np.isnan(y) & ~np.isnan(x)
    count = both.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x0 = np.where(both, x, 0.0)
        y0 = np.where(both, y, 0.0)
        mean_x = x0.sum(axis=-1) / count
        mean_y = y0.sum(axis=-1) / count
        dx = np.where(both, x - mean_x[..., None], 0.0)
        dy = np.where(both, y - mean_y[..., None], 0.0)
        slope = (dx * dy).sum(axis=-1) / (dx * dx).sum(axis=-1)
    return np.where(count >= minimum, slope, np.nan)


def rolling_std(returns: np.ndarray, length: int, minimum: int) -> np.ndarray:
    """Sample stdev (ddof=1) of each column over trailing `length` rows, ignoring nulls."""
    w = windows(returns, length)
    count = (~np.isnan(w)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(w, axis=-1) / count
        var = np.nansum((w - mean[..., None]) ** 2, axis=-1) / (count - 1)
    return np.where(count >= minimum, np.sqrt(var), np.nan)


def ols_slope(y: np.ndarray, x: np.ndarray) -> float | None:
    dx = x - x.mean()
    denominator = float((dx * dx).sum())
    if denominator == 0.0:
        return None
    return float((dx * (y - y.mean())).sum()) / denominator


def pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    da, db = a - a.mean(), b - b.mean()
    denominator = math.sqrt(float((da * da).sum()) * float((db * db).sum()))
    if denominator == 0.0:
        return None
    return float((da * db).sum()) / denominator


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson correlation of average ranks (ties share the mean of their ranks)."""
    if len(a) < 2:
        return None
    ranks_a = pd.Series(a).rank(method="average").to_numpy()
    ranks_b = pd.Series(b).rank(method="average").to_numpy()
    return pearson(ranks_a, ranks_b)


def compound(values: np.ndarray) -> float:
    return float(np.prod(1.0 + values)) - 1.0


def sigma_at(x: np.ndarray, i: int) -> float | None:
    """x(i) / sqrt(sum v^2 / (n-1)) over the last 252 non-null values before i (n >= 63)."""
    if np.isnan(x[i]):
        return None
    prior = x[:i]
    prior = prior[~np.isnan(prior)][-252:]
    if len(prior) < 63:
        return None
    scale = math.sqrt(float((prior * prior).sum()) / (len(prior) - 1))
    return None if scale == 0.0 else float(x[i]) / scale


def move_stats(dates: list[date], x: np.ndarray, i: int, members: list[str]) -> dict:
    """The M object of DESIGN.md for series x at row i (all null when x(i) is null)."""
    stats = dict.fromkeys(
        (
            "ret",
            "sigma",
            "percentile",
            "ret_1w",
            "ret_1m",
            "ret_ytd",
            "drawdown",
            "worst_since",
            "best_since",
        )
    )
    stats["members"] = sorted(members)
    value = x[i]
    if np.isnan(value):
        # choice: no value on T -> no move statistics at all (not stale 1w/1m/ytd)
        return stats
    value = float(value)
    stats["ret"] = value
    stats["sigma"] = sigma_at(x, i)
    prior_rows = np.flatnonzero(~np.isnan(x[:i]))
    prior = x[prior_rows]
    if len(prior):
        stats["percentile"] = float((prior <= value).mean())
    if value < 0:
        hits = prior_rows[prior <= value]
        stats["worst_since"] = dates[hits[-1]].isoformat() if len(hits) else None
    if value > 0:
        hits = prior_rows[prior >= value]
        stats["best_since"] = dates[hits[-1]].isoformat() if len(hits) else None
    upto = x[: i + 1]
    present = upto[~np.isnan(upto)]
    # choice: "the last 5 / 21 values" are non-null values; null when fewer exist
    if len(present) >= 5:
        stats["ret_1w"] = compound(present[-5:])
    if len(present) >= 21:
        stats["ret_1m"] = compound(present[-21:])
    year = dates[i].year
    in_year = np.array([d.year == year for d in dates[: i + 1]]) & ~np.isnan(upto)
    stats["ret_ytd"] = compound(upto[in_year])
    level = np.cumprod(1.0 + present)
    stats["drawdown"] = float(level[-1] / max(1.0, float(level.max())) - 1.0)
    return {key: num(v) if isinstance(v, float) else v for key, v in stats.items()}
