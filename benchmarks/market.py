"""Synthetic desk-sized markets for the benchmarks: n names x n days, fixed seed."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from crowdwatch.config.schema import Config

BENCHMARK = "SPY"
START = date(2016, 1, 4)


def bundled_config() -> Config:
    """The bundled default config, never the user's (an empty override folder)."""
    from crowdwatch.config.loader import load_config

    os.environ["CROWDWATCH_CONFIG_DIR"] = tempfile.mkdtemp(prefix="crowdwatch-bench-")
    return load_config()


def market_tickers(config: Config, n_names: int) -> list[str]:
    """The benchmark, every LETF underlying, every themed ticker, then filler names."""
    named = [BENCHMARK]
    for ticker in [f.underlying for f in config.letfs] + [
        t for theme in config.themes for t in theme.tickers
    ]:
        if ticker not in named:
            named.append(ticker)
    filler = [f"Z{i:04d}" for i in range(max(0, n_names + 1 - len(named)))]
    return sorted(named + filler)


def trading_days(n_days: int) -> np.ndarray:
    """Weekdays from START (holidays do not matter to the computation)."""
    days = np.arange(np.datetime64(START), np.datetime64(START) + n_days * 2, dtype="datetime64[D]")
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    return days[weekday < 5][:n_days]


def synthetic_market(
    n_names: int, n_days: int, seed: int = 7, with_caps: bool = True
) -> tuple[pl.DataFrame, Config]:
    """History (date, ticker, close[, market_cap]) sorted by (ticker, date), and the config.

    Like real data: a market factor plus sector-ish clusters and noise, ~8% late listings,
    ~4% delistings, a few one-day gaps, flat days (exact ties) and occasional momentum crashes.
    """
    config = bundled_config()
    rng = np.random.default_rng(seed)
    tickers = market_tickers(config, n_names)
    n = len(tickers)
    market = rng.normal(0.0003, 0.011, n_days)
    clusters = rng.normal(0.0, 0.008, (n_days, 12))
    cluster_of = rng.integers(0, 12, n)
    betas = rng.uniform(0.4, 1.8, n)
    noise = rng.uniform(0.008, 0.035, n)
    log_ret = (
        market[:, None] * betas + clusters[:, cluster_of] + rng.standard_normal((n_days, n)) * noise
    )
    bench = tickers.index(BENCHMARK)
    log_ret[:, bench] = market
    for day in rng.integers(300, n_days, size=4):  # momentum crashes
        past = log_ret[day - 252 : day - 21].sum(axis=0)
        log_ret[day] -= 0.15 * (past - past.mean()) / np.abs(past - past.mean()).max()
    log_ret[rng.random(log_ret.shape) < 0.005] = 0.0
    log_ret[0] = 0.0
    close = np.round(np.exp(np.cumsum(log_ret, axis=0)) * rng.uniform(10, 400, n), 4)
    present = np.ones_like(close, dtype=bool)
    others = np.array([j for j in range(n) if j != bench])
    late = rng.choice(others, size=max(1, n * 8 // 100), replace=False)
    listed_from = rng.integers(20, n_days - 300, len(late))
    present[:, late] = np.arange(n_days)[:, None] >= listed_from[None, :]
    gone = rng.choice(np.setdiff1d(others, late), size=max(1, n * 4 // 100), replace=False)
    delisted_at = rng.integers(300, n_days - 2, len(gone))
    present[:, gone] = np.arange(n_days)[:, None] < delisted_at[None, :]
    gaps = rng.choice(others, size=max(1, n // 50), replace=False)
    present[rng.integers(1, n_days - 1, len(gaps)), gaps] = False
    name, day = np.nonzero(present.T)  # ticker-major, so the frame comes out sorted
    dates = trading_days(n_days)
    columns = {
        "date": dates[day],
        "ticker": pl.Series(np.array(tickers, dtype=object)[name], dtype=pl.String),
        "close": close[day, name],
    }
    if with_caps:
        shares = rng.uniform(1e7, 2e9, n)
        columns["market_cap"] = close[day, name] * shares[name]
    history = pl.DataFrame(columns).with_columns(pl.col("date").cast(pl.Date))
    return history, config


def last_closes(history: pl.DataFrame) -> pl.DataFrame:
    """ticker, close on the history's last day (the tickers that trade today)."""
    return history.filter(pl.col("date") == pl.col("date").max()).select("ticker", "close")


def live_quotes(history: pl.DataFrame, tick: int, seed: int = 11, last=None) -> pl.DataFrame:
    """Quotes for the session after the history's last day; every quote changes each tick."""
    last = last_closes(history) if last is None else last
    rng = np.random.default_rng(seed + tick)
    moves = np.exp(rng.normal(0.0, 0.01, last.height))
    day = history.get_column("date").max() + timedelta(days=1)
    ts = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15, seconds=tick)
    return last.select(
        "ticker",
        last=pl.col("close") * pl.Series(moves),
        ts=pl.lit(ts).cast(pl.Datetime("us", "UTC")),
    )
