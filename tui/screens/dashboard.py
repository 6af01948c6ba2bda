"""The main screen: four titled panes (a 2x2 grid when wide, tabs when narrow) and status."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid
from textual.markup import escape
from textual.widgets import DataTable, Footer, Input, Static, Tab, Tabs

from crowdwatch.analytics.lens_format import regime_line
from crowdwatch.analytics.results import Event, Snapshot
from crowdwatch.tui.messages import OpenDetail, ShowFailure
from crowdwatch.tui.screens.detail import LiveScreen
from crowdwatch.widgets import basket_panel, factor_table, internals_panel, theme_table
from crowdwatch.widgets.basket_panel import BasketPanel
from crowdwatch.widgets.factor_table import FactorTable
from crowdwatch.widgets.internals_panel import InternalsPanel, positioning_of
from crowdwatch.widgets.legend import Legend
from crowdwatch.widgets.pane_table import PaneTable
from crowdwatch.widgets.status_bar import StatusBar
from crowdwatch.widgets.theme_table import ThemeTable

PANES = (
    ("factors", factor_table.TITLE),
    ("themes", theme_table.TITLE),
    ("baskets", basket_panel.TITLE),
    ("internals", internals_panel.TITLE),
)
PANE_TABLES = {
    "factors": "#factor-table",
    "themes": "#theme-table",
    "baskets": "#basket-table",
    "internals": "#internals-table",
}
WIDE_MIN = (120, 32)  # below this the panes become tabs


def event_summary(events: tuple[Event, ...]) -> tuple[int, float | None]:
    forwards = [e.fwd_21d for e in events if e.fwd_21d is not None]
    return len(events), (statistics.median(forwards) if forwards else None)


class PaneTabs(Tabs):
    """The pane titles as tabs in narrow terminals; focus stays on the tables."""

    can_focus = False


class Pane(Container):
    """A titled pane; shows a loading or error line until the first snapshot lands."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__(id=f"pane-{key}", classes="pane")
        self.border_title = f"{pane_number(key)} {title}"  # the number is its jump key
        self.key = key


def pane_number(key: str) -> int:
    return [k for k, _ in PANES].index(key) + 1


