"""Attribution invariants as properties: contributions sum to the move, legs to the pair."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

sys.path.insert(0, str(Path(__file__).resolve().parent))
from markets import BENCHMARK, quotes_from_close, random_market  # noqa: E402

from crowdwatch.analytics.attribution import (  # noqa: E402
    laid_members,
    leg_weights,
    legs_of,
    theme_members,
)
from crowdwatch.analytics.baskets import basket_return  # noqa: E402
from crowdwatch.analytics.member_layouts import Layout  # noqa: E402
from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.themes import weighted_mean  # noqa: E402

EXACT = 1e-12
returns_strategy = arrays(
    np.float64, st.integers(1, 40), elements=st.floats(-0.5, 0.5, allow_subnormal=False)
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(returns=returns_strategy, data=st.data())
def test_pair_contributions_sum_to_long_minus_short(returns, data) -> None:
    n = len(returns)
    long = np.flatnonzero(data.draw(arrays(bool, n)))
    short = np.setdiff1d(np.arange(n), long)
    caps = data.draw(st.none() | arrays(np.float64, n, elements=st.floats(1.0, 1e12)))
    scale = data.draw(st.floats(0.1, 5.0))
    # the tick's path (attribution.series_members): a Layout of the legs, then today's returns
    pair = Layout.of(long, leg_weights(long, caps), (short, leg_weights(short, caps)))
    members = laid_members(pair, returns, scale)
    mask = np.zeros((2, n), dtype=bool)
    mask[0, long], mask[1, short] = True, True
    weights = None if caps is None else np.vstack([caps, caps])
    legs = basket_return(np.vstack([returns, returns]), mask, weights)
    long_leg = legs[0] if len(long) else 0.0
    short_leg = -scale * legs[1] if len(short) else 0.0
    assert math.isclose(members.contribution.sum(), long_leg + short_leg, abs_tol=EXACT)
    split = legs_of(members)
    assert math.isclose(split.long, long_leg, abs_tol=EXACT)
    assert math.isclose(split.short, short_leg, abs_tol=EXACT)
    assert split.long_share is None or 0.0 <= split.long_share <= 1.0
    single = laid_members(Layout.of(long, leg_weights(long, caps)), returns)
    if len(long):
        assert math.isclose(single.contribution.sum(), legs[0], abs_tol=EXACT)
        assert math.isclose(single.weight.sum(), 1.0, abs_tol=EXACT)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(returns=returns_strategy, data=st.data())
def test_theme_contributions_sum_to_the_theme_return(returns, data) -> None:
    n = len(returns)
    returns = np.where(data.draw(arrays(bool, n)), np.nan, returns)  # some have no return
    weights = data.draw(arrays(np.float64, n, elements=st.floats(0.1, 10.0)))
    members = theme_members(np.arange(n), weights, returns)
    expected = weighted_mean(returns[None, :], weights[:, None])[0, 0]
    if np.isnan(expected):
        assert len(members.columns) == 0
        return
    assert math.isclose(members.contribution.sum(), expected, abs_tol=EXACT)
    assert math.isclose(members.weight.sum(), 1.0, abs_tol=EXACT)
    assert len(members.columns) + len(members.absent) == n


def sector_universe(history: pl.DataFrame) -> pl.DataFrame:
    tickers = sorted(set(history["ticker"]) - {"S03"}) + [BENCHMARK]
    sectors = [("Tech", "Energy", "Banks", "", None)[i % 5] for i in range(len(tickers))]
    return pl.DataFrame({"ticker": tickers, "sector": sectors})


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(seed=st.integers(0, 2**32 - 1), live_mode=st.booleans(), sectors=st.booleans())
def test_every_move_is_the_sum_of_its_members(seed, live_mode, sectors) -> None:
    history, config = random_market(seed, n_stocks=14, n_days=330 + seed % 80)
    universe = sector_universe(history) if sectors else None
    if live_mode:
        last = history["date"].max()
        model = prepare(history.filter(pl.col("date") < last), config, universe)
        snapshot = live(model, quotes_from_close(history, last))
    else:
        snapshot = close_snapshot(history, config, universe=universe)
    moves = {**snapshot.baskets, **snapshot.factors}
    moves.update({name: theme.stats for name, theme in snapshot.themes.items()})
    assert set(snapshot.members) == set(moves)
    for key, stats in moves.items():
        if stats.ret is None:
            assert (stats.legs, stats.top_contributors, stats.by_sector) == (None, (), None), key
            continue
        table = snapshot.members[key]
        assert math.isclose(table["contribution"].sum(), stats.ret, abs_tol=EXACT), key
        if stats.legs is not None:
            assert math.isclose(stats.legs.long + stats.legs.short, stats.ret, abs_tol=EXACT)
            long_rows = table.filter(pl.col("side") == "long")["contribution"].sum()
            assert math.isclose(long_rows, stats.legs.long, abs_tol=EXACT), key
        if sectors:
            assert math.isclose(sum(stats.by_sector.values()), stats.ret, abs_tol=EXACT), key
        else:
            assert stats.by_sector is None, key
        # the top contributors are the table's first rows, the table is by |c| then ticker
        ranked = table.drop_nulls("contribution")
        head = ranked.head(10)
        assert [c.ticker for c in stats.top_contributors] == head["ticker"].to_list(), key
        sizes = (-ranked["contribution"].abs()).to_list()
        keys = list(zip(sizes, ranked["ticker"].to_list(), strict=True))
        assert keys == sorted(keys), key
        if key in snapshot.themes:
            assert ranked.height == snapshot.themes[key].member_count, key
        else:
            assert sorted(table["ticker"].to_list()) == list(stats.members), key
