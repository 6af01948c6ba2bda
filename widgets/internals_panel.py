"""The "Market internals" pane: index, breadth, dispersion, correlations, LETF flow, events."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from crowdwatch.analytics.results import Internals
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.columns import Cell, Column, choices, shrinkable
from crowdwatch.widgets.pane_table import PaneTable

TITLE = "Market internals"
TOP_UNDERLYINGS = 3


def top_underlyings(by_underlying: dict[str, float], count: int = TOP_UNDERLYINGS) -> str:
    """The largest flows by size: 'QQQ -8.1 NVDA -3.9 SOXX -2.2' ($bn)."""
    ranked = sorted(by_underlying.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:count]
    return " ".join(f"{name} {value / 1e9:+.1f}" for name, value in ranked)


SPEC = (
    Column("name", "Internal", 0, justify="left"),
    Column("value", "Value", 1, 7),
    Column("pctl", "Pctl", 2, 5),
    Column("note", "Note", 3, justify="left"),
)


class InternalsTable(PaneTable):
    """One row per internal: value, percentile where there is one, and a note that keeps
    to the width it has (a shorter wording, never a cut one)."""

    spec = SPEC
    internals: reactive[Internals] = reactive(Internals, init=False)
    benchmark: reactive[str] = reactive("SPY", init=False)

    def on_mount(self) -> None:
        self._rebuild()

    def watch_internals(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        pal = fmt.palette(self)
        i = self.internals
        bench = self.benchmark

        def right(text: str) -> Text:
            return Text(text, justify="right")

        flows = i.letf_by_underlying
        rows: list[tuple[str, dict[str, Cell]]] = [
            ("index", {"name": shrinkable("Index " + bench),
                       "value": pal.colored(fmt.pct(i.index_ret), i.index_ret)}),
            ("breadth", {"name": shrinkable("Breadth"),
                         "value": right(fmt.pct(i.breadth, 0).lstrip("+")),
                         "note": choices(f"share beating {bench}", f"beat {bench}")}),
            ("dispersion", {"name": shrinkable("Dispersion"),
                            "value": right(fmt.ratio(i.dispersion_ratio) + "x"),
                            "pctl": right(fmt.ordinal(i.dispersion_percentile)),
                            "note": choices(f"stock vs {bench} 1w vol", "stock/index vol",
                                            "vol ratio")}),
            ("reversal", {"name": shrinkable("Reversal corr"),
                          "value": pal.colored(fmt.signed(i.reversal_corr), i.reversal_corr),
                          "note": choices("today vs momentum", "vs momentum", "vs mom")}),
            ("realized", {"name": shrinkable("Realized corr"),
                          "value": right(fmt.ratio(i.realized_corr)), "note": choices("21d")}),
            ("letf", {"name": shrinkable("LETF rebal"),
                      "value": pal.colored(fmt.billions(i.letf_flow_usd), i.letf_flow_usd),
                      "pctl": right(fmt.ordinal(i.letf_flow_percentile)),
                      "note": choices(*(top_underlyings(flows, n) for n in range(1, 4)))}),
        ]  # fmt: skip
        self.show_rows(rows)


class InternalsPanel(Vertical):
    """The internals table and a line on past -3σ momentum days."""

    DEFAULT_CSS = """
    InternalsPanel { height: 1fr; }
    InternalsPanel > InternalsTable { height: auto; }
    InternalsPanel > #events-line { height: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield InternalsTable(id="internals-table")
        yield Static("", id="events-line")

    def show(
        self,
        internals: Internals,
        benchmark: str,
        event_count: int,
        median_fwd_21d: float | None,
    ) -> None:
        table = self.query_one(InternalsTable)
        table.set_reactive(InternalsTable.benchmark, benchmark)
        table.internals = internals
        line = f"Past -3σ pair days: {event_count} events"
        if event_count:
            line += f", median next-21d pair return {fmt.pct(median_fwd_21d)}"
        self.query_one("#events-line", Static).update(line)
