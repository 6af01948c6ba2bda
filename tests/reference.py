"""An independent, deliberately plain pandas/numpy reading of every DESIGN.md definition.

It returns the `report --json` dict. Choices where DESIGN.md leaves room are commented
"choice:"; the implementation (crowdwatch.analytics) is compared against this in
tests/test_reference_compare.py.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import polars as pl
from reference_attribution import basket_frame, explain, pair_frame, sector_lookup, theme_frame
from reference_details import drill_down_details
from reference_history import history_lens
from reference_internals import internals_details
from reference_positioning import reference_series
from reference_stats import move_stats, rolling_beta, rolling_std
from reference_themes import _dispersion_ratios, internals_and_events, themes_block

from crowdwatch.config.schema import Config


def _to_pandas(frame: pd.DataFrame | pl.DataFrame) -> pd.DataFrame:
    out = frame.to_pandas() if isinstance(frame, pl.DataFrame) else frame.copy()
    out["date"] = [pd.Timestamp(d).date() for d in out["date"]]
    return out


def _wide(history: pd.DataFrame, column: str) -> pd.DataFrame:
    return history.pivot(index="date", columns="ticker", values=column).sort_index()


class Market:
    """Wide (date x ticker) closes, returns and signals; row i of a signal is its value at d=i."""

    def __init__(self, closes: pd.DataFrame, caps: pd.DataFrame | None, config: Config):
        self.dates: list[date] = list(closes.index)
        self.tickers: list[str] = list(closes.columns)
        self.col = {t: j for j, t in enumerate(self.tickers)}
        close = closes.to_numpy(dtype=float)
        self.close = close
        previous = np.vstack([np.full((1, close.shape[1]), np.nan), close[:-1]])
        # returns on the global date grid: null when either close is missing
        self.ret = close / previous - 1.0
        self.has_prev = ~np.isnan(previous)
        bench = config.settings.benchmark
        self.index_ret = self.ret[:, self.col[bench]]
        self.signals = {
            "mom": self._own_rows(closes, lambda s: s.shift(21) / s.shift(252) - 1.0),
            "rev": self._own_rows(closes, lambda s: s / s.shift(21) - 1.0),
            # choice: beta/vol windows are the 252/63 global trading days ending d
            "beta": rolling_beta(self.ret, self.index_ret, 252, 126),
            "vol": rolling_std(self.ret, 63, 42),
        }
        # choice: without market caps, size is null for everyone (a factor with empty legs)
        self.signals["size"] = (
            caps.reindex(columns=self.tickers).to_numpy(dtype=float)
            if caps is not None
            else np.full(close.shape, np.nan)
        )

    def _own_rows(self, closes: pd.DataFrame, fn) -> np.ndarray:
        # offsets count the ticker's own rows; choice: null at d when the ticker has no row at d
        out = {t: fn(closes[t].dropna()).reindex(closes.index) for t in closes.columns}
        return pd.DataFrame(out)[self.tickers].to_numpy(dtype=float)


def reference_report(
    history: pd.DataFrame | pl.DataFrame,
    config: Config,
    universe: pd.DataFrame | pl.DataFrame | None = None,
    quotes: pd.DataFrame | pl.DataFrame | None = None,
    as_of: date | None = None,
    source: str = "files",
    simulated: bool = False,
    user_series: pd.DataFrame | None = None,
    details: dict | None = None,
) -> dict:
    """The `report --json` dict of DESIGN.md, computed the plain way; user_series is a
    series.csv frame (date, name, value) for "series" and "net_gamma_usd_per_pct".

    `details`, when given, receives what the drill-downs show (reference_details.py).
    """
    settings = config.settings
    frame = _to_pandas(history).dropna(subset=["close"])
    if as_of is not None:
        frame = frame[frame["date"] <= as_of]
    closes = _wide(frame, "close")
    caps = _wide(frame, "market_cap") if "market_cap" in frame.columns else None
    mode = "close"
    if quotes is not None and len(quotes):
        mode = "live"
        q = quotes.to_pandas() if isinstance(quotes, pl.DataFrame) else quotes
        q = q.dropna(subset=["last"])
        today = pd.Timestamp(q["ts"].max()).tz_convert("UTC").date()
        # choice: history rows dated on or after the quotes' date are replaced by the quotes
        closes = closes[closes.index < today]
        if caps is not None:
            caps = caps[caps.index < today]
        last = q[q["ticker"].isin(closes.columns)].set_index("ticker")["last"]
        closes.loc[today] = last.reindex(closes.columns)
        if caps is not None:
            caps.loc[today] = np.nan
    m = Market(closes, caps, config)
    t_row = len(m.dates) - 1
    bench = settings.benchmark

    underlyings = {f.underlying for f in config.letfs}
    listed = {t for theme in config.themes for t in theme.tickers}
    uni = None
    if universe is not None:
        uni = universe.to_pandas() if isinstance(universe, pl.DataFrame) else universe
        # choice: universe.csv tickers count only when they are in the history
        members = set(uni["ticker"]) & set(m.tickers)
    else:
        members = {t for t in m.tickers if t not in underlyings or t in listed}
    members.discard(bench)
    is_member = np.array([t in members for t in m.tickers])
    # on day t: a member with a close on t-1 and a return on t
    eligible = is_member[None, :] & m.has_prev & ~np.isnan(m.ret)

    q = settings.quantile
    cap_weighted = settings.weighting == "cap"

    n_days = len(m.dates)
    candidates = [list(np.flatnonzero(eligible[t])) for t in range(n_days)]
    returns_by_day = m.ret.tolist()

    def select(signal: np.ndarray, t: int) -> tuple[list[int], list[int]]:
        if t == 0:
            return [], []
        values = signal[t - 1].tolist()
        cols = [j for j in candidates[t] if not math.isnan(values[j])]
        cols.sort(key=lambda j: (-values[j], m.tickers[j]))
        # the code's rule (README decisions): floor(q * n) with a 1e-9 guard, so float noise
        # cannot drop a name (0.29 * 100 = 28.999...)
        k = math.floor(q * len(cols) + 1e-9)
        return cols[:k], cols[len(cols) - k :] if k else []

    def basket_mean(t: int, cols: list[int]) -> float:
        if cap_weighted:
            # choice: weights are market caps at d (no look-ahead); members without one drop out
            caps_d = m.signals["size"][t - 1]
            cols = [j for j in cols if not math.isnan(caps_d[j])]
            if not cols:
                return math.nan
            total = sum(caps_d[j] for j in cols)
            return sum(caps_d[j] * returns_by_day[t][j] for j in cols) / total
        if not cols:
            return math.nan
        return sum(returns_by_day[t][j] for j in cols) / len(cols)

    legs: dict[str, list[tuple[list[int], list[int]]]] = {}
    for name in {spec.signal for spec in config.factors} | {"mom"}:
        legs[name] = [select(m.signals[name], t) for t in range(n_days)]

    winners = np.array([basket_mean(t, legs["mom"][t][0]) for t in range(n_days)])
    short_mom = np.array([basket_mean(t, legs["mom"][t][1]) for t in range(n_days)])
    pair = winners - short_mom
    neutral = np.full(n_days, np.nan)
    beta = m.signals["beta"]
    for t in range(1, n_days):
        top, bottom = legs["mom"][t]
        b_w = [beta[t - 1, j] for j in top if not np.isnan(beta[t - 1, j])]
        b_l = [beta[t - 1, j] for j in bottom if not np.isnan(beta[t - 1, j])]
        if b_w and b_l and np.mean(b_l) > 0:
            neutral[t] = winners[t] - (np.mean(b_w) / np.mean(b_l)) * short_mom[t]

    def names(cols: list[int]) -> list[str]:
        return [m.tickers[j] for j in cols]

    top_t, bottom_t = legs["mom"][t_row]
    both_t = names(top_t) + names(bottom_t)
    sector_of = sector_lookup(uni)
    b_w = [beta[t_row - 1, j] for j in top_t if not np.isnan(beta[t_row - 1, j])]
    b_l = [beta[t_row - 1, j] for j in bottom_t if not np.isnan(beta[t_row - 1, j])]
    # the beta-neutral pair has no value unless bL > 0 (then nothing is attributed)
    scale = np.mean(b_w) / np.mean(b_l) if b_w and b_l and np.mean(b_l) > 0 else math.nan
    baskets = {
        "winners": explain(
            move_stats(m.dates, winners, t_row, names(top_t)),
            basket_frame(m, t_row, top_t, cap_weighted), False, sector_of,
        ),
        "short_momentum": explain(
            move_stats(m.dates, short_mom, t_row, names(bottom_t)),
            basket_frame(m, t_row, bottom_t, cap_weighted), False, sector_of,
        ),
        "momentum_pair": explain(
            move_stats(m.dates, pair, t_row, both_t),
            pair_frame(m, t_row, top_t, bottom_t, cap_weighted), True, sector_of,
        ),
        "momentum_beta_neutral": explain(
            move_stats(m.dates, neutral, t_row, both_t),
            pair_frame(m, t_row, top_t, bottom_t, cap_weighted, scale), True, sector_of,
        ),
    }  # fmt: skip

    factors, factor_series = {}, {}
    for spec in config.factors:
        series = []
        for t in range(n_days):
            top, bottom = legs[spec.signal][t]
            long, short = (top, bottom) if spec.long == "top" else (bottom, top)
            series.append(basket_mean(t, long) - basket_mean(t, short))
        top, bottom = legs[spec.signal][t_row]
        factor_series[spec.name] = np.array(series)
        long, short = (top, bottom) if spec.long == "top" else (bottom, top)
        factors[spec.name] = explain(
            move_stats(m.dates, np.array(series), t_row, names(top + bottom)),
            pair_frame(m, t_row, long, short, cap_weighted), True, sector_of,
        )  # fmt: skip

    themes = themes_block(m, config, pair, t_row)
    for theme in config.themes:
        themes[theme.name] = explain(
            themes[theme.name], theme_frame(m, t_row, theme), False, sector_of
        )
    internals, events = internals_and_events(m, config, eligible, pair, t_row)
    if details is not None:
        baskets_series = {"winners": winners, "short_momentum": short_mom,
                          "momentum_pair": pair, "momentum_beta_neutral": neutral}  # fmt: skip
        details.update(
            drill_down_details(m, config, eligible, {**baskets_series, **factor_series}, t_row)
        )
        details["internals"] = internals_details(m, config, eligible, t_row, uni)
    series, net_gamma = {}, None
    if user_series is not None:
        specs = {
            name: {"label": spec.label, "unit": spec.unit, "role": spec.role}
            for name, spec in config.settings.series.items()
        }
        series, net_gamma = reference_series(
            _to_pandas(user_series), m.dates[t_row], specs, internals["letf_gamma_usd_per_pct"]
        )
        for entry in series.values():
            entry["date"] = entry["date"].isoformat() if entry["date"] is not None else None
    ratios = _dispersion_ratios(m, eligible)
    analogs, regime = history_lens(m, config, eligible, winners, short_mom, pair, ratios, t_row)
    return {
        "schema": 1,
        "as_of": m.dates[t_row].isoformat(),
        "mode": mode,
        "source": source,
        "simulated": simulated,
        "benchmark": bench,
        # choice: the size of the universe set (tickers in the data), not the members on T
        "universe_size": len(members),
        "baskets": baskets,
        "factors": factors,
        "themes": themes,
        "internals": internals,
        "events": events,
        "series": series,
        "net_gamma_usd_per_pct": net_gamma,
        "analogs": analogs,
        "regime": regime,
        # the random markets configure no alert rules (tests/test_alert_* check the rules)
        "alerts": [] if not config.alerts.rules else None,
    }
