"""Hand-worked DESIGN.md cases: basket selection, themes, reversal_corr and LETF flow.

Each case is checked on paper, asserted on the reference first, then on the implementation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from markets import hand_market, quotes_from_close  # noqa: E402
from reference import reference_report  # noqa: E402

# Deliberately not skipped: until the implementation exists these fail with an ImportError.
from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.report import to_json  # noqa: E402
from crowdwatch.config.schema import Config, FactorSpec, LetfFund, Settings, Theme  # noqa: E402

N_DAYS = 256  # T = row 255, d = row 254: mom(d) = close(233) / close(2) - 1 = `level` - 1


def mom_series(mom: float, ret_t: float | None, missing_t: bool = False) -> list[float | None]:
    """Closes with mom at d equal to `mom` and return `ret_t` on T (flat otherwise)."""
    level = 100.0 * (1.0 + mom)
    closes: list[float | None] = [100.0] * 3 + [level] * (N_DAYS - 4)
    closes.append(None if missing_t else level * (1.0 + ret_t))
    return closes


# mom at d: C 0.3 > A = B = E 0.1 > D -0.2 (three-way tie); returns on T as below
MOMS = {"A": 0.1, "B": 0.1, "C": 0.3, "D": -0.2, "E": 0.1}
RETS = {"A": 0.01, "B": 0.02, "C": 0.03, "D": -0.04, "E": 0.05}


def tie_market() -> dict[str, list[float | None]]:
    closes = {t: mom_series(MOMS[t], RETS[t]) for t in MOMS}
    closes["SPY"] = [100.0] * (N_DAYS - 1) + [101.0]
    return closes


def config_with(quantile: float = 0.2, themes=(), letfs=()) -> Config:
    return Config(
        settings=Settings(quantile=quantile),
        themes=tuple(themes),
        letfs=tuple(letfs),
        factors=(FactorSpec("momentum", "mom", "top"),),
    )


def both(closes: dict, config: Config, live_mode: bool = False) -> list[tuple[str, dict]]:
    """[("reference", report), ("implementation", report)], in that order."""
    history = hand_market(closes)
    if not live_mode:
        return [
            ("reference", reference_report(history, config)),
            ("implementation", to_json(close_snapshot(history, config))),
        ]
    last = history["date"].max()
    before = history.filter(history["date"] < last)
    quotes = quotes_from_close(history, last)
    return [
        ("reference", reference_report(before, config, quotes=quotes)),
        ("implementation", to_json(live(prepare(before, config), quotes))),
    ]


@pytest.mark.parametrize("live_mode", [False, True])
def test_ties_by_ticker_ascending_and_floor_q_n(live_mode: bool) -> None:
    # n = 5, q = 0.4: floor(2.0) = 2. Sorted: C, A, B, E, D (A < B < E among the 0.1 tie)
    for who, report in both(tie_market(), config_with(0.4), live_mode):
        baskets = report["baskets"]
        assert report["mode"] == ("live" if live_mode else "close"), who
        assert report["universe_size"] == 5, who
        assert baskets["winners"]["members"] == ["A", "C"], who
        assert baskets["short_momentum"]["members"] == ["D", "E"], who
        assert baskets["momentum_pair"]["members"] == ["A", "C", "D", "E"], who
        assert baskets["winners"]["ret"] == pytest.approx((0.03 + 0.01) / 2, abs=1e-12), who
        assert baskets["short_momentum"]["ret"] == pytest.approx(0.005, abs=1e-12), who
        assert baskets["momentum_pair"]["ret"] == pytest.approx(0.015, abs=1e-12), who
        assert report["factors"]["momentum"]["ret"] == baskets["momentum_pair"]["ret"], who
        # flat index: no beta anywhere, so the beta-neutral pair has no value
        assert baskets["momentum_beta_neutral"]["ret"] is None, who


@pytest.mark.parametrize(
    ("quantile", "winners", "short"),
    [
        (0.5, ["A", "C"], ["D", "E"]),  # floor(2.5) = 2
        (0.3, ["C"], ["D"]),  # floor(1.5) = 1
        (0.2, ["C"], ["D"]),  # floor(1.0) = 1
        (0.19, [], []),  # floor(0.95) = 0: empty baskets, no return
    ],
)
def test_basket_size_is_floor_of_q_times_n(quantile, winners, short) -> None:
    for who, report in both(tie_market(), config_with(quantile)):
        assert report["baskets"]["winners"]["members"] == winners, who
        assert report["baskets"]["short_momentum"]["members"] == short, who
        if not winners:
            assert report["baskets"]["winners"]["ret"] is None, who
            assert report["baskets"]["momentum_pair"]["ret"] is None, who


def test_theme_weights_renormalise_over_members_with_a_return() -> None:
    closes = tie_market()
    closes["F"] = mom_series(0.0, None, missing_t=True)  # no row on T
    theme = Theme("T1", ("A", "B", "X", "F"), weights={"A": 2.0, "F": 3.0})
    for who, report in both(closes, config_with(themes=[theme])):
        block = report["themes"]["T1"]
        # F has no return on T, X is not in the data: (2 * 0.01 + 1 * 0.02) / (2 + 1)
        assert block["ret"] == pytest.approx(0.04 / 3, abs=1e-12), who
        assert block["members"] == 2, who
        assert block["missing"] == ["X"], who
        assert set(block["crowding_parts"]) == {"momentum", "comovement", "momentum_beta"}, who


def test_reversal_corr_is_spearman_with_average_ranks() -> None:
    # r(T) = [0.01, 0, 0, -0.02] -> ranks [4, 2.5, 2.5, 1]
    # mom  = [0.3, 0.1, 0.2, 0.1] -> ranks [4, 1.5, 3, 1.5]
    # centred: [1.5, 0, 0, -1.5] . [1.5, -1, 0.5, -1] = 3.75; both sums of squares 4.5
    moms = {"A": 0.3, "B": 0.1, "C": 0.2, "D": 0.1}
    rets = {"A": 0.01, "B": 0.0, "C": 0.0, "D": -0.02}
    closes = {t: mom_series(moms[t], rets[t]) for t in moms}
    closes["SPY"] = [100.0] * (N_DAYS - 1) + [101.0]
    for who, report in both(closes, config_with()):
        assert report["internals"]["reversal_corr"] == pytest.approx(3.75 / 4.5, abs=1e-12), who
        # breadth: members beating the index (+1%): none strictly (A equals it, up to rounding)
        assert report["internals"]["index_ret"] == pytest.approx(0.01, abs=1e-12), who


def test_inverse_letf_trades_in_the_same_direction() -> None:
    # QQQ -1% on T. L = 3: 3 * 2 = 6; L = -3: (-3) * (-4) = 12 > 0, so both funds sell
    closes = tie_market()
    closes["QQQ"] = [100.0] * (N_DAYS - 1) + [99.0]
    funds = [LetfFund("TQQQ", "QQQ", 3.0, 1e9), LetfFund("SQQQ", "QQQ", -3.0, 1e9)]
    for who, report in both(closes, config_with(letfs=funds)):
        internals = report["internals"]
        assert internals["letf_flow_usd"] == pytest.approx(-1.8e8, rel=1e-9), who
        assert internals["letf_by_underlying"] == {"QQQ": pytest.approx(-1.8e8, rel=1e-9)}, who
        assert internals["letf_gamma_usd_per_pct"] == pytest.approx(1.8e8, rel=1e-12), who
        # every prior day had a flat QQQ: |flow| 0 <= today's
        assert internals["letf_flow_percentile"] == 1.0, who
        # QQQ is an underlying no theme lists: not a member
        assert report["universe_size"] == 5, who


def test_each_fund_carries_its_own_flow_sign() -> None:
    # QQQ -1% on T: TQQQ 1e9 * 3 * 2 * -0.01 = -6e7; SQQQ 1e9 * (-3) * (-4) * -0.01 = -1.2e8
    # (an inverse fund sells too); NVDL's underlying is not in the data: not listed
    closes = tie_market()
    closes["QQQ"] = [100.0] * (N_DAYS - 1) + [99.0]
    funds = [
        LetfFund("TQQQ", "QQQ", 3.0, 1e9),
        LetfFund("SQQQ", "QQQ", -3.0, 1e9),
        LetfFund("NVDL", "NVDA", 2.0, 1e9),
    ]
    snapshot = close_snapshot(hand_market(closes), config_with(letfs=funds))
    rows = {row["ticker"]: row for row in snapshot.letf_funds.iter_rows(named=True)}
    assert set(rows) == {"TQQQ", "SQQQ"}
    assert rows["TQQQ"]["flow_usd"] == pytest.approx(-6e7, rel=1e-9)
    assert rows["SQQQ"]["flow_usd"] == pytest.approx(-1.2e8, rel=1e-9)
    assert (rows["SQQQ"]["leverage"], rows["SQQQ"]["aum_usd"]) == (-3.0, 1e9)
    assert snapshot.internals.letf_flow_usd == pytest.approx(-1.8e8, rel=1e-9)


def test_floor_q_n_survives_float_noise() -> None:
    # q = 0.29, n = 100: 0.29 * 100 = 28.999999999999996 in floats, floor must still be 29
    assert 0.29 * 100 < 29
    moms = {f"S{i:03d}": 0.001 * i for i in range(100)}  # S099 highest, S000 lowest
    closes = {t: mom_series(moms[t], 0.0) for t in moms}
    closes["SPY"] = [100.0] * (N_DAYS - 1) + [101.0]
    for who, report in both(closes, config_with(0.29)):
        winners = report["baskets"]["winners"]["members"]
        short = report["baskets"]["short_momentum"]["members"]
        assert winners == [f"S{i:03d}" for i in range(71, 100)], who
        assert short == [f"S{i:03d}" for i in range(29)], who
