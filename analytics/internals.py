"""Market internals: index return, breadth, dispersion, reversal and realized correlation.

History part: InternalsState (every day's dispersion ratio and realized correlation, and the
returns of the days just before T). Today part: internals_today, which also carries the LETF
numbers (letf.py). The drill-downs are in internals_drill.py.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from crowdwatch.analytics.frames import dated_frame, with_today
from crowdwatch.analytics.jobs import Pending, submit
from crowdwatch.analytics.moves import finite
from crowdwatch.analytics.pairwise import window_std
from crowdwatch.analytics.panel import Panel
from crowdwatch.analytics.ranks import average_ranks, subset_ranks
from crowdwatch.analytics.results import Internals
from crowdwatch.analytics.windows import Moments, rolling_std, row_blocks
from crowdwatch.config.calendar import MONTH, WEEK
from crowdwatch.config.schema import Settings

if TYPE_CHECKING:  # letf.py imports this module
    from crowdwatch.analytics.letf import LetfToday

DISPERSION_WINDOW, REALIZED_WINDOW = WEEK, MONTH


def breadth(member_returns: np.ndarray, index_return: float) -> float | None:
    """Share of members (with a return today) beating the index."""
    if len(member_returns) == 0 or np.isnan(index_return):
        return None
    return float(np.mean(member_returns > index_return))


def dispersion_history(
    returns: np.ndarray,
    index_returns: np.ndarray,
    member: np.ndarray,
    moments: Moments,
) -> np.ndarray:
    """The dispersion ratio of every day: mean of stock 5d stdev / index 5d stdev, from the
    running sums (`moments`: windows.moments of `returns`). Works on blocks of rows: each
    day's ratio only needs that day's row.
    """
    index = rolling_std(index_returns[:, None], DISPERSION_WINDOW, DISPERSION_WINDOW)[:, 0]
    columns = np.flatnonzero(member)
    out = np.empty(len(returns))
    for start, stop in row_blocks(*returns.shape):
        stock = moments.window_std_rows(DISPERSION_WINDOW, DISPERSION_WINDOW, start, stop, columns)
        index_block = index[start:stop]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = stock / index_block[:, None]
            count = (~np.isnan(ratio)).sum(axis=1)
            block = np.nansum(ratio, axis=1) / count
        out[start:stop] = np.where((count > 0) & (index_block > 0), block, np.nan)
    return out


def dispersion_ratio_today(
    window: np.ndarray, index_window: np.ndarray, eligible: np.ndarray
) -> float | None:
    """The ratio of the 5-day window ending T: the mean over the eligible members with all
    5 returns of their stdev (ddof=1) over the index's, without copying the columns out:
    a column's stdev does not depend on its neighbours, so the stdevs of the whole C-ordered
    window are the same numbers, bit for bit (tests/test_tick_fast_paths.py)."""
    if np.isnan(index_window).any() or not eligible.any():
        return None
    index_std = float(np.std(index_window, ddof=1))
    complete = eligible & ~np.isnan(window).any(axis=0)
    if not complete.any() or index_std == 0:
        return None
    return float(np.mean(np.std(window, axis=0, ddof=1)[complete] / index_std))


def share_at_or_below(prior: np.ndarray, value: float | None) -> float | None:
    prior = prior[~np.isnan(prior)]
    if value is None or len(prior) == 0:
        return None
    return float(np.mean(prior <= value))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def spearman(x: np.ndarray, y: np.ndarray, y_ranks: np.ndarray | None = None) -> float | None:
    """Spearman correlation with average ranks for ties (x and y without NaN); `y_ranks`:
    average_ranks(y) when the caller has them."""
    if len(x) < 2:
        return None
    return pearson(average_ranks(x), average_ranks(y) if y_ranks is None else y_ranks)


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    return float(np.dot(dx, dy) / denominator) if denominator > 0 else None


def implied_corr(s: np.ndarray, index_window: np.ndarray) -> float | None:
    """The average correlation that equal weights on stocks with stdevs `s` need to give
    the index's stdev over its window."""
    w = 1.0 / len(s)
    s_index = float(np.std(index_window, ddof=1))
    own = float(np.sum(w * w * s * s))
    denominator = float(np.sum(w * s)) ** 2 - own
    return (s_index**2 - own) / denominator if denominator != 0 else None


def realized_corr_today(
    prior: np.ndarray, today: np.ndarray, index_window: np.ndarray, eligible: np.ndarray
) -> float | None:
    """The realized correlation (implied_corr) over the eligible members with all 21
    returns, for the window of the `prior` rows and `today`, without copying the columns
    out: numpy sums a column the way its memory runs (the copies were column-major: 21
    returns in a row, summed pairwise), and pairwise.window_std takes the stdevs in that
    order a row at a time, bit for bit."""
    if np.isnan(index_window).any():
        return None
    complete = eligible & ~np.isnan(prior).any(axis=0) & ~np.isnan(today)
    if np.count_nonzero(complete) < 2:
        return None
    return implied_corr(window_std(prior, today)[complete], index_window)


