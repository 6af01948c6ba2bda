"""The event study: past momentum_pair days at or below -3 sigma and what followed.

History part: EventState (the pair's daily series and the event days before T, found once).
Today part: events_today (their forward returns, which may run into T).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from crowdwatch.analytics.moves import compounded, sigma_series
from crowdwatch.analytics.results import Event
from crowdwatch.config.calendar import FORWARD_HORIZONS, MONTH

EVENT_SIGMA, EVENT_SPACING = -3.0, MONTH


def grid_sigma(series: np.ndarray) -> np.ndarray:
    """sigma of each day of a grid-aligned series (NaN where the series is NaN)."""
    out = np.full(len(series), np.nan)
    have = np.flatnonzero(~np.isnan(series))
    out[have] = sigma_series(series[have])
    return out


def event_rows(sigma: np.ndarray) -> list[int]:
    """Rows with sigma <= -3, oldest first, each >= 21 trading days after the last kept."""
    kept: list[int] = []
    for row in np.flatnonzero(sigma <= EVENT_SIGMA):
        if not kept or row - kept[-1] >= EVENT_SPACING:
            kept.append(int(row))
    return kept


def forward(series: np.ndarray, row: int, horizon: int) -> float | None:
    """The series compounded over the `horizon` days after `row`; None if not all there."""
    window = series[row + 1 : row + 1 + horizon]
    if len(window) < horizon or np.isnan(window).any():
        return None
    return compounded(window)


@dataclass(frozen=True, slots=True)
class EventState:
    """momentum_pair on the grid up to d, and its -3 sigma days (date, row, sigma)."""

    pair: np.ndarray
    days: tuple[tuple[date, int, float], ...]
    # the events (oldest first) whose every window ends by d: T cannot change them
    settled: tuple[Event, ...] = ()

    @classmethod
    def of(cls, pair: np.ndarray, sigma: np.ndarray, dates: np.ndarray) -> EventState:
        """`sigma`: the pair's grid sigma (SeriesState.grid_sigma)."""
        days = tuple((dates[row].astype(date), row, float(sigma[row])) for row in event_rows(sigma))
        closed = [day for day in days if day[1] + max(FORWARD_HORIZONS) < len(pair)]
        return cls(pair=pair, days=days, settled=events_of(pair, closed))

    def open_days(self) -> tuple[tuple[date, int, float], ...]:
        """The event days after the settled ones (a window of theirs reaches T)."""
        return self.days[len(self.settled) :]


def events_of(series: np.ndarray, days) -> tuple[Event, ...]:
    """Each event day with the series compounded over the days after it."""
    return tuple(
        Event(day, sigma, *(forward(series, row, horizon) for horizon in FORWARD_HORIZONS))
        for day, row, sigma in days
    )


def events_today(state: EventState, pair_today: float | None) -> tuple[Event, ...]:
    """The events before T, each with the pair compounded over the days after it (the
    settled ones as prepared: their windows end before T)."""
    series = np.append(state.pair, np.nan if pair_today is None else pair_today)
    return state.settled + events_of(series, state.open_days())
