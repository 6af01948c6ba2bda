"""Pilot tests: navigation, drill-downs, sorting, filtering, pause, refresh, help and quit."""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.pilot_support import Clock, make_app, settle, status_text, sync  # noqa: E402, F401
from fixtures.snapshot_data import BASKETS, NOW, QUOTES_TS, make_snapshot  # noqa: E402

from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.help import KEYS, HelpScreen, TooSmallScreen  # noqa: E402
from crowdwatch.tui.screens.internals_detail import InternalsDetail  # noqa: E402
from crowdwatch.tui.screens.series_detail import SeriesDetail  # noqa: E402
from crowdwatch.tui.screens.theme_detail import ThemeDetail  # noqa: E402
from crowdwatch.widgets.theme_table import ThemeTable  # noqa: E402


def snapshots(count: int) -> list:
    out = []
    for i in range(count):
        baskets = {k: replace(v, ret=(v.ret or 0.0) * (i + 1) / count) for k, v in BASKETS.items()}
        out.append(make_snapshot(quotes_ts=QUOTES_TS + timedelta(minutes=i), baskets=baskets))
    return out


def theme_names(app: CrowdwatchApp) -> list[str]:
    return app.screen.query_one(ThemeTable).row_keys()


@sync
async def test_tab_moves_between_panes_in_order() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = [app.screen.active_pane]
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.screen.active_pane)
        assert seen == ["factors", "themes", "baskets", "internals", "factors"]
        await pilot.press("shift+tab")
        assert app.screen.active_pane == "internals"
        assert app.focused.id == "internals-table"


@sync
async def test_quick_tabs_settle_on_the_last_pane() -> None:
    # regression: tab changes echoed back by the tab bar ping-ponged between two panes
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # three Tabs in one read of the terminal: handled before any echo comes back
        for _ in range(3):
            app.screen.action_next_pane(1)
        seen = set()
        for _ in range(10):
            await pilot.pause(0.02)
            seen.add(app.screen.active_pane)
        assert seen == {"internals"}
        assert app.screen.query_one("#pane-tabs").active == "tab-internals"


@sync
async def test_narrow_shows_one_pane_wide_shows_all() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = [p.id for p in app.screen.query(".pane") if p.display]
        assert shown == ["pane-factors"]
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        shown = {p.id for p in app.screen.query(".pane") if p.display}
        assert shown == {"pane-factors", "pane-themes", "pane-baskets", "pane-internals"}


@sync
async def test_right_arrow_moves_to_next_pane_and_never_scrolls_sideways() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.focused
        # the columns that do not fit are left out, so there is nothing to scroll to
        assert table.max_scroll_x == 0
        await pilot.press("right")
        assert app.screen.active_pane == "themes"
        assert table.scroll_x == 0


@sync
async def test_enter_drills_into_a_factor_and_escape_comes_back() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SeriesDetail)
        assert (app.screen.kind, app.screen.series_name) == ("basket", "momentum_pair")
        header = str(app.screen.query_one("#detail-header").render())
        assert "Momentum pair" in header and "-4.93%" in header
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "dashboard"


@sync
async def test_enter_drills_into_theme_and_internals() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ThemeDetail)
        assert app.screen.theme_name == "AI beneficiaries"
        assert "ZZZQ" in str(app.screen.query_one("#missing").render())
        await pilot.press("escape", "tab", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InternalsDetail)


@sync
async def test_sort_cycles_columns_and_orders_rows() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = theme_names(app)
        assert names[0] == "AI beneficiaries"  # sigma ascending: -4.2 first
        await pilot.press("s")  # next column after sigma: flag
        table = app.screen.query_one(ThemeTable)
        assert table.sort_column == "flag"
        await pilot.press("s")  # crowding, most crowded first
        assert table.sort_column == "crowding"
        names = theme_names(app)
        assert names[0] == "AI beneficiaries" and names[-1] == "Large-cap defensives"
        await pilot.press("S")
        names = theme_names(app)
        assert names[0] == "Regional banks" and names[-1] == "Large-cap defensives"
        pane = app.screen.query_one("#pane-themes")
        assert "Crowd ▲" in str(pane.border_subtitle)


@sync
async def test_filter_narrows_themes_and_escape_clears() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ai", "enter")
        await pilot.pause()
        assert set(theme_names(app)) == {"AI beneficiaries", "AI power"}
        assert app.focused.id == "theme-table"
        await pilot.press("escape")
        await pilot.pause()
        assert len(theme_names(app)) == 11


@sync
async def test_filter_box_takes_letters_not_commands() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q", "p")
        await pilot.pause()
        assert app.is_running and not app.paused
        assert app.screen.query_one("#filter").value == "qp"


