"""events_today (settled events prepared, the rest per tick) against the plain definition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from crowdwatch.analytics.events import EventState, events_today, grid_sigma
from crowdwatch.config.calendar import FORWARD_HORIZONS

DAYS = 600


def plain_events(pair: np.ndarray, sigma: np.ndarray, dates: np.ndarray, today: float | None):
    """Every event's forward returns over the pair with today appended, computed afresh."""
    series = np.append(pair, np.nan if today is None else today)
    out = []
    for row in [int(r) for r in np.flatnonzero(sigma <= -3.0)]:
        if out and row - out[-1][0] < 21:
            continue
        forwards = []
        for horizon in FORWARD_HORIZONS:
            window = series[row + 1 : row + 1 + horizon]
            value = None
            if len(window) == horizon and not np.isnan(window).any():
                product = float(np.prod(1.0 + window) - 1.0)
                value = product if math.isfinite(product) else None
            forwards.append(value)
        out.append((row, float(sigma[row]), *forwards))
    return out


@pytest.mark.parametrize("last_event", [DAYS - 64, DAYS - 63, DAYS - 6, DAYS - 5, DAYS - 1])
@pytest.mark.parametrize("today", [0.004, None, float("nan")])
def test_events_today_give_every_window_as_computed_afresh(last_event: int, today) -> None:
    rng = np.random.default_rng(last_event)
    pair = rng.uniform(-0.01, 0.01, DAYS)  # no sigma <= -3 but the planted
    pair[[200, 320]] = -0.3  # settled events
    pair[last_event] = -0.3  # the 63-day window ends at d (DAYS - 64) or reaches T
    pair[340] = np.nan  # inside the second event's windows: None
    dates = np.arange(np.datetime64("2015-01-02"), np.datetime64("2015-01-02") + DAYS)
    sigma = grid_sigma(pair)
    state = EventState.of(pair, sigma, dates)
    got = events_today(state, today)
    expected = plain_events(pair, sigma, dates, today)
    assert [e.date for e in got] == [dates[row].astype(object) for row, *_ in expected]
    assert [(e.sigma, e.fwd_5d, e.fwd_21d, e.fwd_63d) for e in got] == [
        tuple(rest) for _, *rest in expected
    ]
    assert len(got) == 3 and got[1].fwd_21d is None
    # the last event's 63-day window reaches T unless it ends at d
    assert len(state.settled) == (3 if last_event == DAYS - 64 else 2)
    if today == 0.004 and last_event == DAYS - 63:
        assert got[-1].fwd_63d is not None and got[-1].fwd_5d is not None


def test_a_state_without_settled_events_computes_them_all() -> None:
    pair = np.random.default_rng(1).normal(0.0, 0.01, 300)
    pair[150] = -0.3
    dates = np.arange(np.datetime64("2015-01-02"), np.datetime64("2015-01-02") + 300)
    sigma = grid_sigma(pair)
    prepared = EventState.of(pair, sigma, dates)
    plain = EventState(pair=prepared.pair, days=prepared.days)
    assert prepared.settled and events_today(plain, 0.01) == events_today(prepared, 0.01)
