"""The shared frame of a drill-down: a header line, a scrolling body, status and Esc to go back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from crowdwatch.analytics.results import Snapshot
from crowdwatch.widgets.status_bar import StatusBar, StatusState

Trail = Mapping[str, tuple[tuple[datetime, float], ...]]
NARROW_WIDTH = 120


class LiveScreen(Screen):
    """A screen that renders the app's current snapshot, trail and status line.

    The app binds these reactives (`data_bind`) when it creates the screen, so a new
    snapshot reaches every open screen without the app walking its screen stack; the
    screen only renders what analytics computed.
    """

    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True, init=False)
    trail: reactive[Trail] = reactive(dict, always_update=True, init=False)
    status: reactive[StatusState | None] = reactive(None, always_update=True, init=False)

    def watch_snapshot(self) -> None:
        if self.snapshot is not None and self.is_mounted:
            self.show(self.snapshot, self.trail)

    def watch_status(self) -> None:
        if self.status is not None:
            for bar in self.query(StatusBar).results(StatusBar):
                bar.state = self.status

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        raise NotImplementedError


class DetailScreen(LiveScreen):
    """Subclasses yield their widgets in body() and fill them in show()."""

    # q closes a view (the dashboard's q quits); Ctrl+C quits from anywhere (the app)
    BINDINGS = [Binding("escape", "back", "Back"), Binding("q", "back", "Back", show=False)]

    def compose(self) -> ComposeResult:
        yield Static("", classes="detail-header", id="detail-header")
        with VerticalScroll(classes="detail-body"):
            yield from self.body()
        yield from self.below_body()
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def body(self) -> Iterable[Widget]:
        return ()

    def below_body(self) -> Iterable[Widget]:
        """Widgets between the scrolling body and the status line (a prompt)."""
        return ()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "narrow")

    def on_mount(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "narrow")
        self.query_one(VerticalScroll).focus()
        self.call_after_refresh(self.render_current)

    def render_current(self) -> None:
        """Fill the screen with what the app had when it opened (bindings run later)."""
        self.watch_snapshot()
        self.watch_status()

    def action_back(self) -> None:
        self.dismiss()

    def header(self, text) -> None:  # noqa: ANN001 - str or rich Text
        self.query_one("#detail-header", Static).update(text)
