"""The day's tape (key a): the session's alerts, newest first; Enter opens the series."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Static

from crowdwatch.analytics.alerts import Alert
from crowdwatch.analytics.results import BASKET_KEYS, Snapshot
from crowdwatch.config.alerts import series_kind
from crowdwatch.config.calendar import NEW_YORK
from crowdwatch.tui.messages import DetailKind, OpenDetail
from crowdwatch.tui.screens.detail import LiveScreen, Trail
from crowdwatch.widgets.status_bar import StatusBar

# (key, label, narrowest, widest); the message takes what is left
COLUMNS = (
    ("time", "Time ET", 8, 8),
    ("rule", "Rule", 4, 20),
    ("series", "Series", 6, 32),
    ("value", "Value", 5, 10),
)
MESSAGE_MIN = 20  # narrower than this, the message is only shown below the table
CELL_PADDING = 2  # DataTable's one column of padding either side
SEVERITY_STYLE = {"error": "bold", "warning": "", "information": "dim"}


def detail_target(series: str) -> tuple[DetailKind, str]:
    """The drill-down of an alert's series (a user series: its positioning drill-down)."""
    kind = series_kind(series)
    if kind == "theme":
        return "theme", series.split(".", 1)[1]
    if kind == "internal":
        return "internals", series.split(".", 1)[1]
    if kind == "user":
        return "positioning", series.split(".", 1)[1]
    name = series.split(".", 1)[1] if series.startswith(("baskets.", "factors.")) else series
    return ("basket" if name in BASKET_KEYS else "factor"), name


def column_widths(tape: tuple[Alert, ...], width: int) -> list[int]:
    """Each column as wide as its longest cell (within its bounds); the message gets the
    rest when that is at least MESSAGE_MIN (else no message column)."""
    rows = [row_cells(alert) for alert in tape]
    widths = []
    for index, (_, label, narrowest, widest) in enumerate(COLUMNS):
        longest = max([len(label), *(len(row[index]) for row in rows)])
        widths.append(max(narrowest, min(widest, longest)))
    left = width - sum(widths) - CELL_PADDING * (len(COLUMNS) + 1) - 2  # 2: the scrollbar
    return [*widths, left] if left >= MESSAGE_MIN else widths


def row_cells(alert: Alert) -> tuple[str, str, str, str]:
    clock = alert.ts.astimezone(NEW_YORK).strftime("%H:%M:%S")
    value = alert.value_text
    return clock, alert.rule, alert.series, value


class TapeScreen(LiveScreen):
    """Bound to the app's alert_tape (and snapshot, status) like every LiveScreen."""

    BINDINGS = [Binding("escape", "back", "Back"), Binding("q", "back", "Back", show=False)]
    DEFAULT_CSS = """
    TapeScreen #tape-table { height: 1fr; }
    TapeScreen #tape-message { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """

    tape: reactive[tuple[Alert, ...]] = reactive(tuple, always_update=True, init=False)

    def __init__(self) -> None:
        super().__init__(id="tape")
        self._shown: tuple[tuple[Alert, ...], int] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="detail-header", id="detail-header")
        yield DataTable(id="tape-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="tape-message")  # the highlighted alert's message, whole
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#tape-table", DataTable).focus()
        self.call_after_refresh(self.render_current)

    def on_resize(self) -> None:
        self.watch_tape()

    def render_current(self) -> None:
        """What the app had when the screen opened (the bindings only fire on change)."""
        self.watch_status()
        self.watch_tape()

    def action_back(self) -> None:
        self.dismiss()

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        self.watch_tape()

    def watch_tape(self) -> None:
        if not self.is_mounted:
            return
        newest_first = tuple(reversed(self.tape))
        width = self.size.width
        if self._shown == (newest_first, width):
            return
        self._shown = (newest_first, width)
        self._header(newest_first)
        table = self.query_one("#tape-table", DataTable)
        on_alert = None  # the cursor stays on its alert as new ones land on top
        if table.row_count:
            on_alert = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        table.clear(columns=True)
        widths = column_widths(newest_first, width)
        labels = [label for _, label, _, _ in COLUMNS] + ["Message"]
        keys = [key for key, _, _, _ in COLUMNS] + ["message"]
        for key, label, size in zip(keys, labels, widths, strict=False):
            table.add_column(label, key=key, width=size)
        row_keys = []
        for number, alert in enumerate(newest_first):
            style = SEVERITY_STYLE.get(alert.severity, "")
            clock, rule, series, value = row_cells(alert)
            row_keys.append(str(len(newest_first) - 1 - number))  # its place on the tape
            cells = [clock, Text(rule, style=style), series, value, alert.message]
            table.add_row(*cells[: len(widths)], key=row_keys[-1])
        if on_alert in row_keys:
            table.move_cursor(row=row_keys.index(on_alert), scroll=False)
        self._show_message(table.cursor_row if newest_first else None)

    @on(DataTable.RowHighlighted, "#tape-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_message(event.cursor_row)

    def _show_message(self, row: int | None) -> None:
        newest_first = self._shown[0] if self._shown is not None else ()
        text = ""
        if row is not None and 0 <= row < len(newest_first):
            alert = newest_first[row]
            text = f"{alert.rule}: {alert.message}"
        self.query_one("#tape-message", Static).update(Text(text))

    def _header(self, newest_first: tuple[Alert, ...]) -> None:
        count = len(newest_first)
        header = Text("Alerts today", style="bold")
        if count:
            header.append(f"  {count}, newest first; Enter opens the series")
        else:
            header.append("  none yet. The rules are in alerts.yaml "
                          "(`crowdwatch config init` copies it for you to edit).")  # fmt: skip
        self.query_one("#detail-header", Static).update(header)

    @on(DataTable.RowSelected, "#tape-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        alert = self.tape[int(str(event.row_key.value))]
        self.post_message(OpenDetail(*detail_target(alert.series)))
