"""Drill-down of a theme: members, missing tickers, cumulative chart, crowding parts."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from crowdwatch.analytics.results import Snapshot, ThemeMove
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.tui.screens.series_detail import move_header
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import SeriesChart
from crowdwatch.widgets.pane_table import PaneTable
from crowdwatch.widgets.theme_table import flag_cell

PART_LABELS = {
    "momentum": "Momentum",
    "comovement": "Comovement",
    "momentum_beta": "Momentum beta",
}


def crowding_text(theme: ThemeMove) -> Text:
    """Crowding and its three parts as 0-100 bars."""
    text = Text("Crowding ", style="bold")
    text.append(f"{fmt.ratio(theme.crowding, 0)} / 100\n")
    for key, label in PART_LABELS.items():
        value = theme.crowding_parts.get(key)
        bar = "" if value is None else "█" * int(round(value / 5))
        text.append(f"{label:<14}{fmt.ratio(value, 0):>4} ")
        text.append(bar, style=fmt.paint("magenta"))
        text.append("\n")
    if theme.momentum is not None:
        text.append(f"Theme momentum (12-1) {fmt.pct(theme.momentum, 1)}\n")
    return text


class ThemeDetail(DetailScreen):
    def __init__(self, name: str) -> None:
        super().__init__(id="theme-detail")
        self.theme_name = name

    def body(self) -> Iterable[Widget]:
        with Horizontal(classes="detail-row"):
            yield SeriesChart("cumulative return (%)", id="cumulative-chart")
            yield Static("", id="crowding-parts")
        yield Static("Members (today)", classes="section", id="members-title")
        yield PaneTable(id="members")
        yield Static("", id="missing")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#members", PaneTable)
        table.add_column("Ticker", key="ticker", width=7)
        table.add_column("Today", key="ret", width=8)
        table.add_column("σ", key="sigma", width=7)
        table.add_column("Mom 12-1", key="mom", width=8)
        table.add_column("Beta", key="beta", width=5)

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        theme = snapshot.themes.get(self.theme_name)
        if theme is None:
            self.header(Text(f"{self.theme_name}: not in this snapshot", style="bold"))
            return
        header = move_header(self.theme_name, theme.stats, snapshot.alert_sigma)
        if theme.flag:
            header.append("  ")
            header.append_text(flag_cell(theme.flag))
        if theme.note:
            header.append(f"\n{theme.note}", style="italic")
        self.header(header)
        drill = snapshot.drill_downs.get(self.theme_name)
        self.query_one("#cumulative-chart", SeriesChart).points = drill.cumulative if drill else ()
        self.query_one("#crowding-parts", Static).update(crowding_text(theme))
        members = snapshot.theme_members.get(self.theme_name)
        rows = []
        if members is not None and members.height:
            for row in members.sort("ret", nulls_last=True).iter_rows(named=True):
                rows.append(
                    (
                        row["ticker"],
                        [
                            row["ticker"],
                            fmt.colored(fmt.pct(row.get("ret")), row.get("ret")),
                            fmt.sigma_cell(row.get("sigma"), snapshot.alert_sigma),
                            fmt.colored(fmt.pct(row.get("mom"), 1), row.get("mom")),
                            Text(fmt.ratio(row.get("beta")), justify="right"),
                        ],
                    )
                )
        self.query_one("#members", PaneTable).replace_rows(rows)
        self.query_one("#members-title", Static).update(
            f"Members: {theme.member_count} with a return today"
        )
        missing = ", ".join(theme.missing) if theme.missing else "none"
        self.query_one("#missing", Static).update(f"Missing from the data: {missing}")
