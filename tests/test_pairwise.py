"""pairwise.window_std (a row at a time) against np.std over contiguous columns, bit for bit."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import examples  # noqa: E402

from crowdwatch.analytics.pairwise import pairwise_rows, window_std  # noqa: E402


def awkward(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """Values over many magnitudes (rounding differs with the order of the sum), zeros of
    both signs, and a few infinities and NaN."""
    values = rng.normal(0.0, 1.0, (rows, columns)) * 10.0 ** rng.uniform(-8, 8, (rows, columns))
    values[rng.random((rows, columns)) < 0.05] = 0.0
    values[rng.random((rows, columns)) < 0.05] = -0.0
    values[:, 0] = -0.0  # a column of negative zeros sums to 0.0 in numpy
    values[rng.random((rows, columns)) < 0.01] = np.inf
    values[rng.random((rows, columns)) < 0.01] = np.nan
    return values


def contiguous_columns(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows.T)  # each column's values next to each other


@settings(max_examples=examples(120), deadline=None)
@given(st.integers(1, 128), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_pairwise_rows_sum_like_numpy_sums_a_contiguous_column(rows, columns, seed) -> None:
    values = awkward(np.random.default_rng(seed), rows, columns)
    with np.errstate(invalid="ignore"):
        got, expected = pairwise_rows(values), contiguous_columns(values).sum(axis=1)
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected))


@settings(max_examples=examples(120), deadline=None)
@given(st.integers(1, 127), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_window_std_is_numpys_std_of_each_column(prior_rows, columns, seed) -> None:
    values = awkward(np.random.default_rng(seed), prior_rows + 1, columns)
    with np.errstate(invalid="ignore", over="ignore"):
        expected = np.std(contiguous_columns(values), axis=1, ddof=1)
    np.testing.assert_array_equal(window_std(values[:-1], values[-1]), expected)


def test_a_window_of_21_daily_returns_by_hand() -> None:
    prior = np.tile(np.arange(20.0)[:, None], (1, 3)) * np.array([1.0, -1.0, 0.0])
    today = np.array([20.0, -20.0, 0.0])
    # 0..20: mean 10, squared deviations sum 770, / 20 = 38.5
    np.testing.assert_array_equal(window_std(prior, today), np.sqrt([38.5, 38.5, 0.0]))


def test_more_than_a_block_is_refused() -> None:
    with pytest.raises(ValueError, match="129 rows"):
        pairwise_rows(np.zeros((129, 2)))
