"""The crowdwatch Textual app: screens, key bindings and the command palette."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from crowdwatch.analytics.alerts import Alert
from crowdwatch.analytics.formatting import pct, sigma
from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.schema import COLOUR_SCHEMES
from crowdwatch.session.channels import AlertSession, environment
from crowdwatch.tui.alert_delivery import AlertDeliveryMixin
from crowdwatch.tui.config_edits import ConfigEditsMixin
from crowdwatch.tui.day_steps import DayStepsMixin
from crowdwatch.tui.messages import ConfigWritten, EditTheme, OpenDetail, ShowFailure
from crowdwatch.tui.notices import Notice, NoticeLog
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
from crowdwatch.tui.screens.analog_days import AnalogDays
from crowdwatch.tui.screens.dashboard import DashboardScreen
from crowdwatch.tui.screens.detail import DetailScreen, LiveScreen, Trail
from crowdwatch.tui.screens.help import HelpScreen, TooSmallScreen
from crowdwatch.tui.screens.internals_detail import InternalsDetail
from crowdwatch.tui.screens.notices import MessagesScreen
from crowdwatch.tui.screens.positioning_detail import PositioningDetail
from crowdwatch.tui.screens.series_detail import SeriesDetail
from crowdwatch.tui.screens.tape import TapeScreen
from crowdwatch.tui.screens.theme_detail import ThemeDetail
from crowdwatch.widgets.status_bar import StatusState


def terminal_title(snapshot: Snapshot) -> str:
    """'crowdwatch SPY -0.75% pair -5.1σ': the index and the momentum pair at a glance."""
    pair = snapshot.baskets.get("momentum_pair")
    text = f"crowdwatch {snapshot.benchmark} {pct(snapshot.internals.index_ret)}"
    if pair is not None:
        text += f" pair {sigma(pair.sigma)}"
    return text


SCHEMES = COLOUR_SCHEMES  # dark first; textual-light and solarized-light read well on white
MIN_SIZE = (60, 20)
FIRST_STEP_AHEAD = 3.0  # seconds after the first answer: the day before it, answered ahead


class CrowdwatchApp(AlertDeliveryMixin, ConfigEditsMixin, DayStepsMixin, RefreshMixin, App[None]):
    """`CrowdwatchApp(engine, clock=None)`: the engine is only called from thread workers.

    The alert rules are engine.config.alerts (or `alerts`, a session of our own); `env`
    decides the OSC notification flavour (default: the process environment).
    """

    TITLE = "crowdwatch"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        # a trader's reflex: Ctrl+C quits from anywhere, even the filter box
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+s", "screenshot", "Screenshot", show=False),
        Binding("p", "toggle_pause", "Pause"),
        Binding("r", "refresh_now", "Refresh"),
        Binding("c", "cycle_scheme", "Colours"),
        Binding("a", "alerts", "Alerts", show=False),
        Binding("m", "messages", "Messages", show=False),
        Binding("left_square_bracket", "step_day(-1)", "Prev day", show=False, key_display="["),
        Binding("right_square_bracket", "step_day(1)", "Next day", show=False, key_display="]"),
        Binding("t", "today", "Today", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help", show=False),
    ]

    # every open screen is bound to these (LiveScreen): one assignment updates them all
    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True, init=False)
    trail: reactive[Trail] = reactive(dict, always_update=True, init=False)
    status: reactive[StatusState | None] = reactive(None, always_update=True, init=False)
    # the tape screen is bound to this: the day's alerts, oldest first
    alert_tape: reactive[tuple[Alert, ...]] = reactive(tuple, always_update=True, init=False)
    # the messages screen is bound to these: every warning/error, and those in force
    notices: reactive[tuple[Notice, ...]] = reactive(tuple, always_update=True, init=False)
    notices_now: reactive[tuple[Notice, ...]] = reactive(tuple, always_update=True, init=False)

    def __init__(
        self,
        engine: EngineLike,
        clock: Clock | None = None,
        *,
        alerts: AlertSession | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock: Clock = clock or utc_now
        self.intraday = IntradayTrail()
        self.freshness = Freshness(self.clock, float(engine.refresh_seconds), engine.simulated)
        self.notice_log = NoticeLog()
        self._warnings: list[str] = []
        self.init_refresh()
        self.init_day_steps()
        self.alert_session = alerts
        self.alert_env = env if env is not None else environment()
        self.init_config_edits()
        settings = getattr(getattr(engine, "config", None), "settings", None)
        self._config_scheme: str | None = getattr(settings, "colour_scheme", None)
        self.theme = self._config_scheme if self._config_scheme in SCHEMES else SCHEMES[0]

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
            self.set_timer(FIRST_STEP_AHEAD, self.first_step_ahead, name="step-ahead")
        self.freshness.observe(message.snapshot)
        self.intraday.add(message.snapshot)
        self._warnings = message.warnings
        self._log(message.warnings, message.errors)
        self.live_snapshot = message.snapshot
        if self.view_day is None:
            self.trail = self.intraday.frozen()
        self.freshness.refresh_seconds = float(self.engine.refresh_seconds)  # a reload
        if message.colour_scheme != self._config_scheme and message.colour_scheme:
            self._config_scheme = message.colour_scheme  # settings.yaml was edited
            if message.colour_scheme != self.theme:
                self.theme = message.colour_scheme
                self.notify(f"Colour scheme {self.theme}", markup=False, timeout=3)
        if self.view_day is None:
            self.snapshot = message.snapshot
        self.set_terminal_title(terminal_title(message.snapshot))
        if message.alerts is not None:
            self.alert_tape = message.alerts.tape
            self.deliver_alerts(message.alerts.fired, message.alerts.notify)
        self.update_status()
        self.tick_finished()

    @on(EngineFailed)
    def _engine_failed(self, message: EngineFailed) -> None:
        self.freshness.failed = True
        self._log(self._warnings, [message.error])
        if message.during_start:
            self.dashboard.post_message(ShowFailure(message.error))
        self.update_status()
        self.tick_finished()

    def _log(self, warnings: list[str], errors: list[str]) -> None:
        self.notice_log.observe(warnings, errors, self.clock())
        self.notices = tuple(self.notice_log.entries)
        self.notices_now = self.notice_log.current

    def update_status(self) -> None:
        shown = self.notice_log.shown
        self.status = status_for(
            self.engine,
            self.snapshot,
            self.freshness,
            paused=self.paused,
            message=shown.text if shown is not None else "",
            error=shown is not None and shown.error,
            more=self.notice_log.more,
            alerts=len(self.alert_tape),
            past_day=self.showing_past,
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
            screen = InternalsDetail(message.name)
        elif message.kind == "positioning":
            screen = PositioningDetail(message.name)
        elif message.kind == "analogs":
            if isinstance(self.screen, AnalogDays):
                return
            screen = AnalogDays()
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
        self._config_scheme = self.theme  # the reload that follows is not news
        self.save_colour_scheme(self.theme)

    # --- config edits -----------------------------------------------------------------
    @on(EditTheme)
    def _edit_theme(self, message: EditTheme) -> None:
        self.save_theme_edit(message)

    @on(ConfigWritten)
    def _config_written(self, message: ConfigWritten) -> None:
        if message.error:
            self.notify(message.text, title="Not saved", severity="error", markup=False)
            return
        self.notify(message.text, markup=False, timeout=4)
        self.tick_now()  # the engine sees the edited file now, not at the next refresh

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG of the screen in the current directory (or `path`) and say where.

        Textual's own default is ~/Downloads, which a server often does not have.
        """
        folder = Path(path) if path else Path.cwd()
        name = filename or f"crowdwatch_{datetime.now():%Y-%m-%d_%H%M%S}.svg"
        try:
            saved = Path(self.save_screenshot(name, str(folder))).resolve()
        except OSError as exc:
            self.notify(
                f"Screenshot not saved: {folder}: {exc.strerror or exc}",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Screenshot saved to {saved}", title="Screenshot", markup=False)

    def action_messages(self) -> None:
        if isinstance(self.screen, MessagesScreen):
            return
        screen = self.bound(MessagesScreen()).data_bind(
            notices=CrowdwatchApp.notices, notices_now=CrowdwatchApp.notices_now
        )
        self.push_screen(screen)

    def action_alerts(self) -> None:
        """The day's tape; from a drill-down opened from it, back to the tape."""
        while isinstance(self.screen, DetailScreen | HelpScreen):
            self.pop_screen()
        if not isinstance(self.screen, TapeScreen):
            screen = self.bound(TapeScreen()).data_bind(tape=CrowdwatchApp.alert_tape)
            self.push_screen(screen)

    def on_unmount(self) -> None:
        if self.alert_session is not None:
            self.alert_session.close(timeout=2.0)  # what apprise still has queued

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_sort(self) -> None:
        self._to_dashboard().action_sort()

    def action_filter(self) -> None:
        self._to_dashboard().action_filter()

    def _to_dashboard(self) -> DashboardScreen:
        while isinstance(self.screen, DetailScreen | HelpScreen | TapeScreen):
            self.pop_screen()
        return self.dashboard

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's keys panel stays; ours replace its Quit and Screenshot (which saves
        # to ~/Downloads); its theme picker is gone: `c` is the one colour switcher
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Screenshot", "Theme"):
                yield command
        yield SystemCommand(
            "Screenshot", "Save an SVG of the screen in the current directory (Ctrl+S)",
            self.action_screenshot,
        )  # fmt: skip
        yield SystemCommand(
            "Pause / resume", "Stop or restart the live refresh (p)", self.action_toggle_pause
        )
        yield SystemCommand("Refresh now", "Poll the feed now (r)", self.action_refresh_now)
        yield SystemCommand(
            "Cycle colour scheme", "Next colour scheme (c)", self.action_cycle_scheme
        )
        yield SystemCommand("Sort themes", "Sort themes by the next column (s)", self.action_sort)
        yield SystemCommand("Filter themes", "Filter themes by name (/)", self.action_filter)
        yield SystemCommand("Alerts", "The day's alerts, newest first (a)", self.action_alerts)
        yield SystemCommand(
            "Messages", "Every warning and error of the session (m)", self.action_messages
        )
        yield SystemCommand("Help", "Every key (?)", self.action_help)
        yield SystemCommand("Quit", "Quit crowdwatch (q)", self.exit)

    # --- terminal title and size -------------------------------------------------------
    def set_terminal_title(self, text: str) -> None:
        """The window/tab title (OSC 2), so a tmux window or tab tells the story."""
        if text == self.title:
            return
        self.title = text
        # Textual has no public call for the terminal's title; its driver's write is the
        # one way that keeps the sequence out of the middle of a screen update
        driver = getattr(self, "_driver", None)
        if driver is not None and not self.is_headless:
            driver.write(f"\x1b]2;{text}\x07")

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
            self.push_screen(TooSmallScreen((width, height), MIN_SIZE))
        elif small and isinstance(self.screen, TooSmallScreen):
            self.screen.current = (width, height)
        elif not small and showing:
            self.pop_screen()
