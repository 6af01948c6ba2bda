"""The demo's replayed session: ticks driven by an injected clock, then holding at the close."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.feeds.base import QUOTES_SCHEMA, FeedError
from crowdwatch.feeds.demo import REPLAY_SECONDS, DemoFeed
from crowdwatch.feeds.demo_spec import DELISTINGS

from .demo_support import FakeClock, bundled_config

OPEN = datetime(2026, 2, 4, 14, 30, tzinfo=UTC)
CLOSE = datetime(2026, 2, 4, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return bundled_config(tmp_path_factory.mktemp("empty-config"))


@pytest.fixture(scope="module")
def built(config):
    """One feed whose simulation is built; tests reuse its matrices through fresh feeds."""
    feed = DemoFeed(config)
    feed.ticks()
    feed.history()
    return feed


def clocked(built: DemoFeed, clock: FakeClock, speed: float = 1.0) -> DemoFeed:
    feed = DemoFeed(built.config, speed=speed, clock=clock)
    feed._market, feed._ticks, feed._history = built._market, built._ticks, built._history
    return feed


def stamp(quotes: pl.DataFrame) -> datetime:
    stamps = quotes.get_column("ts").unique()
    assert stamps.len() == 1
    return stamps[0]


def test_replay_starts_at_the_open_and_holds_at_the_close(built):
    clock = FakeClock()
    feed = clocked(built, clock)
    first = feed.quotes()
    assert stamp(first) == OPEN
    clock.now += REPLAY_SECONDS / 2
    middle = feed.quotes()
    assert OPEN < stamp(middle) < CLOSE
    assert stamp(middle) == datetime(2026, 2, 4, 17, 45, tzinfo=UTC)
    clock.now += REPLAY_SECONDS / 2
    close = feed.quotes()
    assert stamp(close) == CLOSE
    clock.now += 10 * REPLAY_SECONDS
    assert_frame_equal(feed.quotes(), close)
    assert_frame_equal(feed.closing_quotes(), close)


def test_speed_multiplies_the_pace(built):
    clock = FakeClock()
    feed = clocked(built, clock, speed=4.0)
    feed.quotes()
    clock.now += REPLAY_SECONDS / 4
    assert stamp(feed.quotes()) == CLOSE


def test_speed_must_be_positive(config):
    with pytest.raises(FeedError, match="speed"):
        DemoFeed(config, speed=0)


def test_quotes_schema_and_session_date(built):
    quotes = clocked(built, FakeClock()).quotes()
    assert dict(quotes.schema) == QUOTES_SCHEMA
    assert stamp(quotes).date() == date(2026, 2, 4)
    assert quotes.get_column("ticker").is_unique().all()
    assert (quotes.get_column("last") > 0).all()


def test_every_live_ticker_ticks_and_delisted_names_do_not(built):
    quotes = built.closing_quotes()
    history = built.history()
    live_on_last_day = set(
        history.filter(pl.col("date") == date(2026, 2, 3)).get_column("ticker").to_list()
    )
    assert set(quotes.get_column("ticker")) == live_on_last_day
    assert not set(DELISTINGS) & live_on_last_day


def test_close_is_the_simulated_day_return_and_the_open_is_near_the_prior_close(built):
    history = built.history().filter(pl.col("date") == date(2026, 2, 3))
    prev = dict(zip(history.get_column("ticker"), history.get_column("close"), strict=True))
    market = built.market()
    close = built.closing_quotes()
    returns = {t: last / prev[t] - 1.0 for t, last in close.select("ticker", "last").iter_rows()}
    for ticker, r in zip(market.tickers, market.session_returns, strict=True):
        if np.isfinite(r):
            assert returns[ticker] == pytest.approx(r, abs=1e-9)
    first = clocked(built, FakeClock()).quotes()
    gaps = [last / prev[t] - 1.0 for t, last in first.select("ticker", "last").iter_rows()]
    assert max(abs(g) for g in gaps) < 0.1


def test_the_unwind_builds_through_the_day(built):
    """Past winners (the AI names) are lower at 14:00 than at the open, and lower still at 16:00."""
    clock = FakeClock()
    feed = clocked(built, clock)
    names = ["NVDA", "AVGO", "AMD", "MU", "ORCL"]

    def level(frame: pl.DataFrame) -> float:
        return frame.filter(pl.col("ticker").is_in(names)).get_column("last").sum()

    opening = level(feed.quotes())
    clock.now += REPLAY_SECONDS * (270 / 390)
    afternoon = level(feed.quotes())
    assert level(feed.closing_quotes()) < afternoon < opening
