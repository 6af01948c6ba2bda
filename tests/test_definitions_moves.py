"""Hand-worked DESIGN.md cases: move statistics, realized_corr, dispersion and events.

Each case is checked on paper, asserted on the reference first, then on the implementation.
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from markets import closes_from_returns, hand_market  # noqa: E402
from reference import reference_report  # noqa: E402

# Deliberately not skipped: until the implementation exists these fail with an ImportError.
from crowdwatch.analytics.model import close_snapshot  # noqa: E402
from crowdwatch.analytics.report import to_json  # noqa: E402
from crowdwatch.config.schema import Config, FactorSpec, Settings, Theme  # noqa: E402

CONFIG = Config(
    settings=Settings(quantile=0.5),
    themes=(Theme("One", ("A",)),),
    factors=(FactorSpec("momentum", "mom", "top"),),
)
# 63 prior values: rows 1, 3, ..., 63 are +2% (32 of them), rows 2, 4, ..., 62 are -1% (31)
PRIOR = [0.02 if i % 2 == 0 else -0.01 for i in range(63)]


def wave(n: int, scale: float = 0.01) -> list[float]:
    return [scale * math.sin(1.7 * i + 0.3) for i in range(n)]


def reports(returns: list[float], index: list[float] | None = None) -> list[tuple[str, dict]]:
    """Reference then implementation, for a market where theme One is the single stock A."""
    closes = {"A": closes_from_returns(returns), "B": closes_from_returns([0.0] * len(returns))}
    # a gently moving index (a flat one leaves dispersion undefined)
    closes["SPY"] = closes_from_returns(index or wave(len(returns), 0.001))
    history = hand_market(closes)
    return [
        ("reference", reference_report(history, CONFIG)),
        ("implementation", to_json(close_snapshot(history, CONFIG))),
    ]


def dates_of(n_rows: int) -> list[str]:
    return [d.isoformat() for d in hand_market({"A": [1.0] * n_rows})["date"].to_list()]


def test_sigma_uses_ddof_1_and_is_not_demeaned() -> None:
    # sum of squares 32 * 4e-4 + 31 * 1e-4 = 0.0159 over n - 1 = 62
    expected = -0.03 / math.sqrt(0.0159 / 62)
    for who, report in reports([*PRIOR, -0.03]):
        one = report["themes"]["One"]
        assert one["ret"] == pytest.approx(-0.03, abs=1e-12), who
        assert one["sigma"] == pytest.approx(expected, rel=1e-9), who
        assert one["percentile"] == 0.0, who
        assert one["worst_since"] is None, who  # the worst on record
        assert one["best_since"] is None, who


def test_sigma_needs_63_prior_values() -> None:
    for who, report in reports([*PRIOR[:62], -0.03]):
        assert report["themes"]["One"]["sigma"] is None, who
        assert report["themes"]["One"]["ret"] == pytest.approx(-0.03, abs=1e-12), who


def test_percentile_worst_since_and_best_since() -> None:
    days = dates_of(65)
    for who, report in reports([*PRIOR, -0.009]):
        one = report["themes"]["One"]
        assert one["percentile"] == pytest.approx(31 / 63), who
        assert one["worst_since"] == days[62], who  # the last -1% day
        assert one["best_since"] is None, who
    for who, report in reports([*PRIOR, 0.015]):
        one = report["themes"]["One"]
        assert one["best_since"] == days[63], who  # the last +2% day
        assert one["worst_since"] is None, who


def test_drawdown_running_max_includes_the_starting_one() -> None:
    # index 1 (start), ..., 0.9, 0.945: the running max is the 1 before the first value
    for who, report in reports([0.0] * 27 + [-0.1, 0.05]):
        one = report["themes"]["One"]
        assert one["drawdown"] == pytest.approx(0.9 * 1.05 - 1, abs=1e-12), who
        assert one["ret_1w"] == pytest.approx(0.9 * 1.05 - 1, abs=1e-12), who
        assert one["ret_1m"] == pytest.approx(0.9 * 1.05 - 1, abs=1e-12), who
        assert one["ret_ytd"] == pytest.approx(0.9 * 1.05 - 1, abs=1e-12), who
        assert one["percentile"] == 1.0, who
        assert one["best_since"] is None, who  # best on record
    # 1.1 then 0.99: 0.99 / 1.1 - 1 = -10%
    for who, report in reports([0.0] * 27 + [0.1, -0.1]):
        assert report["themes"]["One"]["drawdown"] == pytest.approx(-0.1, abs=1e-12), who
        assert report["themes"]["One"]["worst_since"] is None, who


def both(history, config: Config = CONFIG) -> list[tuple[str, dict]]:
    return [
        ("reference", reference_report(history, config)),
        ("implementation", to_json(close_snapshot(history, config))),
    ]


def test_realized_corr_and_dispersion_when_every_member_is_the_index() -> None:
    # A and B have the index's returns: s_i = s_I = s, w = 1/2:
    # (s^2 - s^2/2) / (s^2 - s^2/2) = 1; every 5-day stdev ratio is 1; nobody beats the index
    index = closes_from_returns(wave(40))
    history = hand_market({"A": [2 * c for c in index], "B": [4 * c for c in index], "SPY": index})
    for who, report in both(history):
        internals = report["internals"]
        assert internals["realized_corr"] == pytest.approx(1.0, abs=1e-9), who
        assert internals["dispersion_ratio"] == pytest.approx(1.0, abs=1e-9), who
        assert internals["breadth"] == 0.0, who
        assert internals["index_ret"] == pytest.approx(wave(40)[-1], abs=1e-12), who


def test_realized_corr_of_two_opposite_members() -> None:
    # A = +x, B = -x (so s_A = s_B = s), w = 1/2:
    # (s_I^2 - s^2/2) / ((s/2 + s/2)^2 - s^2/2) = 2 s_I^2 / s^2 - 1, about -1 for a calm index
    moves, index = wave(40), wave(40, 0.0007)
    history = hand_market(
        {
            "A": closes_from_returns(moves),
            "B": closes_from_returns([-x for x in moves]),
            "SPY": closes_from_returns(index),
        }
    )
    expected = 2 * statistics.stdev(index[-21:]) ** 2 / statistics.stdev(moves[-21:]) ** 2 - 1
    for who, report in both(history):
        assert report["internals"]["realized_corr"] == pytest.approx(expected, abs=1e-9), who
        assert report["internals"]["realized_corr"] < -0.99, who


def test_a_flat_index_leaves_dispersion_undefined() -> None:
    # sd of the index over the 5 days is 0: the ratio has no value, nor its percentile
    history = hand_market({"A": closes_from_returns(wave(40)), "SPY": [100.0] * 41})
    for who, report in both(history):
        assert report["internals"]["dispersion_ratio"] is None, who
        assert report["internals"]["dispersion_percentile"] is None, who
        assert report["internals"]["breadth"] == 0.0, who  # A's last move is down, the index flat


def test_events_are_spaced_21_days_apart_with_forward_returns() -> None:
    # A drifts up (+0.3% / -0.1% on alternate days), C is flat: mom(A) > 0 = mom(C) at every d.
    # With q = 0.5 the winners are [A], the short basket [C]: momentum_pair = r(A) from row
    # 253. Crashes of -5% on rows 330, 340 (10 days later: skipped) and 360 (kept).
    n_rows = 420
    returns = [0.003 if i % 2 == 0 else -0.001 for i in range(n_rows - 1)]
    for row in (330, 340, 360):
        returns[row - 1] = -0.05
    closes = {
        "A": closes_from_returns(returns),
        "C": [100.0] * n_rows,
        "SPY": closes_from_returns(wave(n_rows - 1, 0.001)),
    }
    history = hand_market(closes)
    config = Config(settings=Settings(quantile=0.5), factors=CONFIG.factors)
    days = dates_of(n_rows)

    def compounded(first_row: int, horizon: int) -> float:
        return math.prod(1 + returns[row - 1] for row in range(first_row, first_row + horizon)) - 1

    for who, report in both(history, config):
        events = report["events"]
        assert [e["date"] for e in events] == [days[330], days[360]], who
        # sigma on row 330: the 77 prior values are rows 253..329, ddof=1 and not demeaned
        prior = [returns[row - 1] ** 2 for row in range(253, 330)]
        sigma = -0.05 / math.sqrt(sum(prior) / 76)
        assert events[0]["sigma"] == pytest.approx(sigma, rel=1e-9), who
        assert events[0]["fwd_5d"] == pytest.approx(compounded(331, 5), abs=1e-12), who
        assert events[0]["fwd_63d"] == pytest.approx(compounded(331, 63), abs=1e-12), who
        assert events[1]["fwd_21d"] == pytest.approx(compounded(361, 21), abs=1e-12), who
        assert events[1]["fwd_63d"] is None, who  # row 423 is past T = row 419
