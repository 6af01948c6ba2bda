"""Move statistics of every daily series (basket, factor, theme) and its drill-down.

History part: each series' values before T, digested once (SeriesState). Today part: the
statistics and drill-down of T's value, O(log history) per series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from crowdwatch.analytics.frames import dated_frame, with_today
from crowdwatch.analytics.results import MoveStats, SeriesDrillDown, WorstDay
from crowdwatch.config.calendar import MONTH, QUARTER, WEEK, YEAR

if TYPE_CHECKING:
    from collections.abc import Mapping

    from crowdwatch.analytics.attribution import Explanation

SIGMA_WINDOW, SIGMA_MIN = YEAR, QUARTER
RECENT = 60  # values in a sparkline
WORST_DAYS = 8  # rows of the drill-down's worst-days table


def finite(value: float | None) -> float | None:
    """A float for JSON and widgets: NaN and inf become None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def compounded(values: np.ndarray) -> float | None:
    """The compounded return; None when it is beyond a float (returns of 1e15 from a bad
    print): a number too large to hold is unknown, not infinite."""
    with np.errstate(over="ignore", invalid="ignore"):
        return finite(np.prod(1.0 + values) - 1.0)


def growth(values: np.ndarray) -> float:
    """The product of 1 + value, multiplied left to right as np.prod does (so a product
    kept for the days before T, times 1 + x(T), is np.prod over the days to T, bit for bit);
    inf past a float's range."""
    return math.prod((1.0 + values).tolist())


def trailing_rms(prior: np.ndarray) -> float | None:
    """stdev of the last 252 prior values, ddof=1, not demeaned; None under 63 values."""
    if len(prior) < SIGMA_MIN:
        return None
    window = prior[-SIGMA_WINDOW:]
    return math.sqrt(float(np.dot(window, window)) / (len(window) - 1))


def sigma_series(values: np.ndarray) -> np.ndarray:
    """sigma of every value of a non-null series against the values before it."""
    n = len(values)
    squares = np.concatenate([[0.0], np.cumsum(values * values)])
    position = np.arange(n)
    start = np.maximum(position - SIGMA_WINDOW, 0)
    count = position - start
    with np.errstate(invalid="ignore", divide="ignore"):
        rms = np.sqrt((squares[position] - squares[start]) / (count - 1))
        sigma = values / rms
    return np.where((count >= SIGMA_MIN) & (rms > 0), sigma, np.nan)


