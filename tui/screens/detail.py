"""The shared frame of a drill-down: a header line, a scrolling body, status and Esc to go back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from crowdwatch.analytics.results import Snapshot
from crowdwatch.widgets.status_bar import StatusBar, StatusState

Trail = Mapping[str, tuple[tuple[datetime, float], ...]]
NARROW_WIDTH = 120


class DetailScreen(Screen):
    """Subclasses yield their widgets in body() and fill them in show()."""

    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Static("", classes="detail-header", id="detail-header")
        with VerticalScroll(classes="detail-body"):
            yield from self.body()
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def body(self) -> Iterable[Widget]:
        return ()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "narrow")

    def on_mount(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "narrow")
        self.query_one(VerticalScroll).focus()

    def action_back(self) -> None:
        self.dismiss()

    def header(self, text) -> None:  # noqa: ANN001 - str or rich Text
        self.query_one("#detail-header", Static).update(text)

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        raise NotImplementedError

    def set_status(self, state: StatusState) -> None:
        for bar in self.query(StatusBar).results(StatusBar):
            bar.state = state
