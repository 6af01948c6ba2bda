"""YahooFeed against a fake client answering from recorded frames: batching, the cache,
incremental refresh, faults (exceptions, timeouts, partial answers, vanished tickers),
quote polling and backoff. No network."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.config.schema import Config, LetfFund, Settings, Theme
from crowdwatch.feeds.base import HISTORY_SCHEMA, QUOTES_SCHEMA, Feed, FeedError
from crowdwatch.feeds.yahoo import BUNDLED_UNIVERSE, YahooFeed, last_complete_session
from crowdwatch.feeds.yahoo_client import (
    LONG_SCHEMA,
    HistoryBatch,
    YahooRateLimited,
    parse_quote_response,
)

FIXTURES = Path(__file__).parent / "fixtures" / "yahoo"
CONFIG = Config(
    settings=Settings(benchmark="SPY", refresh_seconds=2.0),
    themes=(Theme("AI beneficiaries", ("NVDA", "AAPL")),),
    letfs=(LetfFund("TQQQ", "QQQ", 3.0, 1e10),),
)
TICKERS = ["AAPL", "GONE", "MSFT", "NVDA", "QQQ", "SPY"]


def recorded() -> pl.DataFrame:
    return pl.read_csv(FIXTURES / "history.csv", try_parse_dates=True).select(
        pl.col("Date").alias("date"),
        pl.col("Ticker").alias("ticker"),
        pl.col("Close").alias("close"),
        pl.col("Volume").cast(pl.Float64).alias("volume"),
    )


def recorded_quotes() -> pl.DataFrame:
    return parse_quote_response(json.loads((FIXTURES / "quote_v7.json").read_text()))


class FakeYahoo:
    """A YahooClient that answers from frames and can be told to misbehave."""

    def __init__(self, data: pl.DataFrame | None = None, quotes: pl.DataFrame | None = None):
        self.data = data if data is not None else recorded()
        self.quote_table = quotes if quotes is not None else recorded_quotes()
        self.history_calls: list[tuple[list[str], date, date]] = []
        self.quote_calls: list[list[str]] = []
        self.history_error: Exception | None = None
        self.quote_errors: dict[int, Exception] = {}  # quote call number -> what it raises
        self.drop: set[str] = set()  # symbols Yahoo leaves out of its answer
        self.block: threading.Event | None = None  # hang until set (a dead connection)

    def history(self, symbols: list[str], start: date, end: date) -> HistoryBatch:
        self.history_calls.append((list(symbols), start, end))
        if self.block is not None:
            self.block.wait(10)
        if self.history_error is not None:
            raise self.history_error
        frame = self.data.filter(
            pl.col("ticker").is_in(symbols)
            & ~pl.col("ticker").is_in(list(self.drop))
            & (pl.col("date") >= start)
            & (pl.col("date") < end)
        ).cast(LONG_SCHEMA)
        answered = set(frame["ticker"].to_list())
        return HistoryBatch(frame, {s: "no data" for s in symbols if s not in answered})

    def quotes(self, symbols: list[str]) -> pl.DataFrame:
        self.quote_calls.append(list(symbols))
        if self.block is not None:
            self.block.wait(10)
        error = self.quote_errors.get(len(self.quote_calls))
        if error is not None:
            raise error
        return self.quote_table.filter(pl.col("ticker").is_in(symbols))


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def at(day: date, hour: int = 15) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make_feed(tmp_path: Path, client: FakeYahoo, now: datetime, **kwargs: object) -> YahooFeed:
    options: dict[str, object] = {
        "cache_dir": tmp_path / "cache",
        "client": client,
        "now": lambda: now,
        "batch_size": 4,
        "history_years": 1,
        "universe_path": FIXTURES / "universe.csv",
        "deadline_seconds": 5.0,
    }
    options.update(kwargs)
    return YahooFeed(CONFIG, **options)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> FakeYahoo:
    return FakeYahoo()


def test_is_a_feed_with_the_right_tickers(tmp_path: Path, fake: FakeYahoo) -> None:
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)))
    assert isinstance(feed, Feed)
    assert feed.name == "yahoo" and feed.simulated is False
    # universe.csv + themed tickers, then the benchmark and the LETF underlying
    assert feed.tickers == TICKERS
    universe = feed.universe()
    assert universe is not None
    assert universe.columns == ["ticker", "name", "sector", "market_cap"]
    assert universe["ticker"].to_list() == ["AAPL", "MSFT", "GONE", "NVDA"]
    assert universe.filter(pl.col("ticker") == "NVDA")["sector"].to_list() == [None]


def test_bundled_universe_is_read(tmp_path: Path, fake: FakeYahoo) -> None:
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)), universe_path=BUNDLED_UNIVERSE)
    universe = feed.universe()
    assert universe is not None and universe.height > 400
    assert universe.filter(pl.col("ticker") == "AAPL")["sector"].to_list() != [None]
    assert "SPY" in feed.tickers and "QQQ" in feed.tickers


def test_first_load_downloads_in_batches(tmp_path: Path, fake: FakeYahoo) -> None:
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)))
    history = feed.history()
    first_day = date(2025, 2, 4)
    assert fake.history_calls == [
        (["AAPL", "GONE", "MSFT", "NVDA"], first_day, date(2026, 2, 4)),
        (["QQQ", "SPY"], first_day, date(2026, 2, 4)),
    ]
    assert {k: history.schema[k] for k in HISTORY_SCHEMA} == HISTORY_SCHEMA
    assert history.select("ticker", "date").rows() == sorted(
        history.select("ticker", "date").rows()
    )
    # history stops the day before the New York "today"
    assert history["date"].max() == date(2026, 2, 3)
    assert feed.cached is False and feed.last_error is None
    assert feed.warnings() == ["1 ticker(s) stop before 2026-02-03 (delisted or renamed?): GONE"]


def test_cache_round_trip_and_no_request_when_fresh(tmp_path: Path, fake: FakeYahoo) -> None:
    first = make_feed(tmp_path, fake, at(date(2026, 2, 4))).history()
    assert (tmp_path / "cache" / "history.parquet").is_file()
    again = FakeYahoo()
    feed = make_feed(tmp_path, again, at(date(2026, 2, 4)))
    assert_frame_equal(feed.history(), first)
    # only the vanished ticker is asked again; everyone else is up to date
    assert again.history_calls == [(["GONE"], date(2026, 1, 27), date(2026, 2, 4))]


def test_incremental_refresh_asks_only_for_missing_days(tmp_path: Path, fake: FakeYahoo) -> None:
    make_feed(tmp_path, fake, at(date(2026, 1, 29))).history()  # cache up to Jan 28
    later = FakeYahoo()
    incremental = make_feed(tmp_path, later, at(date(2026, 2, 4))).history()
    # each request starts at the ticker's last cached day (one overlap day)
    assert later.history_calls == [
        (["GONE"], date(2026, 1, 27), date(2026, 2, 4)),
        (["AAPL", "MSFT", "NVDA", "QQQ"], date(2026, 1, 28), date(2026, 2, 4)),
        (["SPY"], date(2026, 1, 28), date(2026, 2, 4)),
    ]
    full = make_feed(tmp_path / "cold", FakeYahoo(), at(date(2026, 2, 4))).history()
    assert_frame_equal(incremental, full)


def test_readjusted_closes_rescale_the_cache(tmp_path: Path, fake: FakeYahoo) -> None:
    make_feed(tmp_path, fake, at(date(2026, 1, 29))).history()
    # a 2-for-1 split after Jan 28: Yahoo now reports every earlier AAPL close halved
    split = recorded().with_columns(
        pl.when(pl.col("ticker") == "AAPL").then(pl.col("close") / 2).otherwise("close")
    )
    incremental = make_feed(tmp_path, FakeYahoo(split), at(date(2026, 2, 4))).history()
    full = make_feed(tmp_path / "cold", FakeYahoo(split), at(date(2026, 2, 4))).history()
    assert_frame_equal(incremental.drop("volume"), full.drop("volume"), rel_tol=1e-12)


def test_no_network_and_no_cache_is_a_clear_feed_error(tmp_path: Path, fake: FakeYahoo) -> None:
    fake.history_error = ConnectionError("Could not resolve host: query2.finance.yahoo.com")
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)))
    with pytest.raises(FeedError) as caught:
        feed.history()
    message = str(caught.value)
    assert message.startswith("Yahoo Finance could not be reached (Could not resolve host")
    assert "--source demo / --source files --data DIR" in message
    assert len(fake.history_calls) == 1  # gives up at the first failed batch


def test_an_empty_answer_to_a_cold_download_is_a_failure(tmp_path: Path) -> None:
    feed = make_feed(tmp_path, FakeYahoo(recorded().head(0)), at(date(2026, 2, 4)))
    with pytest.raises(FeedError, match=r"could not be reached \(no data in Yahoo's answer\)"):
        feed.history()


def test_timeout_without_cache_fails_within_the_deadline(tmp_path: Path, fake: FakeYahoo) -> None:
    fake.block = threading.Event()
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)), deadline_seconds=0.05)
    try:
        with pytest.raises(FeedError, match=r"could not be reached \(no answer within 0.05 s\)"):
            feed.history()
    finally:
        fake.block.set()


def test_no_network_with_cache_runs_cached(tmp_path: Path, fake: FakeYahoo) -> None:
    cached = make_feed(tmp_path, fake, at(date(2026, 1, 29))).history()
    offline = FakeYahoo()
    offline.history_error = ConnectionError("Could not resolve host")
    feed = make_feed(tmp_path, offline, at(date(2026, 2, 4)))
    assert_frame_equal(feed.history(), cached)
    assert feed.cached is True
    assert feed.last_error == "Yahoo Finance: Could not resolve host"
    assert feed.warnings() == [
        "Yahoo Finance could not be reached (Could not resolve host); "
        "showing cached history to 2026-01-28 (CACHED)"
    ]


def test_timeout_with_cache_runs_cached(tmp_path: Path, fake: FakeYahoo) -> None:
    make_feed(tmp_path, fake, at(date(2026, 1, 29))).history()
    hung = FakeYahoo()
    hung.block = threading.Event()
    feed = make_feed(tmp_path, hung, at(date(2026, 2, 4)), deadline_seconds=0.05)
    try:
        assert feed.history()["date"].max() == date(2026, 1, 28)
    finally:
        hung.block.set()
    assert feed.cached is True


def test_partial_answer_keeps_the_rest(tmp_path: Path, fake: FakeYahoo) -> None:
    fake.drop = {"NVDA"}
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)))
    history = feed.history()
    assert "NVDA" not in history["ticker"].to_list()
    assert set(history["ticker"].to_list()) == set(TICKERS) - {"NVDA"}
    assert "no Yahoo data for 1 ticker(s): NVDA" in feed.warnings()
    assert feed.cached is False


def test_failure_after_first_batch_keeps_what_arrived(tmp_path: Path) -> None:
    class FailsSecond(FakeYahoo):
        def history(self, symbols: list[str], start: date, end: date) -> HistoryBatch:
            if self.history_calls:
                self.history_calls.append((list(symbols), start, end))
                raise TimeoutError("read timed out")
            return super().history(symbols, start, end)

    feed = make_feed(tmp_path, FailsSecond(), at(date(2026, 2, 4)))
    history = feed.history()
    assert set(history["ticker"].to_list()) == {"AAPL", "GONE", "MSFT", "NVDA"}
    assert "Yahoo Finance stopped answering (read timed out); some tickers have no history" in (
        feed.warnings()
    )


def test_corrupt_cache_is_rebuilt(tmp_path: Path, fake: FakeYahoo) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "history.parquet").write_bytes(b"not parquet")
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)))
    assert feed.history().height > 0
    assert any("unreadable" in w and "rebuilding" in w for w in feed.warnings())
    assert len(fake.history_calls) == 2  # a full download, as with no cache


def test_last_complete_session_skips_weekends() -> None:
    assert last_complete_session(date(2026, 2, 4)) == date(2026, 2, 3)  # Wednesday
    assert last_complete_session(date(2026, 2, 2)) == date(2026, 1, 30)  # Monday
    assert last_complete_session(date(2026, 2, 1)) == date(2026, 1, 30)  # Sunday


# -- quotes -----------------------------------------------------------------------------


def live_feed(tmp_path: Path, fake: FakeYahoo, clock: Clock) -> YahooFeed:
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)), monotonic=clock)
    feed.history()
    return feed


def test_quotes_are_polled_in_batches(tmp_path: Path, fake: FakeYahoo) -> None:
    feed = live_feed(tmp_path, fake, Clock())
    quotes = feed.quotes()
    assert fake.quote_calls == [["AAPL", "GONE", "MSFT", "NVDA"], ["QQQ", "SPY"]]
    assert quotes is not None and quotes.schema == pl.Schema(QUOTES_SCHEMA)
    assert quotes["ticker"].to_list() == ["AAPL", "MSFT", "NVDA", "QQQ", "SPY"]
    assert_frame_equal(feed.closing_quotes(), quotes)


def test_quotes_of_a_closed_market_mean_close_mode(tmp_path: Path, fake: FakeYahoo) -> None:
    # before Thursday's open, the latest quotes are Wednesday's close, already in history
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 5), hour=12), monotonic=Clock())
    fake.data = pl.concat(
        [
            recorded(),
            recorded()
            .filter(pl.col("date") == date(2026, 2, 3))
            .with_columns(pl.lit(date(2026, 2, 4)).alias("date")),
        ]
    )
    assert feed.history()["date"].max() == date(2026, 2, 4)
    assert feed.quotes() is None


def test_quotes_after_a_gap_in_cached_history_are_not_live(tmp_path: Path, fake: FakeYahoo) -> None:
    make_feed(tmp_path, fake, at(date(2026, 1, 29))).history()  # cache to Jan 28
    offline = FakeYahoo()
    offline.history_error = ConnectionError("Could not resolve host")
    feed = make_feed(tmp_path, offline, at(date(2026, 2, 4)), monotonic=Clock())
    feed.history()
    # quotes answer again (Feb 4) but Jan 29 - Feb 3 are missing: no multi-day "returns"
    assert feed.quotes() is None
    assert feed.warnings()[-1] == (
        "Yahoo history ends 2026-01-28, 4 trading days before the quotes (2026-02-04): "
        "showing the last close; restart when Yahoo is reachable"
    )


def test_one_missing_weekday_is_taken_as_a_holiday(tmp_path: Path, fake: FakeYahoo) -> None:
    fake.data = recorded().filter(pl.col("date") != date(2026, 2, 3))
    feed = make_feed(tmp_path, fake, at(date(2026, 2, 4)), monotonic=Clock())
    assert feed.history()["date"].max() == date(2026, 2, 2)
    assert feed.quotes() is not None


def test_errors_back_off_and_keep_the_last_good_quotes(tmp_path: Path, fake: FakeYahoo) -> None:
    clock = Clock()
    feed = live_feed(tmp_path, fake, clock)
    good = feed.quotes()
    assert good is not None
    fake.quote_errors = {3: ConnectionError("connection reset"), 4: ConnectionError("again")}
    clock.t += 2
    assert_frame_equal(feed.quotes(), good)
    assert feed.warnings()[-1] == (
        "Yahoo quotes: connection reset; keeping the last good quotes, retrying in 2 s"
    )
    assert feed.last_error == feed.warnings()[-1]
    calls = len(fake.quote_calls)
    clock.t += 1.5  # inside the backoff: no request
    assert_frame_equal(feed.quotes(), good)
    assert len(fake.quote_calls) == calls
    clock.t += 1  # backoff over: the poll fails again, the wait doubles
    feed.quotes()
    assert len(fake.quote_calls) == calls + 1
    assert feed.warnings()[-1] == (
        "Yahoo quotes: again; keeping the last good quotes, retrying in 4 s"
    )
    clock.t += 4
    assert feed.quotes() is not None
    assert feed.last_error is None
    assert not any(w.startswith("Yahoo quotes") for w in feed.warnings())


def test_rate_limit_backs_off_longer(tmp_path: Path, fake: FakeYahoo) -> None:
    clock = Clock()
    feed = live_feed(tmp_path, fake, clock)
    fake.quote_errors = {1: YahooRateLimited("rate limited (Too Many Requests)")}
    assert feed.quotes() is None  # no good quotes yet
    assert feed.warnings()[-1] == (
        "Yahoo quotes: rate limited (Too Many Requests); no quotes yet, retrying in 15 s"
    )
    clock.t += 14
    feed.quotes()
    assert len(fake.quote_calls) == 1
    clock.t += 1
    assert feed.quotes() is not None


def test_partial_quote_poll_keeps_what_answered(tmp_path: Path, fake: FakeYahoo) -> None:
    feed = live_feed(tmp_path, fake, Clock())
    fake.quote_errors = {2: ConnectionError("reset")}
    quotes = feed.quotes()
    assert quotes is not None
    assert quotes["ticker"].to_list() == ["AAPL", "MSFT", "NVDA"]
    assert feed.last_error is not None


def test_an_empty_quote_answer_is_an_error(tmp_path: Path) -> None:
    fake = FakeYahoo(quotes=recorded_quotes().head(0))
    feed = live_feed(tmp_path, fake, Clock())
    assert feed.quotes() is None
    assert feed.warnings()[-1] == (
        "Yahoo quotes: no quotes in Yahoo's answer; no quotes yet, retrying in 2 s"
    )


def test_quote_timeout_is_an_error_not_a_hang(tmp_path: Path, fake: FakeYahoo) -> None:
    clock = Clock()
    feed = make_feed(
        tmp_path, fake, at(date(2026, 2, 4)), monotonic=clock, quote_deadline_seconds=0.05
    )
    feed.history()
    fake.block = threading.Event()
    try:
        assert feed.quotes() is None
    finally:
        fake.block.set()
    assert "no answer within 0.05 s" in feed.warnings()[-1]


def test_a_vanished_ticker_keeps_its_last_quote(tmp_path: Path, fake: FakeYahoo) -> None:
    clock = Clock()
    feed = live_feed(tmp_path, fake, clock)
    feed.quotes()
    fake.quote_table = (
        recorded_quotes()
        .filter(pl.col("ticker") != "NVDA")
        .with_columns(pl.col("ts") + timedelta(seconds=2))
    )
    clock.t += 2
    quotes = feed.quotes()
    assert quotes is not None
    nvda = quotes.filter(pl.col("ticker") == "NVDA")
    assert nvda["ts"].to_list() == [datetime(2026, 2, 4, 15, 29, 59, tzinfo=UTC)]
    assert quotes.filter(pl.col("ticker") == "AAPL")["ts"].to_list() == [
        datetime(2026, 2, 4, 15, 30, 2, tzinfo=UTC)
    ]


def test_missing_yfinance_is_a_feed_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yfinance", None)
    with pytest.raises(FeedError, match=r"pip install 'yfinance>=0.2.50'"):
        YahooFeed(CONFIG, cache_dir=tmp_path)
