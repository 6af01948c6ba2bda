"""The plain reference for the internals' drill-downs, from their definitions: each internal's
daily history and T's percentile, breadth by sector, the 5-day vol ratios, the most reversed
names and the LETF flow per underlying and per fund (loops over days and names)."""

from __future__ import annotations

import numpy as np
from reference_attribution import sector_lookup
from reference_stats import spearman
from reference_themes import _realized_corr

from crowdwatch.config.schema import Config

LISTED = 15


def num(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def share_at_or_below(prior: list, today: float | None) -> float | None:
    known = [v for v in prior if v is not None]
    if today is None or not known:
        return None
    return sum(v <= today for v in known) / len(known)


def breadth_on(m, eligible: np.ndarray, t: int) -> float | None:
    cols = np.flatnonzero(eligible[t])
    if not len(cols) or np.isnan(m.index_ret[t]):
        return None
    return float(np.mean(m.ret[t, cols] > m.index_ret[t]))


def reversal_on(m, eligible: np.ndarray, t: int) -> float | None:
    """Spearman of r(i,t) with mom(i) at t-1 over the members with both."""
    if t < 1:
        return None
    mom = m.signals["mom"][t - 1]
    cols = [j for j in np.flatnonzero(eligible[t]) if not np.isnan(mom[j])]
    return spearman(m.ret[t, cols], mom[cols]) if len(cols) >= 2 else None


def with_percentile(values: list, t_row: int) -> dict:
    return {"values": values, "percentile": share_at_or_below(values[:t_row], values[t_row])}


def fund_flow(m, fund, t: int) -> float | None:
    r = m.ret[t, m.col[fund.underlying]]
    return None if np.isnan(r) else fund.aum_usd * fund.leverage * (fund.leverage - 1.0) * r


def flow_entry(values: list, t_row: int) -> dict:
    sizes = [None if v is None else abs(v) for v in values]
    return {"values": values, "today": values[t_row],
            "percentile": share_at_or_below(sizes[:t_row], sizes[t_row])}  # fmt: skip


def letf_reference(m, config: Config, t_row: int) -> dict:
    funds = [f for f in config.letfs if f.underlying in m.col]
    out = {}
    for name in dict.fromkeys(f.underlying for f in funds):
        values = []
        for t in range(t_row + 1):
            parts = [fund_flow(m, f, t) for f in funds if f.underlying == name]
            known = [v for v in parts if v is not None]
            values.append(sum(known) if known else None)
        out[name] = flow_entry(values, t_row)
    for f in funds:
        out[f"fund:{f.ticker}"] = flow_entry([fund_flow(m, f, t) for t in range(t_row + 1)], t_row)
    return out


def by_sector(m, eligible: np.ndarray, t_row: int, uni) -> list[tuple]:
    """(sector, members, beating, lagging, breadth), largest breadth first, then the larger
    sector, then by name."""
    sector_of = sector_lookup(uni)
    index_ret = m.index_ret[t_row]
    if np.isnan(index_ret):
        return []
    groups: dict[str, list[bool]] = {}
    for j in np.flatnonzero(eligible[t_row]):
        label = sector_of(m.tickers[j]) if sector_of is not None else "All members"
        groups.setdefault(label, []).append(bool(m.ret[t_row, j] > index_ret))
    rows = [(s, len(b), sum(b), len(b) - sum(b), sum(b) / len(b)) for s, b in groups.items()]
    return sorted(rows, key=lambda row: (-row[4], -row[1], row[0]))


def vol_ratios(m, eligible: np.ndarray, t_row: int) -> tuple[list[tuple], int]:
    """(ticker, ret, 5-day stdev, / the index's) over members with all 5 returns ending T."""
    if t_row < 4:
        return [], 0
    index = m.index_ret[t_row - 4 : t_row + 1]
    if np.isnan(index).any() or np.std(index, ddof=1) == 0:
        return [], 0
    rows = []
    for j in np.flatnonzero(eligible[t_row]):
        window = m.ret[t_row - 4 : t_row + 1, j]
        if np.isnan(window).any():
            continue
        sd = float(np.std(window, ddof=1))
        rows.append((m.tickers[j], float(m.ret[t_row, j]), sd, sd / float(np.std(index, ddof=1))))
    rows.sort(key=lambda row: (-row[3], row[0]))
    return rows[:LISTED], len(rows)


def most_reversed(m, eligible: np.ndarray, t_row: int) -> tuple[list[tuple], int]:
    """(ticker, ret, mom at d) with ret and mom of opposite signs, largest |ret| first."""
    mom = m.signals["mom"][t_row - 1]
    ranked = [j for j in np.flatnonzero(eligible[t_row]) if not np.isnan(mom[j])]
    against = [j for j in ranked if m.ret[t_row, j] * mom[j] < 0]
    rows = [(m.tickers[j], float(m.ret[t_row, j]), float(mom[j])) for j in against]
    rows.sort(key=lambda row: (-abs(row[1]), row[0]))
    return rows[:LISTED], len(ranked)


def internals_details(m, config: Config, eligible: np.ndarray, t_row: int, uni) -> dict:
    days = range(t_row + 1)
    return {
        "index": with_percentile([num(m.index_ret[t]) for t in days], t_row),
        "breadth": with_percentile([breadth_on(m, eligible, t) for t in days], t_row),
        "reversal": with_percentile([reversal_on(m, eligible, t) for t in days], t_row),
        "realized": with_percentile([_realized_corr(m, eligible, t) for t in days], t_row),
        "by_sector": by_sector(m, eligible, t_row, uni),
        "vol_ratios": vol_ratios(m, eligible, t_row),
        "most_reversed": most_reversed(m, eligible, t_row),
        "letf": letf_reference(m, config, t_row),
    }


def dispersion_ratio(window: np.ndarray, index_window: np.ndarray) -> float | None:
    """The definition on the members' columns copied out (what the tick computed before its
    no-copy version): window (5, members) returns ending T; members need all 5 returns."""
    if np.isnan(index_window).any() or window.shape[1] == 0:
        return None
    index_std = float(np.std(index_window, ddof=1))
    complete = window[:, ~np.isnan(window).any(axis=0)]
    if complete.shape[1] == 0 or index_std == 0:
        return None
    return float(np.mean(np.std(complete, axis=0, ddof=1) / index_std))


def realized_corr(window: np.ndarray, index_window: np.ndarray) -> float | None:
    """The definition on the members' columns copied out: the implied-style average
    correlation from 21-day stdevs, equal weights."""
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
