"""open_feed: the --source / --data options to a Feed, or a FeedError that says what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import FeedError
from crowdwatch.feeds.factory import open_feed
from crowdwatch.feeds.files import FilesFeed

FIXTURES = Path(__file__).parent / "fixtures" / "files"


def test_files_source(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "prices.csv", tmp_path / "prices.csv")
    feed = open_feed("files", tmp_path, Config())
    assert isinstance(feed, FilesFeed) and feed.name == "files"


def test_files_source_needs_data() -> None:
    with pytest.raises(FeedError, match="--source files needs --data DIR"):
        open_feed("files", None, Config())


def test_unknown_source() -> None:
    with pytest.raises(FeedError, match="unknown --source 'csv': use one of demo, files, yahoo"):
        open_feed("csv", None, Config())


def test_yahoo_source_without_yfinance(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yfinance", None)
    with pytest.raises(FeedError, match=r"pip install 'yfinance>=0.2.50'"):
        open_feed("yahoo", None, Config())


def test_yahoo_source_builds_a_yahoo_feed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs

    # keep the test away from the real user cache dir; nothing is downloaded on open
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path))
    feed = open_feed("yahoo", None, Config())
    assert feed.name == "yahoo" and feed.simulated is False
    assert feed.cached is False


def test_demo_source() -> None:
    from crowdwatch.feeds.demo import DemoFeed

    feed = open_feed("demo", None, Config(), speed=5.0)
    assert isinstance(feed, DemoFeed) and feed.simulated is True
