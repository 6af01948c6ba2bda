"""The analytics implementation against the plain reference (tests/reference.py), field by field."""

from __future__ import annotations

import math
import sys
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402
from markets import (  # noqa: E402
    BENCHMARK,
    EDGE_CASES,
    MISSING_TICKER,
    quotes_from_close,
    random_market,
    with_edge_cases,
)
from reference import reference_report  # noqa: E402

# Deliberately not skipped: until the implementation exists these fail with an ImportError.
from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.report import to_json  # noqa: E402

TOLERANCE = 1e-9
COMPARE = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def json_differences(actual: object, expected: object, path: str = "") -> list[str]:
    """Every place two report dicts differ: numbers within 1e-9, nulls equal, the rest exact."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(actual) | set(expected), key=str):
            if key not in actual or key not in expected:
                out.append(f"{path}/{key}: key only in {'actual' if key in actual else 'expected'}")
            else:
                out += json_differences(actual[key], expected[key], f"{path}/{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{path}: {len(actual)} items != {len(expected)}: {actual!r} vs {expected!r}"]
        out = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            out += json_differences(a, e, f"{path}[{i}]")
        return out
    numbers = (int, float)
    if isinstance(expected, float) and isinstance(actual, numbers) and not isinstance(actual, bool):
        if math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
            return []
        return [f"{path}: {actual!r} != {expected!r}"]
    if type(actual) is not type(expected) or actual != expected:
        return [f"{path}: {actual!r} != {expected!r}"]
    return []


def assert_same_report(actual: dict, expected: dict) -> None:
    differences = json_differences(actual, expected)
    assert not differences, "\n".join(differences[:40])


def split_last_day(history: pl.DataFrame, drop: tuple[str, ...] = ()):
    """History without its last date, and quotes equal to that date's closes."""
    last = history["date"].max()
    return history.filter(pl.col("date") < last), quotes_from_close(history, last, drop)


def check_close(seed: int, n_stocks: int, n_days: int, quantile: float | None) -> None:
    history, config = random_market(seed, n_stocks=n_stocks, n_days=n_days, quantile=quantile)
    actual = to_json(close_snapshot(history, config, source="files"))
    assert_same_report(actual, reference_report(history, config, source="files"))


def check_live(seed: int, n_stocks: int, n_days: int, drop: tuple[str, ...]) -> None:
    history, config = random_market(seed, n_stocks=n_stocks, n_days=n_days)
    before, quotes = split_last_day(history, drop)
    actual = to_json(live(prepare(before, config), quotes, source="demo", simulated=True))
    expected = reference_report(before, config, quotes=quotes, source="demo", simulated=True)
    assert expected["mode"] == "live"
    assert_same_report(actual, expected)


@COMPARE
@given(
    seed=st.integers(0, 2**32 - 1),
    n_stocks=st.integers(10, 16),
    n_days=st.integers(301, 520),
    quantile=st.floats(0.1, 0.5),
)
def test_close_mode_matches_reference(seed, n_stocks, n_days, quantile) -> None:
    check_close(seed, n_stocks, n_days, quantile)


@settings(COMPARE, max_examples=examples(60))
@given(
    seed=st.integers(0, 2**32 - 1),
    n_stocks=st.integers(10, 16),
    n_days=st.integers(302, 520),
    drop=st.sampled_from([(), ("S04",), ("S00", "TWIN"), ("QQQ",)]),
)
def test_live_mode_matches_reference(seed, n_stocks, n_days, drop) -> None:
    check_live(seed, n_stocks, n_days, drop)


@settings(COMPARE, max_examples=examples(40))
@given(
    seed=st.integers(0, 2**32 - 1),
    cases=st.lists(st.sampled_from(EDGE_CASES), min_size=1, max_size=4, unique=True),
    live_mode=st.booleans(),
)
def test_awkward_markets_match_reference(seed, cases, live_mode) -> None:
    history, config = random_market(seed, n_stocks=12, n_days=360 + seed % 100)
    history, config = with_edge_cases(history, config, tuple(cases))
    if live_mode:
        before, quotes = split_last_day(history, ("S07",))
        extra = pl.DataFrame({"ticker": ["ZZZ"], "last": [10.0], "ts": [quotes["ts"][0]]})
        quotes = pl.concat([quotes, extra])  # a quote for a ticker the history lacks
        actual = to_json(live(prepare(before, config), quotes, source="files"))
        expected = reference_report(before, config, quotes=quotes)
    else:
        actual = to_json(close_snapshot(history, config))
        expected = reference_report(history, config)
    assert_same_report(actual, expected)


