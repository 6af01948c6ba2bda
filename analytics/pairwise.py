"""numpy's column stdevs of a short window, summed across rows in numpy's own order."""

from __future__ import annotations

import numpy as np

BLOCK = 128  # numpy sums up to this many contiguous values in one unrolled pass


def pairwise_rows(rows: np.ndarray) -> np.ndarray:
    """The sum of each column of `rows` (values, columns) in the order numpy's add.reduce
    sums that many contiguous values (its pairwise_sum: 8 running sums over blocks of 8,
    combined as a tree, then the rest one by one, all added to the identity 0), so the same
    numbers bit for bit: a column sum done a whole row at a time, not a column at a time."""
    n = len(rows)
    if n > BLOCK:
        raise ValueError(f"{n} rows: numpy splits more than {BLOCK} values in halves")
    if n < 8:
        total = np.zeros(rows.shape[1:])
        for row in rows:
            total += row
        return total
    stop = n - n % 8
    sums = rows[:8].copy()
    for start in range(8, stop, 8):
        sums += rows[start : start + 8]
    pairs = sums[0::2] + sums[1::2]  # (r0 + r1), (r2 + r3), (r4 + r5), (r6 + r7)
    halves = pairs[0::2] + pairs[1::2]
    total = halves[0] + halves[1]
    for row in rows[stop:]:
        total += row
    return 0.0 + total  # added to the identity: -0.0 sums to 0.0


def window_std(prior: np.ndarray, today: np.ndarray) -> np.ndarray:
    """np.std(column, ddof=1) of each column of the window `prior` rows + `today`, as numpy
    takes it over a column held contiguously: the mean, the squared deviations' sum / (n-1)."""
    window = np.empty((len(prior) + 1, len(today)))
    window[:-1] = prior
    window[-1] = today
    with np.errstate(invalid="ignore", over="ignore"):
        mean = pairwise_rows(window) / len(window)
        deviations = np.subtract(window, mean, out=window)
        np.multiply(deviations, deviations, out=deviations)
        return np.sqrt(pairwise_rows(deviations) / (len(window) - 1))
