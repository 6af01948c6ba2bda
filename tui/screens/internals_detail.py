"""Drill-down of one market internal: its daily history and percentile, and what drove it
today (breadth by sector, the widest 5-day vols, the most reversed names, the LETF flows)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import DataTable, Static

from crowdwatch.analytics.internals_drill import InternalDrillDown, InternalHistory
from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import ScatterChart, SeriesChart
from crowdwatch.widgets.pane_table import PaneTable

TITLES = {
    "index": "Index daily return",
    "breadth": "Breadth",
    "dispersion": "Dispersion ratio",
    "reversal": "Reversal correlation",
    "realized": "Realized correlation",
    "letf": "Leveraged-ETF rebalancing",
}
PERCENT_CHART = {"index", "breadth"}  # the others are ratios, correlations or $bn
HISTORY_ONLY = {"index", "realized"}
TOTAL = "total"  # the LETF chart's key for the sum over every fund


def value_text(key: str, value: float | None) -> str:
    """The internal's value as the dashboard pane words it, with one more digit."""
    if key == "index":
        return fmt.pct(value)
    if key == "breadth":
        return fmt.pct(value, 1).lstrip("+")
    if key == "dispersion":
        return fmt.ratio(value) + "x"
    if key == "reversal":
        return fmt.signed(value)
    if key == "letf":
        return fmt.billions(value)
    return fmt.ratio(value)


def percentile_text(line: InternalHistory) -> str:
    """'99th pctl of |flow|, all days' or '98th pctl since 2023-02-04' (none: 'no pctl')."""
    if line.percentile is None:
        return "no pctl"
    text = f"{fmt.ordinal(line.percentile)} pctl" + (" of |flow|" if line.absolute else "")
    return text + (f" since {line.since.isoformat()}" if line.since else ", all days")


def note_text(key: str, drill: InternalDrillDown, snapshot: Snapshot) -> str:
    bench, count = snapshot.benchmark, drill.count
    return {
        "index": f"{bench}'s return today; the chart is its daily return",
        "breadth": f"share of the {count} members with a return today beating {bench}",
        "dispersion": f"mean over {count} members of 5-day stdev / {bench}'s",
        "reversal": f"Spearman of today vs 12-1 momentum, {count} members; "
        "negative: winners fall, losers rally",
        "realized": f"average correlation implied by 21-day vols (members vs {bench})",
        "letf": f"negative = sell; gamma {fmt.billions(snapshot.internals.letf_gamma_usd_per_pct)}"
        " per 1% move; a table row's cursor charts its flow",
    }[key]


def cell(text: str, value: float | None = None) -> Text:
    return fmt.colored(text, value) if value is not None else Text(text, justify="right")


def member_columns(table: PaneTable, last: tuple[tuple[str, str, int], ...]) -> None:
    table.add_column("Ticker", key="ticker", width=6)
    table.add_column("Name", key="name", width=22)
    table.add_column("Sector", key="sector", width=22)
    for label, key, width in last:
        table.add_column(label, key=key, width=width)


def named_cells(row: dict) -> list:
    return [row["ticker"], (row["name"] or "")[:22], (row["sector"] or "")[:22]]


