"""Pilot tests of the History lens on screen: [ ] and t step the app through the history's
days (as --as-of answers), h opens the analog days."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.lens_data import LENS  # noqa: E402
from fixtures.pilot_support import make_app, settle, status_text, sync  # noqa: E402
from fixtures.snapshot_data import make_snapshot  # noqa: E402

from crowdwatch.config.loader import load_config  # noqa: E402
from crowdwatch.feeds.demo import DemoFeed  # noqa: E402
from crowdwatch.session.engine import Engine  # noqa: E402
from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.analog_days import AnalogDays  # noqa: E402
from crowdwatch.tui.screens.dashboard import DashboardScreen  # noqa: E402
from crowdwatch.tui.screens.series_detail import SeriesDetail  # noqa: E402
from crowdwatch.widgets.pane_table import PaneTable  # noqa: E402


class CountingFeed(DemoFeed):
    """The demo feed, counting reads of the history."""

    reads = 0

    def history(self) -> pl.DataFrame:
        self.reads += 1
        return super().history()


def demo_app() -> tuple[CrowdwatchApp, CountingFeed, list[date]]:
    config = load_config(None)
    feed = CountingFeed(config)
    days = sorted(set(DemoFeed(config).history().get_column("date").to_list()))
    engine = Engine(feed, config, keep_history=True)
    return CrowdwatchApp(engine), feed, days


@sync
async def test_brackets_step_one_trading_day_and_t_returns_to_live() -> None:
    app, feed, days = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        today = app.snapshot.as_of
        assert app.snapshot.mode == "live" and "[LIVE]" in status_text(app)
        assert today > days[-1]  # the demo: live quotes after the last close
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.snapshot.as_of == days[-1] and app.snapshot.mode == "close"
        status = status_text(app)
        assert "[AS-OF]" in status and days[-1].isoformat() in status and "t: today" in status
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.snapshot.as_of == days[-2]  # one trading day (a weekend is skipped)
        shown = app.snapshot
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.snapshot.as_of == days[-1]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.snapshot is shown  # kept: stepping back and forth computes nothing twice
        await pilot.press("t")
        await pilot.pause()
        assert app.snapshot.mode == "live" and app.snapshot.as_of == today
        assert "[LIVE]" in status_text(app) and "[AS-OF]" not in status_text(app)
        assert feed.reads == 1  # the steps never read the history from the feed again
        # ] from the last close is back to today too
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.snapshot.mode == "live"
    # the step answers exactly as --as-of would
    config = load_config(None)
    as_of = Engine(DemoFeed(config), config, as_of=days[-2]).start()
    assert shown.as_of == as_of.as_of
    assert shown.baskets == as_of.baskets
    assert shown.internals == as_of.internals
    assert shown.regime == as_of.regime and shown.analogs == as_of.analogs
    assert shown.analog_paths == as_of.analog_paths


@sync
async def test_the_analog_days_screen_lists_five_days_on_the_demo() -> None:
    app, _, _ = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AnalogDays)
        analogs = app.snapshot.analogs
        assert analogs is not None and len(analogs) == 5
        dates = [a.date.isoformat() for a in analogs]
        followed = app.screen.query_one("#analog-followed", PaneTable).row_keys()
        assert followed == [*dates, "median"]
        features = app.screen.query_one("#analog-features", PaneTable).row_keys()
        assert features == ["today", *dates]
        # the screen follows a step: the analogs of the day shown
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, AnalogDays)
        stepped = [a.date.isoformat() for a in app.snapshot.analogs]
        assert app.screen.query_one("#analog-followed", PaneTable).row_keys() == [
            *stepped,
            "median",
        ]
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


@sync
async def test_h_from_the_pair_drill_down_only() -> None:
    app = make_app([make_snapshot(**LENS)])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # the momentum pair
        await pilot.pause()
        assert isinstance(app.screen, SeriesDetail)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, AnalogDays)
        await pilot.press("escape", "escape", "up", "up", "enter")  # back; Winners
        await pilot.pause()
        assert isinstance(app.screen, SeriesDetail) and app.screen.series_name == "winners"
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, SeriesDetail)


@sync
async def test_a_source_without_history_says_it_cannot_step() -> None:
    app = make_app()  # the FakeEngine keeps no history
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = app.snapshot
        await pilot.press("left_square_bracket", "t")
        await settle(pilot)
        assert app.snapshot is before
        assert any("cannot step" in str(n.message) for n in app._notifications)
