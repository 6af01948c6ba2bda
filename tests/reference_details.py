"""The plain reference for what the drill-downs show: every daily series, its cumulative
path, sigma days and worst days, theme member rows, the dispersion history and LETF funds."""

from __future__ import annotations

import math

import numpy as np
from reference_stats import sigma_at
from reference_themes import _dispersion_ratios, _letf_flows, _theme_frame

from crowdwatch.config.schema import Config

RECENT, WORST = 60, 8


def member_sigma(m, j: int, t_row: int) -> float | None:
    """r(j, T) over the stdev (ddof=1, not demeaned) of j's returns on the 252 trading days
    ending d (the code's reading: at least 63 of them)."""
    window = m.ret[max(0, t_row - 252) : t_row, j]
    window = window[~np.isnan(window)]
    value = m.ret[t_row, j]
    if np.isnan(value) or len(window) < 63:
        return None
    scale = math.sqrt(float((window * window).sum()) / (len(window) - 1))
    return float(value) / scale if scale > 0 else None


def num(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def series_details(m, x: np.ndarray, t_row: int) -> dict:
    """Drill-down of one series: the compounded path, sigma days, worst days, recent, record."""
    rows = [t for t in range(t_row + 1) if not np.isnan(x[t])]
    level, path = 1.0, []
    for t in rows:
        level *= 1.0 + float(x[t])
        path.append((m.dates[t], level - 1.0))
    sigmas = [(m.dates[t], float(x[t]), sigma_at(x, t)) for t in rows]
    with_sigma = [row for row in sigmas if row[2] is not None]
    worst = sorted(with_sigma, key=lambda row: (row[1], row[0]))[:WORST]
    value = x[t_row]
    prior = x[:t_row][~np.isnan(x[:t_row])]
    on_record = False
    if not np.isnan(value):
        on_record = bool((value < 0 and not (prior <= value).any())
                         or (value > 0 and not (prior >= value).any()))  # fmt: skip
    present = [float(x[t]) for t in rows]
    recent = present[-RECENT:] if not np.isnan(value) else [*present[-(RECENT - 1) :], None]
    return {
        "cumulative": path,
        "sigmas": [row[2] for row in with_sigma],
        "worst_days": worst,
        "recent": recent,
        "on_record": on_record,
        "values": [num(v) for v in x],
    }


def drill_down_details(
    m, config: Config, eligible: np.ndarray, series: dict[str, np.ndarray], t_row: int
) -> dict:
    series = dict(series)
    members = {}
    d = t_row - 1
    for theme in config.themes:
        cols, theme_ret, _ = _theme_frame(m, theme)
        series[theme.name] = theme_ret
        members[theme.name] = [
            {
                "ticker": m.tickers[j],
                "ret": num(m.ret[t_row, j]),
                "sigma": member_sigma(m, j, t_row),
                "mom": num(m.signals["mom"][d, j]) if d >= 0 else None,
                "beta": num(m.signals["beta"][d, j]) if d >= 0 else None,
            }
            for j in cols
        ]
    funds = []
    for fund in config.letfs:
        j = m.col.get(fund.underlying)
        if j is None:
            continue  # a fund whose underlying is not in the data is not listed
        r = m.ret[t_row, j]
        flow = None if np.isnan(r) else fund.aum_usd * fund.leverage * (fund.leverage - 1.0) * r
        funds.append({"ticker": fund.ticker, "underlying": fund.underlying,
                      "leverage": float(fund.leverage), "aum_usd": float(fund.aum_usd),
                      "flow_usd": flow})  # fmt: skip
    return {
        "dates": list(m.dates),
        "series": {name: series_details(m, x, t_row) for name, x in series.items()},
        "members": members,
        "dispersion": _dispersion_ratios(m, eligible),
        # choice (as the report): a day on which no fund's underlying has a return is null
        "letf_flows": [
            sum(flows.values()) if (flows := _letf_flows(m, config, t)) else None
            for t in range(t_row + 1)
        ],
        "letf_funds": funds,
    }