class InternalsDetail(DetailScreen):
    """One internal (the dashboard row's key: index, breadth, dispersion, reversal, ...)."""

    def __init__(self, key: str = "dispersion") -> None:
        super().__init__(id="internals-detail")
        self.key = key if key in TITLES else "dispersion"
        self.flow_key = TOTAL  # LETF: the flow the chart shows

    def body(self) -> Iterable[Widget]:
        chart = SeriesChart("", percent=self.key in PERCENT_CHART, id="history-chart")
        chart.set_class(self.key in HISTORY_ONLY, "alone")  # the screen's one widget: fill it
        yield chart
        if self.key == "breadth":
            yield Static("Today by sector: members beating / lagging the index", classes="section")
            yield PaneTable(id="by-sector")
        elif self.key == "dispersion":
            yield Static("Widest 5-day vol vs the index", classes="section")
            yield PaneTable(id="vol-ratios")
        elif self.key == "reversal":
            yield ScatterChart("today's return vs momentum", xlabel="12-1 momentum %",
                               id="reversal-scatter")  # fmt: skip
            yield Static("Most reversed: today against the momentum's sign", classes="section")
            yield PaneTable(id="most-reversed")
        elif self.key == "letf":
            yield Static("By underlying", classes="section")
            yield PaneTable(id="letf-underlyings")
            yield Static("By fund", classes="section")
            yield PaneTable(id="letf-funds")

    def on_mount(self) -> None:
        super().on_mount()
        if self.key == "breadth":
            table = self.query_one("#by-sector", PaneTable)
            table.add_column("Sector", key="sector", width=24)
            for label, key in (("Members", "members"), ("Beat", "beating"), ("Lag", "lagging")):
                table.add_column(label, key=key, width=7)
            table.add_column("Breadth", key="breadth", width=7)
        elif self.key == "dispersion":
            member_columns(self.query_one("#vol-ratios", PaneTable),
                           (("Today", "ret", 7), ("5d vol", "vol", 6), ("x index", "ratio", 7)))  # fmt: skip
        elif self.key == "reversal":
            member_columns(self.query_one("#most-reversed", PaneTable),
                           (("Today", "ret", 7), ("Mom", "mom", 7)))  # fmt: skip
        elif self.key == "letf":
            table = self.query_one("#letf-underlyings", PaneTable)
            for label, key, width in (("Underlying", "underlying", 10), ("Funds", "funds", 5),
                                      ("Flow $bn", "flow", 8), ("Pctl", "pctl", 5)):  # fmt: skip
                table.add_column(label, key=key, width=width)
            table = self.query_one("#letf-funds", PaneTable)
            for label, key, width in (("Fund", "ticker", 6), ("Underlying", "underlying", 10),
                                      ("Lev", "leverage", 4), ("AUM $bn", "aum", 8),
                                      ("Flow $bn", "flow", 8), ("Pctl", "pctl", 5)):  # fmt: skip
                table.add_column(label, key=key, width=width)

    @on(DataTable.RowHighlighted)
    def _flow_picked(self, event: DataTable.RowHighlighted) -> None:
        if self.key == "letf" and event.data_table.has_focus and event.row_key.value:
            self.flow_key = str(event.row_key.value)
            self.watch_snapshot()

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        drill = snapshot.internal_drill_downs.get(self.key)
        title = TITLES[self.key].replace("Index", f"Index {snapshot.benchmark}")
        if drill is None:
            self.header(Text(f"{title}: no history in this snapshot", style="bold"))
            return
        line = drill.history
        header = Text(title, style="bold")
        header.append("  ")
        header.append_text(cell(value_text(self.key, line.today), line.today))
        header.append(f"  {percentile_text(line)}")
        header.append(f"\n{note_text(self.key, drill, snapshot)}")
        self.header(header)
        self.chart(drill.flows.get(self.flow_key, line) if self.key == "letf" else line)
        getattr(self, f"show_{self.key}", lambda _drill: None)(drill)

    def chart(self, line: InternalHistory) -> None:
        chart = self.query_one("#history-chart", SeriesChart)
        points = line.points
        scale = 1e-9 if self.key == "letf" else 1.0
        first = points[0][0].isoformat() if points else ""
        unit = " ($bn)" if self.key == "letf" else ""
        title = f"{line.name}{unit} since {first}"
        if self.key == "letf" and self.flow_key != TOTAL:  # the header has the total's
            title += f": today {percentile_text(line).removesuffix(', all days')}"
        chart.title = title
        chart.points = tuple((day, value * scale) for day, value in points)

    def show_breadth(self, drill: InternalDrillDown) -> None:
        frame = drill.tables.get("by_sector", pl.DataFrame())
        rows = [
            (
                row["sector"],
                [
                    row["sector"][:24],
                    cell(str(row["members"])),
                    cell(str(row["beating"])),
                    cell(str(row["lagging"])),
                    cell(fmt.pct(row["breadth"], 0).lstrip("+")),
                ],
            )  # fmt: skip
            for row in frame.iter_rows(named=True)
        ]
        self.query_one("#by-sector", PaneTable).replace_rows(rows)

    def show_dispersion(self, drill: InternalDrillDown) -> None:
        frame = drill.tables.get("vol_ratios", pl.DataFrame())
        rows = [
            (
                row["ticker"],
                [
                    *named_cells(row),
                    cell(fmt.pct(row["ret"], 1), row["ret"]),
                    cell(fmt.pct(row["vol_5d"], 1).lstrip("+")),
                    cell(fmt.ratio(row["vol_ratio"], 1) + "x"),
                ],
            )  # fmt: skip
            for row in frame.iter_rows(named=True)
        ]
        self.query_one("#vol-ratios", PaneTable).replace_rows(rows)

    def show_reversal(self, drill: InternalDrillDown) -> None:
        if drill.scatter is not None:
            mom, ret = drill.scatter
            self.query_one("#reversal-scatter", ScatterChart).points = (
                tuple(mom.tolist()),
                tuple(ret.tolist()),
            )
        frame = drill.tables.get("most_reversed", pl.DataFrame())
        rows = [
            (
                row["ticker"],
                [
                    *named_cells(row),
                    cell(fmt.pct(row["ret"], 1), row["ret"]),
                    cell(fmt.pct(row["mom"], 0), row["mom"]),
                ],
            )  # fmt: skip
            for row in frame.iter_rows(named=True)
        ]
        self.query_one("#most-reversed", PaneTable).replace_rows(rows)

    def show_letf(self, drill: InternalDrillDown) -> None:
        def flow(value: float | None) -> Text:
            return fmt.colored(fmt.billions(value).removesuffix("bn"), value)

        underlyings = [
            (
                row["underlying"],
                [
                    row["underlying"],
                    cell(str(row["funds"])),
                    flow(row["flow_usd"]),
                    cell(fmt.ordinal(row["percentile"])),
                ],
            )  # fmt: skip
            for row in drill.tables["underlyings"].iter_rows(named=True)
        ]
        self.query_one("#letf-underlyings", PaneTable).replace_rows(underlyings)
        funds = [
            (
                f"fund:{row['ticker']}",
                [
                    row["ticker"],
                    row["underlying"],
                    cell(f"{row['leverage']:+g}"),
                    cell(f"{row['aum_usd'] / 1e9:.1f}"),
                    flow(row["flow_usd"]),
                    cell(fmt.ordinal(row["percentile"])),
                ],
            )  # fmt: skip
            for row in drill.tables["funds"].iter_rows(named=True)
        ]
        self.query_one("#letf-funds", PaneTable).replace_rows(funds)
