"""Reference History lens (DESIGN.md): daily features, analog days, momentum regime, plainly.

Written from DESIGN.md alone, one day at a time with pandas and plain loops; the
implementation (crowdwatch.analytics.history_lens) is compared against it through
reference.reference_report. Readings where DESIGN.md leaves room are marked "choice:".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from reference_stats import compound, num, sigma_at, spearman

FEATURES = (
    "pair_sigma",
    "winners_sigma",
    "short_sigma",
    "index_sigma",
    "breadth",
    "dispersion",
    "reversal_corr",
)
SPACING, KEEP, HORIZONS = 21, 5, (5, 21, 63)
INDEX_LOOKBACK, VOL_WINDOW = 504, 126


def daily_features(m, eligible, winners, short_mom, pair, ratios, t_row: int) -> pd.DataFrame:
    """One row per trading day 0..t_row, one column per feature (NaN when unknown)."""
    rows = []
    for t in range(t_row + 1):
        cols = np.flatnonzero(eligible[t])
        index_ret = m.index_ret[t]
        breadth = None
        if len(cols) and not np.isnan(index_ret):
            breadth = float((m.ret[t, cols] > index_ret).mean())
        ratio = ratios[t]
        # choice: ln of a zero (or missing) ratio is unknown, not -inf
        dispersion = math.log(ratio) if ratio is not None and ratio > 0 else None
        reversal = None
        if t >= 1:
            mom = m.signals["mom"][t - 1]
            ranked = [j for j in cols if not np.isnan(mom[j])]
            reversal = spearman(m.ret[t, ranked], mom[ranked]) if ranked else None
        rows.append(
            {
                "pair_sigma": sigma_at(pair, t),
                "winners_sigma": sigma_at(winners, t),
                "short_sigma": sigma_at(short_mom, t),
                "index_sigma": sigma_at(m.index_ret, t),
                "breadth": breadth,
                "dispersion": dispersion,
                "reversal_corr": reversal,
            }
        )
    return pd.DataFrame(rows, columns=list(FEATURES), dtype=float)


def _forward(series: np.ndarray, t: int, horizon: int) -> float | None:
    ahead = series[t + 1 : t + 1 + horizon]
    if len(ahead) < horizon or np.isnan(ahead).any():
        return None
    return compound(ahead)


def analogs(m, features: pd.DataFrame, pair: np.ndarray, t_row: int) -> list[dict] | None:
    complete = features.dropna()
    if t_row not in complete.index:
        return None
    mean = complete.mean()
    std = complete.std(ddof=1)
    z = pd.DataFrame(index=complete.index)
    for name in FEATURES:
        scale = std[name]
        if math.isfinite(scale) and scale > 0:
            z[name] = (complete[name] - mean[name]) / scale
        else:
            z[name] = 0.0  # choice: a feature that never varies separates no days
    today = z.loc[t_row]
    distance = {t: math.sqrt(float(((z.loc[t] - today) ** 2).sum())) for t in z.index}
    candidates = [t for t in complete.index if t <= t_row - SPACING]
    candidates.sort(key=lambda t: (distance[t], m.dates[t]))
    kept: list[int] = []
    for t in candidates:
        if all(abs(t - k) >= SPACING for k in kept):
            kept.append(t)
        if len(kept) == KEEP:
            break
    out = []
    for t in kept:
        item = {
            "date": m.dates[t].isoformat(),
            "distance": distance[t],
            "features": {name: float(complete.loc[t, name]) for name in FEATURES},
        }
        for horizon in HORIZONS:
            item[f"pair_fwd_{horizon}d"] = _forward(pair, t, horizon)
        for horizon in HORIZONS:
            item[f"index_fwd_{horizon}d"] = _forward(m.index_ret, t, horizon)
        out.append(item)
    return out


def _momentum_vol(pair: np.ndarray, day: int) -> float | None:
    # choice: "the last 126 values" are the pair's last 126 non-null values dated <= day
    values = pair[: day + 1]
    values = values[~np.isnan(values)]
    if len(values) < VOL_WINDOW:
        return None
    return float(np.std(values[-VOL_WINDOW:], ddof=1)) * math.sqrt(252)


def regime(m, benchmark: str, pair: np.ndarray, d: int, target: float) -> dict:
    index_24m = None
    if benchmark in m.col and d >= 0:
        own = pd.Series(m.close[: d + 1, m.col[benchmark]], index=m.dates[: d + 1]).dropna()
        # own rows: d-504 is 504 of the benchmark's own closes back
        if len(own) >= INDEX_LOOKBACK + 1 and own.index[-1] == m.dates[d]:
            index_24m = float(own.iloc[-1] / own.iloc[-1 - INDEX_LOOKBACK]) - 1.0
    bear = None if index_24m is None else index_24m < 0
    vol = _momentum_vol(pair, d) if d >= 0 else None
    # choice: "earlier daily values" = the momentum_vol of every trading day before d
    earlier = [v for v in (_momentum_vol(pair, s) for s in range(d)) if v is not None]
    percentile = None
    if vol is not None and earlier:
        percentile = sum(v <= vol for v in earlier) / len(earlier)
    exposure = target / vol if vol else None
    label = None
    if bear is not None and percentile is not None:
        high = percentile >= 0.8
        label = "panic" if bear and high else "bear" if bear else "high-vol" if high else "calm"
    return {
        "index_24m": num(index_24m),
        "bear_market": bear,
        "momentum_vol": num(vol),
        "momentum_vol_percentile": percentile,
        "scaled_exposure": num(exposure),
        "regime": label,
    }


def history_lens(m, config, eligible, winners, short_mom, pair, ratios, t_row: int):
    """The `analogs` and `regime` blocks of the report at row t_row."""
    features = daily_features(m, eligible, winners, short_mom, pair, ratios, t_row)
    settings = config.settings
    return (
        analogs(m, features, pair, t_row),
        regime(m, settings.benchmark, pair, t_row - 1, settings.momentum_vol_target),
    )
