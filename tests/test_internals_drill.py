"""The internals' drill-downs (analytics/internals_drill.py): hand-worked small cases and the
plain reference (tests/reference_internals.py) on random markets, close and live."""

from __future__ import annotations

import math
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402
from markets import quotes_from_close, random_market  # noqa: E402
from reference import reference_report  # noqa: E402
from reference_internals import realized_corr  # noqa: E402

from crowdwatch.analytics.attribution import attribution_basis  # noqa: E402
from crowdwatch.analytics.internals import realized_history  # noqa: E402
from crowdwatch.analytics.internals_drill import INTERNAL_KEYS, Today, by_sector  # noqa: E402
from crowdwatch.analytics.letf import LetfState  # noqa: E402
from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.results import Internals  # noqa: E402
from crowdwatch.analytics.windows import moments  # noqa: E402
from crowdwatch.config.schema import LetfFund  # noqa: E402

TOLERANCE = 1e-9


def same(actual, expected) -> bool:
    if actual is None or expected is None or (isinstance(actual, float) and math.isnan(actual)):
        missing = actual is None or (isinstance(actual, float) and math.isnan(actual))
        return missing and expected is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return actual == expected


def assert_same(actual: list, expected: list, what: str) -> None:
    assert len(actual) == len(expected), f"{what}: {len(actual)} != {len(expected)}"
    for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
        a, e = (a, e) if isinstance(e, tuple | list) else ((a,), (e,))
        assert len(a) == len(e) and all(map(same, a, e)), f"{what}[{k}]: {a!r} != {e!r}"


# --- hand-worked cases ---------------------------------------------------------------


def test_realized_history_matches_the_day_formula() -> None:
    # 3 members and the index over 25 days: each day from the 21st equals realized_corr on
    # its 21-day window; a member with a gap in the window drops out of that day
    rng = np.random.default_rng(7)
    returns = rng.normal(0, 0.01, size=(25, 4))
    returns[22, 2] = np.nan  # member 2 misses day 22: days 22..24 use members 1 and 3 only
    index = returns[:, 0]
    member = np.array([False, True, True, True])
    got = realized_history(returns, index, member, moments(returns))
    assert np.isnan(got[:20]).all()
    for t in range(20, 25):
        window = returns[t - 20 : t + 1]
        expected = realized_corr(window[:, member], window[:, 0])
        assert math.isclose(got[t], expected, rel_tol=1e-9), t
    # two equal-vol members and an index with their average: corr = 1 when they are equal
    same_moves = np.tile(rng.normal(0, 0.01, size=(21, 1)), (1, 3))
    one = realized_history(same_moves, same_moves[:, 0], np.array([False, True, True]),
                           moments(same_moves))  # fmt: skip
    assert math.isclose(one[20], 1.0, rel_tol=1e-9)


def test_underlying_flow_is_null_only_when_its_own_funds_have_no_return() -> None:
    # QQQ has no return on day 2 while SPY does: QQQ's flow that day is null, not 0
    from crowdwatch.analytics.panel import Panel

    closes = np.array([[100.0, 50.0], [101.0, 50.5], [np.nan, 51.0], [102.0, 51.0]])
    previous = np.vstack([np.full((1, 2), np.nan), closes[:-1]])
    returns = closes / previous - 1.0
    tickers = ("QQQ", "SPY")
    panel = Panel(
        dates=np.arange(np.datetime64("2024-01-02"), np.datetime64("2024-01-06")),
        tickers=tickers, close=closes, returns=returns, market_cap=None,
        member=np.array([False, False]), benchmark=1, column={"QQQ": 0, "SPY": 1},
        columns=pl.DataFrame({"ticker": tickers, "column": [0, 1]}),
        ticker_array=np.array(tickers, dtype=object),
    )  # fmt: skip
    funds = (
        LetfFund("TQQQ", "QQQ", 3.0, 1e9), LetfFund("SQQQ", "QQQ", -3.0, 1e8),
        LetfFund("UPRO", "SPY", 3.0, 2e9), LetfFund("XXX", "NOPE", 2.0, 1e9),
    )  # fmt: skip
    state = LetfState.of(funds, panel)
    assert state.underlyings == ("QQQ", "SPY")
    qqq, spy = state.underlying_history[:, 0], state.underlying_history[:, 1]
    # day 1: QQQ +1%: 1e9*3*2*0.01 + 1e8*(-3)*(-4)*0.01 = 6e7 + 1.2e7
    assert math.isclose(qqq[1], 7.2e7)
    assert np.isnan(qqq[2]) and math.isclose(spy[2], 2e9 * 6 * (51.0 / 50.5 - 1))
    assert math.isclose(state.fund_history[1, 1], 1.2e7)
    # the ranked sizes leave out days without a flow (QQQ's day 3 has no previous close)
    assert len(state.underlying_ranked[0]) == 1 and len(state.underlying_ranked[1]) == 3


def test_breadth_by_sector_counts_beating_and_lagging() -> None:
    tickers = ("A", "B", "C", "D", "E", "SPY")
    universe = pl.DataFrame({"ticker": list(tickers[:5]),
                             "sector": ["Tech", "Tech", "Energy", "", "Tech"]})  # fmt: skip
    basis = attribution_basis(tickers, universe, np.zeros((6, 0)))
    r = np.array([0.02, -0.03, 0.01, 0.00, np.nan, -0.01])
    eligible = np.array([True, True, True, True, False, False])  # E has no return
    today = Today(date(2024, 1, 2), r, eligible, Internals(index_ret=-0.01), None)
    frame = by_sector(today, basis)
    # Energy 1/1, Unknown (blank sector) 1/1, Tech 1 of 2 (B lags): largest breadth first,
    # then the larger sector, then by name
    assert frame.rows() == [
        ("Energy", 1, 1, 0, 1.0), ("Unknown", 1, 1, 0, 1.0), ("Tech", 2, 1, 1, 0.5),
    ]  # fmt: skip
    no_sectors = by_sector(today, attribution_basis(tickers, None, np.zeros((6, 0))))
    assert no_sectors.rows() == [("All members", 4, 3, 1, 0.75)]
    nothing = Today(date(2024, 1, 2), r, eligible, Internals(index_ret=None), None)
    assert by_sector(nothing, basis) is None


