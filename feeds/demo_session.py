"""The replayed session of 2026-02-04: one tick a minute, the unwind building into the close."""

from __future__ import annotations

import numpy as np

from crowdwatch.config.calendar import SESSION_MINUTES
from crowdwatch.feeds import demo_spec as spec

OPEN_SHARE = 0.12  # share of the day's move already in the opening print
BUILD_EXPONENT = 1.5  # > 1: the selling accelerates into the afternoon
INTRADAY_NOISE = 0.6  # bridge noise, times each stock's daily idiosyncratic vol
MARKET_NOISE = 0.003


def brownian_bridge(rng: np.random.Generator, steps: int, n: int) -> np.ndarray:
    """(steps + 1, n) standard Brownian bridges on [0, 1]: zero at both ends."""
    walk = np.vstack([np.zeros((1, n)), np.cumsum(rng.standard_normal((steps, n)), axis=0)])
    walk /= np.sqrt(steps)
    tau = np.linspace(0.0, 1.0, steps + 1)[:, None]
    return walk - tau * walk[-1]


def session_paths(
    prev_close: np.ndarray, day_return: np.ndarray, idio_vol: np.ndarray
) -> np.ndarray:
    """Prices per tick (SESSION_MINUTES + 1, n): prev_close at the bell's eve, close at 16:00."""
    n = prev_close.size
    rng = np.random.default_rng(spec.SEED + 2)
    tau = np.linspace(0.0, 1.0, SESSION_MINUTES + 1)[:, None]
    progress = OPEN_SHARE + (1.0 - OPEN_SHARE) * tau**BUILD_EXPONENT
    gap = rng.standard_normal(n) * idio_vol * 0.25 * (1.0 - tau)
    wander = brownian_bridge(rng, SESSION_MINUTES, n) * idio_vol * INTRADAY_NOISE
    market = brownian_bridge(rng, SESSION_MINUTES, 1) * MARKET_NOISE
    log_path = np.log1p(day_return) * progress + gap + wander + market
    return prev_close * np.exp(log_path)


def etf_paths(
    stock_paths: np.ndarray, stock_prev: np.ndarray, weights: np.ndarray, etf_prev: np.ndarray
) -> np.ndarray:
    """Index ETFs priced off their constituents' ticks (same weights as the daily history)."""
    stock_returns = stock_paths / stock_prev - 1.0
    return etf_prev * (1.0 + stock_returns @ weights.T)
