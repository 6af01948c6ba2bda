"""Hand-worked DESIGN.md cases: move statistics, realized_corr, dispersion and events.

Each case is checked on paper, asserted on the reference first, then on the implementation.
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from markets import closes_from_returns, hand_market  # noqa: E402
from reference import reference_report  # noqa: E402

# Deliberately not skipped: until the implementation exists these fail with an ImportError.
from crowdwatch.analytics.crowding import part_score  # noqa: E402
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


def alternating(n_pairs: int, last: list[float]) -> list[float]:
    """Closes 100, 99, 100, 99, ...: every fall is the same float (99/100 - 1), every rise too."""
    return [100.0, 99.0] * n_pairs + last


def one_stats(closes_a: list[float]):
    n = len(closes_a)
    closes = {"A": closes_a, "B": [100.0] * n, "SPY": closes_from_returns(wave(n - 1, 0.001))}
    history = hand_market(closes)
    snapshot = close_snapshot(history, CONFIG)
    return snapshot, reference_report(history, CONFIG), dates_of(n)


def test_worst_since_counts_an_exactly_equal_earlier_day() -> None:
    # T falls 100 -> 99, exactly like every earlier fall: "as bad" includes equal (x <= x(T)),
    # so worst_since is the previous fall (two rows back), and it is not a record
    snapshot, reference, days = one_stats(alternating(40, [100.0, 99.0]))
    stats = snapshot.themes["One"].stats
    assert stats.ret == 99.0 / 100.0 - 1.0
    assert stats.worst_since.isoformat() == days[-3] == reference["themes"]["One"]["worst_since"]
    assert not stats.on_record
    assert stats.percentile == 0.5  # 40 equal falls and 40 rises before T


def test_best_since_counts_an_exactly_equal_earlier_day() -> None:
    # ..., 100, 99 (fall), 99 (flat), 100 on T: the same rise as the one three rows back
    snapshot, reference, days = one_stats(alternating(40, [99.0, 100.0]))
    stats = snapshot.themes["One"].stats
    assert stats.best_since.isoformat() == days[-4] == reference["themes"]["One"]["best_since"]
    assert not stats.on_record


@pytest.mark.parametrize(("last", "record"), [(97.0, True), (99.5, False), (101.5, True)])
def test_on_record_means_no_earlier_day_as_bad_or_as_good(last: float, record: bool) -> None:
    # after 100: 97 (-3%) is the worst ever, 99.5 (-0.5%) is not (the -1% days were worse),
    # 101.5 (+1.5%) beats every +1.0101% rise
    snapshot, reference, _ = one_stats(alternating(40, [100.0, last]))
    stats = snapshot.themes["One"].stats
    assert stats.on_record is record
    since = stats.worst_since if stats.ret < 0 else stats.best_since
    assert (since is None) is record
    key = "worst_since" if stats.ret < 0 else "best_since"
    assert reference["themes"]["One"][key] is None if record else since is not None


def test_today_is_in_the_exported_series_and_the_dispersion_history() -> None:
    snapshot, _, days = one_stats(alternating(40, [100.0, 98.0]))
    last = snapshot.series.row(-1, named=True)
    assert last["date"] == snapshot.as_of
    assert last["One"] == pytest.approx(-0.02, abs=1e-12)
    assert last["momentum_pair"] == snapshot.baskets["momentum_pair"].ret
    history = snapshot.dispersion_history.row(-1, named=True)
    assert history["date"] == snapshot.as_of
    assert history["dispersion_ratio"] == snapshot.internals.dispersion_ratio
    assert history["dispersion_ratio"] is not None
    drill = snapshot.drill_downs["One"]
    assert drill.cumulative[-1][0] == snapshot.as_of
    # the path compounds every return: (0.99 * 100/99)^40 * 0.98 - 1 = -0.02 (up to rounding)
    assert drill.cumulative[-1][1] == pytest.approx(-0.02, abs=1e-12)


def test_theme_member_sigma_is_ddof_1_and_not_demeaned() -> None:
    # A: 63 prior returns of +-1% style (PRIOR), then -3% on T: the same rule as the theme's
    returns = [*PRIOR, -0.03]
    closes = {"A": closes_from_returns(returns), "B": closes_from_returns([0.0] * len(returns))}
    closes["SPY"] = closes_from_returns(wave(len(returns), 0.001))
    snapshot = close_snapshot(hand_market(closes), CONFIG)
    members = snapshot.members["One"]  # the theme drill-down's table
    row = members.filter(pl.col("ticker") == "A").row(0, named=True)
    assert row["ticker"] == "A"
    assert row["ret"] == pytest.approx(-0.03, abs=1e-12)
    # sum of squares 0.0159 over n - 1 = 62 (ddof 1), no mean subtracted
    assert row["sigma"] == pytest.approx(-0.03 / math.sqrt(0.0159 / 62), rel=1e-9)


def test_crowding_part_score_counts_ties_to_today() -> None:
    # today 0.5; prior: ten at 0.5 (ties count as <=), ten below, ten above -> 20 of 30
    assert part_score([0.5, *[0.5] * 10, *[0.4] * 10, *[0.6] * 10]) == pytest.approx(200 / 3)
    # a null today, or fewer than 26 prior samples, has no score
    assert part_score([None, *[0.5] * 30]) is None
    assert part_score([0.5, *[0.5] * 25, None]) is None
    assert part_score([0.5, *[0.5] * 26]) == 100.0
