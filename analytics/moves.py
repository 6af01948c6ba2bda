"""Move statistics of a daily series at T: ret, sigma, percentile, since-dates, drawdown."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from crowdwatch.analytics.results import MoveStats

SIGMA_WINDOW, SIGMA_MIN = 252, 63
WEEK, MONTH = 5, 21
RECENT = 60


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

    @classmethod
    def of(cls, dates: np.ndarray, values: np.ndarray) -> SeriesHistory:
        # past a float's range the index is inf and the drawdown unknown (move_stats: finite)
        with np.errstate(over="ignore", invalid="ignore"):
            index = np.cumprod(1.0 + values)
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        last_year = int(years[-1]) if len(years) else None
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
            last_year_values=values[years == last_year] if len(years) else values,
        )


def move_stats(
    name: str,
    history: SeriesHistory,
    today: date,
    value: float | None,
    members: tuple[str, ...] = (),
) -> MoveStats:
    """DESIGN.md move statistics of x(T)=value given the series' non-null prior values."""
    prior = history.values
    x = finite(value)
    if x is None:
        recent = tuple(float(v) for v in prior[-(RECENT - 1) :])
        return MoveStats(name=name, members=members, recent=(*recent, None))
    tail = np.append(prior[-RECENT:], x)
    n = len(prior)
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
    same_year = history.last_year == today.year
    ytd = np.append(history.last_year_values if same_year else prior[:0], x)
    index = history.index_end * (1.0 + x)
    return MoveStats(
        name=name,
        ret=x,
        sigma=finite(sigma),
        percentile=at_or_below / n if n else None,
        ret_1w=compounded(tail[-WEEK:]) if n + 1 >= WEEK else None,
        ret_1m=compounded(tail[-MONTH:]) if n + 1 >= MONTH else None,
        ret_ytd=compounded(ytd),
        drawdown=finite(index / max(history.peak, index) - 1.0),
        worst_since=worst_since,
        best_since=best_since,
        members=members,
        recent=tuple(float(v) for v in tail[-RECENT:]),
        on_record=on_record,
    )


def day_at(dates: np.ndarray, row: int) -> tuple[date | None, bool]:
    """The date at row, or (None, True) when there is none: a record."""
    if row < 0:
        return None, True
    return dates[row].astype(date), False