@dataclass(frozen=True, slots=True)
class SeriesHistory:
    """A series' non-null values before T, pre-digested once so a tick is O(log history)."""

    dates: np.ndarray
    values: np.ndarray
    sorted_values: np.ndarray  # for the percentile
    suffix_min: np.ndarray  # min(values[j:]), non-decreasing: the latest day as bad
    suffix_max_negated: np.ndarray  # -max(values[j:]), non-decreasing: the latest as good
    rms: float | None
    index_end: float  # the compounded index after the last prior value (1 before any)
    peak: float  # its running maximum, 1 included
    last_year: int | None
    last_year_values: np.ndarray  # the prior values dated in the last prior year
    cumulative: np.ndarray  # the index after each prior value, minus 1 (the drill-down path)
    sigma: np.ndarray  # the sigma of each prior value (NaN with too few before it)
    running_squares: np.ndarray  # 0, then the cumulative sum of squares: T's sigma in O(1)
    worst: tuple[WorstDay, ...]  # the lowest prior values that have a sigma
    # growth() of the prior days that T's week, month and year returns compound
    week_growth: float
    month_growth: float
    year_growth: float  # of last_year_values
    recent: tuple[float, ...]  # the last RECENT - 1 prior values (T's sparkline)

    @classmethod
    def of(cls, dates: np.ndarray, values: np.ndarray) -> SeriesHistory:
        # past a float's range the index is inf and the drawdown unknown (move_stats: finite)
        with np.errstate(over="ignore", invalid="ignore"):
            index = np.cumprod(1.0 + values)
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        last_year = int(years[-1]) if len(years) else None
        last_year_values = values[years == last_year] if len(years) else values
        sigma = sigma_series(values)
        return cls(
            dates=dates,
            values=values,
            sorted_values=np.sort(values),
            suffix_min=np.minimum.accumulate(values[::-1])[::-1],
            suffix_max_negated=-np.maximum.accumulate(values[::-1])[::-1],
            rms=trailing_rms(values),
            index_end=float(index[-1]) if len(index) else 1.0,
            peak=max(1.0, float(index.max())) if len(index) else 1.0,
            last_year=last_year,
            last_year_values=last_year_values,
            cumulative=index - 1.0,
            sigma=sigma,
            running_squares=np.concatenate([[0.0], np.cumsum(values * values)]),
            worst=lowest_days(dates, values, sigma),
            week_growth=growth(values[-(WEEK - 1) :]),
            month_growth=growth(values[-(MONTH - 1) :]),
            year_growth=growth(last_year_values),
            recent=tuple(values[-(RECENT - 1) :].tolist()),
        )

    def sigma_after(self, value: float) -> float:
        """The sigma of a value following the prior ones, by sigma_series' arithmetic (the
        histogram's rule; MoveStats.sigma is the same number up to rounding)."""
        n = len(self.values)
        start = max(n - SIGMA_WINDOW, 0)
        count = n - start
        if count < SIGMA_MIN:
            return math.nan
        squares = self.running_squares
        with np.errstate(invalid="ignore", divide="ignore"):
            rms = np.sqrt((squares[n] - squares[start]) / np.float64(count - 1))
            sigma = np.float64(value) / rms
        return float(sigma) if rms > 0 else math.nan


def lowest_days(
    dates: np.ndarray, values: np.ndarray, sigma: np.ndarray, count: int = WORST_DAYS
) -> tuple[WorstDay, ...]:
    """The `count` lowest values among days with a sigma, ties by date ascending."""
    rows = np.flatnonzero(~np.isnan(sigma))
    rows = rows[np.lexsort((rows, values[rows]))[:count]]
    return tuple(
        WorstDay(dates[row].astype(date), float(values[row]), float(sigma[row])) for row in rows
    )


def move_stats(
    name: str,
    history: SeriesHistory,
    today: date,
    value: float | None,
    members: tuple[str, ...] = (),
    explanation: Explanation | None = None,
) -> MoveStats:
    """DESIGN.md move statistics of x(T)=value given the series' non-null prior values;
    `explanation`: its attribution on T (attribution.attribution_today), when it has one."""
    x = finite(value)
    if x is None:
        return MoveStats(name=name, members=members, recent=(*history.recent, None))
    n = len(history.values)
    sigma = x / history.rms if history.rms else None
    at_or_below = int(np.searchsorted(history.sorted_values, x, side="right"))
    worst_since = best_since = None
    on_record = False
    if x < 0:
        last = int(np.searchsorted(history.suffix_min, x, side="right")) - 1
        worst_since, on_record = day_at(history.dates, last)
    elif x > 0:
        last = int(np.searchsorted(history.suffix_max_negated, -x, side="right")) - 1
        best_since, on_record = day_at(history.dates, last)
    year_growth = history.year_growth if history.last_year == today.year else 1.0
    index = history.index_end * (1.0 + x)
    return MoveStats(
        name=name,
        ret=x,
        sigma=finite(sigma),
        percentile=at_or_below / n if n else None,
        ret_1w=finite(history.week_growth * (1.0 + x) - 1.0) if n + 1 >= WEEK else None,
        ret_1m=finite(history.month_growth * (1.0 + x) - 1.0) if n + 1 >= MONTH else None,
        ret_ytd=finite(year_growth * (1.0 + x) - 1.0),
        drawdown=finite(index / max(history.peak, index) - 1.0),
        worst_since=worst_since,
        best_since=best_since,
        members=members,
        recent=(*history.recent, x),
        on_record=on_record,
        legs=explanation.legs if explanation else None,
        top_contributors=explanation.top_contributors if explanation else (),
        by_sector=explanation.by_sector if explanation else None,
    )


