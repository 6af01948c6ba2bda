"""Tick work remembered between polls or taken from a prepared ranking, against doing it
afresh: the basket selections and members, momentum's ranks for the reversal correlation."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402
from markets import random_market  # noqa: E402
from reference_members import basket_members, pair_members  # noqa: E402

from crowdwatch.analytics.attribution import series_members, theme_members  # noqa: E402
from crowdwatch.analytics.baskets import basket_mean, ranked_candidates  # noqa: E402
from crowdwatch.analytics.factors import BasketsToday, baskets_today  # noqa: E402
from crowdwatch.analytics.kept import Kept  # noqa: E402
from crowdwatch.analytics.model import Model, prepare  # noqa: E402
from crowdwatch.analytics.ranks import average_ranks, subset_ranks  # noqa: E402
from crowdwatch.analytics.themes import theme_values_today  # noqa: E402


@pytest.fixture(scope="module", params=[False, True], ids=["equal", "caps"])
def model(request) -> Model:
    history, config = random_market(7, n_stocks=30, with_caps=request.param)
    return prepare(history, config)


def afresh(model: Model, r_today: np.ndarray, eligible: np.ndarray) -> BasketsToday:
    """baskets_today from a state that remembers nothing."""
    state = replace(model.baskets, rankings=Kept(), chosen=[])
    return baskets_today(state, model.signals_at_d, model.panel.ticker_array, r_today, eligible)


def assert_same(got: BasketsToday, expected: BasketsToday) -> None:
    assert got.values.keys() == expected.values.keys()
    for key, value in expected.values.items():
        assert np.array_equal(got.values[key], value, equal_nan=True), key
    assert got.members == expected.members
    assert got.masks.keys() == expected.masks.keys()
    for key, (top, bottom) in expected.masks.items():
        np.testing.assert_array_equal(got.masks[key][0], top)
        np.testing.assert_array_equal(got.masks[key][1], bottom)


def test_a_poll_with_the_same_eligible_names_reuses_the_selection(model: Model) -> None:
    rng = np.random.default_rng(3)
    state, tickers = model.baskets, model.panel.ticker_array
    eligible = model.panel.member.copy()
    runs = []
    for _ in range(3):  # new returns each poll, the same names quoted
        r_today = rng.normal(0.0, 0.02, len(tickers))
        got = baskets_today(state, model.signals_at_d, tickers, r_today, eligible.copy())
        assert_same(got, afresh(model, r_today, eligible))
        runs.append(got)
    assert runs[2].masks["mom"][0] is runs[0].masks["mom"][0]  # remembered, not chosen again
    assert not runs[0].masks["mom"][0].flags.writeable


def test_a_change_in_the_eligible_names_chooses_again(model: Model) -> None:
    rng = np.random.default_rng(5)
    state, tickers = model.baskets, model.panel.ticker_array
    eligible = model.panel.member.copy()
    r_today = rng.normal(0.0, 0.02, len(tickers))
    first = baskets_today(state, model.signals_at_d, tickers, r_today, eligible)
    top_name = int(np.flatnonzero(first.masks["mom"][0][0])[0])
    eligible[top_name] = False  # the caller's array changes in place: the memo kept a copy
    r_today[top_name] = np.nan
    second = baskets_today(state, model.signals_at_d, tickers, r_today, eligible)
    assert_same(second, afresh(model, r_today, eligible))
    assert model.panel.tickers[top_name] not in second.members["winners"]
    assert second.members["winners"] != first.members["winners"]
    eligible[top_name] = True  # and back: chosen again, as the first time
    r_today[top_name] = 0.01
    assert_same(
        baskets_today(state, model.signals_at_d, tickers, r_today, eligible),
        afresh(model, r_today, eligible),
    )


def test_new_signals_choose_again(model: Model) -> None:
    rng = np.random.default_rng(9)
    state, tickers = model.baskets, model.panel.ticker_array
    eligible = model.panel.member.copy()
    r_today = rng.normal(0.0, 0.02, len(tickers))
    baskets_today(state, model.signals_at_d, tickers, r_today, eligible)
    flipped = {**model.signals_at_d, "mom": -model.signals_at_d["mom"]}
    got = baskets_today(state, flipped, tickers, r_today, eligible)
    fresh = baskets_today(
        replace(state, rankings=Kept(), chosen=[]), flipped, tickers, r_today, eligible
    )
    assert_same(got, fresh)


def test_subset_ranks_by_hand() -> None:
    values = np.array([3.0, np.nan, 1.0, 3.0, -0.0, 0.0, 7.0])
    chosen = np.array([True, False, True, True, True, True, False])
    # chosen values 3, 1, 3, -0, 0: ranks 4.5, 3, 4.5, 1.5, 1.5
    np.testing.assert_array_equal(
        subset_ranks(values, ranked_candidates(values), chosen), [4.5, 3.0, 4.5, 1.5, 1.5]
    )


@settings(max_examples=examples(150), deadline=None)
@given(st.integers(0, 60), st.integers(0, 2**32 - 1))
def test_subset_ranks_equal_the_ranks_of_the_subset(names: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(-3, 4, names).astype(float)  # many exact ties
    values[rng.random(names) < 0.1] = -0.0
    values[rng.random(names) < 0.05] = np.inf
    values[rng.random(names) < 0.05] = -np.inf
    values[rng.random(names) < 0.2] = np.nan
    chosen = ~np.isnan(values) & (rng.random(names) < 0.8)
    got = subset_ranks(values, ranked_candidates(values), chosen)
    np.testing.assert_array_equal(got, average_ranks(values[chosen]))


def plain_members(model: Model, baskets: BasketsToday, r_today: np.ndarray) -> dict:
    """Each basket's and pair's members from the masks, by the plain definitions."""
    caps = baskets.weights[0] if baskets.weights is not None else None
    top, bottom = (np.flatnonzero(mask) for mask in baskets.masks["mom"])
    beta = model.signals_at_d["beta"][None, :]
    winners, losers = (basket_mean(beta, mask)[0] for mask in baskets.masks["mom"])
    scale = winners / losers  # bW/bL (> 0 in these markets)
    assert losers > 0
    out = {
        "winners": basket_members(top, r_today, caps),
        "short_momentum": basket_members(bottom, r_today, caps),
        "momentum_pair": pair_members(top, bottom, r_today, caps),
        "momentum_beta_neutral": pair_members(top, bottom, r_today, caps, float(scale)),
    }
    for name, (signal, long_top) in model.baskets.factor_legs.items():
        if signal in baskets.masks:
            high, low = (np.flatnonzero(mask) for mask in baskets.masks[signal])
            out[name] = pair_members(*((high, low) if long_top else (low, high)), r_today, caps)
    basis = model.attribution
    for theme, columns, weights in zip(
        model.config.themes, basis.theme_columns, basis.theme_weights, strict=True
    ):
        out[theme.name] = theme_members(columns, weights, r_today)
    return out


def test_members_laid_out_once_per_selection_give_the_plain_members(model: Model) -> None:
    rng = np.random.default_rng(11)
    state, tickers = model.baskets, model.panel.ticker_array
    eligible = model.panel.member.copy()
    seen = []
    for poll in range(4):
        if poll == 2:
            eligible[np.flatnonzero(eligible)[3]] = False  # a name stops quoting
        if poll == 3:  # a theme member stops quoting too
            eligible[model.attribution.theme_columns[0][0]] = False
        r_today = rng.normal(0.0, 0.02, len(tickers))
        r_today[~eligible] = np.nan
        baskets = baskets_today(state, model.signals_at_d, tickers, r_today, eligible)
        got = series_members(model, r_today, baskets.masks, baskets.weights)
        expected = plain_members(model, baskets, r_today)
        assert expected.keys() == got.keys() and len(expected) >= 8
        for key, members in expected.items():
            for part in ("columns", "ret", "weight", "contribution", "long", "absent"):
                np.testing.assert_array_equal(
                    getattr(got[key], part), getattr(members, part), err_msg=f"{key} {part}"
                )
        seen.append(got["momentum_pair"].columns)
        first_theme = got[model.config.themes[0].name]
        assert len(first_theme.absent) == (1 if poll == 3 else 0)
    assert seen[1] is seen[0] and seen[2] is not seen[1]  # laid out again for new names
    assert not seen[0].flags.writeable


def test_theme_member_counts_are_the_members_with_a_return(model: Model) -> None:
    rng = np.random.default_rng(13)
    r_today = rng.normal(0.0, 0.02, len(model.panel.tickers))
    r_today[rng.random(len(r_today)) < 0.3] = np.nan
    values, counts = theme_values_today(model.themes, r_today)
    expected = {
        theme.name: sum(
            1
            for ticker in theme.tickers
            if ticker in model.panel.column
            and theme.weight(ticker) > 0
            and not np.isnan(r_today[model.panel.column[ticker]])
        )
        for theme in model.themes.themes
    }
    assert counts == expected and all(type(count) is int for count in counts.values())
    themes = model.themes.themes
    assert any(0 < counts[t.name] < len(t.tickers) for t in themes)  # some without a return
