"""Crowded themes: weighted member means, theme momentum, the crowding score and flags."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from crowdwatch.config.schema import Theme

CROWDING_SAMPLES, CROWDING_STEP = 52, 5
COMOVE_WINDOW, SLOPE_MIN, SCORE_MIN = 63, 42, 26
CROWDING_PARTS = ("momentum", "comovement", "momentum_beta")


def theme_weights(themes: tuple[Theme, ...], column: dict[str, int], n: int) -> np.ndarray:
    """(tickers, themes) weight matrix; tickers missing from the data get no row."""
    weights = np.zeros((n, len(themes)))
    for k, theme in enumerate(themes):
        for ticker in theme.tickers:
            if ticker in column:
                weights[column[ticker], k] = theme.weight(ticker)
    return weights


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean per row and theme, renormalised over members with a value."""
    have = ~np.isnan(values)
    total = have.astype(float) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.where(have, values, 0.0) @ weights) / total
    return np.where(total > 0, out, np.nan)


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


def crowding(
    theme_index: int,
    theme_momentum: np.ndarray,
    theme_returns: np.ndarray,
    momentum_pair: np.ndarray,
    returns: np.ndarray,
    index_returns: np.ndarray,
    beta: np.ndarray,
    columns: np.ndarray,
    d: int,
) -> tuple[float | None, dict[str, float | None]]:
    """Crowding at the previous close d and its three part scores."""
    parts: dict[str, list[float | None]] = {name: [] for name in CROWDING_PARTS}
    for k in range(CROWDING_SAMPLES + 1):
        s = d - CROWDING_STEP * k
        if s < 0:
            for series in parts.values():
                series.append(None)
            continue
        momentum = theme_momentum[s, theme_index]
        parts["momentum"].append(None if math.isnan(momentum) else float(momentum))
        parts["comovement"].append(comovement(returns, index_returns, beta, columns, s))
        parts["momentum_beta"].append(slope(theme_returns[:, theme_index], momentum_pair, s))
    scores = {name: part_score(series) for name, series in parts.items()}
    present = [v for v in scores.values() if v is not None]
    return (sum(present) / len(present) if present else None), scores


def flags(
    momentum: dict[str, float | None], sigma: dict[str, float | None]
) -> dict[str, str | None]:
    """UNWIND: top third by momentum and sigma <= -2; SQUEEZE: bottom third, sigma >= 2."""
    ranked = sorted(
        (name for name, m in momentum.items() if m is not None),
        key=lambda name: (-momentum[name], name),
    )
    third = math.ceil(len(ranked) / 3)
    top, bottom = set(ranked[:third]), set(ranked[len(ranked) - third :])
    out: dict[str, str | None] = {}
    for name in momentum:
        s = sigma.get(name)
        if name in top and s is not None and s <= -2:
            out[name] = "UNWIND"
        elif name in bottom and s is not None and s >= 2:
            out[name] = "SQUEEZE"
        else:
            out[name] = None
    return out


def member_contributions(members: pl.DataFrame, theme: Theme) -> pl.DataFrame:
    """A theme's members on T with weight and contribution (DESIGN.md "Attribution"):
    weight = w_i / (sum of w_j over members with a return), contribution = weight * r."""
    raw = pl.Series("raw", [theme.weight(t) for t in members.get_column("ticker")], pl.Float64)
    has = pl.col("ret").is_not_null()
    weight = pl.when(has).then(pl.col("raw") / pl.col("raw").filter(has).sum())
    return (
        members.with_columns(raw)
        .with_columns(weight.alias("weight"))
        .with_columns((pl.col("weight") * pl.col("ret")).alias("contribution"))
        .select("ticker", "weight", "ret", "contribution", "sigma", "mom", "beta")
    )
