"""The history pass: prepare() computes everything that depends only on past closes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from crowdwatch.analytics import internals as mi
from crowdwatch.analytics.baskets import (
    Selection,
    basket_mean,
    basket_return,
    beta_neutral,
    select,
)
from crowdwatch.analytics.events import grid_sigma
from crowdwatch.analytics.moves import finite
from crowdwatch.analytics.panel import Panel, build_panel
from crowdwatch.analytics.signals import compute_signals
from crowdwatch.analytics.themes import crowding, theme_weights, weighted_mean
from crowdwatch.analytics.windows import moments as running_moments
from crowdwatch.config.schema import Config

SELECTION_THREADS = 2
MOMENTUM_BASKETS = ("winners", "short_momentum", "momentum_pair", "momentum_beta_neutral")


@dataclass(slots=True)
class Model:
    """Everything live() needs, computed once from the history up to the previous close d."""

    config: Config
    panel: Panel
    signals_at_d: dict[str, np.ndarray]  # (tickers,) each
    caps_at_d: np.ndarray | None
    series: dict[str, np.ndarray]  # grid-aligned daily series: baskets, factors, themes
    factor_legs: dict[str, tuple[str, bool]]  # factor -> (signal, long the top?)
    theme_matrix: np.ndarray  # (tickers, themes) weights
    theme_momentum_at_d: dict[str, float | None]
    theme_crowding: dict[str, tuple[float | None, dict[str, float | None]]]
    theme_missing: dict[str, tuple[str, ...]]
    ticker_rms: np.ndarray  # per-ticker stdev (not demeaned) of its last 252 returns
    dispersion: np.ndarray  # daily dispersion ratio on the grid
    letf_notional: np.ndarray  # aum * L * (L - 1) per fund found in the data
    letf_columns: np.ndarray  # the underlying's column per fund
    letf_funds: tuple  # LetfFund per entry above
    letf_history: np.ndarray  # daily flow with today's AUMs
    pair_sigma: np.ndarray  # momentum_pair sigma of every day

    @property
    def last_date(self) -> date:
        return self.panel.date_at(len(self.panel.dates) - 1)


def leg_weights(config: Config, caps: np.ndarray | None) -> np.ndarray | None:
    return caps if config.settings.weighting == "cap" and caps is not None else None


def basket_series(
    signals_prev: dict[str, np.ndarray],
    eligible: np.ndarray,
    returns: np.ndarray,
    config: Config,
    caps_prev: np.ndarray | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Momentum baskets, factor series and the member masks behind them, for each row."""
    quantile = config.settings.quantile
    weights = leg_weights(config, caps_prev)
    absent = np.where(eligible, 0.0, np.nan)

    def legs_of(signal: str) -> tuple[dict[str, np.ndarray], Selection]:
        chosen = select(signals_prev[signal], eligible, quantile, absent)
        returns_of = {
            "top": basket_return(returns, chosen.top, weights),
            "bottom": basket_return(returns, chosen.bottom, weights),
        }
        return returns_of, chosen

    # The signals are independent and numpy's sorts and ufuncs release the GIL: two
    # threads use both cores of a small machine (measured ~1.6x on this step).
    names = sorted({"mom", *(f.signal for f in config.factors)} & set(signals_prev))
    with ThreadPoolExecutor(max_workers=SELECTION_THREADS) as pool:
        done = dict(zip(names, pool.map(legs_of, names), strict=True))
    legs = {name: returns_of for name, (returns_of, _) in done.items()}
    masks: dict[str, np.ndarray] = {}
    for name, (_, chosen) in done.items():
        masks[f"{name}:top"], masks[f"{name}:bottom"] = chosen.top, chosen.bottom
    winners, losers = legs["mom"]["top"], legs["mom"]["bottom"]
    beta_prev = signals_prev["beta"]
    baskets = {
        "winners": winners,
        "short_momentum": losers,
        "momentum_pair": winners - losers,
        "momentum_beta_neutral": beta_neutral(
            winners,
            losers,
            basket_mean(beta_prev, masks["mom:top"]),
            basket_mean(beta_prev, masks["mom:bottom"]),
        ),
    }
    factors = {}
    for spec in config.factors:
        if spec.signal not in legs:
            continue  # size without market caps
        long, short = ("top", "bottom") if spec.long == "top" else ("bottom", "top")
        factors[spec.name] = legs[spec.signal][long] - legs[spec.signal][short]
    return baskets, factors, masks


