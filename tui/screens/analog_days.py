"""The analog days screen (h): the past days most like today, and what followed them."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from crowdwatch.analytics.lens_format import (
    ANALOG_HEADERS,
    analog_rows,
    analogs_note,
    regime_line,
)
from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import AnalogPathChart, analog_legend
from crowdwatch.widgets.pane_table import PaneTable

FEATURE_COLUMNS = ANALOG_HEADERS[:9]  # day, distance and the seven features
FOLLOWED_COLUMNS = (ANALOG_HEADERS[0], *ANALOG_HEADERS[9:])  # day and the six forward returns


def signed_cell(text: str, pal: fmt.Palette = fmt.COLOUR) -> Text:
    """A right-aligned number, red when it starts with '-', green with '+'."""
    style = {"-": fmt.LOSS, "+": fmt.GAIN}.get(text[:1], "")
    return Text(text, style=pal.paint(style) if style else "", justify="right")


def table_rows(rows: list[list[str]], columns: tuple[str, ...], signed: bool) -> list:
    """The rows of lens_format.analog_rows cut to `columns` (rows without any, left out)."""
    picked = [ANALOG_HEADERS.index(c) for c in columns]
    shown = []
    for row in rows:
        cells = [row[i] for i in picked]
        if not any(cells[1:]):
            continue  # today has no forward returns, the median no features
        body = [signed_cell(c) if signed else Text(c, justify="right") for c in cells[1:]]
        shown.append((cells[0], [Text(cells[0], style="bold" if cells[0] in ("today",
                                      "median") else ""), *body]))  # fmt: skip
    return shown


class AnalogDays(DetailScreen):
    DEFAULT_CSS = """
    #analog-key { height: auto; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="analog-days")

    def body(self) -> Iterable[Widget]:
        yield Static("", id="analog-note")
        yield Static("What followed: the pair and the index, compounded", classes="section")
        yield PaneTable(id="analog-followed")
        yield Static(
            "The pair from the close before each day (0 = the day), and today so far",
            classes="section",
        )
        yield AnalogPathChart(id="analog-paths")
        yield Static("", id="analog-key")
        yield Static("Today's features beside each analog's", classes="section")
        yield PaneTable(id="analog-features")

    def on_mount(self) -> None:
        super().on_mount()
        for table_id, columns in (("#analog-followed", FOLLOWED_COLUMNS),
                                  ("#analog-features", FEATURE_COLUMNS)):  # fmt: skip
            table = self.query_one(table_id, PaneTable)
            for column in columns:
                width = 10 if column == "day" else max(len(column), 7)
                table.add_column(column, key=column, width=width)

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        analogs = snapshot.analogs or ()
        header = Text(f"Days like {snapshot.as_of.isoformat()}", style="bold")
        header.append(f": the {len(analogs)} past days nearest on seven features (σ distance)")
        header.append(f"\n{regime_line(snapshot.regime)}")
        self.header(header)
        note = analogs_note(snapshot)
        self.query_one("#analog-note", Static).display = note is not None
        self.query_one("#analog-note", Static).update(f"Analog days: {note}" if note else "")
        rows = analog_rows(snapshot)
        followed = self.query_one("#analog-followed", PaneTable)
        followed.replace_rows(table_rows(rows, FOLLOWED_COLUMNS, signed=True))
        features = self.query_one("#analog-features", PaneTable)
        features.replace_rows(table_rows(rows, FEATURE_COLUMNS, signed=False))
        pair = snapshot.baskets.get("momentum_pair")
        live_trail = trail.get("momentum_pair", ()) if snapshot.mode == "live" else ()
        paths = [(a.date.isoformat(), path)
                 for a, path in zip(analogs, snapshot.analog_paths, strict=False)]  # fmt: skip
        chart = self.query_one(AnalogPathChart)
        chart.show(paths, pair.ret if pair else None, live_trail)
        key = analog_legend([label for label, _ in paths], bool(chart.today), fmt.palette(self))
        self.query_one("#analog-key", Static).update(key)
