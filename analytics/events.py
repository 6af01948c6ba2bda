"""The event study: past momentum_pair days at or below -3 sigma and what followed."""

from __future__ import annotations

import numpy as np

from crowdwatch.analytics.moves import compounded, sigma_series
from crowdwatch.analytics.results import Event

EVENT_SIGMA, EVENT_SPACING = -3.0, 21
HORIZONS = (5, 21, 63)


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


def build_events(series: np.ndarray, sigma: np.ndarray, dates: np.ndarray) -> tuple[Event, ...]:
    """Events before the series' last row; `series` may include today's value at the end."""
    return tuple(
        Event(
            date=dates[row].astype(object),
            sigma=float(sigma[row]),
            fwd_5d=forward(series, row, 5),
            fwd_21d=forward(series, row, 21),
            fwd_63d=forward(series, row, 63),
        )
        for row in event_rows(sigma)
    )
