"""The analog days screen's paths: the pair compounded from each analog day (hand-worked)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from crowdwatch.analytics.history_lens import (
    PATH_DAYS,
    Analog,
    Features,
    analog_path,
    forward_medians,
)

DATES = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-03-01"))  # 60 days


def test_a_path_starts_with_the_day_itself_and_compounds() -> None:
    pair = np.full(len(DATES), 0.01)
    pair[10] = -0.05
    path = analog_path(DATES, date(2024, 1, 11), pair)  # row 10
    assert len(path) == 1 + PATH_DAYS
    assert path[0] == pytest.approx(-0.05)
    assert path[1] == pytest.approx(0.95 * 1.01 - 1)
    assert path[-1] == pytest.approx(0.95 * 1.01**21 - 1)


def test_a_path_stops_before_a_gap_and_at_today() -> None:
    pair = np.full(len(DATES), 0.02)
    pair[14] = np.nan
    assert len(analog_path(DATES, date(2024, 1, 11), pair)) == 4  # rows 10..13
    # T's value appended after the grid: the last analog day's path ends at T
    with_today = np.append(np.full(len(DATES), 0.0), 0.1)
    last = analog_path(DATES, date(2024, 2, 21), with_today)  # row 51: 51..60 (T)
    assert len(last) == 10
    assert last[-1] == pytest.approx(0.1)


def test_forward_medians_skip_the_missing() -> None:
    f = Features()
    analogs = (
        Analog(date(2020, 1, 1), 1.0, f, 0.01, 0.02, None, -0.01, None, None),
        Analog(date(2021, 1, 1), 2.0, f, 0.03, 0.06, None, -0.03, None, None),
        Analog(date(2022, 1, 1), 3.0, f, 0.05, -0.1, None, 0.02, None, None),
    )
    medians = forward_medians(analogs)
    assert medians["pair_fwd_5d"] == pytest.approx(0.03)
    assert medians["pair_fwd_21d"] == pytest.approx(0.02)
    assert medians["pair_fwd_63d"] is None
    assert medians["index_fwd_5d"] == pytest.approx(-0.01)


def test_demo_paths_agree_with_the_forward_returns() -> None:
    """Independent check: the path after 5 and 21 days, divided by the day itself, is the
    analog's pair_fwd_5d / pair_fwd_21d (compounded over the values after the day)."""
    from crowdwatch.config.loader import load_config
    from crowdwatch.feeds.demo import DemoFeed
    from crowdwatch.session.engine import Engine

    config = load_config(None)
    snapshot = Engine(DemoFeed(config), config).start()
    assert snapshot.analogs is not None and len(snapshot.analogs) == 5
    assert len(snapshot.analog_paths) == 5
    for analog, path in zip(snapshot.analogs, snapshot.analog_paths, strict=True):
        assert len(path) == 1 + PATH_DAYS  # the demo's analogs are far from T
        day = 1.0 + path[0]
        assert math.isclose((1 + path[5]) / day - 1, analog.pair_fwd_5d, abs_tol=1e-12)
        assert math.isclose((1 + path[21]) / day - 1, analog.pair_fwd_21d, abs_tol=1e-12)
