"""Trailing-window sums over the rows of a matrix, the kernel of the rolling statistics.

Every window statistic is a difference of two rows of a running (cumulative) sum. The
running sums are computed once per input and shared: vol (63 days) and the dispersion
ratio (5 days) use the same running count, sum and sum of squares of the returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK_ROWS = 256  # rows per block for the window arithmetic, at most
BLOCK_BYTES = 2 << 20  # ... and ~2 MB per block matrix (a core's L2 cache)
MIN_BLOCK_ROWS = 32  # ... but not so few that per-block overhead shows


def running_sum(
    values: np.ndarray, out: np.ndarray | None = None, dtype: type = np.float64
) -> np.ndarray:
    """Cumulative sum down the rows (axis 0), bit-identical to np.cumsum(axis=0).

    Adds whole rows: np.cumsum along axis 0 of a C-ordered matrix strides down each column
    and is ~8x slower (99 vs 12 ms at 2,520 x 3,000). The same additions in the same order
    give the same floats. `out` may be `values` itself (in place).
    """
    if out is None:
        out = np.empty(values.shape, dtype=dtype)
    if values.ndim < 2:
        return np.cumsum(values, out=out)
    if len(values):
        out[0] = values[0]
    for row in range(1, len(values)):
        np.add(out[row - 1], values[row], out=out[row])
    return out


def trailing(cumulative: np.ndarray, window: int, in_place: bool = False) -> np.ndarray:
    """Sum of each row's `window` trailing rows, from a running sum."""
    if in_place:
        # from the bottom up, so every row subtracted is still a running-sum row
        for row in range(len(cumulative) - 1, window - 1, -1):
            np.subtract(cumulative[row], cumulative[row - window], out=cumulative[row])
        return cumulative
    out = np.empty(cumulative.shape, dtype=cumulative.dtype)
    out[:window] = cumulative[:window]
    np.subtract(cumulative[window:], cumulative[:-window], out=out[window:])
    return out


@dataclass(frozen=True, slots=True)
class Moments:
    """A matrix's valid mask and running count, sum and sum of squares (NaN counted as 0)."""

    valid: np.ndarray
    count: np.ndarray  # int32
    total: np.ndarray
    squares: np.ndarray

    def window_std(self, window: int, min_count: int, columns: np.ndarray | None = None):
        """Sample stdev (ddof=1) over each trailing window, optionally of some columns."""
        width = self.count.shape[1] if columns is None else len(columns)
        out = np.empty((len(self.count), width))
        for start, stop in row_blocks(len(self.count), width):
            out[start:stop] = self.window_std_rows(window, min_count, start, stop, columns)
        return out

    def window_std_rows(
        self, window: int, min_count: int, start: int, stop: int, columns=None
    ) -> np.ndarray:
        """Rows start..stop of window_std: a small block, computed in cache. With `columns`
        (the members: most columns), every column's stdev is computed and those taken: one
        gather instead of six, and each stdev is the same number either way."""
        sums = [
            window_block(s, window, start, stop) for s in (self.count, self.total, self.squares)
        ]
        block = std_from_sums(*sums, min_count)
        return block if columns is None else np.take(block, columns, axis=1)


