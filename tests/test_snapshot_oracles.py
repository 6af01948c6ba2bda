"""Every Snapshot field a screen shows, against the plain reference (tests/reference_details.py):
series, drill-downs (cumulative path, sigma days, worst days), recent, on_record, theme member
rows, LETF funds and the dispersion history. The frame checks of benchmarks/check_same.py."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402
from markets import quotes_from_close, random_market  # noqa: E402
from reference import reference_report  # noqa: E402

from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.results import Snapshot  # noqa: E402

TOLERANCE = 1e-9


def same(actual: object, expected: object) -> bool:
    """Numbers within 1e-9 (relative or absolute), None only equal to None, the rest exact."""
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return actual == expected


def assert_rows(actual: list, expected: list, what: str) -> None:
    assert len(actual) == len(expected), f"{what}: {len(actual)} rows != {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        a, e = (a, e) if isinstance(e, tuple | list) else ((a,), (e,))
        assert len(a) == len(e) and all(map(same, a, e)), f"{what}[{i}]: {a!r} != {e!r}"


def all_stats(snapshot: Snapshot) -> dict:
    out = {**snapshot.baskets, **snapshot.factors}
    out.update({name: theme.stats for name, theme in snapshot.themes.items()})
    return out


def check_against_reference(snapshot: Snapshot, details: dict) -> None:
    dates = details["dates"]
    frame = snapshot.series
    assert frame is not None and frame["date"].to_list() == dates
    stats = all_stats(snapshot)
    assert set(snapshot.drill_downs) == set(details["series"]) == set(frame.columns[1:])
    for name, expected in details["series"].items():
        assert_rows(frame[name].to_list(), expected["values"], f"series {name}")
        drill = snapshot.drill_downs[name]
        assert_rows(list(drill.cumulative), expected["cumulative"], f"cumulative {name}")
        assert_rows(list(drill.sigmas), expected["sigmas"], f"sigmas {name}")
        worst = [(w.date, w.ret, w.sigma) for w in drill.worst_days]
        assert_rows(worst, expected["worst_days"], f"worst days {name}")
        assert_rows(list(stats[name].recent), expected["recent"], f"recent {name}")
        assert stats[name].on_record == expected["on_record"], f"on_record {name}"
    for theme, rows in details["members"].items():
        # the theme drill-down's table (attribution), its rows compared in ticker order
        got = snapshot.members[theme].select("ticker", "ret", "sigma", "mom", "beta")
        expected = sorted((tuple(row.values()) for row in rows), key=lambda row: row[0])
        assert_rows(got.sort("ticker").rows(), expected, f"members {theme}")
    assert_rows(
        snapshot.letf_funds.rows(),
        [tuple(row.values()) for row in details["letf_funds"]],
        "letf funds",
    )
    history = snapshot.dispersion_history
    assert history["date"].to_list() == dates
    assert_rows(history["dispersion_ratio"].to_list(), details["dispersion"], "dispersion")
    assert_rows(history["letf_flow_usd"].to_list(), details["letf_flows"], "letf flow history")


def close_case(seed: int, n_stocks: int, n_days: int) -> tuple[Snapshot, dict]:
    history, config = random_market(seed, n_stocks=n_stocks, n_days=n_days)
    details: dict = {}
    reference_report(history, config, details=details)
    return close_snapshot(history, config), details


def live_case(seed: int, n_stocks: int, n_days: int, drop: tuple[str, ...]):
    history, config = random_market(seed, n_stocks=n_stocks, n_days=n_days)
    last = history["date"].max()
    before = history.filter(pl.col("date") < last)
    quotes = quotes_from_close(history, last, drop)
    details: dict = {}
    reference_report(before, config, quotes=quotes, details=details)
    return live(prepare(before, config), quotes), details


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_stocks=st.integers(10, 14),
    n_days=st.integers(301, 480),
    live_mode=st.booleans(),
)
def test_drill_down_fields_match_the_reference(seed, n_stocks, n_days, live_mode) -> None:
    if live_mode:
        snapshot, details = live_case(seed, n_stocks, n_days, ("S04",))
    else:
        snapshot, details = close_case(seed, n_stocks, n_days)
    check_against_reference(snapshot, details)


@pytest.mark.parametrize("seed", [3, 20, 21])
def test_drill_down_fields_on_fixed_markets(seed: int) -> None:
    # the random markets of benchmarks/check_same.py (40 names x 700 days for 20 and 21)
    size = (40, 700) if seed >= 20 else (12, 400)
    check_against_reference(*close_case(seed, *size))
    check_against_reference(*live_case(seed, *size, ()))
