"""DemoFeed: a deterministic simulated market that replays the 4 Feb 2026 momentum unwind."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import QUOTES_SCHEMA, FeedError
from crowdwatch.feeds.demo_calendar import session_times
from crowdwatch.feeds.demo_market import DemoMarket, Simulator, load_universe
from crowdwatch.feeds.demo_session import etf_paths, session_paths
from crowdwatch.feeds.user_series import FixedSeries

REPLAY_SECONDS = 180.0  # wall time of the whole session at speed 1


class DemoFeed:
    """The default source: history from 2021-01-04, then a live replay of 2026-02-04.

    The replay clock starts at the first `quotes()` call; the session then takes
    REPLAY_SECONDS / speed of wall time and holds at the close.
    """

    name = "demo"
    simulated = True

    def __init__(
        self,
        config: Config,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not speed > 0:
            raise FeedError(f"demo replay speed must be positive (--speed), got {speed!r}")
        self.config = config
        self.speed = float(speed)
        self.clock = clock
        self._start: float | None = None
        self._lock = threading.RLock()
        self._market: DemoMarket | None = None
        self._history: pl.DataFrame | None = None
        self._ticks: tuple[tuple[str, ...], np.ndarray] | None = None

    # -- building (once, cached) -------------------------------------------------------

    def market(self) -> DemoMarket:
        with self._lock:
            if self._market is None:
                self._market = Simulator(self.config.settings.benchmark).build()
            return self._market

    def ticks(self) -> tuple[tuple[str, ...], np.ndarray]:
        """Tickers trading in the session and their prices per tick (ticks x tickers)."""
        with self._lock:
            if self._ticks is None:
                self._ticks = build_ticks(self.market())
            return self._ticks

    # -- the Feed protocol -------------------------------------------------------------

    def history(self) -> pl.DataFrame:
        """date, ticker, close, market_cap (null for ETFs), sorted by (ticker, date)."""
        with self._lock:
            if self._history is None:
                self._history = history_frame(self.market())
            return self._history

    def universe(self) -> pl.DataFrame:
        return load_universe()

    def quotes(self) -> pl.DataFrame:
        now = self.clock()
        if self._start is None:
            self._start = now
        names, prices = self.ticks()
        last = prices.shape[0] - 1
        step = int((now - self._start) * self.speed / REPLAY_SECONDS * last)
        return self.tick_frame(min(max(step, 0), last))

    def closing_quotes(self) -> pl.DataFrame:
        return self.tick_frame(self.ticks()[1].shape[0] - 1)

    def warnings(self) -> list[str]:
        return []

    def series_source(self) -> FixedSeries:
        """The demo's own simulated series (net exposure, dealer gamma) with their labels."""
        from crowdwatch.feeds.demo_series import SPECS, demo_series

        return FixedSeries(demo_series(), SPECS)

    def session_quotes(self) -> list[pl.DataFrame]:
        """Every minute's quotes from the open to the close (the export's intraday trail)."""
        return [self.tick_frame(step) for step in range(self.ticks()[1].shape[0])]

    def tick_frame(self, step: int) -> pl.DataFrame:
        """The quotes of one session minute (0 = 09:30 New York)."""
        names, prices = self.ticks()
        ts = session_times()[step]
        return pl.DataFrame(
            {"ticker": list(names), "last": prices[step], "ts": [ts] * len(names)},
            schema=QUOTES_SCHEMA,
        )


def build_ticks(m: DemoMarket) -> tuple[tuple[str, ...], np.ndarray]:
    """Session prices of every stock still trading and of the index ETFs, sorted by ticker."""
    trading = np.isfinite(m.session_returns)
    stock_prev = np.where(trading, m.closes[-1], 1.0)
    stocks = session_paths(
        stock_prev, np.nan_to_num(m.session_returns), np.where(trading, m.idio_vol, 0.0)
    )
    etfs = etf_paths(stocks, stock_prev, m.etf_weights, m.etf_closes[-1])
    names = [t for t, ok in zip(m.tickers, trading, strict=True) if ok] + list(m.etf_tickers)
    prices = np.hstack([stocks[:, trading], etfs])
    order = np.argsort(np.array(names), kind="stable")
    return tuple(names[i] for i in order), prices[:, order]


def history_frame(m: DemoMarket) -> pl.DataFrame:
    """One long frame from the simulator's matrices, built without a sort."""
    names = np.array(list(m.tickers) + list(m.etf_tickers))
    closes = np.hstack([m.closes, m.etf_closes])
    caps = np.hstack([m.caps, np.full(m.etf_closes.shape, np.nan)])
    order = np.argsort(names, kind="stable")
    closes, caps = closes[:, order].T.ravel(), caps[:, order].T.ravel()
    n_days = len(m.dates)
    keep = np.isfinite(closes)
    # gathering from a short string Series is far cheaper than building 760k Python strs
    codes = np.repeat(np.arange(len(names), dtype=np.uint32), n_days)[keep]
    tickers = pl.Series("ticker", names[order].tolist(), dtype=pl.String).gather(codes)
    return pl.DataFrame(
        [
            pl.Series("date", np.tile(m.dates, len(names))[keep], dtype=pl.Date),
            tickers,
            pl.Series("close", closes[keep], dtype=pl.Float64),
            pl.Series("market_cap", caps[keep], dtype=pl.Float64, nan_to_null=True),
        ]
    )
