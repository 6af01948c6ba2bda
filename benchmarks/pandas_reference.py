"""The prepare() computations written plainly in pandas on a wide frame, for the benchmark.

The way a quant would write it: pivot to a date x ticker frame, pandas rolling windows,
row-wise ranks, matrix products for the themes. Same DESIGN.md definitions as
crowdwatch.analytics.model.prepare (run.py checks the series agree); no deliberate slowness.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl

from crowdwatch.config.schema import Config

EPSILON = 1e-9


def wide_closes(history: pl.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long history as pandas, and its closes pivoted to date x ticker."""
    long = history.to_pandas()
    long = long[long["close"] > 0].sort_values(["ticker", "date"])
    close = long.pivot(index="date", columns="ticker", values="close").sort_index()
    return long, close


def own_row_ratio(long: pd.DataFrame, close: pd.DataFrame, recent: int, older: int):
    """close(d - recent) / close(d - older) - 1, offsets counting the ticker's own rows."""
    by_ticker = long.groupby("ticker")["close"]
    ratio = by_ticker.shift(recent) / by_ticker.shift(older) - 1
    wide = long.assign(value=ratio).pivot(index="date", columns="ticker", values="value")
    return wide.reindex(index=close.index, columns=close.columns)


def baskets(signal: pd.DataFrame, eligible: pd.DataFrame, quantile: float):
    """Top / bottom masks: rank by the previous close's signal, ties by ticker."""
    prev = signal.shift(1).where(eligible)
    rank = prev.rank(axis=1, ascending=False, method="first")
    n = prev.notna().sum(axis=1)
    k = np.floor(quantile * n + EPSILON)
    top = rank.le(k, axis=0)
    bottom = rank.gt(n - k, axis=0)
    return top, bottom


def weighted_mean(values: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    return values.fillna(0.0) @ weights / (values.notna().astype(float) @ weights)


def comovement(returns, index, beta, members, end: int) -> float | None:
    window = returns.iloc[end - 62 : end + 1][members]
    market = np.outer(index.iloc[end - 62 : end + 1], beta.iloc[end][members])
    residual = (window - market).dropna(axis=1)
    if residual.shape[1] < 2:
        return None
    corr = residual.corr().to_numpy()
    pairs = corr[np.triu_indices(len(corr), k=1)]
    pairs = pairs[~np.isnan(pairs)]
    return float(pairs.mean()) if len(pairs) else None


def slope(y: pd.Series, x: pd.Series, end: int) -> float | None:
    both = pd.concat([y.iloc[end - 62 : end + 1], x.iloc[end - 62 : end + 1]], axis=1).dropna()
    if len(both) < 42 or both.iloc[:, 1].var() == 0:
        return None
    return float(both.cov().iloc[0, 1] / both.iloc[:, 1].var())


def score(samples: list[float | None]) -> float | None:
    prior = [v for v in samples[1:] if v is not None]
    if samples[0] is None or len(prior) < 26:
        return None
    return 100.0 * sum(v <= samples[0] for v in prior) / len(prior)


def crowding(theme, returns, index, beta, theme_ret, theme_mom, pair, d):
    members = [t for t in theme.tickers if t in returns.columns]
    parts: dict[str, list] = {"momentum": [], "comovement": [], "momentum_beta": []}
    for k in range(53):
        s = d - 5 * k
        ok = s >= 62
        m = theme_mom.iloc[s] if s >= 0 else math.nan
        parts["momentum"].append(None if math.isnan(m) else float(m))
        parts["comovement"].append(comovement(returns, index, beta, members, s) if ok else None)
        parts["momentum_beta"].append(slope(theme_ret, pair, s) if ok else None)
    scores = {name: score(values) for name, values in parts.items()}
    present = [v for v in scores.values() if v is not None]
    return (sum(present) / len(present) if present else None), scores


def prepare_pandas(history: pl.DataFrame, config: Config) -> dict[str, pd.Series]:
    """The daily basket, factor and theme series, dispersion, LETF flows and crowding."""
    long, close = wide_closes(history)
    bench = config.settings.benchmark
    returns = close.pct_change(fill_method=None)
    index = returns[bench]
    themed = {t for theme in config.themes for t in theme.tickers}
    underlyings = {f.underlying for f in config.letfs} - themed
    members = [t for t in close.columns if t not in underlyings and t != bench]
    eligible = returns.notna() & returns.columns.isin(members)

    both = returns.notna() & index.notna().to_numpy()[:, None]
    x = returns.mul(0).add(index, axis=0).where(both)
    signals = {
        "mom": own_row_ratio(long, close, 21, 252),
        "rev": own_row_ratio(long, close, 0, 21),
        "vol": returns.rolling(63, min_periods=42).std(),
        "beta": returns.rolling(252, min_periods=126).cov(index)
        / x.rolling(252, min_periods=126).var(),
    }
    if "market_cap" in long.columns:
        caps = long.pivot(index="date", columns="ticker", values="market_cap")
        signals["size"] = caps.reindex(index=close.index, columns=close.columns)

    q = config.settings.quantile
    legs, mom_masks = {}, None
    for name in {"mom", *(f.signal for f in config.factors)} & set(signals):
        top, bottom = baskets(signals[name], eligible, q)
        legs[name] = (returns.where(top).mean(axis=1), returns.where(bottom).mean(axis=1))
        if name == "mom":
            mom_masks = (top, bottom)
    series = {}
    winners, losers = legs["mom"]
    beta_prev = signals["beta"].shift(1)
    b_w, b_l = (
        beta_prev.where(mom_masks[0]).mean(axis=1),
        beta_prev.where(mom_masks[1]).mean(axis=1),
    )
    series["winners"], series["short_momentum"] = winners, losers
    series["momentum_pair"] = winners - losers
    series["momentum_beta_neutral"] = (winners - b_w / b_l * losers).where(b_l > 0)
    for spec in config.factors:
        if spec.signal in legs:
            high, low = legs[spec.signal]
            series[spec.name] = high - low if spec.long == "top" else low - high

    weights = pd.DataFrame(0.0, index=close.columns, columns=[t.name for t in config.themes])
    for theme in config.themes:
        for t in theme.tickers:
            if t in weights.index:
                weights.loc[t, theme.name] = theme.weight(t)
    theme_ret = weighted_mean(returns, weights)
    theme_mom = weighted_mean(signals["mom"], weights)
    series.update({name: theme_ret[name] for name in theme_ret.columns})

    member_sd = returns[members].rolling(5, min_periods=5).std()
    index_sd = index.rolling(5, min_periods=5).std()
    series["_dispersion"] = member_sd.div(index_sd, axis=0).mean(axis=1).where(index_sd > 0)
    funds = [f for f in config.letfs if f.underlying in close.columns]
    flows = sum(returns[f.underlying].fillna(0) * f.aum_usd * f.leverage * (f.leverage - 1)
                for f in funds)  # fmt: skip
    have = pd.concat([returns[f.underlying] for f in funds], axis=1).notna().any(axis=1)
    series["_letf_flow"] = flows.where(have)
    pair = series["momentum_pair"]
    prior = pair.dropna()
    rms = np.sqrt((prior**2).rolling(252, min_periods=63).sum().shift(1) / (
        prior.notna().rolling(252, min_periods=63).sum().shift(1) - 1))  # fmt: skip
    series["_pair_sigma"] = prior / rms
    d = len(close) - 1
    series["_crowding"] = pd.Series({
        t.name: crowding(t, returns, index, signals["beta"], theme_ret[t.name],
                         theme_mom[t.name], pair, d)[0]
        for t in config.themes
    })  # fmt: skip
    return series
