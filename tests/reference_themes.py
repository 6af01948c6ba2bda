"""Reference themes (returns, crowding, flags), market internals and events, plainly."""

from __future__ import annotations

import math
from datetime import date
from itertools import combinations

import numpy as np
from reference_stats import (
    compound,
    move_stats,
    num,
    ols_slope,
    pearson,
    rolling_std,
    sigma_at,
    spearman,
)

from crowdwatch.config.schema import Config, Theme

SAMPLES = 53  # crowding sample dates s_k = d - 5k, k = 0..52


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean renormalised over the non-null entries (NaN when none)."""
    present = ~np.isnan(values)
    total = (present * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(present, values, 0.0) @ weights / total
    return np.where(total > 0, out, np.nan)


def _score(values: list[float | None]) -> float | None:
    today = values[0]
    prior = [v for v in values[1:] if v is not None]
    if today is None or len(prior) < 26:
        return None
    return 100.0 * sum(v <= today for v in prior) / len(prior)


def _comovement(m, cols: list[int], s: int) -> float | None:
    lo = s - 62
    if lo < 0:
        return None
    index_ret = m.index_ret[lo : s + 1]
    if np.isnan(index_ret).any():
        return None  # choice: residuals need the index on every one of the 63 days
    residuals = []
    for j in cols:
        r = m.ret[lo : s + 1, j]
        b = m.signals["beta"][s, j]
        # choice: a member without a beta at s has no residual and is left out
        if not np.isnan(r).any() and not np.isnan(b):
            residuals.append(r - b * index_ret)
    if len(residuals) < 2:
        return None
    corrs = [pearson(a, b) for a, b in combinations(residuals, 2)]
    corrs = [c for c in corrs if c is not None]  # choice: flat residuals have no correlation
    return float(np.mean(corrs)) if corrs else None


def _momentum_beta(theme_ret: np.ndarray, pair: np.ndarray, s: int) -> float | None:
    lo = max(0, s - 62)
    y, x = theme_ret[lo : s + 1], pair[lo : s + 1]
    both = ~np.isnan(y) & ~np.isnan(x)
    if both.sum() < 42:
        return None
    return ols_slope(y[both], x[both])


def _theme_frame(m, theme: Theme) -> tuple[list[int], np.ndarray, np.ndarray]:
    cols = [m.col[t] for t in dict.fromkeys(theme.tickers) if t in m.col]
    weights = np.array([theme.weight(m.tickers[j]) for j in cols], dtype=float)
    theme_ret = _weighted(m.ret[:, cols], weights)
    theme_mom = _weighted(m.signals["mom"][:, cols], weights)
    return cols, theme_ret, theme_mom


def themes_block(m, config: Config, pair: np.ndarray, t_row: int) -> dict:
    d = t_row - 1
    out, momentum_at_d = {}, {}
    for theme in config.themes:
        cols, theme_ret, theme_mom = _theme_frame(m, theme)
        with_ret = [m.tickers[j] for j in cols if not np.isnan(m.ret[t_row, j])]
        block = move_stats(m.dates, theme_ret, t_row, with_ret)
        block["members"] = len(with_ret)
        block["missing"] = [t for t in theme.tickers if t not in m.col]  # choice: YAML order
        raw = {key: [] for key in ("momentum", "comovement", "momentum_beta")}
        for k in range(SAMPLES):
            s = d - 5 * k
            if s < 0:
                for values in raw.values():
                    values.append(None)
                continue
            raw["momentum"].append(num(theme_mom[s]))
            raw["comovement"].append(_comovement(m, cols, s))
            raw["momentum_beta"].append(_momentum_beta(theme_ret, pair, s))
        parts = {key: _score(values) for key, values in raw.items()}
        present = [v for v in parts.values() if v is not None]
        block["crowding"] = float(np.mean(present)) if present else None
        block["crowding_parts"] = parts
        block["flag"] = None
        out[theme.name] = block
        if d >= 0 and not np.isnan(theme_mom[d]):
            momentum_at_d[theme.name] = float(theme_mom[d])
    ranked = sorted(momentum_at_d, key=lambda name: (-momentum_at_d[name], name))
    third = math.ceil(len(ranked) / 3)
    for position, name in enumerate(ranked):
        sigma = out[name]["sigma"]
        if sigma is None:
            continue
        if position < third and sigma <= -2:
            out[name]["flag"] = "UNWIND"
        elif position >= len(ranked) - third and sigma >= 2:
            out[name]["flag"] = "SQUEEZE"
    return out


def _dispersion_ratios(m, eligible: np.ndarray) -> list[float | None]:
    """Per day: mean over members with all 5 returns of sd_i / sd_index (5 days, ddof=1)."""
    member_sd = rolling_std(m.ret, 5, 5)  # needs all 5 returns of the window
    index_sd = rolling_std(m.index_ret[:, None], 5, 5)[:, 0]
    ratios: list[float | None] = []
    for t in range(len(m.dates)):
        cols = eligible[t] & ~np.isnan(member_sd[t])
        if np.isnan(index_sd[t]) or index_sd[t] == 0.0 or not cols.any():
            ratios.append(None)
        else:
            ratios.append(float(np.mean(member_sd[t, cols] / index_sd[t])))
    return ratios


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _realized_corr(m, eligible: np.ndarray, t: int) -> float | None:
    if t < 20:
        return None
    index_ret = m.index_ret[t - 20 : t + 1]
    if np.isnan(index_ret).any():
        return None
    block = m.ret[t - 20 : t + 1]
    cols = [j for j in np.flatnonzero(eligible[t]) if not np.isnan(block[:, j]).any()]
    if len(cols) < 2:
        return None
    w = 1.0 / len(cols)
    sd = np.array([np.std(block[:, j], ddof=1) for j in cols])
    index_var = float(np.std(index_ret, ddof=1)) ** 2
    own = float((w * w * sd * sd).sum())
    denominator = float((w * sd).sum()) ** 2 - own
    return None if denominator == 0.0 else (index_var - own) / denominator


def _letf_flows(m, config: Config, t: int) -> dict[str, float]:
    """Flow by underlying on day t (today's AUMs); underlyings without a return are absent."""
    flows: dict[str, float] = {}
    for fund in config.letfs:
        j = m.col.get(fund.underlying)
        if j is None or np.isnan(m.ret[t, j]):
            continue
        flow = fund.aum_usd * fund.leverage * (fund.leverage - 1.0) * float(m.ret[t, j])
        flows[fund.underlying] = flows.get(fund.underlying, 0.0) + flow
    return flows


def _share_at_or_below(prior: list[float], today: float | None) -> float | None:
    if today is None or not prior:
        return None
    return sum(v <= today for v in prior) / len(prior)


def internals_and_events(
    m, config: Config, eligible: np.ndarray, pair: np.ndarray, t_row: int
) -> tuple[dict, list[dict]]:
    settings = config.settings
    today = m.dates[t_row]
    cols = np.flatnonzero(eligible[t_row])
    index_ret = num(m.index_ret[t_row])
    breadth = None
    if len(cols) and index_ret is not None:
        breadth = float((m.ret[t_row, cols] > index_ret).mean())

    ratios = _dispersion_ratios(m, eligible)
    since = _years_before(today, settings.dispersion_since_years)
    prior_ratios = [
        r for t, r in enumerate(ratios[:t_row]) if r is not None and m.dates[t] >= since
    ]

    mom_d = m.signals["mom"][t_row - 1] if t_row >= 1 else np.full(len(m.tickers), np.nan)
    with_mom = [j for j in cols if not np.isnan(mom_d[j])]
    reversal = spearman(m.ret[t_row, with_mom], mom_d[with_mom]) if with_mom else None

    flows = [_letf_flows(m, config, t) for t in range(t_row + 1)]
    totals = [sum(f.values()) if f else None for f in flows]  # choice: no fund return -> null
    prior_abs = [abs(v) for v in totals[:t_row] if v is not None]
    today_abs = None if totals[t_row] is None else abs(totals[t_row])
    gamma = sum(f.aum_usd * f.leverage * (f.leverage - 1.0) * 0.01 for f in config.letfs)

    internals = {
        "index_ret": index_ret,
        "breadth": breadth,
        "dispersion_ratio": ratios[t_row],
        "dispersion_percentile": _share_at_or_below(prior_ratios, ratios[t_row]),
        "reversal_corr": reversal,
        "realized_corr": _realized_corr(m, eligible, t_row),
        "letf_flow_usd": totals[t_row],
        "letf_flow_percentile": _share_at_or_below(prior_abs, today_abs),
        "letf_gamma_usd_per_pct": float(gamma),
        "letf_by_underlying": flows[t_row],
    }
    return internals, _events(m, pair, t_row)


def _events(m, pair: np.ndarray, t_row: int) -> list[dict]:
    events, last_kept = [], None
    for t in range(t_row):
        sigma = sigma_at(pair, t)
        if sigma is None or sigma > -3:
            continue
        if last_kept is not None and t - last_kept < 21:
            continue
        last_kept = t
        event = {"date": m.dates[t].isoformat(), "sigma": sigma}
        for horizon in (5, 21, 63):
            ahead = pair[t + 1 : t + 1 + horizon]
            complete = len(ahead) == horizon and not np.isnan(ahead).any()
            event[f"fwd_{horizon}d"] = compound(ahead) if complete else None
        events.append(event)
    return events
