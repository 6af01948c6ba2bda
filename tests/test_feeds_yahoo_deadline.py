"""One deadline for the whole start-up attempt against Yahoo, for the report and the TUI alike."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_feeds_yahoo import CONFIG, FakeYahoo, at, make_feed  # noqa: E402

from crowdwatch.feeds.base import SourceUnavailable  # noqa: E402
from crowdwatch.session.engine import Engine  # noqa: E402

DEADLINE, QUOTE_DEADLINE = 0.6, 0.5  # alone, history + quotes would take 1.1 s


@pytest.fixture
def hung() -> FakeYahoo:
    client = FakeYahoo()
    client.block = threading.Event()  # a dead connection: every call hangs
    yield client
    client.block.set()


@pytest.mark.parametrize("how", ["report", "tui"])
def test_with_a_cache_history_and_the_first_quote_poll_share_one_deadline(
    tmp_path: Path, hung: FakeYahoo, how: str
) -> None:
    make_feed(tmp_path, FakeYahoo(), at(date(2026, 1, 29))).history()  # a cache to fall back on
    feed = make_feed(tmp_path, hung, at(date(2026, 2, 4)), deadline_seconds=DEADLINE,
                     quote_deadline_seconds=QUOTE_DEADLINE)  # fmt: skip
    engine = Engine(feed, CONFIG)
    started = time.monotonic()
    # a week of cached history may be too short for the analytics; the time is the point
    with contextlib.suppress(ValueError):
        engine.report_snapshot() if how == "report" else engine.start()
    elapsed = time.monotonic() - started
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + 0.3, elapsed
    assert feed.cached is True
    assert "no answer within 0.6 s" in feed.warnings()[-1]  # the attempt's, not the poll's
    assert len(hung.quote_calls) <= 1


def test_without_a_cache_the_attempt_fails_at_the_deadline(tmp_path: Path, hung: FakeYahoo):
    feed = make_feed(tmp_path, hung, at(date(2026, 2, 4)), deadline_seconds=DEADLINE,
                     quote_deadline_seconds=QUOTE_DEADLINE)  # fmt: skip
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match=r"no answer within 0.6 s"):
        Engine(feed, CONFIG).report_snapshot()
    assert time.monotonic() - started < DEADLINE + 0.3
    assert hung.quote_calls == []  # the history failed first: no quote poll to wait for


def test_once_yahoo_answered_polls_keep_their_own_deadline(tmp_path: Path) -> None:
    client = FakeYahoo()
    feed = make_feed(tmp_path, client, at(date(2026, 2, 4)), deadline_seconds=DEADLINE,
                     quote_deadline_seconds=QUOTE_DEADLINE)  # fmt: skip
    feed.history()
    time.sleep(DEADLINE)  # past the start-up attempt's deadline
    assert feed.quotes() is not None and feed.last_error is None