class DashboardScreen(LiveScreen):
    BINDINGS = [
        Binding("tab", "next_pane(1)", "Next pane", show=False),
        Binding("shift+tab", "next_pane(-1)", "Prev pane", show=False),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        *[Binding(str(n), f"jump({n})", f"Pane {n}", show=False) for n in range(1, len(PANES) + 1)],
        Binding("h", "analog_days", "Analog days", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="dashboard")
        self.active_pane = "factors"

    def compose(self) -> ComposeResult:
        tabs = [Tab(f"{pane_number(key)} {title}", id=f"tab-{key}") for key, title in PANES]
        yield PaneTabs(*tabs, id="pane-tabs")
        # grid order (wide): factors | baskets over themes | internals, so the two wide
        # tables share the wide left column; Tab still follows PANES
        with Grid(id="panes"):
            with Pane("factors", factor_table.TITLE):
                yield Static("Loading history...", classes="placeholder")
                yield FactorTable(id="factor-table")
                yield Legend(factor_table.LEGEND)
            with Pane("baskets", basket_panel.TITLE):
                yield Static("Loading history...", classes="placeholder")
                yield BasketPanel(id="basket-panel")
            with Pane("themes", theme_table.TITLE):
                yield Static("Loading history...", classes="placeholder")
                yield ThemeTable(id="theme-table")
                yield Static("", id="theme-empty")
                yield Legend(theme_table.LEGEND)
                yield Input(placeholder="filter themes (Enter keeps, Esc clears)", id="filter")
            with Pane("internals", internals_panel.TITLE):
                yield Static("Loading history...", classes="placeholder")
                yield InternalsPanel(id="internals-panel")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = False
        self._layout(self.size.width, self.size.height)
        self.activate("factors", focus=True)
        self._update_theme_subtitle()
        self.watch_status()
        self.watch_snapshot()  # a snapshot may be waiting

    def on_resize(self) -> None:
        self._layout(self.size.width, self.size.height)

    def _layout(self, width: int, height: int) -> None:
        self.set_class(width < WIDE_MIN[0] or height < WIDE_MIN[1], "-narrow")

    # --- data -------------------------------------------------------------------
    def show(
        self, snapshot: Snapshot, trail: Mapping[str, tuple[tuple[datetime, float], ...]]
    ) -> None:
        if not self.query(FactorTable):
            return  # not composed yet: on_mount asks the app again
        self.add_class("-ready")
        self.query_one(FactorTable).show(snapshot)
        self.query_one(ThemeTable).show(snapshot)
        self.query_one(BasketPanel).show(snapshot, trail)
        count, median = event_summary(snapshot.events)
        self.query_one(InternalsPanel).show(
            snapshot.internals,
            snapshot.benchmark,
            count,
            median,
            positioning_of(snapshot),
            regime_line(snapshot.regime),
        )

    @on(ShowFailure)
    def show_failure(self, message: ShowFailure) -> None:
        """A failed start: the panes say why instead of 'Loading'."""
        for placeholder in self.query(".placeholder").results(Static):
            placeholder.update(Text(f"Could not load: {message.text}\nPress r to retry."))

    # --- panes and focus ---------------------------------------------------------
    def activate(self, key: str, *, focus: bool) -> None:
        self.active_pane = key
        for pane in self.query(Pane):
            pane.set_class(pane.key == key, "-active")
        tabs = self.query_one(PaneTabs)
        if tabs.active != f"tab-{key}":
            # only a click may activate a pane through the tabs: echoing our own change
            # back would ping-pong between two panes after quick Tab presses
            with tabs.prevent(Tabs.TabActivated):
                tabs.active = f"tab-{key}"
        if focus:
            self.query_one(PANE_TABLES[key], PaneTable).focus()

    def action_jump(self, number: int) -> None:
        """1-4: the pane of that number (its title shows it)."""
        self.activate(PANES[number - 1][0], focus=True)

    def action_next_pane(self, step: int) -> None:
        keys = [key for key, _ in PANES]
        index = (keys.index(self.active_pane) + step) % len(keys)
        self.activate(keys[index], focus=True)

    @on(PaneTable.LeaveRequest)
    def _leave_pane(self, event: PaneTable.LeaveRequest) -> None:
        self.action_next_pane(event.step)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_clicked(self, event: Tabs.TabActivated) -> None:
        key = str(event.tab.id).removeprefix("tab-")
        if key != self.active_pane:
            self.activate(key, focus=True)

    def on_descendant_focus(self, event) -> None:  # noqa: ANN001 - textual event type
        if event.widget is not self.focused:
            return  # a late event for a widget focus has already left
        for pane in self.query(Pane):
            if event.widget in pane.walk_children() and pane.key != self.active_pane:
                self.activate(pane.key, focus=False)

    # --- sort and filter ---------------------------------------------------------
    def action_sort(self) -> None:
        self.activate("themes", focus=True)
        self.query_one(ThemeTable).cycle_sort()

    def action_reverse_sort(self) -> None:
        table = self.query_one(ThemeTable)
        self.activate("themes", focus=True)
        table.sort_by(table.sort_column, descending=not table.sort_descending)

    def action_filter(self) -> None:
        self.activate("themes", focus=False)
        box = self.query_one("#filter", Input)
        box.add_class("-open")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("-open") or box.value:
            box.value = ""
            self.query_one(ThemeTable).filter_text = ""
            self._close_filter()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(ThemeTable).filter_text = event.value

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self._close_filter()

    def _close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("-open")
        self.query_one(ThemeTable).focus()

    @on(ThemeTable.ViewChanged)
    def _update_theme_subtitle(self) -> None:
        pane = self.query_one("#pane-themes", Pane)
        table = self.query_one(ThemeTable)
        # a border subtitle is markup: the filter text is whatever the user typed
        pane.border_subtitle = escape(table.describe())
        empty = self.query_one("#theme-empty", Static)
        empty.update(Text(table.empty_text()))
        empty.set_class(bool(table.empty_text()), "-shown")

    # --- drill-downs -------------------------------------------------------------
    def action_analog_days(self) -> None:
        self.post_message(OpenDetail("analogs"))

    @on(DataTable.RowSelected)
    def _drill(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value)
        table = event.data_table.id
        if table == "factor-table":
            kind, _, name = key.partition(":")
            self.post_message(OpenDetail("basket" if kind == "basket" else "factor", name))
        elif table == "basket-table":
            self.post_message(OpenDetail("basket", key))
        elif table == "theme-table":
            self.post_message(OpenDetail("theme", key))
        elif table == "internals-table" and key.startswith("series:"):
            self.post_message(OpenDetail("positioning", key.removeprefix("series:")))
        elif table == "internals-table":
            self.post_message(OpenDetail("internals", key))
