"""Daily basket selection (top / bottom fraction by a signal) and basket returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-9  # floor(q*n) must not lose a name to float noise (0.29*100 = 28.999...)


@dataclass(frozen=True, slots=True)
class Selection:
    """Top and bottom baskets for each row (day): boolean (days, tickers) masks."""

    top: np.ndarray
    bottom: np.ndarray


def basket_size(quantile: float, n: np.ndarray) -> np.ndarray:
    return np.floor(quantile * n + EPSILON).astype(np.int64)


def first_ranks(key: np.ndarray, cut: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Mask of the elements whose rank is below m (per row) in the order (key, column).

    `cut` is each row's m-th smallest key (read only where m > 0). The first m are the keys
    up to the cut, unless more than m are: a tie at the cut straddles it, and only the
    leftmost of the tied keys that still fit are taken (those rows alone are redone).
    """
    chosen = key <= cut[:, None]  # NaN keys: never
    nothing = m <= 0
    if nothing.any():
        chosen[nothing] = False
    split = np.flatnonzero(np.count_nonzero(chosen, axis=1) > m)
    if len(split):
        part, at = key[split], cut[split, None]
        below = part < at
        at_cut = part == at
        room = m[split] - np.count_nonzero(below, axis=1)
        at_cut &= np.cumsum(at_cut, axis=1) <= room[:, None]
        chosen[split] = below | at_cut
    return chosen


def order_statistics(key: np.ndarray, *positions: np.ndarray) -> list[np.ndarray]:
    """Each row's p-th smallest key (0-based; NaN keys are absent) for each array p of one
    position per row; a row whose p is out of range gets any value.

    Only the basket boundaries are needed, so the keys are sorted as float32: ~2x faster
    than float64, and exact after a fix-up. Rounding to float32 keeps the order (x <= y
    gives f32(x) <= f32(y)), so the p-th float64 key is among those whose float32 equals
    the p-th float32 key c: usually that one key alone; else (a tie, or two keys that
    round alike) those keys are sorted as float64 and the one at p less the count below c
    is taken.
    """
    if not key.shape[1]:
        return [np.full(len(key), np.nan) for _ in positions]
    with np.errstate(over="ignore"):  # beyond float32's range: +-inf, still in order
        narrow = key.astype(np.float32)
    have = np.flatnonzero(~np.isnan(narrow).all(axis=1))  # rows before a signal starts: no sort
    if len(have) == len(narrow):
        ordered = np.sort(narrow, axis=1)
    else:
        ordered = np.full(narrow.shape, np.nan, dtype=np.float32)
        ordered[have] = np.sort(narrow[have], axis=1)
    every_row = np.arange(len(key))
    cuts = []
    for position in positions:
        at = np.clip(position, 0, key.shape[1] - 1)
        c = ordered[every_row, at][:, None]
        same = narrow == c
        count = np.count_nonzero(same, axis=1)
        cut = key[every_row, same.argmax(axis=1)]  # the key itself where it is alone
        cut[count == 0] = np.nan
        shared = np.flatnonzero(count > 1)
        if len(shared):
            below = np.count_nonzero(narrow[shared] < c[shared], axis=1)
            tied = np.sort(np.where(same[shared], key[shared], np.inf), axis=1)
            cut[shared] = tied[np.arange(len(shared)), at[shared] - below]
        cuts.append(cut)
    return cuts


def select(
    signal_prev: np.ndarray,
    eligible: np.ndarray,
    quantile: float,
    absent: np.ndarray | None = None,
    ordered: np.ndarray | None = None,
) -> Selection:
    """Rank each row by signal descending, ties by column (ticker) ascending.

    signal_prev is the signal at the previous close, row-aligned with eligible. Only the
    basket boundaries matter: each row's boundary keys (order_statistics) are compared with
    its keys. `absent` (optional, = where(eligible, 0.0, nan)) lets callers selecting on
    several signals build that mask once; `ordered` (optional: each row's candidate keys
    sorted, then anything) saves the work for a caller that has sorted the keys already.
    """
    if absent is None:
        absent = np.where(eligible, 0.0, np.nan)
    # key = -signal, NaN for non-candidates (sorted last, never equal to a cut); an
    # infinite signal sorts like the largest float, as the original nan_to_num key did
    key = np.subtract(absent, signal_prev)
    candidate = ~np.isnan(key)
    n = np.count_nonzero(candidate, axis=1)
    k = basket_size(quantile, n)
    last_top, last_rest = k - 1, n - k - 1
    if ordered is None:
        top_cut, rest_cut = order_statistics(key, last_top, last_rest)
    else:
        rows = np.arange(len(key))
        top_cut = ordered[rows, np.maximum(last_top, 0)]
        rest_cut = ordered[rows, np.maximum(last_rest, 0)]
    top = first_ranks(key, top_cut, k)
    bottom = candidate & ~first_ranks(key, rest_cut, n - k)
    return Selection(top=top, bottom=bottom)