@sync
async def test_pause_stops_ticks_and_resume_ticks_at_once() -> None:
    app = make_app(snapshots(3), refresh_seconds=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert app.paused and app._timer is None
        ticks = app.engine.ticks
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.engine.ticks == ticks
        assert "[PAUSED]" in status_text(app)
        app.clock.now = NOW + timedelta(minutes=5)  # paused quotes age by choice
        app.update_status()
        assert "[STALE]" not in status_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert app.engine.ticks > ticks
        assert "[LIVE]" in status_text(app)


@sync
async def test_refresh_now_ticks_and_shows_the_new_snapshot() -> None:
    app = make_app(snapshots(2))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.engine.ticks == 0
        await pilot.press("r")
        await settle(pilot)
        assert app.engine.ticks == 1
        assert app.snapshot.quotes_ts == QUOTES_TS + timedelta(minutes=1)
        assert len(app.intraday.points["winners"]) == 2


class BlockingEngine(FakeEngine):
    """tick() waits on a gate and records how many ticks ran at once."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.tick_gate = threading.Event()
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def tick(self):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.tick_gate.wait(5)
        with self.lock:
            self.running -= 1
        return super().tick()


@sync
async def test_ticks_never_overlap() -> None:
    engine = BlockingEngine(snapshots(3))
    app = CrowdwatchApp(engine, clock=Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r", "r", "r")
        await pilot.pause(0.1)
        assert engine.running == 1
        engine.tick_gate.set()
        await settle(pilot)
        await settle(pilot)
        assert engine.most_at_once == 1
        assert engine.ticks == 2  # the one running, then one more for the presses during it


@sync
async def test_feed_error_shows_stale_and_recovers() -> None:
    clock = Clock()
    items = [make_snapshot(), RuntimeError("yahoo timed out"), make_snapshot()]
    app = make_app(items, clock=clock, source="yahoo", simulated=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "[STALE]" not in status_text(app)
        await pilot.press("r")
        await settle(pilot)
        text = status_text(app)
        assert "[STALE]" in text and "RuntimeError: yahoo timed out" in text
        assert app.is_running
        await pilot.press("r")
        await settle(pilot)
        assert "[STALE]" not in status_text(app)


@sync
async def test_old_quotes_are_stale_after_three_refreshes() -> None:
    clock = Clock()
    app = make_app(clock=clock, source="yahoo", simulated=False, refresh_seconds=2.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock.now = QUOTES_TS + timedelta(seconds=6)
        app.update_status()
        assert "[STALE]" not in status_text(app)
        clock.now = QUOTES_TS + timedelta(seconds=7)
        app.update_status()
        assert "[STALE]" in status_text(app)
        assert "(7s old)" in status_text(app)


@sync
async def test_start_failure_is_shown_and_r_retries() -> None:
    app = make_app([RuntimeError("no prices"), make_snapshot()])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "no prices" in status_text(app)
        assert app.snapshot is None
        await pilot.press("r")
        await settle(pilot)
        assert app.snapshot is not None
        assert app.engine.starts == 2


@sync
async def test_static_as_of_never_ticks() -> None:
    app = make_app([make_snapshot(mode="close", quotes_ts=None)], static=True, refresh_seconds=0.01)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause(0.1)
        await settle(pilot)
        assert app.engine.ticks == 0
        assert "[AS-OF]" in status_text(app)


@sync
async def test_cached_badge_and_warning_text() -> None:
    snap = make_snapshot(source="yahoo", simulated=False)
    app = make_app([snap], cached=True, warnings=["2 tickers missing"], source="yahoo",
                   simulated=False)  # fmt: skip
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        text = status_text(app)
        assert "[CACHED]" in text and "2 tickers missing" in text
        assert "[SIMULATED]" not in text


@sync
async def test_help_lists_every_key_and_closes() -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        bound = {"q", "p", "r", "c", "s", "S", "/", "?", "Esc", "Enter"}
        listed = {part.strip() for key, _ in KEYS for part in key.split("/")}
        assert bound <= listed | {"/"}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "dashboard"


@sync
async def test_cycle_colour_schemes_reaches_a_light_one() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert app.theme == "textual-light"
        assert not app.current_theme.dark


@sync
async def test_command_palette_offers_the_actions() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Pause / resume", "Refresh now", "Cycle colour scheme", "Sort themes",
                "Filter themes", "Help", "Quit"} <= titles  # fmt: skip


@sync
async def test_too_small_terminal_shows_a_message_until_resized() -> None:
    app = make_app()
    async with app.run_test(size=(50, 16)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        assert app.screen.id == "dashboard"


@pytest.mark.parametrize("where", ["dashboard", "drill-down"])
@sync
async def test_q_quits_with_status_zero(where) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        if where == "drill-down":
            await pilot.press("enter", "q")  # q closes the drill-down (issue 14 item 9)
            await pilot.pause()
            assert app.screen.id == "dashboard"
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running
