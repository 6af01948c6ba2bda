"""Small random markets (history + config) for the reference-vs-implementation tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import polars as pl

from crowdwatch.config.schema import Config, FactorSpec, LetfFund, Settings, Theme

BENCHMARK = "SPY"
INDEX_ETFS = ("QQQ", "SOXX")  # LETF underlyings; SOXX is listed by a theme, QQQ is not
MISSING_TICKER = "NOPE"  # listed by a theme, never in the data
STARTS = (date(2021, 3, 1), date(2022, 6, 15), date(2023, 1, 2), date(2023, 11, 20))


def _stock_names(n_stocks: int) -> list[str]:
    return [f"S{i:02d}" for i in range(n_stocks)]


def _momentum_shock(log_ret: np.ndarray, day: int, size: float) -> None:
    """Make `day` a momentum crash: past 12-1 winners fall, losers rally (in place)."""
    if day < 253:
        return
    past = log_ret[day - 252 : day - 21].sum(axis=0)
    centred = past - past.mean()
    scale = np.abs(centred).max() or 1.0
    log_ret[day] -= size * centred / scale


def random_market(
    seed: int,
    n_stocks: int = 12,
    n_days: int = 400,
    quantile: float | None = None,
    with_caps: bool | None = None,
    shock_last: bool | None = None,
    theme_shock: float | None = None,
) -> tuple[pl.DataFrame, Config]:
    """A random market: history (date, ticker, close[, market_cap]) and a Config.

    Holds the benchmark SPY, index ETFs QQQ and SOXX (LETF underlyings), n_stocks stocks with
    market + noise returns, a twin stock (2x another's closes, so every signal ties exactly),
    two late listings, a delisting, a one-day gap, flat days (ties in returns) and a few
    momentum crashes so that events and flags occur. Arguments left None are drawn from seed.
    """
    rng = np.random.default_rng(seed)
    assert n_days > 300, "mom needs 253 closes"
    if quantile is None:
        quantile = float(rng.choice([0.1, 0.2, 0.25, 0.3, 0.4, 0.5]))
    if with_caps is None:
        with_caps = bool(rng.random() < 0.5)
    if shock_last is None:
        shock_last = bool(rng.random() < 0.4)
    if theme_shock is None:
        theme_shock = float(rng.choice([0.0, 0.0, -0.08, 0.08]))
    assert n_stocks >= 10, "the themes below use ten distinct stocks"
    start = STARTS[int(rng.integers(len(STARTS)))]
    dates = pd.bdate_range(start, periods=n_days).date
    stocks = _stock_names(n_stocks)
    twin = "TWIN"
    tickers = [BENCHMARK, *INDEX_ETFS, *stocks]

    market = rng.normal(0.0003, 0.01, n_days)
    betas = np.concatenate([[1.0, 1.2, 1.4], rng.uniform(0.3, 1.8, n_stocks)])
    noise_sd = np.concatenate([[0.0, 0.004, 0.006], rng.uniform(0.005, 0.03, n_stocks)])
    drift = np.concatenate([[0.0, 0.0, 0.0], rng.normal(0.0, 0.001, n_stocks)])
    log_ret = market[:, None] * betas + drift + rng.normal(size=(n_days, len(tickers))) * noise_sd
    log_ret[0] = 0.0
    stock_cols = slice(3, None)
    for day in sorted(rng.integers(min(330, n_days - 20), n_days - 1, size=2)):
        _momentum_shock(log_ret[:, stock_cols], int(day), 0.12)
    if shock_last:
        _momentum_shock(log_ret[:, stock_cols], n_days - 1, 0.15)
    # the Alpha theme (S00, S01 and its twin, S02) moves hard on the last day: flags
    log_ret[-1, 3:6] += theme_shock
    # flat days: unchanged closes make exact ties in returns (Spearman, percentiles)
    flat = rng.random(log_ret.shape) < 0.01
    flat[:, 0] = False
    flat[-1, 9:12] = rng.random() < 0.5  # S06..S08 unchanged on the last day
    log_ret[flat] = 0.0
    closes = np.exp(np.cumsum(log_ret, axis=0)) * rng.uniform(20, 300, len(tickers))
    closes = np.round(closes, 4)

    frame = pd.DataFrame(closes, index=pd.Index(dates, name="date"), columns=tickers)
    frame[twin] = frame[stocks[1]] * 2.0  # exact ties in every signal
    late_a, late_b = stocks[-1], stocks[-2]
    frame.loc[frame.index[: int(rng.integers(40, 200))], late_a] = np.nan
    frame.loc[frame.index[: int(rng.integers(150, 280))], late_b] = np.nan
    delisted = stocks[-3]
    frame.loc[frame.index[int(rng.integers(n_days - 120, n_days - 5)) :], delisted] = np.nan
    gap_ticker = stocks[2]
    frame.loc[frame.index[int(rng.integers(250, n_days - 1))], gap_ticker] = np.nan

    long = frame.reset_index().melt(id_vars="date", var_name="ticker", value_name="close")
    long = long.dropna(subset=["close"])
    if with_caps:
        shares = {t: float(rng.uniform(1e7, 1e9)) for t in frame.columns}
        long["market_cap"] = long["close"] * long["ticker"].map(shares)
    history = pl.from_pandas(long).with_columns(pl.col("date").cast(pl.Date)).sort("ticker", "date")

    config = Config(
        settings=Settings(
            benchmark=BENCHMARK,
            quantile=quantile,
            dispersion_since_years=int(rng.choice([1, 3])),
        ),
        themes=(
            Theme("Alpha", (stocks[0], stocks[1], twin, MISSING_TICKER, stocks[2])),
            Theme(
                "Weighted",
                (stocks[3], stocks[4], stocks[5], stocks[6], delisted),
                weights={stocks[3]: 2.0, stocks[5]: 0.5},
            ),
            Theme("Chips", ("SOXX", stocks[7], stocks[8], late_a)),
        ),
        letfs=(
            LetfFund("TQQQ", "QQQ", 3.0, 2.0e10),
            LetfFund("SQQQ", "QQQ", -3.0, 3.0e9),
            LetfFund("SOXL", "SOXX", 3.0, 1.0e10),
            LetfFund("S00U", stocks[0], 2.0, 5.0e8),
        ),
        factors=(
            FactorSpec("momentum", "mom", "top"),
            FactorSpec("beta", "beta", "top"),
            FactorSpec("low_vol", "vol", "bottom"),
            FactorSpec("reversal", "rev", "bottom"),
            *((FactorSpec("size", "size", "bottom"),) if with_caps else ()),
        ),
    )
    return history, config


def quotes_from_close(history: pl.DataFrame, day: date, drop: tuple[str, ...] = ()) -> pl.DataFrame:
    """Quotes (ticker, last, ts) equal to the closes of `day`, minus the `drop` tickers."""
    rows = history.filter((pl.col("date") == day) & ~pl.col("ticker").is_in(list(drop)))
    ts = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    return rows.select(
        "ticker",
        pl.col("close").alias("last"),
        pl.lit(ts).cast(pl.Datetime("us", "UTC")).alias("ts"),
    )


def hand_market(closes: dict[str, list[float | None]], start: date = date(2024, 1, 2)):
    """A hand-built history: business days from `start`; None (or a short list) = no row."""
    n_days = max(len(series) for series in closes.values())
    dates = pd.bdate_range(start, periods=n_days).date
    rows = [
        (dates[i], ticker, float(value))
        for ticker, series in closes.items()
        for i, value in enumerate(series)
        if value is not None
    ]
    history = pl.DataFrame(rows, schema=["date", "ticker", "close"], orient="row")
    return history.with_columns(pl.col("date").cast(pl.Date)).sort("ticker", "date")


def closes_from_returns(returns: list[float], first: float = 100.0) -> list[float]:
    """Closes whose day-on-day returns are `returns` (the first close has none)."""
    out = [first]
    for value in returns:
        out.append(out[-1] * (1.0 + value))
    return out


EDGE_CASES = (
    "benchmark_gap",
    "null_closes",
    "ghost_theme",
    "dead_theme",
    "theme_with_benchmark",
    "duplicate_theme_ticker",
    "absent_underlying",
    "letf_rows_in_history",
    "no_letfs",
    "cap_weighting",
)


def with_edge_cases(
    history: pl.DataFrame, config: Config, cases: tuple[str, ...]
) -> tuple[pl.DataFrame, Config]:
    """The market with the named awkward cases added (see EDGE_CASES)."""
    dates = history["date"].unique().sort()
    themes, letfs, settings = list(config.themes), list(config.letfs), config.settings
    if "benchmark_gap" in cases:
        gap = (pl.col("ticker") == BENCHMARK) & pl.col("date").is_in([dates[-30], dates[-3]])
        history = history.filter(~gap)
    if "null_closes" in cases:
        hole = (pl.col("ticker") == "S04") & pl.col("date").is_in([dates[-50], dates[-1]])
        history = history.with_columns(
            pl.when(hole).then(None).otherwise(pl.col("close")).alias("close")
        )
    if "ghost_theme" in cases:
        themes.append(Theme("Ghost", ("X1", "X2")))
    if "dead_theme" in cases:
        themes.append(Theme("Dead", ("S09",)))  # S09 is delisted before the end
    if "theme_with_benchmark" in cases:
        themes.append(Theme("Index", (BENCHMARK, "S00")))
    if "duplicate_theme_ticker" in cases:
        themes.append(Theme("Dup", ("S03", "S03", "S06"), weights={"S03": 3.0}))
    if "absent_underlying" in cases:
        letfs.append(LetfFund("NVDL", "NVDA", 2.0, 1e9))
    if "letf_rows_in_history" in cases:
        # a real 3x fund: three times QQQ's DAILY return (3 x its price would give TQQQ the
        # same returns as QQQ up to rounding, a near-tie no ordering rule can settle)
        daily = pl.col("close") / pl.col("close").shift(1) - 1.0
        fund = history.filter(pl.col("ticker") == "QQQ").with_columns(
            pl.lit("TQQQ").alias("ticker"),
            (50.0 * (1.0 + 3.0 * daily.fill_null(0.0)).cum_prod()).alias("close"),
        )
        history = pl.concat([history, fund.select(history.columns)]).sort("ticker", "date")
    if "no_letfs" in cases:
        letfs = []
    if "cap_weighting" in cases and "market_cap" in history.columns:
        settings = Settings(
            benchmark=settings.benchmark,
            quantile=settings.quantile,
            dispersion_since_years=settings.dispersion_since_years,
            weighting="cap",
        )
    config = Config(
        settings=settings, themes=tuple(themes), letfs=tuple(letfs), factors=config.factors
    )
    return history, config
