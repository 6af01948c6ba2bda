"""The history pass: prepare() computes everything that depends only on past closes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from crowdwatch.analytics import internals as mi
from crowdwatch.analytics.attribution import AttributionBasis, attribution_basis
from crowdwatch.analytics.baskets import Legs, basket_legs, factor_return, momentum_baskets
from crowdwatch.analytics.events import grid_sigma
from crowdwatch.analytics.moves import SeriesHistory, finite
from crowdwatch.analytics.panel import Panel, build_panel
from crowdwatch.analytics.signals import own_row_signals, window_signals
from crowdwatch.analytics.themes import crowding, theme_weights, weighted_mean
from crowdwatch.analytics.windows import moments as running_moments
from crowdwatch.analytics.windows import row_blocks
from crowdwatch.config.schema import Config

SELECTION_THREADS = 2
BLOCK_ROWS = 256  # basket selection works on this many days at a time (~6 MB at 3,000 names)
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
    histories: dict[str, SeriesHistory]  # each series' prior values, digested for live()
    series_frame: pl.DataFrame  # date + a column per series (nulls, not NaN), for drill-downs
    dispersion_frame: pl.DataFrame  # date, dispersion_ratio, letf_flow_usd (the internals)
    attribution: AttributionBasis | None = None  # names, sectors, theme columns (attribution)
    theme_momentum: np.ndarray | None = None  # (days, themes) theme momentum at each close

    @property
    def last_date(self) -> date:
        return self.panel.date_at(len(self.panel.dates) - 1)


def by_blocks(function, values: np.ndarray, *args) -> np.ndarray:
    """function(values, *args) for a row-wise function, a block of rows at a time (small
    temporaries instead of several full-size ones)."""
    parts = [function(values[start:stop], *args) for start, stop in row_blocks(len(values))]
    return np.concatenate(parts) if parts else function(values, *args)


def dated_frame(dates: np.ndarray, columns: dict[str, np.ndarray]) -> pl.DataFrame:
    """date + float columns, NaN as null: the frames the drill-downs and export read."""
    frame = pl.DataFrame({"date": dates, **columns}).with_columns(pl.col("date").cast(pl.Date))
    return frame.with_columns(pl.exclude("date").cast(pl.Float64).fill_nan(None))


def leg_weights(config: Config, caps: np.ndarray | None) -> np.ndarray | None:
    return caps if config.settings.weighting == "cap" and caps is not None else None


def basket_series(
    signals_prev: dict[str, np.ndarray],
    eligible: np.ndarray,
    returns: np.ndarray,
    config: Config,
    caps_prev: np.ndarray | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Momentum baskets and factor series, for each row."""
    quantile = config.settings.quantile
    weights = leg_weights(config, caps_prev)
    names = sorted({"mom", *(f.signal for f in config.factors)} & set(signals_prev))
    blocks = [slice(start, start + BLOCK_ROWS) for start in range(0, len(returns), BLOCK_ROWS)]

    def legs_of(task: tuple[str, slice]) -> Legs:
        name, rows = task
        return basket_legs(
            signals_prev[name][rows],
            eligible[rows],
            returns[rows],
            quantile,
            weights[rows] if weights is not None else None,
            signals_prev["beta"][rows] if name == "mom" else None,
        )

    # Rows are independent: blocks of rows keep the working set in cache and small (peak
    # RSS), and numpy's sorts and ufuncs release the GIL, so two threads use both cores.
    tasks = [(name, rows) for name in names for rows in blocks]
    with ThreadPoolExecutor(max_workers=SELECTION_THREADS) as pool:
        done = list(pool.map(legs_of, tasks))
    parts: dict[str, list[Legs]] = {name: [] for name in names}
    for (name, _), result in zip(tasks, done, strict=True):
        parts[name].append(result)

    def joined(name: str, field: str) -> np.ndarray:
        pieces = [getattr(part, field) for part in parts[name]]
        return np.concatenate(pieces) if pieces else np.zeros(0)

    legs = {name: {"top": joined(name, "top"), "bottom": joined(name, "bottom")} for name in names}
    winners, losers = legs["mom"]["top"], legs["mom"]["bottom"]
    baskets = momentum_baskets(
        winners, losers, joined("mom", "top_mean"), joined("mom", "bottom_mean")
    )
    factors = {}
    for spec in config.factors:
        if spec.signal not in legs:  # size without market caps: keys are never dropped
            factors[spec.name] = np.full(len(winners), np.nan)
            continue
        signal = legs[spec.signal]
        factors[spec.name] = factor_return(signal["top"], signal["bottom"], spec.long == "top")
    return baskets, factors


def prepare(history: pl.DataFrame, config: Config, universe: pl.DataFrame | None = None) -> Model:
    """Everything that depends only on the history (its last date is the previous close d)."""
    panel, rows = build_panel(history, config, universe)
    returns = panel.returns
    d = len(panel.dates) - 1
    index_returns = (
        returns[:, panel.benchmark] if panel.benchmark is not None else np.full(d + 1, np.nan)
    )
    # each big intermediate is freed as soon as it is used: peak RSS, and fresh pages are
    # slow to fault in (~20 ms per 60 MB matrix here, far more when the kernel compacts)
    signals = own_row_signals(panel, rows)
    del rows
    moments = running_moments(returns)
    signals.update(window_signals(panel, moments))
    dispersion = mi.dispersion_history(returns, index_returns, panel.member, moments)
    eligible = panel.member[None, :] & moments.valid
    del moments
    # Row t uses the signals of row t-1: views of rows [:-1] against rows [1:], instead of
    # shifted copies; row 0 has no previous close, so every series starts with NaN.
    signals_prev = {name: matrix[:-1] for name, matrix in signals.items()}
    caps_prev = panel.market_cap[:-1] if panel.market_cap is not None else None
    baskets, factors = basket_series(signals_prev, eligible[1:], returns[1:], config, caps_prev)
    baskets = {name: np.append(np.nan, values) for name, values in baskets.items()}
    factors = {name: np.append(np.nan, values) for name, values in factors.items()}
    column = panel.column
    theme_matrix = theme_weights(config.themes, column, len(panel.tickers))
    theme_returns = by_blocks(weighted_mean, returns, theme_matrix)
    theme_mom = by_blocks(weighted_mean, signals["mom"], theme_matrix)
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
    letf_history = mi.letf_flows(returns[:, letf_columns], notional)
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
        letf_history=letf_history,
        pair_sigma=grid_sigma(baskets["momentum_pair"]),
        series_frame=dated_frame(panel.dates, series),
        dispersion_frame=dated_frame(
            panel.dates, {"dispersion_ratio": dispersion, "letf_flow_usd": letf_history}
        ),
        attribution=attribution_basis(panel.tickers, universe, theme_matrix),
        theme_momentum=theme_mom,
        histories={
            name: SeriesHistory.of(panel.dates[~np.isnan(values)], values[~np.isnan(values)])
            for name, values in series.items()
        },
    )
