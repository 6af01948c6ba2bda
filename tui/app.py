"""The crowdwatch Textual app: screens, key bindings and the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.messages import OpenDetail, ShowFailure
from crowdwatch.tui.refresh import (
    Clock,
    EngineFailed,
    EngineLike,
    Freshness,
    IntradayTrail,
    RefreshMixin,
    SnapshotReady,
    status_for,
    utc_now,
)
from crowdwatch.tui.screens.dashboard import DashboardScreen
from crowdwatch.tui.screens.detail import DetailScreen, LiveScreen, Trail
from crowdwatch.tui.screens.help import HelpScreen, TooSmallScreen
from crowdwatch.tui.screens.internals_detail import InternalsDetail
from crowdwatch.tui.screens.positioning_detail import PositioningDetail
from crowdwatch.tui.screens.series_detail import SeriesDetail
from crowdwatch.tui.screens.theme_detail import ThemeDetail
from crowdwatch.widgets.status_bar import StatusState

# dark first; textual-light and solarized-light read well on a white background
SCHEMES = ("textual-dark", "textual-light", "nord", "solarized-light", "gruvbox")
MIN_SIZE = (60, 20)


class CrowdwatchApp(RefreshMixin, App[None]):
    """`CrowdwatchApp(engine, clock=None)`: the engine is only called from thread workers."""

    TITLE = "crowdwatch"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("r", "refresh_now", "Refresh"),
        Binding("c", "cycle_scheme", "Colours"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    # every open screen is bound to these (LiveScreen): one assignment updates them all
    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True, init=False)
    trail: reactive[Trail] = reactive(dict, always_update=True, init=False)
    status: reactive[StatusState | None] = reactive(None, always_update=True, init=False)

    def __init__(self, engine: EngineLike, clock: Clock | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.clock: Clock = clock or utc_now
        self.intraday = IntradayTrail()
        self.freshness = Freshness(self.clock, float(engine.refresh_seconds), engine.simulated)
        self.message_text = ""
        self.message_is_error = False
        self.init_refresh()
        self.theme = SCHEMES[0]

    def get_default_screen(self) -> Screen:
        self.dashboard = self.bound(DashboardScreen())
        return self.dashboard

    def bound(self, screen: LiveScreen) -> LiveScreen:
        """The screen, bound to the app's snapshot, trail and status line."""
        return screen.data_bind(
            snapshot=CrowdwatchApp.snapshot,
            trail=CrowdwatchApp.trail,
            status=CrowdwatchApp.status,
        )

    def on_mount(self) -> None:
        self._check_size()
        self.update_status()
        # the first call runs engine.start() in a worker, once the dashboard is up
        self.call_after_refresh(self.tick_now)
        # the age on the status line moves even when no tick lands
        self.set_interval(1.0, self.update_status, name="status-clock")

    # --- the refresh loop's results ---------------------------------------------------
    @on(SnapshotReady)
    def _snapshot_ready(self, message: SnapshotReady) -> None:
        if message.first:
            self._started = True
        self.freshness.observe(message.snapshot)
        self.intraday.add(message.snapshot)
        self.message_text = message.warnings[-1] if message.warnings else ""
        self.message_is_error = False
        self.trail = self.intraday.frozen()
        self.snapshot = message.snapshot
        self.update_status()
        self.tick_finished()

    @on(EngineFailed)
    def _engine_failed(self, message: EngineFailed) -> None:
        self.freshness.failed = True
        self.message_text = message.error
        self.message_is_error = True
        if message.during_start:
            self.dashboard.post_message(ShowFailure(message.error))
        self.update_status()
        self.tick_finished()

    def update_status(self) -> None:
        self.status = status_for(
            self.engine,
            self.snapshot,
            self.freshness,
            paused=self.paused,
            message=self.message_text,
            error=self.message_is_error,
        )

    # --- drill-downs ----------------------------------------------------------------
    @on(OpenDetail)
    def _open_detail(self, message: OpenDetail) -> None:
        if self.snapshot is None:
            self.notify("Still loading history...", timeout=2)
            return
        screen: DetailScreen
        if message.kind == "theme":
            screen = ThemeDetail(message.name)
        elif message.kind == "internals":
            screen = InternalsDetail()
        elif message.kind == "positioning":
            screen = PositioningDetail(message.name)
        else:
            screen = SeriesDetail(message.kind, message.name)
        self.push_screen(self.bound(screen))

    # --- actions ----------------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        self.set_paused(not self.paused)
        self.update_status()

    def action_refresh_now(self) -> None:
        self.tick_now()

    def action_cycle_scheme(self) -> None:
        index = SCHEMES.index(self.theme) if self.theme in SCHEMES else -1
        self.theme = SCHEMES[(index + 1) % len(SCHEMES)]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_sort(self) -> None:
        self._to_dashboard().action_sort()

    def action_filter(self) -> None:
        self._to_dashboard().action_filter()

    def _to_dashboard(self) -> DashboardScreen:
        while isinstance(self.screen, DetailScreen | HelpScreen):
            self.pop_screen()
        return self.dashboard

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own (theme picker, keys, screenshot) stay; ours replace its Quit
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command
        yield SystemCommand(
            "Pause / resume", "Stop or restart the live refresh (p)", self.action_toggle_pause
        )
        yield SystemCommand("Refresh now", "Poll the feed now (r)", self.action_refresh_now)
        yield SystemCommand(
            "Cycle colour scheme", "Next colour scheme (c)", self.action_cycle_scheme
        )
        yield SystemCommand("Sort themes", "Sort themes by the next column (s)", self.action_sort)
        yield SystemCommand("Filter themes", "Filter themes by name (/)", self.action_filter)
        yield SystemCommand("Help", "Every key (?)", self.action_help)
        yield SystemCommand("Quit", "Quit crowdwatch (q)", self.exit)

    # --- terminal size ----------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        # self.size only catches up a tick later; the event has the new size
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int | None = None, height: int | None = None) -> None:
        if width is None or height is None:
            width, height = self.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()