def prepare(history: pl.DataFrame, config: Config, universe: pl.DataFrame | None = None) -> Model:
    """Everything that depends only on the history (its last date is the previous close d)."""
    panel, rows = build_panel(history, config, universe)
    returns = panel.returns
    d = len(panel.dates) - 1
    index_returns = (
        returns[:, panel.benchmark] if panel.benchmark is not None else np.full(d + 1, np.nan)
    )
    moments = running_moments(returns)
    signals = compute_signals(panel, rows, moments)
    dispersion = mi.dispersion_history(returns, index_returns, panel.member, moments)
    eligible = panel.member[None, :] & moments.valid
    del rows, moments  # ~0.3 GB at 3,000 names: free it before the baskets' working set
    # Row t uses the signals of row t-1: views of rows [:-1] against rows [1:], instead of
    # shifted copies; row 0 has no previous close, so every series starts with NaN.
    signals_prev = {name: matrix[:-1] for name, matrix in signals.items()}
    caps_prev = panel.market_cap[:-1] if panel.market_cap is not None else None
    baskets, factors, _ = basket_series(signals_prev, eligible[1:], returns[1:], config, caps_prev)
    baskets = {name: np.append(np.nan, values) for name, values in baskets.items()}
    factors = {name: np.append(np.nan, values) for name, values in factors.items()}
    column = panel.column
    theme_matrix = theme_weights(config.themes, column, len(panel.tickers))
    theme_returns = weighted_mean(returns, theme_matrix)
    theme_mom = weighted_mean(signals["mom"], theme_matrix)
    series = {**baskets, **factors}
    series.update({t.name: theme_returns[:, k] for k, t in enumerate(config.themes)})
    crowd = {}
    for k, theme in enumerate(config.themes):
        columns = np.array(sorted(column[t] for t in theme.tickers if t in column), dtype=int)
        crowd[theme.name] = crowding(
            k, theme_mom, theme_returns, baskets["momentum_pair"], returns, index_returns,
            signals["beta"], columns, d,
        )  # fmt: skip
    funds = tuple(f for f in config.letfs if f.underlying in column)
    notional = np.array([f.aum_usd * f.leverage * (f.leverage - 1) for f in funds])
    letf_columns = np.array([column[f.underlying] for f in funds], dtype=int)
    squares = np.where(np.isnan(returns[-252:]), 0.0, returns[-252:] ** 2).sum(axis=0)
    counts = (~np.isnan(returns[-252:])).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ticker_rms = np.where(counts >= 63, np.sqrt(squares / (counts - 1)), np.nan)
    return Model(
        config=config,
        panel=panel,
        # copies: a view of row d would keep every full signal matrix alive in the Model
        signals_at_d={name: matrix[d].copy() for name, matrix in signals.items()},
        caps_at_d=panel.market_cap[d].copy() if panel.market_cap is not None else None,
        series=series,
        factor_legs={f.name: (f.signal, f.long == "top") for f in config.factors},
        theme_matrix=theme_matrix,
        theme_momentum_at_d={t.name: finite(theme_mom[d, k]) for k, t in enumerate(config.themes)},
        theme_crowding=crowd,
        theme_missing={
            t.name: tuple(x for x in t.tickers if x not in column) for t in config.themes
        },
        ticker_rms=ticker_rms,
        dispersion=dispersion,
        letf_notional=notional,
        letf_columns=letf_columns,
        letf_funds=funds,
        letf_history=mi.letf_flows(returns[:, letf_columns], notional),
        pair_sigma=grid_sigma(baskets["momentum_pair"]),
    )
