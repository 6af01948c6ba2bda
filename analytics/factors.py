"""The factor pane: momentum baskets and long-short factors, their daily series and today's.

History part: factor_series (every day's basket and factor returns, selection at the day
before) and BasketState (the signals at the previous close d that select today's baskets).
Today part: baskets_today, the returns and members of today's baskets and factors.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from crowdwatch.analytics.baskets import (
    Legs,
    basket_legs,
    basket_mean,
    basket_return,
    factor_return,
    momentum_baskets,
    ranked_candidates,
    select_ranked,
)
from crowdwatch.analytics.jobs import Pending, map_blocks
from crowdwatch.analytics.kept import Kept
from crowdwatch.analytics.panel import Panel
from crowdwatch.analytics.ranks import reversal_rows, sorted_ranks
from crowdwatch.analytics.windows import row_blocks
from crowdwatch.config.schema import Config


def leg_weights(config: Config, caps: np.ndarray | None) -> np.ndarray | None:
    return caps if config.settings.weighting == "cap" and caps is not None else None


def selected_signals(config: Config, signals: dict[str, np.ndarray]) -> list[str]:
    """The signals that form baskets: mom (the momentum baskets) and each factor's."""
    return sorted({"mom", *(f.signal for f in config.factors)} & set(signals))


@dataclass(frozen=True, slots=True)
class FactorHistory:
    """Every day's basket and factor returns, and the reversal correlation that the same
    pass over the days computes from its momentum ranks (row 0 has no previous close)."""

    series: dict[str, np.ndarray]
    reversal: np.ndarray  # reversal_corr per day: returns vs mom at the previous close


def factor_series(
    panel: Panel,
    signals: dict[str, np.ndarray],
    eligible: np.ndarray,
    config: Config,
    pool: Executor | None = None,
) -> Pending[FactorHistory]:
    """Every day's momentum basket and factor returns (row 0 has no previous close: NaN).

    Row t uses the signals of row t-1: views of rows [:-1] against rows [1:], instead of
    shifted copies.
    """
    signals_prev = {name: matrix[:-1] for name, matrix in signals.items()}
    caps_prev = panel.market_cap[:-1] if panel.market_cap is not None else None

    def with_row_zero(done: tuple[dict, dict, np.ndarray]) -> FactorHistory:
        baskets, factors, reversal = done
        return FactorHistory(
            series={
                name: np.append(np.nan, values) for name, values in {**baskets, **factors}.items()
            },
            reversal=np.append(np.nan, reversal),
        )

    return basket_series(
        signals_prev, eligible[1:], panel.returns[1:], config, caps_prev, pool
    ).then(with_row_zero)


def basket_series(
    signals_prev: dict[str, np.ndarray],
    eligible: np.ndarray,
    returns: np.ndarray,
    config: Config,
    caps_prev: np.ndarray | None,
    pool: Executor | None = None,
) -> Pending[tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]]:
    """Momentum baskets, factor series and the reversal correlation, for each row (blocks
    of rows on the pool)."""
    quantile = config.settings.quantile
    weights = leg_weights(config, caps_prev)
    names = selected_signals(config, signals_prev)
    blocks = [slice(start, stop) for start, stop in row_blocks(*returns.shape)]

    def legs_of(rows: slice) -> tuple[dict[str, Legs], np.ndarray]:
        absent = np.where(eligible[rows], 0.0, np.nan)  # shared by every signal's selection
        # momentum is ranked once: its sorted keys give the basket boundaries and its ranks
        # the reversal correlation (key = -mom, so the ranks count down from the winners)
        key = np.subtract(absent, signals_prev["mom"][rows])
        ranked = ~np.isnan(key)
        descending, ordered = sorted_ranks(np.where(ranked, key, np.inf))
        mom_ranks = (ranked.sum(axis=1) + 1.0)[:, None] - descending
        legs = {
            name: basket_legs(
                signals_prev[name][rows],
                eligible[rows],
                returns[rows],
                quantile,
                weights[rows] if weights is not None else None,
                signals_prev["beta"][rows] if name == "mom" else None,
                absent,
                ordered if name == "mom" else None,
            )
            for name in names
        }
        return legs, reversal_rows(returns[rows], ranked, mom_ranks)

    # Rows are independent: blocks of rows keep the working set in cache and small (peak
    # RSS), and numpy's sorts and ufuncs release the GIL, so the pool uses both cores.
    return map_blocks(pool, legs_of, blocks, lambda done: joined_series(done, names, config))


