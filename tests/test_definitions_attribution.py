"""Hand-worked DESIGN.md attribution cases: contributions, legs, top contributors, sectors.

Each case is worked on paper, asserted on the reference first, then on the implementation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from markets import closes_from_returns, hand_market, quotes_from_close  # noqa: E402
from reference import reference_report  # noqa: E402

from crowdwatch.analytics.attribution import (  # noqa: E402
    Members,
    laid_members,
    leg_weights,
    legs_of,
    top_contributors,
)
from crowdwatch.analytics.member_layouts import Layout  # noqa: E402
from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.report import to_json  # noqa: E402
from crowdwatch.config.schema import Config, FactorSpec, Settings, Theme  # noqa: E402

N_DAYS = 256  # T = row 255, d = row 254
JUMP = 101  # the day each stock's momentum is made on; the index is flat on it and the next
RETS = {"A": 0.01, "B": 0.02, "C": 0.03, "D": -0.04, "E": 0.05}  # returns on T


def index_path() -> list[float]:
    """Index returns for rows 1..255: +1% on odd rows, -1% on even ones, 0 on JUMP and the
    row after it (so the beta window 3..254 is balanced: mean exactly 0), +0.5% on T."""
    moves = [0.01 if t % 2 else -0.01 for t in range(1, N_DAYS - 1)]
    moves[JUMP - 1] = moves[JUMP] = 0.0
    return [*moves, 0.005]


def stock(beta: float, jump: float, ret_t: float | None) -> list[float | None]:
    """r = beta * index on every day but JUMP (r = jump) and T (r = ret_t). With the index
    de-meaned to 0 on JUMP, the OLS slope over 3..254 is exactly `beta`; mom at d
    = close(233)/close(2) - 1 is ordered by `jump`."""
    index = index_path()
    moves = [beta * x for x in index[:-1]]
    moves[JUMP - 1] = jump
    closes: list[float | None] = closes_from_returns([*moves, 0.0 if ret_t is None else ret_t])
    if ret_t is None:
        closes[-1] = None
    return closes


# mom order C > A > B > E > D; betas at d: winners {A, C} mean 1.25, losers {D, E} mean 0.75
BETAS = {"A": 1.0, "B": 1.2, "C": 1.5, "D": 0.5, "E": 1.0}
JUMPS = {"A": 0.2, "B": 0.0, "C": 0.3, "D": -0.2, "E": -0.1}


def market(extra: dict | None = None) -> dict[str, list[float | None]]:
    closes = {t: stock(BETAS[t], JUMPS[t], RETS[t]) for t in RETS}
    closes["SPY"] = closes_from_returns(index_path())
    return {**closes, **(extra or {})}


def config_with(themes=(), quantile: float = 0.4) -> Config:
    return Config(
        settings=Settings(quantile=quantile),
        themes=tuple(themes),
        factors=(FactorSpec("momentum", "mom", "top"), FactorSpec("low_vol", "vol", "bottom")),
    )


def both(closes: dict, config: Config, universe=None, live_mode: bool = False):
    """[("reference", report), ("implementation", report)]."""
    history = hand_market(closes)
    if not live_mode:
        return [
            ("reference", reference_report(history, config, universe=universe)),
            ("implementation", to_json(close_snapshot(history, config, universe=universe))),
        ]
    last = history["date"].max()
    before = history.filter(pl.col("date") < last)
    quotes = quotes_from_close(history, last)
    return [
        ("reference", reference_report(before, config, universe=universe, quotes=quotes)),
        ("implementation", to_json(live(prepare(before, config, universe), quotes))),
    ]


def contributors(block: dict) -> list[tuple]:
    return [
        (c["ticker"], c["side"], pytest.approx(c["weight"], abs=1e-12),
         pytest.approx(c["contribution"], abs=1e-12))
        for c in block["top_contributors"]
    ]  # fmt: skip


@pytest.mark.parametrize("live_mode", [False, True])
def test_pair_legs_and_contributions(live_mode: bool) -> None:
    # n = 5, q = 0.4: winners {C, A}, short basket {E, D}. winners +2%, short +0.5%
    # pair: A +0.01/2, C +0.03/2 (long); D -(-0.04)/2 = +0.02, E -(0.05)/2 = -0.025 (short)
    for who, report in both(market(), config_with(), live_mode=live_mode):
        pair = report["baskets"]["momentum_pair"]
        assert pair["ret"] == pytest.approx(0.015, abs=1e-12), who
        assert pair["legs"]["long"] == pytest.approx(0.02, abs=1e-12), who
        assert pair["legs"]["short"] == pytest.approx(-0.005, abs=1e-12), who
        assert pair["legs"]["long_share"] == pytest.approx(0.02 / 0.025, abs=1e-12), who
        assert contributors(pair) == [
            ("E", "short", 0.5, -0.025), ("D", "short", 0.5, 0.02),
            ("C", "long", 0.5, 0.015), ("A", "long", 0.5, 0.005),
        ], who  # fmt: skip
        assert report["factors"]["momentum"]["legs"] == pair["legs"], who
        winners = report["baskets"]["winners"]
        assert winners["legs"] is None, who  # single baskets have no legs
        assert contributors(winners) == [("C", None, 0.5, 0.015), ("A", None, 0.5, 0.005)], who
        assert winners["by_sector"] is None, who  # no universe.csv


def test_beta_neutral_scales_the_short_side_only() -> None:
    # bW/bL = 1.25 / 0.75 = 5/3; neutral = 0.02 - 5/3 * 0.005 = 0.011666...
    # short side: D -(5/3)(0.5)(-0.04) = +1/30, E -(5/3)(0.5)(0.05) = -1/24; weights stay 1/2
    # legs: long 1/50, short -1/120; long_share = (1/50) / (1/50 + 1/120) = 12/17
    for who, report in both(market(), config_with()):
        neutral = report["baskets"]["momentum_beta_neutral"]
        assert neutral["ret"] == pytest.approx(0.02 - 0.005 * 5 / 3, abs=1e-9), who
        assert neutral["legs"]["long"] == pytest.approx(0.02, abs=1e-12), who
        assert neutral["legs"]["short"] == pytest.approx(-1 / 120, abs=1e-9), who
        assert neutral["legs"]["long_share"] == pytest.approx(12 / 17, abs=1e-9), who
        top = neutral["top_contributors"]
        assert [(c["ticker"], c["side"], c["weight"]) for c in top] == [
            ("E", "short", 0.5), ("D", "short", 0.5), ("C", "long", 0.5), ("A", "long", 0.5)
        ], who  # fmt: skip
        assert top[0]["contribution"] == pytest.approx(-1 / 24, abs=1e-9), who
        assert top[1]["contribution"] == pytest.approx(1 / 30, abs=1e-9), who
        assert top[2]["contribution"] == pytest.approx(0.015, abs=1e-12), who


def test_theme_weights_missing_return_and_sectors() -> None:
    # T1 = A (w 1), C (w 2), F (w 3, no return on T), X (not in the data)
    # renormalised over A and C: 1/3, 2/3 -> c_A = 0.01/3, c_C = 0.06/3; ret = 0.07/3
    # Q has a return but is outside universe.csv, B's sector is blank: both "Unknown"
    closes = market({"F": stock(1.0, 0.0, None), "Q": stock(1.0, 0.0, -0.06)})
    theme = Theme("T1", ("A", "C", "F", "X", "Q"), weights={"C": 2.0, "F": 3.0, "Q": 0.5})
    universe = pl.DataFrame(
        {"ticker": ["A", "B", "C", "D", "E", "F", "SPY"],
         "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Phi", "Index"],
         "sector": ["Tech", " ", "Tech", "Energy", "Energy", "Tech", None]}
    )  # fmt: skip
    for who, report in both(closes, config_with([theme]), universe=universe):
        block = report["themes"]["T1"]
        # weights 1, 2, 0.5 over A, C, Q: total 3.5
        assert block["ret"] == pytest.approx((0.01 + 0.06 - 0.03) / 3.5, abs=1e-12), who
        assert block["legs"] is None, who
        assert contributors(block) == [
            ("C", None, 2 / 3.5, 0.06 / 3.5), ("Q", None, 0.5 / 3.5, -0.03 / 3.5),
            ("A", None, 1 / 3.5, 0.01 / 3.5),
        ], who  # fmt: skip
        assert block["by_sector"] == {
            "Tech": pytest.approx(0.07 / 3.5, abs=1e-12),
            "Unknown": pytest.approx(-0.03 / 3.5, abs=1e-12),
        }, who
        pair = report["baskets"]["momentum_pair"]
        # E and D (Energy): +0.02 - 0.025; C and A (Tech): 0.02; B is in neither leg
        assert pair["by_sector"] == {
            "Tech": pytest.approx(0.02, abs=1e-12), "Energy": pytest.approx(-0.005, abs=1e-12)
        }, who  # fmt: skip


def test_ties_in_contribution_go_by_ticker() -> None:
    # A2 is A's closes times 2: the same return to the last bit, so the same contribution
    closes = market({"A2": [None if c is None else 2.0 * c for c in stock(1.0, 0.2, 0.01)]})
    theme = Theme("T2", ("E", "A2", "B", "A"))
    for who, report in both(closes, config_with([theme])):
        tickers = [c["ticker"] for c in report["themes"]["T2"]["top_contributors"]]
        assert tickers == ["E", "B", "A", "A2"], who


def test_empty_legs_give_null_attribution() -> None:
    # q = 0.19, n = 5: floor(0.95) = 0, both legs empty: no return, so nothing to attribute
    for who, report in both(market(), config_with(quantile=0.19)):
        for key in ("winners", "momentum_pair", "momentum_beta_neutral"):
            block = report["baskets"][key]
            assert block["ret"] is None, (who, key)
            assert (block["legs"], block["top_contributors"], block["by_sector"]) == (
                None, None, None
            ), (who, key)  # fmt: skip


def pair_members(long: np.ndarray, short: np.ndarray, returns: np.ndarray) -> Members:
    """An equal-weight pair's Members on T, the tick's way (attribution.series_members)."""
    layout = Layout.of(long, leg_weights(long, None), (short, leg_weights(short, None)))
    return laid_members(layout, returns)


def test_pair_with_an_empty_short_leg_is_all_long() -> None:
    # the short leg has no member: its side contributes 0 and the long side all of the move
    returns = np.array([0.02, -0.01, 0.04])
    members = pair_members(np.array([0, 2]), np.array([], dtype=int), returns)
    assert members.contribution.tolist() == pytest.approx([0.01, 0.02], abs=1e-15)
    legs = legs_of(members)
    assert (legs.long, legs.short, legs.long_share) == (pytest.approx(0.03), 0.0, 1.0)


def test_no_move_has_no_long_share() -> None:
    members = pair_members(np.array([0]), np.array([1]), np.array([0.0, 0.0]))
    assert legs_of(members).long_share is None


def test_top_ten_cut_keeps_ties_in_ticker_order() -> None:
    # 14 members; |c| = 0.03 for columns 0..2, 0.02 for 3..13 (a tie straddling the cut)
    contribution = np.array([0.03, -0.03, 0.03] + [0.02, -0.02] * 5 + [0.02])
    columns = np.arange(14)[::-1].copy()  # members need not come in column order
    members = Members(
        columns=columns, ret=contribution * 14, weight=np.full(14, 1 / 14),
        contribution=contribution,
    )  # fmt: skip
    tickers = tuple(f"T{j:02d}" for j in range(14))
    top = top_contributors(members, tickers)
    # the three 0.03s by ticker (columns 11, 12, 13), then seven of the 0.02s by ticker
    assert [c.ticker for c in top] == ["T11", "T12", "T13", *[f"T{j:02d}" for j in range(7)]]