# --- against the plain reference -----------------------------------------------------


def sector_universe(history: pl.DataFrame) -> pl.DataFrame:
    """Every ticker but the benchmark and QQQ, in three sectors (one blank)."""
    tickers = sorted(set(history["ticker"].to_list()) - {"SPY", "QQQ"})
    sectors = ["Tech", "Energy", ""]
    return pl.DataFrame({"ticker": tickers,
                         "sector": [sectors[k % 3] for k in range(len(tickers))]})  # fmt: skip


def check(snapshot, expected: dict) -> None:
    drills = snapshot.internal_drill_downs
    assert tuple(drills) == INTERNAL_KEYS
    internals = snapshot.internals
    today = {"index": internals.index_ret, "breadth": internals.breadth,
             "reversal": internals.reversal_corr, "realized": internals.realized_corr}  # fmt: skip
    for key in ("index", "breadth", "reversal", "realized"):
        line = drills[key].history
        assert_same(line.values.tolist(), expected[key]["values"], f"{key} history")
        assert same(line.percentile, expected[key]["percentile"]), key
        assert line.today == today[key], key  # the Snapshot's (and the JSON's) own value
    sectors = drills["breadth"].tables.get("by_sector")
    assert_same(sectors.rows() if sectors is not None else [], expected["by_sector"], "sectors")
    rows, count = expected["vol_ratios"]
    ratios = drills["dispersion"].tables.get("vol_ratios")
    got = ratios.select("ticker", "ret", "vol_5d", "vol_ratio").rows() if ratios is not None else []
    assert_same(got, rows, "vol ratios")
    assert drills["dispersion"].count == count
    rows, count = expected["most_reversed"]
    reversal = drills["reversal"]
    assert_same(reversal.tables["most_reversed"].select("ticker", "ret", "mom").rows(), rows,
                "most reversed")  # fmt: skip
    assert reversal.count == count == len(reversal.scatter[0]) == len(reversal.scatter[1])
    letf = drills["letf"]
    assert set(letf.flows) == set(expected["letf"])
    for key, flow in expected["letf"].items():
        assert_same(letf.flows[key].values.tolist(), flow["values"], f"flow {key}")
        assert same(letf.flows[key].today, flow["today"]), key
        assert same(letf.flows[key].percentile, flow["percentile"]), key
    funds = dict(letf.tables["funds"].select("ticker", "percentile").rows())
    assert all(same(funds[k.removeprefix("fund:")], v["percentile"])
               for k, v in expected["letf"].items() if k.startswith("fund:"))  # fmt: skip
    # the headline values are the Snapshot's: dispersion and LETF percentiles included
    assert drills["dispersion"].history.today == internals.dispersion_ratio
    assert drills["dispersion"].history.percentile == internals.dispersion_percentile
    assert letf.history.today == internals.letf_flow_usd
    assert letf.history.percentile == internals.letf_flow_percentile


def close_case(seed: int, n_stocks: int, n_days: int, sectors: bool):
    history, config = random_market(seed, n_stocks=n_stocks, n_days=n_days)
    universe = sector_universe(history) if sectors else None
    details: dict = {}
    reference_report(history, config, universe=universe, details=details)
    return close_snapshot(history, config, universe), details["internals"]


def live_case(seed: int, n_stocks: int, n_days: int, sectors: bool):
    history, config = random_market(seed, n_stocks=n_stocks, n_days=n_days)
    universe = sector_universe(history) if sectors else None
    last = history["date"].max()
    before = history.filter(pl.col("date") < last)
    quotes = quotes_from_close(history, last, ("S04",))
    details: dict = {}
    reference_report(before, config, universe=universe, quotes=quotes, details=details)
    return live(prepare(before, config, universe), quotes), details["internals"]


@pytest.mark.parametrize("seed", [3, 20, 21])
def test_drill_downs_on_fixed_markets(seed: int) -> None:
    size = (40, 700) if seed >= 20 else (12, 400)
    check(*close_case(seed, *size, sectors=seed != 3))
    check(*live_case(seed, *size, sectors=seed == 3))


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_stocks=st.integers(10, 14),
    n_days=st.integers(301, 420),
    live_mode=st.booleans(),
    sectors=st.booleans(),
)
def test_drill_downs_match_the_reference(seed, n_stocks, n_days, live_mode, sectors) -> None:
    case = live_case if live_mode else close_case
    check(*case(seed, n_stocks, n_days, sectors))


def test_mean_vol_ratio_is_the_dispersion_ratio() -> None:
    # a small market lists every member with 5 returns: their mean ratio is the header's
    snapshot, _ = close_case(3, 10, 320, sectors=False)
    dispersion = snapshot.internal_drill_downs["dispersion"]
    ratios = dispersion.tables["vol_ratios"]["vol_ratio"].to_list()
    assert 2 <= dispersion.count == len(ratios) <= 15
    assert ratios == sorted(ratios, reverse=True)
    assert math.isclose(sum(ratios) / len(ratios), snapshot.internals.dispersion_ratio)
