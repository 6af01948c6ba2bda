"""The fast paths of the live tick against plain versions: the quote vector, the internals."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402
from markets import random_market  # noqa: E402
from reference_internals import dispersion_ratio, realized_corr  # noqa: E402

from crowdwatch.analytics.baskets import ranked_candidates, select_ranked  # noqa: E402
from crowdwatch.analytics.factors import BasketState  # noqa: E402
from crowdwatch.analytics.internals import (  # noqa: E402
    dispersion_ratio_today,
    realized_corr_today,
)
from crowdwatch.analytics.live import quote_vector, quote_vector_polars, session_date  # noqa: E402
from crowdwatch.analytics.model import Model, prepare  # noqa: E402
from crowdwatch.analytics.moves import SeriesHistory, move_stats  # noqa: E402
from crowdwatch.analytics.ranks import average_ranks  # noqa: E402


@pytest.fixture(scope="module")
def model() -> Model:
    history, config = random_market(4)
    return prepare(history, config)


def new_york(day: date, hour: int, minute: int = 0) -> datetime:
    """A New York wall-clock time on `day` as a UTC datetime."""
    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("America/New_York"))
    return wall.astimezone(UTC)


def quotes(rows: list[tuple[str | None, float | None, datetime | None]], unit: str = "us"):
    frame = pl.DataFrame(rows, schema=["ticker", "last", "ts"], orient="row")
    return frame.with_columns(pl.col("ts").cast(pl.Datetime(unit, "UTC")))


def test_quotes_of_another_new_york_date_or_without_a_price_are_not_quoted(model: Model) -> None:
    today = model.last_date + timedelta(days=1)
    a, b, c, d, e, f, g = model.panel.tickers[:7]
    frame = quotes(
        [
            (a, 10.0, new_york(today, 10)),
            (b, 11.0, new_york(today, 0, 0)),  # the first instant of today in New York
            (c, 12.0, new_york(today, 23, 59)),  # a UTC date after today's
            (d, 13.0, new_york(today, 0) - timedelta(microseconds=1)),  # yesterday
            (g, 17.0, new_york(today + timedelta(days=1), 0)),  # tomorrow
            (e, None, new_york(today, 10)),
            (f, -1.0, new_york(today, 10)),
            ("NOT-IN-DATA", 14.0, new_york(today, 10)),
            (None, 15.0, new_york(today, 10)),
            (a, 16.0, None),  # no time: not today's
        ]
    )
    assert session_date(frame.head(3)) == today
    vector = quote_vector(model, frame, today)
    expected = np.full(len(model.panel.tickers), np.nan)
    expected[:3] = [10.0, 11.0, 12.0]
    np.testing.assert_array_equal(vector, expected)
    np.testing.assert_array_equal(vector, quote_vector_polars(model, frame, today))


def test_the_later_quote_of_a_ticker_wins_and_a_nan_price_quotes_nothing(model: Model) -> None:
    today = model.last_date + timedelta(days=1)
    a, b = model.panel.tickers[:2]
    now = new_york(today, 11)
    frame = quotes([(a, 10.0, now), (b, 20.0, now), (a, 12.0, now), (b, float("nan"), now)], "ns")
    vector = quote_vector(model, frame, today)
    assert vector[0] == 12.0 and np.isnan(vector[1])
    np.testing.assert_array_equal(vector, quote_vector_polars(model, frame, today))


def test_the_remembered_columns_follow_a_new_ticker_order(model: Model) -> None:
    today = model.last_date + timedelta(days=1)
    now = new_york(today, 12)
    prices = 1.0 + np.arange(len(model.panel.tickers))  # column j quotes j + 1
    forward = quotes([(t, float(p), now) for t, p in zip(model.panel.tickers, prices, strict=True)])
    without_first = prices.copy()
    without_first[0] = np.nan
    cases = [(forward, prices), (forward.reverse(), prices), (forward, prices),
             (forward.slice(1), without_first), (forward, prices)]  # fmt: skip
    for frame, expected in cases:
        np.testing.assert_array_equal(quote_vector(model, frame, today), expected)


def ranked_row(signal: np.ndarray, eligible: np.ndarray, quantile: float):
    """Sort the candidates by signal descending, ties by column; the first and last
    floor(q*n) (+1e-9 against float noise) are the top and bottom."""
    names = [j for j in range(len(signal)) if eligible[j] and not np.isnan(signal[j])]
    names = sorted(names, key=lambda j: (-signal[j], j))
    k = int(np.floor(quantile * len(names) + 1e-9))
    top, bottom = np.zeros(len(signal), bool), np.zeros(len(signal), bool)
    top[names[:k]] = True
    bottom[names[len(names) - k :]] = True
    return top, bottom


@settings(max_examples=examples(80), deadline=None)
@given(
    st.integers(0, 40),
    st.sampled_from([0.1, 0.2, 0.29, 0.3, 0.5, 1.0]),
    st.integers(0, 2**32 - 1),
)
def test_select_ranked_matches_a_stable_ranking_with_ties(names, quantile, seed):
    rng = np.random.default_rng(seed)
    signal = rng.integers(-2, 3, names).astype(float)  # many exact ties
    signal[rng.random(names) < 0.2] = np.nan
    signal[rng.random(names) < 0.05] = np.inf
    signal[rng.random(names) < 0.05] = -np.inf
    eligible = rng.random(names) < 0.8
    top, bottom = select_ranked(ranked_candidates(signal), eligible, quantile)
    expected_top, expected_bottom = ranked_row(signal, eligible, quantile)
    np.testing.assert_array_equal(top, expected_top)
    np.testing.assert_array_equal(bottom, expected_bottom)


def test_a_basket_state_ranks_each_signal_once_and_again_for_a_new_array() -> None:
    state = BasketState(quantile=0.2, weights_at_d=None, factor_legs={})
    signal = np.array([0.5, np.nan, 2.0, 0.5, -1.0])
    first = state.ranked("mom", signal)
    np.testing.assert_array_equal(first, [2, 0, 3, 4])
    assert state.ranked("mom", signal) is first
    np.testing.assert_array_equal(state.ranked("mom", -signal), [4, 0, 3, 2])


def same(actual: float | None, expected: float | None) -> bool:
    """The same float, bit for bit (NaN equal to NaN), or both None."""
    if actual is None or expected is None:
        return actual is expected
    return np.array_equal(np.float64(actual), np.float64(expected), equal_nan=True)


@settings(max_examples=examples(80), deadline=None)
@given(
    st.sampled_from([0, 1, 2, 3, 8, 9, 17, 40, 300]),
    st.sampled_from([0.0, 0.02, 0.3]),
    st.integers(0, 2**32 - 1),
)
def test_the_internals_fast_paths_give_the_definitions_numbers_bit_for_bit(width, gaps, seed):
    """dispersion_ratio and realized_corr on the eligible columns copied out (the
    definitions) against the tick's versions that never copy them."""
    rng = np.random.default_rng(seed)
    prior = rng.normal(0.0, 0.02, (20, width))
    prior[rng.random(prior.shape) < gaps] = np.nan
    prior[:, rng.random(width) < 0.1] = 0.001  # flat columns: a zero stdev
    today = rng.normal(0.0, 0.02, width)
    today[rng.random(width) < gaps] = np.nan
    eligible = (rng.random(width) < 0.9) & ~np.isnan(today)
    index = rng.normal(0.0, 0.01, 21)
    window = np.vstack([prior, today])
    assert same(
        dispersion_ratio_today(window[-5:], index[-5:], eligible),
        dispersion_ratio(window[-5:][:, eligible], index[-5:]),
    )
    assert same(
        realized_corr_today(prior, today, index, eligible),
        realized_corr(window[:, eligible], index),
    )


