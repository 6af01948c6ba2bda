"""The demo market's history: deterministic, complete, and shaped like DESIGN.md says."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.feeds.base import HISTORY_SCHEMA, Feed
from crowdwatch.feeds.demo import DemoFeed
from crowdwatch.feeds.demo_spec import DELISTINGS, LISTINGS

from .demo_support import bundled_config

HASH_SCRIPT = """
import hashlib, sys
from pathlib import Path
from crowdwatch.config.loader import load_config
from crowdwatch.feeds.demo import DemoFeed
h = DemoFeed(load_config(Path(sys.argv[1]))).history()
digest = hashlib.sha256()
digest.update("\\n".join(h.get_column("ticker").to_list()).encode())
for column in ("date", "close", "market_cap"):
    digest.update(h.get_column(column).to_physical().to_numpy().tobytes())
print(digest.hexdigest())
"""


def history_digest(history: pl.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update("\n".join(history.get_column("ticker").to_list()).encode())
    for column in ("date", "close", "market_cap"):
        digest.update(history.get_column(column).to_physical().to_numpy().tobytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return bundled_config(tmp_path_factory.mktemp("empty-config"))


@pytest.fixture(scope="module")
def feed(config):
    return DemoFeed(config)


@pytest.fixture(scope="module")
def history(feed):
    return feed.history()


@pytest.fixture(scope="module")
def stocks(history):
    """Tickers with a market cap: the single stocks (index ETFs have none)."""
    return set(history.filter(pl.col("market_cap").is_not_null()).get_column("ticker").unique())


def test_feed_protocol(feed):
    assert isinstance(feed, Feed)
    assert feed.name == "demo" and feed.simulated is True
    assert feed.warnings() == []


def test_two_instances_give_identical_history(config, history):
    again = DemoFeed(config).history()
    assert_frame_equal(history, again)
    assert history_digest(history) == history_digest(again)


def test_history_bytes_are_the_same_in_a_fresh_process(history, tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", HASH_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={"CROWDWATCH_CONFIG_DIR": str(tmp_path), "PYTHONHASHSEED": "123"},
    )
    assert run.stdout.strip() == history_digest(history)


def test_history_is_cached_on_the_instance(feed, history):
    assert feed.history() is history


def test_schema_and_sort_order(history):
    for column, dtype in HISTORY_SCHEMA.items():
        assert history.schema[column] == dtype
    assert history.schema["market_cap"] == pl.Float64
    assert history.get_column("close").null_count() == 0
    assert (history.get_column("close") > 0).all()
    assert_frame_equal(history, history.sort("ticker", "date"))
    assert history.select(pl.struct("ticker", "date").is_duplicated().any()).item() is False


def test_dates_span_and_no_weekends(history):
    dates = history.get_column("date").unique().sort()
    assert dates[0] == date(2021, 1, 4)
    assert dates[-1] == date(2026, 2, 3)
    assert (dates.dt.weekday() <= 5).all()  # polars: Monday = 1 ... Sunday = 7
    assert date(2025, 12, 25) not in dates.to_list()  # a market holiday
    spy_dates = history.filter(pl.col("ticker") == "SPY").get_column("date")
    assert spy_dates.to_list() == dates.to_list()


def test_at_least_400_stocks_plus_benchmark_and_underlyings(config, history, stocks):
    assert len(stocks) >= 400
    tickers = set(history.get_column("ticker").unique())
    assert config.settings.benchmark == "SPY"
    assert "SPY" in tickers and "SPY" not in stocks
    underlyings = {fund.underlying for fund in config.letfs}
    assert underlyings <= tickers
    index_etfs = {"QQQ", "SOXX", "IWM", "XLK", "XLF", "XBI", "DIA"}
    assert index_etfs <= tickers and not index_etfs & stocks


def test_every_themed_ticker_and_single_stock_underlying_is_a_stock(config, feed, stocks):
    universe = set(feed.universe().get_column("ticker"))
    themed = {t for theme in config.themes for t in theme.tickers}
    assert themed <= stocks and themed <= universe
    singles = {f.underlying for f in config.letfs} - {"SPY", "QQQ", "SOXX", "IWM", "XLK", "XLF"}
    singles -= {"XBI", "DIA"}
    assert singles and singles <= stocks and singles <= universe


def test_universe_frame_matches_the_stocks(feed, stocks):
    universe = feed.universe()
    assert universe.columns == ["ticker", "name", "sector", "market_cap"]
    assert universe.height >= 450
    assert set(universe.get_column("ticker")) == stocks


def test_late_listings_and_delistings_spare_the_themes(config, history):
    span = history.group_by("ticker").agg(first=pl.col("date").min(), last=pl.col("date").max())
    late = set(span.filter(pl.col("first") > date(2021, 1, 4)).get_column("ticker"))
    gone = set(span.filter(pl.col("last") < date(2026, 2, 3)).get_column("ticker"))
    assert late == set(LISTINGS) and len(late) >= 3
    assert gone == set(DELISTINGS) and len(gone) >= 2
    themed = {t for theme in config.themes for t in theme.tickers}
    assert not (late | gone) & themed


def test_benchmark_is_the_cap_weighted_index_of_the_stocks(history):
    wide = history.pivot(on="ticker", index="date", values="close").sort("date")
    caps = history.pivot(on="ticker", index="date", values="market_cap").sort("date")
    stock_cols = [c for c in caps.columns[1:] if caps.get_column(c).null_count() < caps.height]
    close = wide.select(stock_cols).to_numpy()
    cap = caps.select(stock_cols).to_numpy()
    spy = wide.get_column("SPY").to_numpy()
    for row in (5, 400, 900, len(spy) - 1):
        r = close[row] / close[row - 1] - 1.0
        ok = np.isfinite(r) & np.isfinite(cap[row - 1])
        expected = np.sum(cap[row - 1, ok] * r[ok]) / np.sum(cap[row - 1, ok])
        assert spy[row] / spy[row - 1] - 1.0 == pytest.approx(expected, abs=1e-12)


def test_market_caps_move_with_prices(history):
    nvda = history.filter(pl.col("ticker") == "NVDA")
    ratio = nvda.get_column("market_cap") / nvda.get_column("close")
    assert ratio.max() == pytest.approx(ratio.min(), rel=1e-9)