def ranked_candidates(signal: np.ndarray) -> np.ndarray:
    """The columns that have a signal, by signal descending, ties by column ascending (an
    infinite signal sorts like the largest float): select()'s ranking of one day, done once
    so that the tick can select among any eligible names without sorting (select_ranked)."""
    order = np.argsort(-signal, kind="stable")  # NaN last
    return order[: np.count_nonzero(~np.isnan(signal))]


def select_ranked(
    ranked: np.ndarray, eligible: np.ndarray, quantile: float
) -> tuple[np.ndarray, np.ndarray]:
    """select() for one day from its ranked_candidates: the top and bottom masks."""
    chosen = ranked[eligible[ranked]]
    n = len(chosen)
    k = int(basket_size(quantile, np.array(n)))
    top, bottom = np.zeros(len(eligible), dtype=bool), np.zeros(len(eligible), dtype=bool)
    top[chosen[:k]] = True
    bottom[chosen[n - k :]] = True
    return top, bottom


def basket_return(
    returns: np.ndarray, mask: np.ndarray, weights: np.ndarray | None = None, filled: bool = False
) -> np.ndarray:
    """Weighted (default equal) mean of member returns per row; NaN for an empty basket.

    `filled`: returns are finite everywhere (candidate_returns), so equal weights sum
    returns * mask: the same additions as where(mask, returns, 0), ~3x faster (a non-member
    adds +-0.0, and no return is -0.0: close / previous - 1 gives +0.0 for a flat day).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if weights is None:
            total = np.count_nonzero(mask, axis=1).astype(float)
            picked = returns * mask if filled else np.where(mask, returns, 0.0)
            out = picked.sum(axis=1) / total
        else:
            w = np.where(mask, np.nan_to_num(weights), 0.0)
            total = w.sum(axis=1)
            out = (np.nan_to_num(returns) * w).sum(axis=1) / total
    return np.where(total > 0, out, np.nan)


def candidate_returns(returns: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, bool]:
    """The returns of the eligible cells, 0 elsewhere, and whether all of them are finite
    (basket_return's `filled`); the returns themselves when some are not."""
    filled = np.where(eligible, returns, 0.0)
    return (filled, True) if np.isfinite(filled).all() else (returns, False)


def basket_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of values over members that have one (e.g. the basket's mean beta)."""
    have = mask & ~np.isnan(values)
    count = have.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(have, values, 0.0).sum(axis=1) / count
    return np.where(count > 0, out, np.nan)


def beta_neutral(
    winners: np.ndarray, losers: np.ndarray, beta_winners: np.ndarray, beta_losers: np.ndarray
) -> np.ndarray:
    """winners - (bW/bL) * losers; NaN when bL is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = winners - (beta_winners / beta_losers) * losers
    return np.where(beta_losers > 0, out, np.nan)


@dataclass(frozen=True, slots=True)
class Legs:
    """Daily top and bottom basket returns of one signal, and optionally the mean of
    another matrix (e.g. beta) over each basket's members."""

    top: np.ndarray
    bottom: np.ndarray
    top_mean: np.ndarray | None = None
    bottom_mean: np.ndarray | None = None


def momentum_baskets(
    winners: np.ndarray, losers: np.ndarray, beta_winners: np.ndarray, beta_losers: np.ndarray
) -> dict[str, np.ndarray]:
    """The four momentum series from the two legs (and their mean betas), per row."""
    return {
        "winners": winners,
        "short_momentum": losers,
        "momentum_pair": winners - losers,
        "momentum_beta_neutral": beta_neutral(winners, losers, beta_winners, beta_losers),
    }


def factor_return(top: np.ndarray, bottom: np.ndarray, long_top: bool) -> np.ndarray:
    """A long-short factor from its signal's top and bottom baskets."""
    return top - bottom if long_top else bottom - top
