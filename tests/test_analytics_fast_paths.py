"""The fast paths of prepare() against plain versions: sort order, ranks, window sums."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402
from markets import random_market  # noqa: E402

from crowdwatch.analytics.baskets import (  # noqa: E402
    basket_return,
    candidate_returns,
    order_statistics,
    select,
)
from crowdwatch.analytics.model import close_snapshot  # noqa: E402
from crowdwatch.analytics.panel import build_panel  # noqa: E402
from crowdwatch.analytics.report import to_json  # noqa: E402
from crowdwatch.analytics.windows import (  # noqa: E402
    moments,
    rolling_slope,
    running_sum,
    window_block,
)


def test_unsorted_history_gives_the_same_report():
    history, config = random_market(3)
    expected = to_json(close_snapshot(history, config))
    shuffled = history.sample(fraction=1.0, shuffle=True, seed=1)
    assert to_json(close_snapshot(shuffled, config)) == expected
    assert to_json(close_snapshot(history.reverse(), config)) == expected


def test_panel_indices_match_a_plain_pivot():
    history, config = random_market(5)
    panel, rows = build_panel(history.reverse(), config)
    wide = history.pivot(on="ticker", index="date", values="close").sort("date")
    for j, ticker in enumerate(panel.tickers):
        np.testing.assert_array_equal(
            panel.close[:, j], wide.get_column(ticker).fill_null(np.nan).to_numpy()
        )
    assert list(panel.tickers) == sorted(panel.tickers)
    assert np.array_equal(np.sort(rows.cell), np.flatnonzero(~np.isnan(panel.close).ravel()))


@pytest.mark.parametrize("count", [0, 1, 21, 252, 100_000])
def test_first_rows_are_each_tickers_first_rows(count):
    history, config = random_market(5)
    _, rows = build_panel(history, config)
    usable = history.filter(pl.col("close").is_not_null() & (pl.col("close") > 0))
    tickers = usable.sort("ticker", "date").get_column("ticker").to_numpy()
    # a row's place in its ticker's run, counted the plain way
    place = np.zeros(len(tickers), dtype=int)
    for i in range(1, len(tickers)):
        place[i] = place[i - 1] + 1 if tickers[i] == tickers[i - 1] else 0
    np.testing.assert_array_equal(np.sort(rows.first_rows(count)), np.flatnonzero(place < count))


def ranks_reference(signal: np.ndarray, eligible: np.ndarray, quantile: float):
    """Stable sort by -signal (ties by column), top floor(q*n), bottom the last floor(q*n)."""
    top, bottom = np.zeros(signal.shape, bool), np.zeros(signal.shape, bool)
    for t in range(signal.shape[0]):
        names = [j for j in range(signal.shape[1]) if eligible[t, j] and not np.isnan(signal[t, j])]
        names.sort(key=lambda j: (-np.nan_to_num(signal[t, j]), j))
        k = int(np.floor(quantile * len(names) + 1e-9))
        top[t, names[:k]] = True
        bottom[t, names[len(names) - k :]] = True
    return top, bottom


# keys that float32 cannot tell apart (1 and 1 + 2**-40, 0 and a subnormal, 1e300 and inf)
# beside exact ties, both zeros and the float32 range's edge: order_statistics sorts float32
CLOSE_CALLS = np.array(
    [1.0, 1.0 + 2**-40, 1.0 + 2**-30, 1.0 - 2**-45, 0.0, -0.0, 5e-324, -1e-310, 0.25, -7.0,
     1e300, -1e300, 3.4e38, 3.5e38, np.inf, -np.inf]
)  # fmt: skip


@settings(max_examples=examples(80), deadline=None)
@given(st.integers(1, 6), st.integers(0, 40), st.integers(0, 2**32 - 1))
def test_order_statistics_match_a_float64_sort(days, names, seed):
    rng = np.random.default_rng(seed)
    key = rng.choice(CLOSE_CALLS, (days, names))
    key[rng.random(key.shape) < 0.2] = np.nan  # absent
    key[rng.random(days) < 0.2] = np.nan  # whole rows absent (before a signal starts)
    n = np.count_nonzero(~np.isnan(key), axis=1)
    first = rng.integers(0, np.maximum(n, 1))
    last = n - 1
    expected = np.sort(key, axis=1)  # NaN last
    got = order_statistics(key, first, last)
    rows = np.flatnonzero(n)
    np.testing.assert_array_equal(got[0][rows], expected[rows, first[rows]])
    np.testing.assert_array_equal(got[1][rows], expected[rows, last[rows]])


def test_order_statistics_fix_up_keys_float32_rounds_alike():
    key = np.array([[1.0 + 2**-40, 1.0, 1.0 + 2**-41, 2.0, np.nan]])
    assert np.float32(key[0, 0]) == np.float32(key[0, 1])  # the case being tested
    smallest, middle, largest = order_statistics(key, *(np.array([p]) for p in (0, 1, 3)))
    assert (smallest[0], middle[0], largest[0]) == (1.0, 1.0 + 2**-41, 2.0)


@settings(max_examples=examples(60), deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 25),
    st.sampled_from([0.1, 0.2, 0.3, 0.5, 1.0]),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_select_matches_a_stable_ranking_with_ties(days, names, quantile, seed, close_calls):
    rng = np.random.default_rng(seed)
    if close_calls:
        signal = rng.choice(CLOSE_CALLS, (days, names))
    else:
        signal = rng.integers(-2, 3, (days, names)).astype(float)  # many exact ties
    signal[rng.random(signal.shape) < 0.2] = np.nan
    signal[rng.random(signal.shape) < 0.05] = np.inf
    eligible = rng.random(signal.shape) < 0.8
    chosen = select(signal, eligible, quantile)
    top, bottom = ranks_reference(signal, eligible, quantile)
    np.testing.assert_array_equal(chosen.top, top)
    np.testing.assert_array_equal(chosen.bottom, bottom)


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(1, 6), st.integers(1, 40), st.integers(0, 2**32 - 1), st.booleans())
def test_filled_basket_returns_are_bit_identical(days, names, seed, infinite):
    rng = np.random.default_rng(seed)
    # flat days give exact zeros (close / previous - 1 = +0.0), as the panel's returns do
    closes = rng.choice([10.0, 10.5, 9.75, 1e-300], (days + 1, names))
    returns = closes[1:] / closes[:-1] - 1.0
    eligible = rng.random(returns.shape) < 0.7
    returns[~eligible & (rng.random(returns.shape) < 0.5)] = np.nan
    if infinite:
        returns[0, 0], eligible[0, 0] = np.inf, True
    mask = eligible & (rng.random(returns.shape) < 0.5)
    candidate, filled = candidate_returns(returns, eligible)
    assert filled == bool(np.isfinite(np.where(eligible, returns, 0.0)).all())
    expected = basket_return(returns, mask)  # where(mask, returns, 0)
    got = basket_return(candidate, mask, None, filled)
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_running_sums_are_bit_identical_to_cumsum():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 7))
    assert np.array_equal(running_sum(values), np.cumsum(values, axis=0))
    cumulative = np.cumsum(values, axis=0)
    block = window_block(cumulative, 20, 10, 50)
    expected = cumulative[10:50].copy()
    expected[10:] -= cumulative[0:30]
    assert np.array_equal(block, expected)


def test_window_std_of_some_columns_is_bit_identical_to_those_columns_alone():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(120, 9))
    values[rng.random(values.shape) < 0.15] = np.nan
    columns = np.array([0, 3, 4, 8])
    got = moments(values).window_std(21, 15, columns)
    alone = moments(np.ascontiguousarray(values[:, columns])).window_std(21, 15)
    np.testing.assert_array_equal(got, alone)
    assert got.flags.c_contiguous  # row sums downstream add in memory order


@pytest.mark.parametrize("index_gap", [False, True])  # True: the general (no reuse) path
def test_window_statistics_match_direct_windows(index_gap):
    rng = np.random.default_rng(1)
    y = rng.normal(size=(80, 4))
    y[rng.random(y.shape) < 0.2] = np.nan
    x = rng.normal(size=80)
    x[0] = np.nan
    y[0] = np.nan
    if index_gap:
        x[40] = np.nan
    std = moments(y).window_std(10, 6)
    slope = rolling_slope(y, x, 30, 15, y_moments=moments(y))
    for t in range(80):
        for j in range(4):
            window = y[max(0, t - 9) : t + 1, j]
            window = window[~np.isnan(window)]
            want = np.std(window, ddof=1) if len(window) >= 6 else np.nan
            np.testing.assert_allclose(std[t, j], want, rtol=1e-9, atol=1e-12)
            ys, xs = y[max(0, t - 29) : t + 1, j], x[max(0, t - 29) : t + 1]
            both = ~np.isnan(ys) & ~np.isnan(xs)
            want = np.polyfit(xs[both], ys[both], 1)[0] if both.sum() >= 15 else np.nan
            np.testing.assert_allclose(slope[t, j], want, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("block", [7, 30, 31, 256])  # around the 30-day window
def test_streamed_beta_sums_equal_the_full_running_sums(monkeypatch, block):
    """The beta path that streams the index's window sums through a ring, block by block,
    gives the same bits as the general path over full running-sum matrices."""
    import crowdwatch.analytics.windows as windows

    monkeypatch.setattr(windows, "BLOCK_ROWS", block)
    monkeypatch.setattr(windows, "MIN_BLOCK_ROWS", 1)
    rng = np.random.default_rng(7)
    y = rng.normal(size=(120, 5)) * 0.02
    y[rng.random(y.shape) < 0.15] = np.nan
    x = rng.normal(size=120) * 0.01
    x[:2] = np.nan
    y[:2] = np.nan  # x exists wherever y does: the streamed path applies
    streamed = rolling_slope(y, x, 30, 15, y_moments=moments(y))
    general = rolling_slope(y, x, 30, 15)
    assert np.isfinite(streamed[40:]).any()
    assert np.array_equal(streamed, general, equal_nan=True)


def test_signal_rows_in_the_model_are_copies():
    from crowdwatch.analytics.model import prepare

    history, config = random_market(2)
    model = prepare(history.filter(pl.col("date") < history.get_column("date").max()), config)
    assert all(row.base is None for row in model.signals_at_d.values())
