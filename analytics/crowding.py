"""Crowding: how crowded a theme is today against its own past year (DESIGN.md "Crowding")."""

from __future__ import annotations

import math

import numpy as np

from crowdwatch.config.calendar import QUARTER, WEEK

CROWDING_SAMPLES, CROWDING_STEP = 52, WEEK
COMOVE_WINDOW, SLOPE_MIN, SCORE_MIN = QUARTER, 42, 26
CROWDING_PARTS = ("momentum", "comovement", "momentum_beta")


def comovement(
    returns: np.ndarray, index_returns: np.ndarray, beta: np.ndarray, columns: np.ndarray, end: int
) -> float | None:
    """Mean pairwise correlation of market-residual returns over the 63 days ending `end`."""
    start = end - COMOVE_WINDOW + 1
    if start < 0 or len(columns) < 2:
        return None
    block = returns[start : end + 1][:, columns]
    residual = block - beta[end, columns][None, :] * index_returns[start : end + 1, None]
    complete = ~np.isnan(residual).any(axis=0)
    residual = residual[:, complete]
    if residual.shape[1] < 2:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(residual, rowvar=False)
    pairs = corr[np.triu_indices(residual.shape[1], k=1)]
    pairs = pairs[~np.isnan(pairs)]
    return float(pairs.mean()) if len(pairs) else None


def slope(y: np.ndarray, x: np.ndarray, end: int) -> float | None:
    """OLS slope of y on x over the 63 rows ending `end`, where both exist (>= 42)."""
    start = end - COMOVE_WINDOW + 1
    if start < 0:
        return None
    ys, xs = y[start : end + 1], x[start : end + 1]
    both = ~np.isnan(ys) & ~np.isnan(xs)
    if both.sum() < SLOPE_MIN:
        return None
    xs, ys = xs[both], ys[both]
    dx = xs - xs.mean()
    denominator = float(np.dot(dx, dx))
    if denominator == 0:
        return None
    return float(np.dot(dx, ys - ys.mean()) / denominator)


def part_score(samples: list[float | None]) -> float | None:
    """100 * share of prior samples (k >= 1, non-null) <= the sample at k = 0."""
    today, prior = samples[0], [v for v in samples[1:] if v is not None]
    if today is None or len(prior) < SCORE_MIN:
        return None
    return 100.0 * sum(v <= today for v in prior) / len(prior)


def sample_days(d: int) -> list[int | None]:
    """The days crowding samples: d and every CROWDING_STEP days back (None before row 0)."""
    return [
        s if s >= 0 else None
        for s in range(d, d - CROWDING_STEP * CROWDING_SAMPLES - 1, -CROWDING_STEP)
    ]


def comovements(
    returns: np.ndarray, index_returns: np.ndarray, beta: np.ndarray, columns: np.ndarray, d: int
) -> list[float | None]:
    """The comovement part's samples (the costly one): on the sample days from d back."""
    return [
        comovement(returns, index_returns, beta, columns, s) if s is not None else None
        for s in sample_days(d)
    ]


def crowding(
    theme_index: int,
    theme_momentum: np.ndarray,
    theme_returns: np.ndarray,
    momentum_pair: np.ndarray,
    comovement_samples: list[float | None],
    d: int,
) -> tuple[float | None, dict[str, float | None]]:
    """Crowding at the previous close d and its three part scores (the comovement samples
    from comovements())."""
    parts: dict[str, list[float | None]] = {
        "momentum": [], "comovement": comovement_samples, "momentum_beta": []
    }  # fmt: skip
    for s in sample_days(d):
        if s is None:
            parts["momentum"].append(None)
            parts["momentum_beta"].append(None)
            continue
        momentum = theme_momentum[s, theme_index]
        parts["momentum"].append(None if math.isnan(momentum) else float(momentum))
        parts["momentum_beta"].append(slope(theme_returns[:, theme_index], momentum_pair, s))
    scores = {name: part_score(parts[name]) for name in CROWDING_PARTS}
    present = [v for v in scores.values() if v is not None]
    return (sum(present) / len(present) if present else None), scores
