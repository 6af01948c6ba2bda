"""Hand-worked History lens cases (DESIGN.md): analog days, spacing, index_24m, regime labels.

Each case is worked out on paper; the search cases run on the implementation and on the
plain reference (tests/reference_history.py) alike.
"""

from __future__ import annotations

import math
import statistics
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference_history  # noqa: E402
from markets import closes_from_returns, hand_market  # noqa: E402

from crowdwatch.analytics.history_lens import (  # noqa: E402
    FEATURES,
    find_analogs,
    index_24m,
    regime_at_d,
    regime_label,
)
from crowdwatch.analytics.model import close_snapshot  # noqa: E402
from crowdwatch.config.schema import Config, FactorSpec, Settings  # noqa: E402

START = np.datetime64("2020-01-01")


def both_searches(features: np.ndarray, today: list[float]) -> list[tuple[str, list[int]]]:
    """The analog rows found by the implementation and by the reference, for a toy history
    with k <= 7 features (the reference's other columns are held at 0 on every day)."""
    days, k = features.shape
    dates = np.arange(START, START + days + 1)
    pair = np.linspace(-0.01, 0.01, days + 1)
    index = np.linspace(0.002, -0.002, days + 1)
    found = find_analogs(dates[:-1], features, np.array(today, dtype=float), pair, index)
    implementation = [int((np.datetime64(a.date) - START).astype(int)) for a in found]
    frame = pd.DataFrame(0.0, index=range(days + 1), columns=list(FEATURES))
    frame.iloc[:days, :k] = features
    frame.iloc[days, :k] = today
    market = SimpleNamespace(dates=[d.astype(date) for d in dates], index_ret=index)
    reference = reference_history.analogs(market, frame, pair, days)
    rows = [(date.fromisoformat(a["date"]) - START.astype(date)).days for a in reference]
    return [("implementation", implementation), ("reference", rows)]


def test_three_feature_toy_nearest_days_are_known() -> None:
    # a = t, b = t mod 2, c = 5 on days 0..199; T (row 200) = (100, 0, 5). Distances are
    # |a - 100| / s_a for even days and sqrt((da/s_a)^2 + (1/s_b)^2) > 2 for odd ones, so:
    # 100 (distance 0), then the even days 21+ away from every kept one, nearest first,
    # ties (78 vs 122, 56 vs 144) by date.
    days = np.arange(200, dtype=float)
    features = np.column_stack([days, days % 2, np.full(200, 5.0)])
    for who, rows in both_searches(features, [100.0, 0.0, 5.0]):
        assert rows == [100, 78, 122, 56, 144], who


def test_three_feature_toy_distances_are_standardised_euclidean() -> None:
    days = np.arange(200, dtype=float)
    features = np.column_stack([days, days % 2, np.full(200, 5.0)])
    dates = np.arange(START, START + 200)
    found = find_analogs(dates, features, np.array([100.0, 0.0, 5.0]), np.zeros(201), np.zeros(201))
    s_a = statistics.stdev([*range(200), 100])  # T is one of the standardised days
    assert [a.distance for a in found] == pytest.approx(
        [0.0, 22 / s_a, 22 / s_a, 44 / s_a, 44 / s_a], rel=1e-12
    )
    # the constant feature separates nothing; the features are reported as they were
    assert found[1].features.pair_sigma == 78.0 and found[1].features.short_sigma == 5.0


def test_twenty_one_day_spacing_and_the_candidate_cutoff() -> None:
    # one feature, 10 everywhere but a few days; T (row 300) = 0
    values = np.full(300, 10.0)
    values[50] = 0.0  # the nearest
    values[70] = 0.1  # 20 days after 50: too close
    values[71] = 0.2  # 21 days after: kept
    values[30] = 0.25  # 20 days before 50: too close
    values[29] = 0.3  # 21 days before: kept
    values[150] = 0.5
    values[280] = 0.0  # as near as 50, but only 20 days before T: not a candidate
    values[279] = 0.55  # 21 days before T: a candidate
    values[200] = 0.6  # the sixth: left out
    for who, rows in both_searches(values[:, None], [0.0]):
        assert rows == [50, 71, 29, 150, 279], who


def test_no_analogs_when_today_lacks_a_feature_and_none_when_no_candidate() -> None:
    features = np.column_stack([np.arange(60.0), np.arange(60.0) % 3])
    dates = np.arange(START, START + 60)
    flat = np.zeros(61)
    assert find_analogs(dates, features, np.array([1.0, np.nan]), flat, flat) is None
    assert find_analogs(dates[:10], features[:10], np.array([1.0, 2.0]), flat, flat) == ()


def test_days_missing_a_feature_are_left_out_of_the_standardisation() -> None:
    days = np.arange(200, dtype=float)
    features = np.column_stack([days, days % 2])
    dates = np.arange(START, START + 200)
    flat = np.zeros(201)
    features[10] = [np.nan, np.nan]
    before = find_analogs(dates, features, np.array([100.0, 0.0]), flat, flat)
    features[10] = [1e6, np.nan]  # incomplete: neither a candidate nor in the mean or stdev
    after = find_analogs(dates, features, np.array([100.0, 0.0]), flat, flat)
    assert len(after) == 5
    assert [(a.date, a.distance) for a in after] == [(a.date, a.distance) for a in before]
    features[10] = [1e6, 0.0]  # complete: it stretches a's stdev, so every distance moves
    moved = find_analogs(dates, features, np.array([100.0, 0.0]), flat, flat)
    assert moved[1].distance < after[1].distance