def joined_series(
    done: list[tuple[dict[str, Legs], np.ndarray]], names: list[str], config: Config
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """The blocks' legs joined, the momentum and factor series from them, and the blocks'
    reversal correlations joined."""
    parts: dict[str, list[Legs]] = {name: [block[name] for block, _ in done] for name in names}

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
    reversal = np.concatenate([rows for _, rows in done]) if done else np.zeros(0)
    return baskets, factors, reversal


@dataclass(frozen=True, slots=True)
class BasketState:
    """What today's selection needs from the previous close d."""

    quantile: float
    weights_at_d: np.ndarray | None  # market caps at d when the config weights by cap
    factor_legs: dict[str, tuple[str, bool]]  # factor -> (signal, long the top?)
    # each signal's ranked_candidates, made on the first tick with the signal at d
    rankings: Kept = field(default_factory=Kept, compare=False, repr=False)
    # the last tick's Selections and what they were chosen from (Selections.matches)
    chosen: list[Selections] = field(default_factory=list, compare=False, repr=False)

    def ranked(self, name: str, signal: np.ndarray) -> np.ndarray:
        """ranked_candidates(signal), kept for the next ticks (the signals at d are fixed)."""
        return self.rankings.get(name, (signal,), partial(ranked_candidates, signal))

    @classmethod
    def of(cls, config: Config, panel: Panel) -> BasketState:
        d = len(panel.dates) - 1
        # a copy: a view of row d would keep the full matrix alive in the Model
        caps = panel.market_cap[d].copy() if panel.market_cap is not None else None
        return cls(
            quantile=config.settings.quantile,
            weights_at_d=leg_weights(config, caps),
            factor_legs={f.name: (f.signal, f.long == "top") for f in config.factors},
        )


@dataclass(frozen=True, slots=True)
class BasketsToday:
    """Today's return (NaN: none) and members (both legs for pairs) of each basket and factor."""

    values: dict[str, float]
    members: dict[str, tuple[str, ...]]
    masks: dict[str, tuple[np.ndarray, np.ndarray]]  # signal -> (top, bottom), (1, n) each
    weights: np.ndarray | None  # (1, n) leg weights (caps at d) when weighting by cap


def names(tickers: np.ndarray, *masks: np.ndarray) -> tuple[str, ...]:
    """The tickers (an object array in column order, so sorted) in any of the (1, n) masks."""
    return tuple(tickers[np.logical_or.reduce(masks).reshape(-1)].tolist())


@dataclass(frozen=True, slots=True)
class Selections:
    """Today's top and bottom of each signal among the eligible names, with their tickers;
    the same from one poll to the next while the eligible names stay the same."""

    eligible: np.ndarray  # what they were chosen among (a copy)
    signals: dict[str, np.ndarray]  # the signals at d they were chosen on
    tickers: np.ndarray
    masks: dict[str, tuple[np.ndarray, np.ndarray]]  # (1, n) each, read-only
    weights: np.ndarray | None  # (1, n) leg weights (caps at d) when weighting by cap
    names: dict[str, tuple[str, ...]]  # signal -> both legs' tickers
    top_names: tuple[str, ...]  # momentum's top (winners) and bottom (short momentum)
    bottom_names: tuple[str, ...]

    def matches(self, signals: dict[str, np.ndarray], tickers: np.ndarray, eligible) -> bool:
        return (
            self.tickers is tickers
            and self.signals.keys() == signals.keys()
            and all(self.signals[name] is signal for name, signal in signals.items())
            and np.array_equal(self.eligible, eligible)
        )

    @classmethod
    def of(
        cls,
        state: BasketState,
        signals: dict[str, np.ndarray],
        tickers: np.ndarray,
        eligible: np.ndarray,
    ) -> Selections:
        masks = {}
        for name, signal in signals.items():
            top, bottom = select_ranked(state.ranked(name, signal), eligible, state.quantile)
            top.flags.writeable = bottom.flags.writeable = False  # shared by later ticks
            masks[name] = (top[None, :], bottom[None, :])
        top, bottom = masks["mom"]
        return cls(
            eligible=eligible.copy(),
            signals=signals,
            tickers=tickers,
            masks=masks,
            weights=state.weights_at_d[None, :] if state.weights_at_d is not None else None,
            names={name: names(tickers, *pair) for name, pair in masks.items()},
            top_names=names(tickers, top),
            bottom_names=names(tickers, bottom),
        )


def selections_today(
    state: BasketState,
    signals_at_d: dict[str, np.ndarray],
    tickers: np.ndarray,
    eligible: np.ndarray,
) -> Selections:
    """Selections.of, or the last tick's when chosen from the same eligible names."""
    wanted = {"mom", *(s for s, _ in state.factor_legs.values())} & set(signals_at_d)
    signals = {name: signals_at_d[name] for name in sorted(wanted)}
    last = state.chosen[-1] if state.chosen else None
    if last is not None and last.matches(signals, tickers, eligible):
        return last
    chosen = Selections.of(state, signals, tickers, eligible)
    state.chosen[:] = [chosen]  # one list item, swapped whole
    return chosen


def baskets_today(
    state: BasketState,
    signals_at_d: dict[str, np.ndarray],
    tickers: np.ndarray,
    r_today: np.ndarray,
    eligible: np.ndarray,
) -> BasketsToday:
    """Today's baskets, selected on the signals at d among members with a return today."""
    returns_row = r_today[None, :]
    chosen = selections_today(state, signals_at_d, tickers, eligible)
    weights = chosen.weights  # the same array while the selection is: member_layouts keys on it
    masks = dict(chosen.masks)
    legs = {
        signal: (
            basket_return(returns_row, top, weights)[0],
            basket_return(returns_row, bottom, weights)[0],
        )
        for signal, (top, bottom) in masks.items()
    }
    top, bottom = masks["mom"]
    beta_d = signals_at_d["beta"][None, :]
    series = momentum_baskets(
        np.array([legs["mom"][0]]),
        np.array([legs["mom"][1]]),
        basket_mean(beta_d, top),
        basket_mean(beta_d, bottom),
    )
    values = {key: float(value[0]) for key, value in series.items()}
    members = {key: chosen.names["mom"] for key in values}
    members.update(winners=chosen.top_names, short_momentum=chosen.bottom_names)
    for name, (signal, long_top) in state.factor_legs.items():
        if signal not in legs:  # size without market caps: all null, never dropped
            values[name], members[name] = np.nan, ()
            continue
        values[name] = float(factor_return(*legs[signal], long_top))
        members[name] = chosen.names[signal]
    return BasketsToday(values=values, members=members, masks=masks, weights=weights)