def day_at(dates: np.ndarray, row: int) -> tuple[date | None, bool]:
    """The date at row, or (None, True) when there is none: a record."""
    if row < 0:
        return None, True
    return dates[row].astype(date), False


def drill_down(history: SeriesHistory, today: date, stats: MoveStats) -> SeriesDrillDown:
    """The drill-down of a series at T: the prepared days plus T's point when it has one."""
    prior = SeriesDrillDown(
        prior_dates=history.dates,
        prior_cumulative=history.cumulative,
        prior_sigma=history.sigma,
        worst_days=history.worst,
    )
    if stats.ret is None:
        return prior
    x = stats.ret
    sigma = history.sigma_after(x)
    worst = history.worst
    if not math.isnan(sigma):
        candidates = [*worst, WorstDay(today, x, sigma)]
        worst = tuple(sorted(candidates, key=lambda w: (w.ret, w.date))[:WORST_DAYS])
    return SeriesDrillDown(
        prior_dates=history.dates,
        prior_cumulative=history.cumulative,
        prior_sigma=history.sigma,
        today=today,
        today_cumulative=float(history.index_end * (1.0 + x) - 1.0),
        today_sigma=sigma,
        worst_days=worst,
    )


def drill_down_of(dates: np.ndarray, values: np.ndarray) -> SeriesDrillDown:
    """The drill-down of a whole series whose last row is T (NaN: no value that day)."""
    prior_dates, prior = dates[:-1], values[:-1]
    have = ~np.isnan(prior)
    history = SeriesHistory.of(prior_dates[have].astype("datetime64[D]"), prior[have])
    today = np.datetime64(dates[-1], "D").astype(date)
    return drill_down(history, today, move_stats("", history, today, values[-1]))


@dataclass(frozen=True, slots=True)
class SeriesState:
    """Every daily series (baskets, factors, themes) before T, digested once in prepare."""

    values: dict[str, np.ndarray]  # grid-aligned, NaN where the series has no value
    histories: dict[str, SeriesHistory]  # the non-null prior values, for move statistics
    frame: pl.DataFrame  # date + a column per series (nulls, not NaN): export, drill-downs

    @classmethod
    def of(cls, dates: np.ndarray, series: dict[str, np.ndarray]) -> SeriesState:
        return cls(
            values=series,
            histories={
                name: SeriesHistory.of(dates[~np.isnan(values)], values[~np.isnan(values)])
                for name, values in series.items()
            },
            frame=dated_frame(dates, series),
        )

    def grid_sigma(self, name: str) -> np.ndarray:
        """The sigma of each grid day of a series (NaN where it has no value): the numbers
        its drill-down shows, which the -3 sigma events and the lens's features read too."""
        values = self.values[name]
        out = np.full(len(values), np.nan)
        out[~np.isnan(values)] = self.histories[name].sigma
        return out


def stats_today(
    state: SeriesState,
    today: date,
    values: dict[str, float | None],
    members: dict[str, tuple[str, ...]],
    explanations: Mapping[str, Explanation] | None = None,
) -> dict[str, MoveStats]:
    """Move statistics of today's value of each named series (with its explanation)."""
    explanations = explanations or {}
    return {
        name: move_stats(
            name,
            state.histories[name],
            today,
            value,
            members.get(name, ()),
            explanations.get(name),
        )
        for name, value in values.items()
    }


def frame_today(state: SeriesState, today: date, stats: dict[str, MoveStats]) -> pl.DataFrame:
    """date + a column per basket, factor and theme; today's values appended."""
    return with_today(state.frame, today, {name: s.ret for name, s in stats.items()})


def drill_downs_today(
    state: SeriesState, today: date, stats: dict[str, MoveStats]
) -> dict[str, SeriesDrillDown]:
    return {name: drill_down(state.histories[name], today, s) for name, s in stats.items()}
