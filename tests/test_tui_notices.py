"""The messages screen (m) and the status line's "+N more": every warning of the session."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.pilot_support import Clock, settle, status_text, sync  # noqa: E402
from fixtures.snapshot_data import NOW, make_snapshot  # noqa: E402

from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.notices import NoticeLog  # noqa: E402
from crowdwatch.tui.screens.notices import MessagesScreen, notices_table  # noqa: E402


def listing(screen: MessagesScreen) -> str:
    """The messages table as the user reads it, at 80 columns."""
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(notices_table(screen.notices, screen.notices_now))
    return console.export_text()


T0 = datetime(2026, 2, 4, 15, 0, tzinfo=UTC)


def test_a_standing_warning_is_logged_once_and_again_when_it_returns() -> None:
    log = NoticeLog()
    log.observe(["a"], [], T0)
    log.observe(["a", "b"], [], T0 + timedelta(seconds=2))
    log.observe(["a", "b"], [], T0 + timedelta(seconds=4))
    assert [(n.text, n.at) for n in log.entries] == [("a", T0), ("b", T0 + timedelta(seconds=2))]
    assert log.shown.text == "b" and log.more == 1
    log.observe(["b"], ["feed down"], T0 + timedelta(seconds=6))
    assert log.shown.text == "feed down" and log.shown.error and log.more == 1
    log.observe(["a"], [], T0 + timedelta(seconds=8))  # a is back: logged again
    assert [n.text for n in log.entries] == ["a", "b", "feed down", "a"]
    assert log.more == 0


def test_the_log_keeps_the_newest_entries() -> None:
    log = NoticeLog(limit=3)
    for i in range(5):
        log.observe([f"w{i}"], [], T0 + timedelta(seconds=i))
    assert [n.text for n in log.entries] == ["w2", "w3", "w4"]


class ChangingWarnings(FakeEngine):
    """warnings() answers from a list the test changes between ticks."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.now_warnings: list[str] = []

    def warnings(self) -> list[str]:
        return list(self.now_warnings)


LONG = "prices.csv: dropped 4 rows (1 missing ticker, 2 non-positive close, 1 missing date)"


@sync
async def test_more_hint_and_messages_screen_list_every_warning_with_its_time() -> None:
    clock = Clock()
    engine = ChangingWarnings([make_snapshot()] * 3)
    engine.now_warnings = ["universe: no universe.csv", LONG]
    app = CrowdwatchApp(engine, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = status_text(app)
        assert "+1 more (m)" in text and "prices.csv: dropped 4 rows" in text
        clock.now = NOW + timedelta(minutes=1)
        engine.now_warnings = [LONG]
        await pilot.press("r")
        await settle(pilot)
        assert "more (m)" not in status_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MessagesScreen)
        rows = [(n.text, n.at) for n in app.screen.notices]
        assert rows == [("universe: no universe.csv", NOW), (LONG, NOW)]
        assert [n.text for n in app.screen.notices_now] == [LONG]
        header = str(app.screen.query_one("#detail-header").render())
        assert "2 this session, 1 in force" in header
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "dashboard"


@sync
async def test_messages_screen_shows_the_whole_text_and_errors() -> None:
    items = [make_snapshot(), RuntimeError("yahoo [timeout] after 25 s")]
    engine = ChangingWarnings(items, source="yahoo", simulated=False)
    engine.now_warnings = [LONG]
    app = CrowdwatchApp(engine, clock=Clock())
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "RuntimeError: yahoo [timeout] after 25 s" in status_text(app)
        assert "+1 more (m)" in status_text(app)
        await pilot.press("m")
        await pilot.pause()
        await pilot.pause()
        screen_text = listing(app.screen)
        assert "1 missing date)" in screen_text  # the end the status line cut off
        assert "ERROR" in screen_text and "[timeout]" in screen_text
        assert "10:30:03 ET" in screen_text  # NOW in New York time
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.id == "dashboard" and app.is_running