def test_forward_returns_are_compounded_and_null_when_not_all_there() -> None:
    values = np.full(100, 10.0)
    values[10], values[60] = 0.0, 0.1
    dates = np.arange(START, START + 100)
    pair = np.full(101, 0.01)
    pair[11] = -0.02
    index = np.full(101, 0.001)
    index[80] = np.nan  # inside day 60's 21-day window
    found = {a.date: a for a in find_analogs(dates, values[:, None], np.array([0.0]), pair, index)}
    first, second = found[date(2020, 1, 11)], found[date(2020, 3, 1)]
    assert first.pair_fwd_5d == pytest.approx(0.98 * 1.01**4 - 1, rel=1e-12)
    assert first.pair_fwd_63d == pytest.approx(0.98 * 1.01**62 - 1, rel=1e-12)
    assert first.index_fwd_21d == pytest.approx(1.001**21 - 1, rel=1e-12)
    assert second.index_fwd_5d == pytest.approx(1.001**5 - 1, rel=1e-12)
    assert second.index_fwd_21d is None  # row 80 has no index return
    assert second.pair_fwd_21d == pytest.approx(1.01**21 - 1, rel=1e-12)  # rows 61..81
    assert second.pair_fwd_63d is None  # rows 61..123: the history ends at T (row 100)


# -- the regime -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bear", "percentile", "label"),
    [
        (True, 0.8, "panic"),
        (True, 1.0, "panic"),
        (True, 0.7999, "bear"),
        (False, 0.8, "high-vol"),
        (False, 0.7999, "calm"),
        (False, 0.0, "calm"),
        (None, 0.9, None),
        (True, None, None),
    ],
)
def test_regime_labels_at_each_threshold(bear, percentile, label) -> None:
    assert regime_label(bear, percentile) == label


def test_index_24m_counts_the_index_own_closes() -> None:
    closes = 100.0 + np.arange(600)
    closes[[100, 300]] = np.nan  # two days without a close: own rows skip them
    # d = row 598: its own close 504 closes back sits at row 92 (rows 92..598 hold 505)
    assert index_24m(closes[:599]) == pytest.approx(698 / 192 - 1, rel=1e-12)
    assert index_24m(closes[:506]) is None  # rows 0..505 hold 506 - 2 = 504 closes
    assert index_24m(closes[:507]) == pytest.approx(606 / 100 - 1, rel=1e-12)  # 505 exactly
    no_close_on_d = closes[:599].copy()
    no_close_on_d[-1] = np.nan
    assert index_24m(no_close_on_d) is None


def test_momentum_vol_percentile_and_scaled_exposure_by_hand() -> None:
    rng = np.random.default_rng(5)
    pair = np.concatenate([[np.nan] * 30, rng.normal(0, 0.01, 200), [np.nan], [0.02, -0.03]])
    pair[100] = np.nan  # a day without a pair value: the window reaches one value further
    values = pair[~np.isnan(pair)]
    expected = statistics.stdev(values[-126:].tolist()) * math.sqrt(252)

    def vol_at(day: int) -> float | None:
        have = pair[: day + 1]
        have = have[~np.isnan(have)]
        return statistics.stdev(have[-126:].tolist()) * math.sqrt(252) if len(have) >= 126 else None

    earlier = [v for v in (vol_at(s) for s in range(len(pair) - 1)) if v is not None]
    closes = np.full(len(pair), 100.0)
    regime = regime_at_d(closes, pair, 0.12)
    assert regime.momentum_vol == pytest.approx(expected, rel=1e-12)
    assert regime.momentum_vol_percentile == sum(v <= expected for v in earlier) / len(earlier)
    assert regime.scaled_exposure == pytest.approx(0.12 / expected, rel=1e-12)
    assert regime.index_24m is None and regime.bear_market is None and regime.regime is None


def test_flat_pair_has_no_scaled_exposure() -> None:
    closes = np.concatenate([np.full(300, 100.0), np.full(300, 90.0)])  # down 10% over 24m
    regime = regime_at_d(closes, np.zeros(600), 0.12)
    assert regime.momentum_vol == pytest.approx(0.0, abs=1e-15)
    assert regime.scaled_exposure is None
    assert regime.index_24m == pytest.approx(-0.1) and regime.bear_market is True
    assert regime.momentum_vol_percentile == 1.0 and regime.regime == "panic"


def test_unchanged_index_over_24_months_is_not_a_bear_market() -> None:
    closes = np.full(600, 100.0)
    closes[200:400] = 80.0
    regime = regime_at_d(closes, np.full(600, np.nan), 0.12)
    assert regime.index_24m == 0.0 and regime.bear_market is False
    assert regime.momentum_vol is None and regime.regime is None


def test_regime_is_read_at_the_previous_close_through_the_pipeline() -> None:
    # SPY falls steadily for 510 days then crashes on T: index_24m at d excludes T's crash
    n = 512
    spy = closes_from_returns([-0.0005] * (n - 2) + [-0.2])
    wave = [0.01 * math.sin(1.3 * i) for i in range(n - 1)]
    history = hand_market(
        {
            "SPY": spy,
            "A": closes_from_returns(wave),
            "B": closes_from_returns([-x for x in wave]),
            "C": closes_from_returns([0.5 * x for x in wave]),
        }
    )
    config = Config(
        settings=Settings(quantile=0.34, momentum_vol_target=0.2),
        factors=(FactorSpec("momentum", "mom", "top"),),
    )
    snapshot = close_snapshot(history, config)
    # d = row 510; 504 own closes before it is row 6: 504 daily moves of -0.05%
    assert snapshot.regime.index_24m == pytest.approx(0.9995**504 - 1, rel=1e-9)
    assert snapshot.regime.bear_market is True
