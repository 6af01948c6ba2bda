"""Plain result objects the analytics layer hands to the report and the widgets."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from crowdwatch.analytics.positioning import UserSeries

if TYPE_CHECKING:  # these modules import this one (through moves): annotations only
    from collections.abc import Mapping

    from crowdwatch.analytics.alerts import Alert
    from crowdwatch.analytics.attribution import Contributor, Legs
    from crowdwatch.analytics.history_lens import Analog, Features, Regime
    from crowdwatch.analytics.internals_drill import InternalDrillDown

Flag = Literal["UNWIND", "SQUEEZE"] | None

BASKET_KEYS = ("winners", "short_momentum", "momentum_pair", "momentum_beta_neutral")
# ONE label per series, used by the dashboard, the drill-downs and the text report
BASKET_LABELS = {
    "winners": "Winners",
    "short_momentum": "Short-mom basket",
    "momentum_pair": "Momentum pair",
    "momentum_beta_neutral": "Beta-neutral pair",
}
FACTOR_LABELS = {
    "momentum": "Momentum factor",
    "beta": "Beta factor",
    "low_vol": "Low-vol factor",
    "reversal": "Reversal factor",
    "size": "Size factor",
}


@dataclass(frozen=True, slots=True)
class MoveStats:
    """Move statistics of one daily series at T (DESIGN.md "Move statistics")."""

    name: str
    ret: float | None = None
    sigma: float | None = None
    percentile: float | None = None
    ret_1w: float | None = None
    ret_1m: float | None = None
    ret_ytd: float | None = None
    drawdown: float | None = None
    worst_since: date | None = None
    best_since: date | None = None
    members: tuple[str, ...] = ()
    # the last (up to) 60 values up to and including T, oldest first, for sparklines
    recent: tuple[float | None, ...] = ()
    # True when ret is the lowest (ret < 0) / highest (ret > 0) on record
    on_record: bool = False
    # what drove the move (DESIGN.md "Attribution"); empty when ret is null
    legs: Legs | None = None  # pairs and factors only
    top_contributors: tuple[Contributor, ...] = ()
    by_sector: dict[str, float] | None = None  # None without universe.csv sectors

    def top_share(self, count: int = 3) -> float | None:
        """The share of the move its `count` largest contributors make: the sum of their
        contributions / ret (None when ret is null or 0); "NVDA, AVGO, AMD: 61%" reads 0.61."""
        if self.ret is None or self.ret == 0 or not self.top_contributors:
            return None
        return sum(c.contribution for c in self.top_contributors[:count]) / self.ret


@dataclass(frozen=True, slots=True)
class ThemeMove:
    stats: MoveStats
    member_count: int = 0  # members with a return on T
    missing: tuple[str, ...] = ()
    crowding: float | None = None
    crowding_parts: dict[str, float | None] = field(
        default_factory=lambda: {"momentum": None, "comovement": None, "momentum_beta": None}
    )
    flag: Flag = None
    momentum: float | None = None  # theme momentum at d
    note: str = ""
    tickers: tuple[str, ...] = ()  # the theme's tickers as configured
    # the flag rule's inputs: which third(s) by momentum at d ("top", "middle", "bottom";
    # one theme alone is in both the top and the bottom third), and the rule read out
    momentum_thirds: tuple[str, ...] = ()
    flag_reason: str = ""


@dataclass(frozen=True, slots=True)
class Internals:
    index_ret: float | None = None
    breadth: float | None = None
    dispersion_ratio: float | None = None
    dispersion_percentile: float | None = None
    reversal_corr: float | None = None
    realized_corr: float | None = None
    letf_flow_usd: float | None = None
    letf_flow_percentile: float | None = None
    letf_gamma_usd_per_pct: float | None = None
    letf_by_underlying: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    date: date
    sigma: float
    fwd_5d: float | None = None
    fwd_21d: float | None = None
    fwd_63d: float | None = None


@dataclass(frozen=True, slots=True)
class WorstDay:
    date: date
    ret: float
    sigma: float


@dataclass(frozen=True, slots=True)
class SeriesDrillDown:
    """What a basket, factor or theme drill-down shows, T included when it has a value.

    The days before T are shared with the Model (computed once in prepare); only T's point
    is new per tick, so the full arrays are joined when a screen reads them.
    """

    prior_dates: np.ndarray  # datetime64[D]: the days with a value before T
    prior_cumulative: np.ndarray  # the series compounded from its first value to each day
    prior_sigma: np.ndarray  # each day's sigma against the values before it (NaN: none)
    today: date | None = None  # T, when the series has a value on T
    today_cumulative: float = math.nan
    today_sigma: float = math.nan
    worst_days: tuple[WorstDay, ...] = ()  # the lowest returns among days with a sigma

    @property
    def dates(self) -> np.ndarray:
        if self.today is None:
            return self.prior_dates
        return np.append(self.prior_dates, np.datetime64(self.today, "D"))

    @property
    def cumulative(self) -> tuple[tuple[date, float], ...]:
        """(date, compounded return since the first value), oldest first."""
        values = self.prior_cumulative
        if self.today is not None:
            values = np.append(values, self.today_cumulative)
        return tuple(zip(self.dates.tolist(), values.tolist(), strict=True))

    @property
    def sigmas(self) -> tuple[float, ...]:
        """The sigma of every day that has one (the histogram), oldest first."""
        values = self.prior_sigma
        if self.today is not None:
            values = np.append(values, self.today_sigma)
        return tuple(values[~np.isnan(values)].tolist())


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the panes show at one moment. Built by analytics.live()."""

    as_of: date
    mode: Literal["live", "close"]
    source: str
    simulated: bool
    benchmark: str
    universe_size: int
    baskets: dict[str, MoveStats]
    factors: dict[str, MoveStats]
    themes: dict[str, ThemeMove]
    internals: Internals
    events: tuple[Event, ...]
    quotes_ts: datetime | None = None  # newest quote time (UTC) in live mode
    alert_sigma: float = 3.0
    # drill-down data, computed by analytics; screens only read them
    series: pl.DataFrame | None = None  # date + a column per basket/factor/theme, T included
    # the internals' daily history: date, dispersion_ratio, letf_flow_usd (today's AUMs)
    dispersion_history: pl.DataFrame | None = None
    letf_funds: pl.DataFrame | None = None  # ticker, underlying, leverage, aum_usd, flow_usd
    user_series: dict[str, UserSeries] = field(default_factory=dict)  # Positioning and gamma
    net_gamma_usd_per_pct: float | None = None  # dealer gamma - LETF gamma; null without one
    # History lens: None when T lacks a feature (analogs) / before prepare() built one
    analogs: tuple[Analog, ...] | None = None
    regime: Regime | None = None
    today_features: Features | None = None  # T's point, shown beside each analog
    # per analog: the pair compounded from the close before it, the day itself and up to 21
    # days after (history_lens.analog_path); the analog days screen charts them
    analog_paths: tuple[tuple[float, ...], ...] = ()
    # series key -> member table (analytics.attribution.member_table), built on first read
    members: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    alerts: tuple[Alert, ...] = ()  # the alert rules evaluated once on this snapshot
    # per basket, factor and theme key: the cumulative path, sigma days and worst days
    drill_downs: dict[str, SeriesDrillDown] = field(default_factory=dict)
    # internal key (internals_drill.INTERNAL_KEYS) -> its drill-down, built on first read
    internal_drill_downs: Mapping[str, InternalDrillDown] = field(default_factory=dict)