@pytest.mark.parametrize("seed", range(1000, 1200))
def test_fixed_seed_matches_reference(seed: int) -> None:
    # fixed seeds: a regression set that does not depend on hypothesis' example database
    n_days = 301 + (seed * 37) % 220
    if seed % 4 == 0:
        check_live(seed, 10 + seed % 7, n_days, ("S03",) if seed % 8 == 0 else ())
    else:
        check_close(seed, 10 + seed % 7, n_days, None)


@pytest.mark.parametrize("seed", range(6))
def test_universe_file_matches_reference(seed: int) -> None:
    history, config = random_market(seed, n_stocks=12, n_days=420)
    # the file may name tickers the history lacks (ZZZ): they never count
    tickers = sorted(set(history["ticker"]) - {"S05", "S09", "QQQ"}) + [BENCHMARK, "ZZZ"]
    universe = pl.DataFrame({"ticker": tickers, "name": tickers})
    actual = to_json(close_snapshot(history, config, universe=universe))
    expected = reference_report(history, config, universe=universe)
    assert_same_report(actual, expected)
    named = {t for block in expected["baskets"].values() for t in block["members"]}
    assert not named & {"S05", "S09", "QQQ", BENCHMARK}


@pytest.mark.parametrize("seed", range(8))
def test_universe_with_sectors_matches_reference(seed: int) -> None:
    # blank and missing sectors, and theme members outside the file, go to "Unknown"
    history, config = random_market(seed, n_stocks=14, n_days=400, with_caps=seed % 2 == 0)
    tickers = sorted(set(history["ticker"]) - {"S02", "S08", "QQQ"}) + [BENCHMARK, "ZZZ"]
    sectors = [("Tech", "Energy", " ", None, "Banks")[i % 5] for i in range(len(tickers))]
    universe = pl.DataFrame({"ticker": tickers, "name": tickers, "sector": sectors})
    if seed % 4 < 2:
        actual = to_json(close_snapshot(history, config, universe=universe))
        expected = reference_report(history, config, universe=universe)
    else:
        before, quotes = split_last_day(history, ("S04",))
        actual = to_json(live(prepare(before, config, universe), quotes, source="files"))
        expected = reference_report(before, config, universe=universe, quotes=quotes)
    assert_same_report(actual, expected)
    sectors_seen = {s for block in expected["themes"].values() for s in block["by_sector"] or {}}
    assert "Unknown" in sectors_seen and "Tech" in sectors_seen


@pytest.mark.parametrize("seed", range(8))
def test_live_at_the_close_equals_close_mode_with_the_day_appended(seed: int) -> None:
    history, config = random_market(seed, n_stocks=11, n_days=330 + 20 * seed)
    before, quotes = split_last_day(history)
    live_report = to_json(live(prepare(before, config), quotes, source="files"))
    close_report = to_json(close_snapshot(history, config, source="files"))
    assert (live_report["mode"], close_report["mode"]) == ("live", "close")
    live_report["mode"] = "close"
    assert_same_report(live_report, close_report)
    # the reference obeys the same invariant
    reference_live = reference_report(before, config, quotes=quotes)
    reference_live["mode"] = "close"
    assert_same_report(reference_live, reference_report(history, config))


@pytest.mark.parametrize("seed", range(8))
def test_as_of_equals_truncating_the_data(seed: int) -> None:
    history, config = random_market(seed, n_stocks=12, n_days=460)
    dates = history["date"].unique().sort()
    as_of = dates[330 + 13 * seed]
    truncated = history.filter(pl.col("date") <= as_of)
    at = to_json(close_snapshot(history, config, as_of=as_of))
    assert at["as_of"] == as_of.isoformat()
    assert_same_report(at, to_json(close_snapshot(truncated, config)))
    assert_same_report(at, reference_report(history, config, as_of=as_of))


@pytest.mark.parametrize("seed", range(6))
def test_prices_after_t_change_nothing_at_t(seed: int) -> None:
    history, config = random_market(seed, n_stocks=12, n_days=440)
    as_of = history["date"].unique().sort()[400]
    later = pl.col("date") > as_of
    # scramble every close after T (and add a day past the end) without touching T or before
    changed = history.with_columns(
        pl.when(later)
        .then(pl.col("close") * (1.5 + pl.col("close").rank() / 1e4))
        .otherwise(pl.col("close"))
        .alias("close")
    )
    extra = changed.filter(pl.col("date") == changed["date"].max()).with_columns(
        pl.col("date") + timedelta(days=3)
    )
    changed = pl.concat([changed, extra]).sort("ticker", "date")
    assert_same_report(
        to_json(close_snapshot(changed, config, as_of=as_of)),
        to_json(close_snapshot(history, config, as_of=as_of)),
    )


