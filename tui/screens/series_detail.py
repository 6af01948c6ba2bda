"""Drill-down of a basket or factor: what drove it (legs, sectors, members), history, events."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from crowdwatch.analytics.formatting import basket_label, factor_label
from crowdwatch.analytics.results import MoveStats, Snapshot
from crowdwatch.tui.messages import OpenDetail
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.attribution import (
    SORTS,
    MemberTable,
    legs_text,
    sector_text,
    top_share_text,
)
from crowdwatch.widgets.charts import SeriesChart, SigmaHistogram
from crowdwatch.widgets.pane_table import PaneTable


def move_header(title: str, stats: MoveStats, alert: float, pal: fmt.Palette) -> Text:
    """'Momentum pair  -4.93%  !-3.6σ  pctl 0th  worst since ...  1w ... 1m ... YTD ...'."""
    text = Text(title, style="bold")
    text.append("  today ")
    text.append_text(pal.colored(fmt.pct(stats.ret), stats.ret, bold=True))
    text.append(" ")
    text.append_text(pal.sigma_cell(stats.sigma, alert))
    text.append(f"  pctl {fmt.ordinal(stats.percentile)}")
    if stats.percentile == 0:
        text.append(" (below every earlier day)")
    text.append(f"  {fmt.since(stats.worst_since, stats.best_since, stats.ret, stats.on_record)}")
    text.append(
        f"\n1w {fmt.pct(stats.ret_1w)}  1m {fmt.pct(stats.ret_1m)}  YTD {fmt.pct(stats.ret_ytd)}"
        f"  drawdown {fmt.pct(stats.drawdown)}"
    )
    return text


def drivers_text(stats: MoveStats, pal: fmt.Palette = fmt.COLOUR) -> Text:
    """The legs bar for pairs and factors, then the share of the largest contributors."""
    text = legs_text(stats.legs, pal) if stats.legs is not None else Text("")
    if stats.legs is not None:
        text.append("\n")
    text.append(top_share_text(stats, stats.top_share()))
    return text


class SeriesDetail(DetailScreen):
    """kind is 'basket' or 'factor'; name is the basket key or factor name."""

    BINDINGS = [
        Binding("s", "sort_members", "Sort members"),
        Binding("h", "analog_days", "Analog days", show=False),
    ]

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(id="series-detail")
        self.kind = kind
        self.series_name = name
        self.member_sort = 0  # index into widgets.attribution.SORTS

    @property
    def is_pair(self) -> bool:
        """The momentum pair, as a basket or as the momentum factor."""
        return (self.kind, self.series_name) in (
            ("basket", "momentum_pair"),
            ("factor", "momentum"),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_pair if action == "analog_days" else True

    def action_analog_days(self) -> None:
        self.post_message(OpenDetail("analogs"))

    def action_sort_members(self) -> None:
        self.member_sort = (self.member_sort + 1) % len(SORTS)
        self.watch_snapshot()

    @property
    def title_text(self) -> str:
        if self.kind == "basket":
            return basket_label(self.series_name)
        return factor_label(self.series_name)

    def body(self) -> Iterable[Widget]:
        yield Static("What drove it", classes="section")
        with Horizontal(classes="attribution-row"):
            yield Static("", id="drivers")
            yield Static("", id="sectors")
        yield Static("", classes="section", id="long-title")
        yield MemberTable(id="long-members")
        yield Static("", classes="section", id="short-title")
        yield MemberTable(id="short-members")
        with Horizontal(classes="detail-row"):
            yield SeriesChart("cumulative return", id="cumulative-chart")
            yield SigmaHistogram(id="sigma-histogram")
        yield Static("Worst days", classes="section")
        table = PaneTable(id="worst-days")
        yield table
        yield Static("Past -3σ momentum-pair days and what followed", classes="section")
        yield PaneTable(id="events")

    def on_mount(self) -> None:
        super().on_mount()
        worst = self.query_one("#worst-days", PaneTable)
        worst.add_column("Date", key="date", width=10)
        worst.add_column("Return", key="ret", width=8)
        worst.add_column("σ", key="sigma", width=7)
        events = self.query_one("#events", PaneTable)
        events.add_column("Date", key="date", width=10)
        events.add_column("σ", key="sigma", width=7)
        for key, label in (("fwd_5d", "Next 5d"), ("fwd_21d", "Next 21d"), ("fwd_63d", "Next 63d")):
            events.add_column(label, key=key, width=8)

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        group = snapshot.baskets if self.kind == "basket" else snapshot.factors
        stats = group.get(self.series_name) or MoveStats(self.series_name)
        pal = fmt.palette(self)
        self.header(move_header(self.title_text, stats, snapshot.alert_sigma, pal))
        self.show_members(snapshot, stats)
        drill = snapshot.drill_downs.get(self.series_name)
        path = drill.cumulative if drill is not None else ()
        chart = self.query_one("#cumulative-chart", SeriesChart)
        if path:
            chart.title = f"cumulative return since {path[0][0].isoformat()} (%)"
        chart.points = path
        self.query_one(SigmaHistogram).show(drill.sigmas if drill else (), stats.sigma)
        self.query_one("#worst-days", PaneTable).replace_rows(
            [
                (
                    worst.date.isoformat(),
                    [
                        worst.date.isoformat(),
                        pal.colored(fmt.pct(worst.ret), worst.ret),
                        pal.sigma_cell(worst.sigma, snapshot.alert_sigma),
                    ],
                )
                for worst in (drill.worst_days if drill else ())
            ]
        )
        self.query_one("#events", PaneTable).replace_rows(
            [
                (
                    event.date.isoformat(),
                    [
                        event.date.isoformat(),
                        pal.sigma_cell(event.sigma, snapshot.alert_sigma),
                        pal.colored(fmt.pct(event.fwd_5d), event.fwd_5d),
                        pal.colored(fmt.pct(event.fwd_21d), event.fwd_21d),
                        pal.colored(fmt.pct(event.fwd_63d), event.fwd_63d),
                    ],
                )
                for event in snapshot.events
            ]
        )

    def show_members(self, snapshot: Snapshot, stats: MoveStats) -> None:
        pal = fmt.palette(self)
        self.query_one("#drivers", Static).update(drivers_text(stats, pal))
        self.query_one("#sectors", Static).update(sector_text(stats.by_sector, pal))
        frame = snapshot.members.get(self.series_name)
        order = f"by {SORTS[self.member_sort][0]} (s: sort)"
        is_pair = frame is not None and frame["side"].null_count() < frame.height
        long = frame.filter(frame["side"] == "long") if is_pair else frame
        count = 0 if long is None else long.height
        title = f"Long leg: {count} members {order}" if is_pair else f"Members: {count} {order}"
        self.query_one("#long-title", Static).update(title)
        self.query_one("#long-members", MemberTable).show(
            long, self.member_sort, snapshot.alert_sigma
        )
        short = frame.filter(frame["side"] == "short") if is_pair else None
        self.query_one("#short-title", Static).display = is_pair
        self.query_one("#short-members", MemberTable).display = is_pair
        if short is not None:
            self.query_one("#short-title", Static).update(
                f"Short leg: {short.height} members {order}"
            )
            self.query_one("#short-members", MemberTable).show(
                short, self.member_sort, snapshot.alert_sigma
            )