def realized_history(
    returns: np.ndarray, index_returns: np.ndarray, member: np.ndarray, moments: Moments
) -> np.ndarray:
    """realized_corr of every day (NaN where it has none), from the running sums: the
    members with all 21 returns ending that day, equal weights."""
    index = rolling_std(index_returns[:, None], REALIZED_WINDOW, REALIZED_WINDOW)[:, 0]
    columns = np.flatnonzero(member)
    out = np.full(len(returns), np.nan)
    for start, stop in row_blocks(*returns.shape):
        stock = moments.window_std_rows(REALIZED_WINDOW, REALIZED_WINDOW, start, stop, columns)
        n = (~np.isnan(stock)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(stock, axis=1) / n
            own = np.nansum(stock * stock, axis=1) / (n * n)  # sum of w^2 s^2, w = 1/n
            denominator = mean * mean - own
            corr = (index[start:stop] ** 2 - own) / denominator
        out[start:stop] = np.where((n >= 2) & (denominator != 0), corr, np.nan)
    return out


@dataclass(frozen=True, slots=True)
class InternalsState:
    """The internals' history up to the previous close d."""

    dates: np.ndarray  # the trading days (for the dispersion percentile's window)
    dispersion: np.ndarray  # every day's dispersion ratio
    realized: np.ndarray  # every day's realized correlation (the drill-down's history)
    # the internals' daily history: date, dispersion_ratio, letf_flow_usd (nulls)
    dispersion_frame: pl.DataFrame
    recent_returns: np.ndarray  # the returns of the REALIZED_WINDOW - 1 days ending d
    benchmark: int | None  # the benchmark's column

    @classmethod
    def of(
        cls,
        panel: Panel,
        index_returns: np.ndarray,
        moments: Moments,
        letf_flows: np.ndarray,
        pool: Executor | None = None,
    ) -> Pending[InternalsState]:
        """`moments` (windows.moments of the returns) saves recomputing running sums;
        `letf_flows` is every day's LETF flow (LetfState.history), for the daily frame.
        The dispersion and the realized correlation histories are two jobs on the pool."""
        args = (panel.returns, index_returns, panel.member, moments)
        histories = [
            submit(pool, history, *args) for history in (dispersion_history, realized_history)
        ]

        def state(done: list[np.ndarray]) -> InternalsState:
            dispersion, realized = done
            return cls(
                dates=panel.dates,
                dispersion=dispersion,
                realized=realized,
                dispersion_frame=dated_frame(
                    panel.dates, {"dispersion_ratio": dispersion, "letf_flow_usd": letf_flows}
                ),
                recent_returns=panel.returns[-(REALIZED_WINDOW - 1) :],
                benchmark=panel.benchmark,
            )

        return Pending(histories, state)


def internals_today(
    state: InternalsState,
    settings: Settings,
    today: date,
    r_today: np.ndarray,
    eligible: np.ndarray,
    mom_at_d: np.ndarray,
    letf: LetfToday,
    mom_descending: np.ndarray | None = None,
) -> Internals:
    """Today's internals against the members with a return today (DESIGN.md);
    `mom_descending`: baskets.ranked_candidates(mom_at_d), when the caller has it."""
    bench = state.benchmark
    index_return = r_today[bench] if bench is not None else np.nan
    prior = state.recent_returns
    index_recent = (
        np.append(prior[:, bench], index_return)
        if bench is not None
        else np.full(len(prior) + 1, np.nan)
    )
    week = np.vstack([prior[-(DISPERSION_WINDOW - 1) :], r_today])
    ratio = dispersion_ratio_today(week, index_recent[-DISPERSION_WINDOW:], eligible)
    since = np.datetime64(years_before(today, settings.dispersion_since_years))
    ranked = eligible & ~np.isnan(mom_at_d)
    return Internals(
        index_ret=finite(index_return),
        breadth=breadth(r_today[eligible], index_return),
        dispersion_ratio=ratio,
        dispersion_percentile=share_at_or_below(state.dispersion[state.dates >= since], ratio),
        reversal_corr=spearman(
            r_today[ranked],
            mom_at_d[ranked],
            None if mom_descending is None else subset_ranks(mom_at_d, mom_descending, ranked),
        ),
        realized_corr=realized_corr_today(prior, r_today, index_recent, eligible),
        letf_flow_usd=letf.flow_usd,
        letf_flow_percentile=letf.flow_percentile,
        letf_gamma_usd_per_pct=letf.gamma_usd_per_pct,
        letf_by_underlying=letf.by_underlying,
    )


def dispersion_history_today(
    state: InternalsState, today: date, internals: Internals
) -> pl.DataFrame:
    """The internals' daily history (dispersion ratio, LETF flow): the prepared days plus
    today's values."""
    today_values = {
        "dispersion_ratio": internals.dispersion_ratio,
        "letf_flow_usd": internals.letf_flow_usd,
    }
    return with_today(state.dispersion_frame, today, today_values)
