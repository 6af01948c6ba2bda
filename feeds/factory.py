"""Open the data source the CLI names: demo (default), files or yahoo."""

from __future__ import annotations

from pathlib import Path

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import Feed, FeedError

SOURCES = ("demo", "files", "yahoo")


def open_feed(source: str, data: Path | None, config: Config, speed: float = 1.0) -> Feed:
    """The Feed for `--source`; FeedError with what to do when it cannot be opened.

    Feed modules are imported on demand so that, e.g., the demo never needs yfinance.
    """
    if source == "demo":
        from crowdwatch.feeds.demo import DemoFeed

        return DemoFeed(config, speed=speed)
    if source == "files":
        if data is None:
            raise FeedError(
                "--source files needs --data DIR (a folder with prices.csv or .parquet)"
            )
        from crowdwatch.feeds.files import FilesFeed

        return FilesFeed(data, config)
    if source == "yahoo":
        from crowdwatch.feeds.yahoo import YahooFeed

        return YahooFeed(config)
    raise FeedError(f"unknown --source {source!r}: use one of {', '.join(SOURCES)}")