def block_rows(width: int) -> int:
    """Rows per block for a matrix `width` floats wide: ~2 MB per block matrix (87 rows at
    3,000 names, 32 at 10,000), so a block's temporaries stay in cache and are reused by
    malloc rather than mapped afresh (256-row blocks were 20 MB each at 10,000 names)."""
    return max(MIN_BLOCK_ROWS, min(BLOCK_ROWS, BLOCK_BYTES // (8 * max(width, 1))))


def row_blocks(rows: int, width: int = 0) -> list[tuple[int, int]]:
    """(start, stop) of the row blocks of a (rows, width) matrix."""
    size = block_rows(width)
    return [(start, min(rows, start + size)) for start in range(0, rows, size)]


def window_block(cumulative: np.ndarray, window: int, start: int, stop: int) -> np.ndarray:
    """Rows start..stop of trailing(cumulative, window).

    Blocks of rows keep the temporaries a few MB (in cache, and no fresh pages to fault in:
    at 3,000 x 2,520 a new full-size matrix costs ~40 ms before any arithmetic).
    """
    block = cumulative[start:stop].copy()
    first = max(start, window)
    if first < stop:
        block[first - start :] -= cumulative[first - window : stop - window]
    return block


def moments(values: np.ndarray) -> Moments:
    valid = ~np.isnan(values)
    filled = np.where(valid, values, 0.0)
    squares = filled * filled
    return Moments(
        valid=valid,
        count=running_sum(valid, dtype=np.int32),
        squares=running_sum(squares, out=squares),
        total=running_sum(filled, out=filled),  # in place: one full matrix less at the peak
    )


def std_from_sums(
    n: np.ndarray, total: np.ndarray, squares: np.ndarray, min_count: int
) -> np.ndarray:
    """Sample stdev from window count, sum and sum of squares; consumes its inputs."""
    with np.errstate(invalid="ignore", divide="ignore"):
        total *= total
        total /= n
        variance = np.subtract(squares, total, out=squares)
        n -= 1  # integer counts: the float arithmetic sees the same exact values
        variance /= n
    variance[variance < 0] = 0.0
    np.sqrt(variance, out=variance)
    variance[n < max(min_count, 2) - 1] = np.nan
    return variance


def rolling_std(values: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Sample stdev (ddof=1) of the non-NaN values in each trailing window."""
    return moments(values).window_std(window, min_count)


def rolling_slope(
    y: np.ndarray, x: np.ndarray, window: int, min_count: int, y_moments: Moments | None = None
) -> np.ndarray:
    """OLS slope of y on x over each trailing window, on rows where both exist.

    y is (days, n); x is (days,) or (days, n). With y's Moments and a 1-d x that exists on
    every row where some y does (the usual index), y's running count and sum are reused.
    """
    if x.ndim == 1:
        x_valid = ~np.isnan(x)
        reuse = y_moments is not None and not y_moments.valid[~x_valid].any()
        x = np.broadcast_to(x[:, None], y.shape)
    else:
        reuse = False
    if not reuse:
        both = ~np.isnan(y) & ~np.isnan(x)
        yb = np.where(both, y, 0.0)
        count, total = running_sum(both, dtype=np.int32), running_sum(yb)
        xb = np.where(both, x, 0.0)
        product = xb * yb
        sums = (running_sum(xb), running_sum(xb * xb), running_sum(product, out=product))
        blocks = (
            (start, stop, *(window_block(c, window, start, stop) for c in sums))
            for start, stop in row_blocks(len(y), y.shape[1])
        )
    else:
        count, total = y_moments.count, y_moments.total
        blocks = x_window_sums(x[:, 0], y_moments.valid, y, window)
    slope = np.empty(y.shape)
    for start, stop, sx, sxx, sxy in blocks:
        n, sy = (window_block(c, window, start, stop) for c in (count, total))
        with np.errstate(invalid="ignore", divide="ignore"):
            sxy *= n
            sy *= sx
            numerator = np.subtract(sxy, sy, out=sxy)
            sxx *= n
            sx *= sx
            denominator = np.subtract(sxx, sx, out=sxx)
            block = np.divide(numerator, denominator, out=numerator)
        block[n < max(min_count, 2)] = np.nan
        slope[start:stop] = block
    return slope


def x_window_sums(x: np.ndarray, both: np.ndarray, y: np.ndarray, window: int):
    """Blocks (start, stop, sx, sxx, sxy) of the trailing-window sums of xb, xb*xb, xb*yb,
    xb = where(both, x, 0) and yb = where(both, y, 0), a block of rows at a time.

    Bit-identical to window_block over the full running sums (the same additions, then
    the same running sum minus the one `window` rows back), but only the last window +
    block running-sum rows are kept (a ring): ~3 x 8 MB at 3,000 names instead of three
    full matrices. Only the running sum goes a row at a time (three additions a row);
    the terms and the window differences are whole-block operations.
    """
    rows, width = both.shape
    blocks = row_blocks(rows, width)
    keep = window + max((stop - start for start, stop in blocks), default=1)
    ring = np.empty((3, keep, width))
    for start, stop in blocks:
        xb = np.where(both[start:stop], x[start:stop, None], 0.0)
        yb = np.where(both[start:stop], y[start:stop], 0.0)
        here = np.arange(start, stop) % keep
        for q, terms in enumerate((xb, xb * xb, xb * yb)):
            running = ring[q]
            for row in range(start, stop):
                if row == 0:
                    running[0] = terms[0]
                else:
                    np.add(running[(row - 1) % keep], terms[row - start], out=running[row % keep])
        out = ring[:, here]
        lagged = np.arange(max(start, window), stop)  # rows with a full window behind them
        if len(lagged):
            out[:, lagged - start] -= ring[:, (lagged - window) % keep]
        yield start, stop, out[0], out[1], out[2]
