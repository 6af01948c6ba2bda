"""The factor pane: momentum baskets and long-short factors, their daily series and today's.

History part: BasketPass (every day's basket and factor returns, selection at the day
before) and BasketState (the signals at the previous close d that select today's baskets).
Today part: baskets_today, the returns and members of today's baskets and factors.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from crowdwatch.analytics.baskets import (
    Legs,
    Selection,
    basket_mean,
    basket_return,
    candidate_returns,
    factor_return,
    momentum_baskets,
    ranked_candidates,
    select,
    select_ranked,
)
from crowdwatch.analytics.jobs import Pending, submit
from crowdwatch.analytics.kept import Kept
from crowdwatch.analytics.panel import Panel
from crowdwatch.analytics.ranks import reversal_rows, sorted_ranks
from crowdwatch.analytics.windows import row_blocks
from crowdwatch.config.schema import Config


def leg_weights(config: Config, caps: np.ndarray | None) -> np.ndarray | None:
    return caps if config.settings.weighting == "cap" and caps is not None else None


def selected_signals(config: Config, signals: Mapping[str, object]) -> list[str]:
    """The signals that form baskets: mom (the momentum baskets) and each factor's."""
    return sorted({"mom", *(f.signal for f in config.factors)} & set(signals))


LAST_SIGNAL = "beta"  # the slowest signal: its selection is the basket pass's second half


@dataclass(frozen=True, slots=True)
class FactorHistory:
    """Every day's basket and factor returns, and the reversal correlation that the same
    pass over the days computes from its momentum ranks (row 0 has no previous close)."""

    series: dict[str, np.ndarray]
    reversal: np.ndarray  # reversal_corr per day: returns vs mom at the previous close


@dataclass(frozen=True, slots=True)
class BlockLegs:
    """One block of rows: each signal's legs (after the first half, all but beta's),
    momentum's baskets (for their mean betas, once beta is known) and the reversal
    correlation."""

    legs: dict[str, Legs]
    momentum: Selection
    reversal: np.ndarray


class BasketPass:
    """Every day's basket and factor returns, in two halves on the pool.

    Beta is the slowest signal (a 252-day regression). The first half (momentum's ranks
    and baskets, the reversal correlation, every other signal's legs) needs only the signals
    that come first, so the pool starts on it while beta is still being computed;
    `with_beta` queues the second half (beta's legs, the momentum baskets' mean betas).
    Rows are independent, so each half goes in blocks of rows: the working set stays in
    cache, and the blocks keep both workers busy to the end. Row t uses the signals of row
    t-1: views of rows [:-1] against rows [1:].
    """

    def __init__(
        self,
        panel: Panel,
        signals: Mapping[str, Future],
        eligible: np.ndarray,
        config: Config,
        pool: Executor | None = None,
    ) -> None:
        self.config, self.pool, self.quantile = config, pool, config.settings.quantile
        self.eligible, self.returns = eligible[1:], panel.returns[1:]
        caps_prev = panel.market_cap[:-1] if panel.market_cap is not None else None
        self.weights = leg_weights(config, caps_prev)
        self.names = selected_signals(config, {**signals, LAST_SIGNAL: None})
        self.blocks = [slice(start, stop) for start, stop in row_blocks(*self.returns.shape)]
        self.first = [submit(pool, self.first_half, signals, rows) for rows in self.blocks]

    def legs_of(self, chosen: Selection, rows: slice, returns: np.ndarray, filled: bool) -> Legs:
        """A selection's top and bottom basket returns over a block of rows."""
        weights = self.weights[rows] if self.weights is not None else None
        return Legs(
            top=basket_return(returns, chosen.top, weights, filled),
            bottom=basket_return(returns, chosen.bottom, weights, filled),
        )

    def first_half(self, signals: Mapping[str, Future], rows: slice) -> BlockLegs:
        """A block's legs of every signal but beta, momentum's baskets and the reversal
        correlation (it waits for its signals' jobs, queued before it)."""
        eligible, returns = self.eligible[rows], self.returns[rows]
        absent = np.where(eligible, 0.0, np.nan)  # shared by every signal's selection
        candidate, filled = candidate_returns(returns, eligible)  # shared by every leg
        # momentum is ranked once: its sorted keys give the basket boundaries and its ranks
        # the reversal correlation (key = -mom, so the ranks count down from the winners)
        mom = signals["mom"].result()[:-1][rows]
        key = np.subtract(absent, mom)
        ranked = ~np.isnan(key)
        descending, ordered = sorted_ranks(np.where(ranked, key, np.inf))
        mom_ranks = (ranked.sum(axis=1) + 1.0)[:, None] - descending
        momentum = select(mom, eligible, self.quantile, absent, ordered)
        legs = {"mom": self.legs_of(momentum, rows, candidate, filled)}
        for name in self.names:
            if name not in legs and name != LAST_SIGNAL:
                signal = signals[name].result()[:-1][rows]
                chosen = select(signal, eligible, self.quantile, absent)
                legs[name] = self.legs_of(chosen, rows, candidate, filled)
        return BlockLegs(legs, momentum, reversal_rows(returns, ranked, mom_ranks))

    def second_half(self, beta_prev: np.ndarray, rows: slice, first: Future) -> BlockLegs:
        """The block's first half with beta's legs and the momentum baskets' mean betas."""
        done = first.result()
        beta = beta_prev[rows]
        legs = dict(done.legs)
        legs["mom"] = replace(
            legs["mom"],
            top_mean=basket_mean(beta, done.momentum.top),
            bottom_mean=basket_mean(beta, done.momentum.bottom),
        )
        if LAST_SIGNAL in self.names:
            eligible = self.eligible[rows]
            returns, filled = candidate_returns(self.returns[rows], eligible)
            chosen = select(beta, eligible, self.quantile)
            legs[LAST_SIGNAL] = self.legs_of(chosen, rows, returns, filled)
        return BlockLegs(legs, done.momentum, done.reversal)

    def with_beta(self, beta: np.ndarray) -> Pending[FactorHistory]:
        """The second half queued behind the first: the whole history once it is done."""
        beta_prev = beta[:-1]
        parts = [
            submit(self.pool, self.second_half, beta_prev, rows, first)
            for rows, first in zip(self.blocks, self.first, strict=True)
        ]
        return Pending(parts, self.joined)

    def joined(self, blocks: list[BlockLegs]) -> FactorHistory:
        """The blocks' legs joined into the momentum and factor series, with row 0 (no
        previous close) NaN, and the blocks' reversal correlations joined."""
        baskets, factors, reversal = joined_series(blocks, self.names, self.config)
        return FactorHistory(
            series={
                name: np.append(np.nan, values) for name, values in {**baskets, **factors}.items()
            },
            reversal=np.append(np.nan, reversal),
        )


def joined_series(
    done: list[BlockLegs], names: list[str], config: Config
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """The blocks' legs joined, the momentum and factor series from them, and the blocks'
    reversal correlations joined."""
    parts: dict[str, list[Legs]] = {name: [block.legs[name] for block in done] for name in names}

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
    reversal = np.concatenate([block.reversal for block in done]) if done else np.zeros(0)
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
