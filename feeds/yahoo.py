"""The Yahoo Finance source: cached daily history and polled live quotes through yfinance.

History covers the universe (the bundled S&P 500 list with sectors, feeds/data/universe.csv,
plus every themed ticker), the benchmark and the leveraged-ETF underlyings. It is cached as
Parquet under the platformdirs user cache dir (`crowdwatch/yahoo/history.parquet`) and
refreshed incrementally: a ticker is only asked for the days after its last cached date.
When Yahoo cannot be reached, the cached history is used and `cached` is set (the status
line's CACHED badge); with no cache the feed raises FeedError within the deadline. Until
Yahoo first answers, the history and the first quote poll share that one deadline (~25 s),
so the report and the dashboard give up at the same time.
Quotes are polled in batches each refresh; errors and rate limits back off exponentially
while the last good quotes stay on screen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl

from crowdwatch.config.calendar import NEW_YORK, NEW_YORK_NAME
from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import QUOTES_SCHEMA, FeedError, SourceUnavailable
from crowdwatch.feeds.cache import CACHE_SCHEMA, HistoryCache, default_cache_dir, merge_history
from crowdwatch.feeds.frames import UNIVERSE_SCHEMA, read_universe, short_error
from crowdwatch.feeds.yahoo_client import YahooClient, YahooRateLimited, YFinanceClient

BUNDLED_UNIVERSE = Path(__file__).parent / "data" / "universe.csv"
UNREACHABLE = (
    "Yahoo Finance could not be reached ({reason}): check the network or use "
    "--source demo / --source files --data DIR"
)
T = TypeVar("T")


def run_with_deadline(call: Callable[[], T], seconds: float) -> T:
    """Run `call` in a daemon thread; TimeoutError if it has not returned within `seconds`.

    A hung connection cannot be interrupted, only abandoned: the daemon thread dies with
    the process and its late answer is ignored.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="crowdwatch-yahoo", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def last_complete_session(today: date) -> date:
    """The latest weekday before `today` (holidays make this one day early at worst)."""
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def to_yahoo(ticker: str) -> str:
    return ticker.replace(".", "-")  # Yahoo spells share classes BRK-B, not BRK.B


def batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class YahooFeed:
    """Feed over Yahoo Finance; see the module docstring."""

    name = "yahoo"
    simulated = False

    def __init__(
        self,
        config: Config,
        cache_dir: Path | None = None,
        client: YahooClient | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        deadline_seconds: float = 25.0,
        quote_deadline_seconds: float = 10.0,
        batch_size: int = 100,
        history_years: int | None = None,
        universe_path: Path = BUNDLED_UNIVERSE,
    ) -> None:
        self.config = config
        self.cache = HistoryCache(cache_dir if cache_dir is not None else default_cache_dir())
        self.client: YahooClient = client if client is not None else YFinanceClient()
        self.now, self.monotonic = now, monotonic
        self.deadline_seconds = deadline_seconds
        self.quote_deadline_seconds = quote_deadline_seconds
        self.batch_size = batch_size
        settings = config.settings
        # signals need a year of closes before the first day the dispersion percentile uses
        self.history_years = history_years or max(5, settings.dispersion_since_years + 2)
        self.cached = False  # True when history came from the cache because Yahoo failed
        self.last_error: str | None = None  # the current source problem, None when healthy
        self.requests: list[tuple[date, list[str]]] = []  # history batches asked this run
        self._history_warnings: list[str] = []
        self._quotes_warning: str | None = None
        self._gap_warning: str | None = None
        self._universe_warning: str | None = None
        self._universe = self._load_universe(universe_path)
        underlyings = {fund.underlying for fund in config.letfs}
        wanted = set(self._universe["ticker"].to_list()) | {settings.benchmark} | underlyings
        self.tickers = sorted(wanted)
        self._from_yahoo = {to_yahoo(t): t for t in reversed(self.tickers)}
        self._history_last: date | None = None
        self._quotes: pl.DataFrame | None = None
        self._failures = 0
        self._next_poll = float("-inf")
        # the start-up attempt (history, then the first quote poll) shares ONE deadline
        # until Yahoo answers: unreachable, the report and the dashboard give up at ~25 s
        self._attempt_ends: float | None = None

    # -- universe ---------------------------------------------------------------------

    def _load_universe(self, path: Path) -> pl.DataFrame:
        themed = [t for theme in self.config.themes for t in theme.tickers]
        if path.is_file():
            bundled = read_universe(path)
        else:
            self._universe_warning = f"{path} missing: the Yahoo universe is the themed tickers"
            bundled = pl.DataFrame(schema=UNIVERSE_SCHEMA)
        extra = pl.DataFrame({"ticker": themed}, schema={"ticker": pl.String})
        return (
            pl.concat([bundled, extra], how="diagonal_relaxed")
            .unique(subset=["ticker"], keep="first", maintain_order=True)
            .select(list(UNIVERSE_SCHEMA))
        )

    def universe(self) -> pl.DataFrame | None:
        return self._universe

    # -- history ----------------------------------------------------------------------

    def today(self) -> date:
        """The New York trading date now: history stops the day before it."""
        return self.now().astimezone(NEW_YORK).date()

    def first_day(self, today: date) -> date:
        """Where a ticker with no cache starts."""
        return today - timedelta(days=round(365.25 * self.history_years))

    def plan(self, cached: pl.DataFrame | None, today: date) -> list[tuple[date, list[str]]]:
        """(start, tickers) requests: new tickers from history_years ago, cached ones from
        their last cached date (one overlap day, to detect re-adjusted closes)."""
        last = {}
        if cached is not None and not cached.is_empty():
            frame = cached.group_by("ticker").agg(pl.col("date").max())
            last = dict(zip(frame["ticker"].to_list(), frame["date"].to_list(), strict=True))
        fresh_enough = last_complete_session(today)
        first_day = self.first_day(today)
        starts: dict[date, list[str]] = {}
        for ticker in self.tickers:
            start = last.get(ticker)
            if start is not None and start >= fresh_enough:
                continue
            starts.setdefault(start or first_day, []).append(ticker)
        return [
            (start, chunk)
            for start in sorted(starts)
            for chunk in batches(starts[start], self.batch_size)
        ]

    def _call(self, call: Callable[[], T], seconds: float) -> T:
        """run_with_deadline, within what is left of the start-up attempt while Yahoo has
        not answered yet (the message then gives the attempt's deadline)."""
        left = None if self._attempt_ends is None else self._attempt_ends - self.monotonic()
        if left is None or left >= seconds:
            return run_with_deadline(call, seconds)
        said = f"no answer within {self.deadline_seconds:g} s"
        if left <= 0:
            raise TimeoutError(said)
        try:
            return run_with_deadline(call, left)
        except TimeoutError:
            raise TimeoutError(said) from None

    def history(self) -> pl.DataFrame:
        self._history_warnings, self.cached, self.requests = [], False, []
        self.last_error = None
        self._attempt_ends = self.monotonic() + self.deadline_seconds
        cached = self.cache.load()
        if self.cache.problem:
            self._history_warnings.append(self.cache.problem)
        today = self.today()
        fresh_parts: list[pl.DataFrame] = []
        failure: str | None = None
        deadline = self.deadline_seconds
        for start, tickers in self.plan(cached, today):
            self.requests.append((start, tickers))
            symbols = [to_yahoo(t) for t in tickers]
            try:
                batch = self._call(
                    lambda s=symbols, d=start: self.client.history(s, d, today), deadline
                )
            except Exception as exc:  # any failure of a batch means Yahoo is not answering
                failure = short_error(exc)
                break
            self._attempt_ends = None  # Yahoo answered: the network is there
            if batch.frame.is_empty() and start == self.first_day(today):
                # years of nothing for a whole batch is not a holiday: Yahoo is not answering
                failure = "no data in Yahoo's answer"
                break
            fresh_parts.append(self._to_ours(batch.frame).filter(pl.col("date") < today))
            # the first answer proves the network; a cold cache may need slower batches
            deadline = self.deadline_seconds * 4
        merged = cached
        if fresh_parts:
            merged = merge_history(cached, pl.concat(fresh_parts))
            try:
                self.cache.save(merged)
            except OSError as exc:
                self._history_warnings.append(
                    f"could not write the Yahoo cache {self.cache.path} ({short_error(exc)})"
                )
        if failure is not None:
            self._on_history_failure(failure, cached, merged)
        if merged is None:  # nothing cached and nothing asked: no tickers at all
            raise FeedError(UNREACHABLE.format(reason="no tickers to ask for"))
        frame = merged.filter(pl.col("ticker").is_in(self.tickers)).sort("ticker", "date")
        if frame.is_empty():
            raise SourceUnavailable(UNREACHABLE.format(reason="no data for any ticker"))
        self._warn_gaps(frame)
        self._history_last = frame["date"].max()  # type: ignore[assignment]
        return frame.select(list(CACHE_SCHEMA))

    def _on_history_failure(
        self, failure: str, cached: pl.DataFrame | None, merged: pl.DataFrame | None
    ) -> None:
        self.last_error = f"Yahoo Finance: {failure}"
        if cached is not None and not cached.is_empty():
            self.cached = True
            last = cached["date"].max()
            self._history_warnings.append(
                f"Yahoo Finance could not be reached ({failure}); "
                f"showing cached history to {last} (CACHED)"
            )
        elif merged is not None and not merged.is_empty():
            self._history_warnings.append(
                f"Yahoo Finance stopped answering ({failure}); some tickers have no history"
            )
        else:
            raise SourceUnavailable(UNREACHABLE.format(reason=failure))

    def _warn_gaps(self, frame: pl.DataFrame) -> None:
        present = set(frame["ticker"].unique().to_list())
        absent = [t for t in self.tickers if t not in present]
        if absent:
            self._history_warnings.append(
                f"no Yahoo data for {len(absent)} ticker(s): {_listing(absent)}"
            )
        last = frame.group_by("ticker").agg(pl.col("date").max())
        newest = last["date"].max()
        behind = last.filter(pl.col("date") < newest).sort("ticker")["ticker"].to_list()
        if behind and not self.cached:
            self._history_warnings.append(
                f"{len(behind)} ticker(s) stop before {newest} (delisted or renamed?): "
                f"{_listing(behind)}"
            )

    def _to_ours(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Yahoo symbols back to the configured tickers; unknown symbols are dropped."""
        mapping = pl.DataFrame(
            {"ticker": list(self._from_yahoo), "ours": list(self._from_yahoo.values())}
        )
        return (
            frame.join(mapping, on="ticker", how="inner")
            .with_columns(pl.col("ours").alias("ticker"))
            .drop("ours")
        )

    # -- quotes -----------------------------------------------------------------------

    def quotes(self) -> pl.DataFrame | None:
        if self.monotonic() >= self._next_poll:
            self._poll()
        return self._session_quotes()

    def closing_quotes(self) -> pl.DataFrame | None:
        return self.quotes()

    def _poll(self) -> None:
        fresh: list[pl.DataFrame] = []
        failure: Exception | None = None
        for chunk in batches([to_yahoo(t) for t in self.tickers], self.batch_size):
            try:
                answer = self._call(
                    lambda c=chunk: self.client.quotes(c), self.quote_deadline_seconds
                )
                if answer.is_empty():
                    raise ValueError("no quotes in Yahoo's answer")
            except Exception as exc:  # keep what answered, back off for the rest
                failure = exc
                break
            fresh.append(answer)
        self._attempt_ends = None  # after the first poll, polls keep their own deadline
        if fresh:
            parts = [self._quotes] if self._quotes is not None else []
            merged = pl.concat([*parts, *(self._to_ours(q) for q in fresh)])
            self._quotes = (
                merged.sort("ts").unique(subset=["ticker"], keep="last").sort("ticker")
            ).cast(QUOTES_SCHEMA)
        if failure is None:
            self._failures, self._next_poll = 0, float("-inf")
            self._quotes_warning = None
            self.last_error = None
            return
        self._failures += 1
        refresh = max(self.config.settings.refresh_seconds, 1.0)
        base = max(refresh, 15.0) if isinstance(failure, YahooRateLimited) else refresh
        delay = min(base * 2 ** (self._failures - 1), 300.0)
        self._next_poll = self.monotonic() + delay
        kept = "keeping the last good quotes" if self._quotes is not None else "no quotes yet"
        self._quotes_warning = (
            f"Yahoo quotes: {short_error(failure)}; {kept}, retrying in {delay:g} s"
        )
        self.last_error = self._quotes_warning

    def _session_quotes(self) -> pl.DataFrame | None:
        """Quotes of a session after the last history day; older ones mean the market is
        closed and the dashboard shows the last close instead."""
        self._gap_warning = None
        if self._quotes is None:
            return None
        quotes = self._quotes
        if self._history_last is None:
            return None if quotes.is_empty() else quotes
        session_day = pl.col("ts").dt.convert_time_zone(NEW_YORK_NAME).dt.date()
        quotes = quotes.filter(session_day > self._history_last)
        if quotes.is_empty():
            return None
        day = quotes.select(session_day.max()).item()
        # live returns are last / previous close: with days missing in between (a cache
        # that could not be refreshed) they would span several sessions; one missing
        # weekday may be a holiday
        gap = int(np.busday_count(self._history_last + timedelta(days=1), day))
        if gap > 1:
            self._gap_warning = (
                f"Yahoo history ends {self._history_last}, {gap} trading days before the "
                f"quotes ({day}): showing the last close; restart when Yahoo is reachable"
            )
            return None
        return quotes

    def warnings(self) -> list[str]:
        found = [
            self._universe_warning,
            *self._history_warnings,
            self._quotes_warning,
            self._gap_warning,
        ]
        return [w for w in found if w]


def _listing(tickers: list[str], limit: int = 8) -> str:
    more = len(tickers) - limit
    return ", ".join(tickers[:limit]) + (f" and {more} more" if more > 0 else "")
