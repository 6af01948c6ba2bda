"""Average ranks (ties share their mean rank): of one day's values (the tick) and along
every row of a matrix (the history), and the daily Spearman correlation built on them."""

from __future__ import annotations

import numpy as np


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the mean of their ranks (exact halves: no rounding).

    `values` without NaN: each tie then gets the same ranks in whatever order the sort puts
    it, so the unstable sort does (a SIMD sort, ~2x faster than a stable one on a new tick).
    """
    return ranks_in_order(values, np.argsort(values))


def ranks_in_order(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """average_ranks(values) from positions that sort them ascending (ties in any order)."""
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    ends = np.append(starts[1:], len(values))
    group = np.repeat(np.arange(len(starts)), ends - starts)
    ranks = np.empty(len(values))
    ranks[order] = ((starts + ends + 1) / 2.0)[group]
    return ranks


def subset_ranks(values: np.ndarray, descending: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """average_ranks(values[chosen]) without a sort: `descending` holds the columns with a
    value, largest first (baskets.ranked_candidates), `chosen` a mask of some of them."""
    ascending = descending[chosen[descending]][::-1]
    position = np.cumsum(chosen) - 1  # each chosen column's place in values[chosen]
    return ranks_in_order(values[chosen], position[ascending])


def sorted_ranks(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ranks (1-based, ties share their mean rank) and the row sorted; +inf marks
    absent cells, which sort last (their ranks are meaningless).

    One argsort gives both: a caller that needs a row's order statistics as well as its
    ranks (the momentum basket boundaries and the reversal correlation) sorts it once.
    """
    rows, width = key.shape
    # flat indices: take/put on them cost a third of take_along_axis/put_along_axis
    order = np.argsort(key, axis=1)
    order += np.arange(0, rows * width, width)[:, None]
    order = order.reshape(-1)
    ordered = key.reshape(-1)[order].reshape(rows, width)
    ranks_in_order = np.empty(key.shape)
    ranks_in_order[:] = np.arange(1, width + 1, dtype=float)
    # ties are few (flat closes): fix up only their runs, addressed as flat indices
    same = ordered[:, 1:] == ordered[:, :-1]
    same &= ordered[:, 1:] != np.inf
    tied = np.flatnonzero(same)
    if len(tied):
        row, column = np.divmod(tied, width - 1)
        first = row * width + column  # a run of k ties: k-1 consecutive `first` entries
        starts = np.flatnonzero(np.diff(first, prepend=-2) != 1)
        ends = np.append(starts[1:], len(first)) - 1
        mean_rank = (column[starts] + column[ends] + 1) / 2.0 + 1.0
        cells = np.union1d(first, first + 1)
        run = np.searchsorted(first[starts], cells, side="right") - 1
        ranks_in_order.reshape(-1)[cells] = mean_rank[run]
    ranks = np.empty(key.shape)
    ranks.reshape(-1)[order] = ranks_in_order.reshape(-1)
    return ranks, ordered


def row_average_ranks(key: np.ndarray) -> np.ndarray:
    """sorted_ranks' ranks alone."""
    return sorted_ranks(key)[0]


def row_spearman(x_ranks: np.ndarray, y_ranks: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Per row: the Pearson correlation of two rows of average ranks over the `ranked`
    cells (the ranks of the n ranked cells of a row are 1..n); NaN under 2 cells."""
    n = ranked.sum(axis=1)
    middle = ((n + 1) / 2.0)[:, None]  # the mean of average ranks 1..n
    dx = np.where(ranked, x_ranks - middle, 0.0)
    dy = np.where(ranked, y_ranks - middle, 0.0)
    row_dot = "ij,ij->i"
    denominator = np.sqrt(np.einsum(row_dot, dx, dx) * np.einsum(row_dot, dy, dy))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.einsum(row_dot, dx, dy) / denominator
    return np.where((n >= 2) & (denominator > 0), corr, np.nan)


def reversal_rows(returns: np.ndarray, ranked: np.ndarray, mom_ranks: np.ndarray) -> np.ndarray:
    """reversal_corr of each row: Spearman of the returns with the momentum signal at the
    previous close over the `ranked` cells (eligible, with a signal); `mom_ranks` are the
    signal's average ranks, ascending."""
    return row_spearman(row_average_ranks(np.where(ranked, returns, np.inf)), mom_ranks, ranked)
