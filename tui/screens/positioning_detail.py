"""Drill-down of one of the desk's own series: its history with the past-year band."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from crowdwatch.analytics.positioning import UserSeries
from crowdwatch.analytics.positioning_format import gamma_line, series_value
from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import BandChart
from crowdwatch.widgets.pane_table import PaneTable

RECENT_ROWS = 12


def series_header(series: UserSeries) -> Text:
    """'Dealer gamma  $4.6bn on 2026-02-04  change -$290m  1y pctile 0th  STALE'."""
    text = Text(series.label, style="bold")
    text.append(f"  {series_value(series.value, series.unit)}")
    text.append(f" on {fmt.iso(series.date)}" if series.date else "  nothing dated by then")
    text.append(f"  change {series_value(series.change, series.unit, signed=True)}")
    text.append(f"  1y pctile {fmt.ordinal(series.percentile_1y)}")
    if series.stale:
        text.append("  STALE", style=fmt.paint("bold reverse yellow", "bold reverse"))
    unit = series.unit or "no unit"
    text.append(f"\n{series.name} ({unit}{', ' + series.role if series.role else ''})")
    return text


class PositioningDetail(DetailScreen):
    """name is the series' name in the data (a key of Snapshot.user_series)."""

    def __init__(self, name: str) -> None:
        super().__init__(id="positioning-detail")
        self.series_name = name

    def body(self) -> Iterable[Widget]:
        yield BandChart(id="band-chart")
        yield Static("", id="gamma-detail")
        yield Static("Latest observations", classes="section")
        yield PaneTable(id="observations")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#observations", PaneTable)
        table.add_column("Date", key="date", width=10)
        table.add_column("Value", key="value", width=9)
        table.add_column("1y pctl", key="pctl", width=7)
        table.add_column("p10 - p90 of its year", key="band", width=22)

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        series = snapshot.user_series.get(self.series_name) or UserSeries(
            self.series_name, self.series_name
        )
        self.header(series_header(series))
        history = series.history
        rows, points = [], ()
        if history is not None and history.height:
            points = tuple(history.select("date", "value", "band_low", "band_median",
                                          "band_high").iter_rows())  # fmt: skip
            for row in history.tail(RECENT_ROWS).reverse().iter_rows(named=True):
                low, high = row["band_low"], row["band_high"]
                band = (f"{series_value(low, series.unit)} - {series_value(high, series.unit)}"
                        if low is not None else fmt.DASH)  # fmt: skip
                key = row["date"].isoformat()
                rows.append((key, [key, Text(series_value(row["value"], series.unit),
                                             justify="right"),
                                   Text(fmt.ordinal(row["percentile_1y"]), justify="right"),
                                   band]))  # fmt: skip
        chart = self.query_one("#band-chart", BandChart)
        if points:
            chart.title = f"{series.label} since {points[0][0].isoformat()}, band: its past year"
        chart.points = points
        gamma = gamma_line(snapshot) if series.role == "dealer_gamma" else ""
        gamma_static = self.query_one("#gamma-detail", Static)
        gamma_static.display = bool(gamma)
        gamma_static.update(gamma)
        self.query_one("#observations", PaneTable).replace_rows(rows)