@pytest.mark.parametrize("seed", range(10))
def test_benchmark_and_unlisted_underlyings_are_not_members(seed: int) -> None:
    history, config = random_market(seed, n_stocks=12, n_days=380)
    report = to_json(close_snapshot(history, config))
    # every ticker but SPY (benchmark) and QQQ (an LETF underlying no theme lists);
    # SOXX is an underlying too but the Chips theme lists it, so it is a member
    assert report["universe_size"] == history["ticker"].n_unique() - 2
    for group in ("baskets", "factors"):
        for block in report[group].values():
            assert BENCHMARK not in block["members"]
            assert "QQQ" not in block["members"]
    assert report["themes"]["Alpha"]["missing"] == [MISSING_TICKER]
    assert report["themes"]["Weighted"]["missing"] == []


def test_the_comparison_itself_catches_differences() -> None:
    expected = {"a": 0.1, "b": None, "c": ["X", "Y"], "d": {"e": 1.0}, "f": "2024-01-02"}
    assert json_differences(dict(expected), expected) == []
    assert json_differences({**expected, "a": 0.1 + 1e-12}, expected) == []
    for changed in (
        {"a": 0.1 + 1e-7},
        {"a": None},
        {"b": 0.0},
        {"c": ["Y", "X"]},
        {"c": ["X"]},
        {"d": {}},
        {"d": {"e": 1.0, "g": 2.0}},
        {"f": "2024-01-03"},
    ):
        assert json_differences({**expected, **changed}, expected), changed


@pytest.mark.parametrize("seed", range(4))
def test_user_series_match_reference(seed: int) -> None:
    from dataclasses import replace

    import numpy as np

    from crowdwatch.analytics.positioning import series_book
    from crowdwatch.config.schema import SeriesSpec

    history, config = random_market(seed, n_stocks=10, n_days=360)
    rng = np.random.default_rng(seed)
    dates = sorted(history["date"].unique().to_list())
    weekly = dates[::5]
    rows = [(d, "gamma", float(rng.normal(3e9, 2e9))) for d in dates[::2]]
    rows += [(d, "exposure", float(np.round(rng.normal(0.5, 0.05), 2))) for d in weekly]
    rows.append((dates[-1] + timedelta(days=3), "later", 1.0))  # after T: nulls
    frame = pl.DataFrame(rows, schema={"date": pl.Date, "name": pl.String,
                                       "value": pl.Float64}, orient="row")  # fmt: skip
    specs = {"gamma": SeriesSpec("Dealer gamma", "usd", "dealer_gamma")}
    config = replace(config, settings=replace(config.settings, series=specs))
    actual = to_json(close_snapshot(history, config, user_series=series_book(frame, specs)))
    expected = reference_report(history, config, user_series=frame)
    assert expected["net_gamma_usd_per_pct"] is not None
    assert_same_report(actual, expected)


@pytest.mark.parametrize("seed", range(4))
def test_as_of_answers_the_history_lens_like_a_truncated_history(seed: int) -> None:
    # long enough for index_24m (505 closes) and a full set of analog days
    history, config = random_market(seed, n_stocks=12, n_days=580)
    as_of = history["date"].unique().sort()[530 + 11 * seed]
    at = to_json(close_snapshot(history, config, as_of=as_of))
    assert len(at["analogs"]) == 5
    assert at["regime"]["regime"] in ("panic", "bear", "high-vol", "calm")
    assert all(a["date"] < at["as_of"] for a in at["analogs"])
    truncated = history.filter(pl.col("date") <= as_of)
    assert_same_report(at, to_json(close_snapshot(truncated, config)))
    assert_same_report(at, reference_report(history, config, as_of=as_of))


@pytest.mark.parametrize("seed", range(3))
def test_todays_point_is_the_snapshots_own_numbers(seed: int) -> None:
    history, config = random_market(seed, n_stocks=12, n_days=520)
    before, quotes = split_last_day(history)
    snapshot = live(prepare(before, config), quotes)
    today, internals = snapshot.today_features, snapshot.internals
    assert today.pair_sigma == snapshot.baskets["momentum_pair"].sigma
    assert today.winners_sigma == snapshot.baskets["winners"].sigma
    assert today.short_sigma == snapshot.baskets["short_momentum"].sigma
    assert today.breadth == internals.breadth
    assert today.reversal_corr == internals.reversal_corr
    assert today.dispersion == pytest.approx(math.log(internals.dispersion_ratio), rel=1e-15)
    assert snapshot.analogs is not None