@settings(max_examples=examples(80), deadline=None)
@given(st.lists(st.sampled_from([-1.5, -0.0, 0.0, 0.25, 2.0, np.inf, -np.inf]), max_size=60))
def test_average_ranks_share_the_mean_rank_of_each_tie(values):
    """average_ranks sorts without keeping ties in order: each tie (-0.0 equals 0.0) still
    gets the mean of the 1-based ranks it covers."""
    array = np.array(values, dtype=float)
    expected = [
        (sum(1 for u in values if u < v) + 1 + sum(1 for u in values if u <= v)) / 2 for v in values
    ]
    np.testing.assert_array_equal(average_ranks(array), np.array(expected, dtype=float))


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(0, 300), st.booleans(), st.integers(0, 2**32 - 1))
def test_move_stats_compound_the_windows_to_t_bit_for_bit(days, new_year, seed):
    """1w, 1m and YTD from the products kept for the days before T against np.prod over
    the window ending T (the DESIGN.md definition), and the sparkline's values."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 0.03, days)
    dates = np.datetime64("2024-12-31") - np.arange(days)[::-1].astype("timedelta64[D]")
    history = SeriesHistory.of(dates, values)
    today = date(2025, 1, 2) if new_year else date(2024, 12, 31)  # T's year: 2024 or 2025
    x = float(rng.normal(0.0, 0.03))
    stats = move_stats("s", history, today, x)
    window = np.append(values, x)
    this_year = np.append(values[dates.astype("datetime64[Y]") == np.datetime64("2024")], x)

    def compound(part: np.ndarray) -> float:
        return float(np.prod(1.0 + part) - 1.0)

    assert stats.ret_1w == (compound(window[-5:]) if days >= 4 else None)
    assert stats.ret_1m == (compound(window[-21:]) if days >= 20 else None)
    assert stats.ret_ytd == compound(np.array([x]) if new_year else this_year)
    assert stats.recent == tuple(window[-60:].tolist())
