"""Drill-down of the market internals: dispersion history and the LETF rebalancing by fund."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import SeriesChart
from crowdwatch.widgets.internals_panel import top_underlyings
from crowdwatch.widgets.pane_table import PaneTable


class InternalsDetail(DetailScreen):
    def __init__(self) -> None:
        super().__init__(id="internals-detail")

    def body(self) -> Iterable[Widget]:
        yield SeriesChart("dispersion ratio", percent=False, id="dispersion-chart")
        yield Static("Leveraged-ETF rebalancing by fund", classes="section")
        yield PaneTable(id="letf-funds")
        yield Static("", id="letf-summary")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#letf-funds", PaneTable)
        table.add_column("Fund", key="ticker", width=6)
        table.add_column("Underlying", key="underlying", width=10)
        table.add_column("Lev", key="leverage", width=4)
        table.add_column("AUM $bn", key="aum", width=8)
        table.add_column("Flow $bn", key="flow", width=8)

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        i = snapshot.internals
        pal = fmt.palette(self)
        header = Text("Market internals", style="bold")
        header.append(
            f"  {snapshot.benchmark} {fmt.pct(i.index_ret)}"
            f"  breadth {fmt.pct(i.breadth, 0).lstrip('+')}"
            f"  dispersion {fmt.ratio(i.dispersion_ratio)}x"
            f" ({fmt.ordinal(i.dispersion_percentile)})"
            f"\nreversal corr {fmt.signed(i.reversal_corr)}"
            f"  realized corr {fmt.ratio(i.realized_corr)}"
            f"  LETF {fmt.billions(i.letf_flow_usd)} ({fmt.ordinal(i.letf_flow_percentile)})"
        )
        self.header(header)
        history = snapshot.dispersion_history
        chart = self.query_one("#dispersion-chart", SeriesChart)
        if history is not None:
            history = history.drop_nulls("dispersion_ratio")
        if history is not None and history.height:
            chart.title = f"dispersion ratio since {history['date'][0].isoformat()}"
            chart.points = tuple(
                zip(history["date"].to_list(), history["dispersion_ratio"].to_list(), strict=True)
            )
        funds = snapshot.letf_funds
        rows = []
        if funds is not None and funds.height:
            ordered = funds.sort("flow_usd", nulls_last=True)
            for row in ordered.iter_rows(named=True):
                flow = row.get("flow_usd")
                rows.append(
                    (
                        row["ticker"],
                        [
                            row["ticker"],
                            row["underlying"],
                            Text(f"{row['leverage']:+g}", justify="right"),
                            Text(f"{row['aum_usd'] / 1e9:.1f}", justify="right"),
                            pal.colored(fmt.billions(flow).removesuffix("bn"), flow),
                        ],
                    )
                )
        self.query_one("#letf-funds", PaneTable).replace_rows(rows)
        summary = Text()
        summary.append(f"Total {fmt.billions(i.letf_flow_usd)}")
        summary.append(f"  gamma {fmt.billions(i.letf_gamma_usd_per_pct)} per 1% move")
        summary.append(f"\nBy underlying: {top_underlyings(i.letf_by_underlying, 8)}")
        self.query_one("#letf-summary", Static).update(summary)
