"""Move statistics of a daily series at T: ret, sigma, percentile, since-dates, drawdown."""

from __future__ import annotations

import math
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


def compounded(values: np.ndarray) -> float:
    return float(np.prod(1.0 + values) - 1.0)


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


def move_stats(
    name: str,
    prior_dates: np.ndarray,
    prior_values: np.ndarray,
    today: date,
    value: float | None,
    members: tuple[str, ...] = (),
) -> MoveStats:
    """DESIGN.md move statistics of x(T)=value given the series' non-null prior values."""
    x = finite(value)
    if x is None:
        recent = tuple(float(v) for v in prior_values[-(RECENT - 1) :])
        return MoveStats(name=name, members=members, recent=(*recent, None))
    values = np.append(prior_values, x)
    rms = trailing_rms(prior_values)
    sigma = x / rms if rms else None
    percentile = float(np.mean(prior_values <= x)) if len(prior_values) else None
    worst_since = best_since = None
    on_record = False
    if x < 0:
        worst_since, on_record = latest_date(prior_dates, prior_values <= x)
    elif x > 0:
        best_since, on_record = latest_date(prior_dates, prior_values >= x)
    years = prior_dates.astype("datetime64[Y]").astype(int) + 1970
    ytd = np.append(prior_values[years == today.year], x)
    index = np.cumprod(1.0 + values)
    peak = max(1.0, float(index.max()))
    return MoveStats(
        name=name,
        ret=x,
        sigma=finite(sigma),
        percentile=percentile,
        ret_1w=compounded(values[-WEEK:]) if len(values) >= WEEK else None,
        ret_1m=compounded(values[-MONTH:]) if len(values) >= MONTH else None,
        ret_ytd=compounded(ytd),
        drawdown=finite(index[-1] / peak - 1.0),
        worst_since=worst_since,
        best_since=best_since,
        members=members,
        recent=tuple(float(v) for v in values[-RECENT:]),
        on_record=on_record,
    )


def latest_date(dates: np.ndarray, hit: np.ndarray) -> tuple[date | None, bool]:
    """The latest date where hit is True, and whether there was none (on record)."""
    where = np.flatnonzero(hit)
    if len(where) == 0:
        return None, True
    return dates[where[-1]].astype(date), False
