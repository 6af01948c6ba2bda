"""The demo's own series (SIMULATED): a weekly prime-book net exposure and a daily dealer gamma.

Seeded like the market, and pinned like its replayed day: on 2026-02-04 the net exposure
(last reported on Friday 30 Jan) stands at about the 89th percentile of its past year
after a climb, and dealers are still long gamma but less than the leveraged ETFs are short
(SEED.md "Gamma" and "Positioning"), so net gamma is short.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from crowdwatch.config.schema import SeriesSpec
from crowdwatch.feeds.demo_calendar import SESSION_DAY, trading_days
from crowdwatch.feeds.demo_spec import SEED

EXPOSURE, GAMMA = "prime_net_exposure", "dealer_gamma"
SPECS = {
    EXPOSURE: SeriesSpec(label="Prime-book net exposure", unit="ratio", role="exposure"),
    GAMMA: SeriesSpec(label="Dealer gamma", unit="usd", role="dealer_gamma"),
}
EXPOSURE_MEAN, EXPOSURE_STEP, EXPOSURE_PERSISTENCE = 0.52, 0.012, 0.92  # net / gross, weekly
EXPOSURE_CLIMB_WEEKS, EXPOSURE_CLIMB_FROM = 10, 0.50
EXPOSURE_TARGET_RANK = 0.885  # share of the past year's reports at or below the last one
GAMMA_MEAN, GAMMA_STEP, GAMMA_PERSISTENCE = 9.0e9, 0.7e9, 0.97  # $ per 1% move, daily
GAMMA_FALL_DAYS, GAMMA_ON_THE_DAY = 15, 4.6e9


def ar1(rng: np.random.Generator, n: int, mean: float, step: float, keep: float) -> np.ndarray:
    """A mean-reverting path: x(t) = mean + keep * (x(t-1) - mean) + step * noise."""
    out = np.empty(n)
    level = mean
    for k, shock in enumerate(rng.standard_normal(n).tolist()):
        level = mean + keep * (level - mean) + step * shock
        out[k] = level
    return out


def weekly_report_days(days: np.ndarray) -> np.ndarray:
    """The last trading day of each week (a Friday, or the day before a Friday holiday)."""
    week = (days - np.datetime64("1970-01-05")).astype(int) // 7  # Monday-based weeks
    last_of_week = np.append(week[1:] != week[:-1], True)
    return days[last_of_week]


def net_exposure(rng: np.random.Generator, report_days: np.ndarray) -> np.ndarray:
    """Weekly net exposure whose last report is pinned to EXPOSURE_TARGET_RANK of its year."""
    values = ar1(rng, len(report_days), EXPOSURE_MEAN, EXPOSURE_STEP, EXPOSURE_PERSISTENCE)
    past_year = (report_days >= report_days[-1] - np.timedelta64(365, "D")) & (
        report_days < report_days[-1]
    )
    prior = np.sort(values[past_year])
    below = int(round(EXPOSURE_TARGET_RANK * len(prior)))
    pinned = (prior[below - 1] + prior[below]) / 2  # exactly `below` reports at or under it
    # the climb into the day stays under the pinned level, so the rank above still holds
    climb = np.linspace(EXPOSURE_CLIMB_FROM, pinned, EXPOSURE_CLIMB_WEEKS + 1)[1:-1]
    start = len(values) - EXPOSURE_CLIMB_WEEKS
    wiggle = 0.25 * EXPOSURE_STEP * rng.standard_normal(len(climb))
    values[start:-1] = np.minimum(climb + wiggle, pinned - 0.002)
    values[-1] = pinned
    return np.round(values, 4)


def dealer_gamma(rng: np.random.Generator, n: int) -> np.ndarray:
    """Daily dealer gamma that falls over the last sessions to GAMMA_ON_THE_DAY."""
    values = ar1(rng, n, GAMMA_MEAN, GAMMA_STEP, GAMMA_PERSISTENCE)
    start = values[-GAMMA_FALL_DAYS - 1]
    fall = np.linspace(start, GAMMA_ON_THE_DAY, GAMMA_FALL_DAYS + 1)[1:]
    fall[:-1] += 0.15 * GAMMA_STEP * rng.standard_normal(GAMMA_FALL_DAYS - 1)
    values[-GAMMA_FALL_DAYS:] = fall
    return np.round(values, -6)


def demo_series() -> pl.DataFrame:
    """date, name, value: the clean series frame the reader would return (sorted)."""
    rng = np.random.default_rng(SEED + 12)  # its own stream: the market is unchanged
    days = trading_days(end=SESSION_DAY)
    reports = weekly_report_days(days)[:-1]  # the session's week has not reported yet
    exposure = net_exposure(rng, reports)
    gamma = dealer_gamma(rng, len(days))
    return pl.DataFrame(
        {
            "date": np.concatenate([days, reports]),
            "name": [GAMMA] * len(days) + [EXPOSURE] * len(reports),
            "value": np.concatenate([gamma, exposure]),
        },
        schema={"date": pl.Date, "name": pl.String, "value": pl.Float64},
    ).sort("name", "date")
