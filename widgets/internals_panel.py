"""The "Market internals" pane: index, breadth, dispersion, correlations, LETF flow, events."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from crowdwatch.analytics.positioning import UserSeries
from crowdwatch.analytics.positioning_format import gamma_line, series_value
from crowdwatch.analytics.results import Internals, Snapshot
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.columns import Cell, Column, choices, fit_text, shrinkable
from crowdwatch.widgets.pane_table import PaneTable

TITLE = "Market internals"
TOP_UNDERLYINGS = 3


def top_underlyings(by_underlying: dict[str, float], count: int = TOP_UNDERLYINGS) -> str:
    """The largest flows by size: 'QQQ -8.1 NVDA -3.9 SOXX -2.2' ($bn)."""
    ranked = sorted(by_underlying.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:count]
    return " ".join(f"{name} {value / 1e9:+.1f}" for name, value in ranked)


def positioning_of(snapshot: Snapshot) -> tuple[tuple[UserSeries, ...], str]:
    """The user series and the gamma line the pane shows (nothing without series)."""
    series = tuple(snapshot.user_series.values())
    return series, gamma_line(snapshot) if series else ""


def series_row(series: UserSeries, pal: fmt.Palette) -> tuple[str, dict[str, Cell]]:
    """'Prime-book net  0.533  88th  chg +0.002 01-30' (+ STALE after 7 days)."""
    change = f"chg {series_value(series.change, series.unit, signed=True)}"
    note = change
    if series.date is not None:
        note += f" {series.date.strftime('%m-%d')}"
    note_text = Text(note + (" STALE" if series.stale else ""))
    if series.stale:
        note_text.stylize(pal.paint("bold yellow", "bold"), len(note) + 1)
    short = Text(change + (" STALE" if series.stale else ""))
    if series.stale:
        short.stylize(pal.paint("bold yellow", "bold"), len(change) + 1)
    cells: dict[str, Cell] = {
        "name": shrinkable(series.label),
        "value": Text(series_value(series.value, series.unit), justify="right"),
        "pctl": Text(fmt.ordinal(series.percentile_1y), justify="right"),
        "note": fit_text(note_text, short),
    }
    return f"series:{series.name}", cells


SPEC = (
    Column("name", "Internal", 0, justify="left", soft_width=13),
    Column("value", "Value", 1, 7),
    Column("pctl", "Pctl", 2, 5),
    Column("note", "Note", 3, justify="left"),
)


class InternalsTable(PaneTable):
    """One row per internal: value, percentile where there is one, and a note that keeps
    to the width it has (a shorter wording, never a cut one)."""

    spec = SPEC
    internals: reactive[Internals] = reactive(Internals, init=False)
    user_series: reactive[tuple[UserSeries, ...]] = reactive((), init=False)
    benchmark: reactive[str] = reactive("SPY", init=False)

    def on_mount(self) -> None:
        self._rebuild()

    def watch_internals(self) -> None:
        self._rebuild()

    def watch_user_series(self) -> None:
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
        rows += [series_row(series, pal) for series in self.user_series]
        self.show_rows(rows)


class InternalsPanel(Vertical):
    """The internals table and a line on past -3σ momentum days."""

    DEFAULT_CSS = """
    InternalsPanel { height: 1fr; }
    InternalsPanel > InternalsTable { height: auto; }
    InternalsPanel > #events-line { height: auto; padding: 0 1; }
    InternalsPanel > #gamma-line { height: auto; padding: 0 1; }
    InternalsPanel > #regime-line { height: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield InternalsTable(id="internals-table")
        yield Static("", id="events-line")
        yield Static("regime: –", id="regime-line")
        yield Static("", id="gamma-line")

    def show(
        self,
        internals: Internals,
        benchmark: str,
        event_count: int,
        median_fwd_21d: float | None,
        positioning: tuple[tuple[UserSeries, ...], str] = ((), ""),
        regime: str = "regime: –",
    ) -> None:
        """`regime` is analytics.lens_format.regime_line's text."""
        table = self.query_one(InternalsTable)
        table.set_reactive(InternalsTable.benchmark, benchmark)
        series, gamma = positioning
        table.set_reactive(InternalsTable.user_series, series)
        table.internals = internals
        gamma_static = self.query_one("#gamma-line", Static)
        gamma_static.display = bool(gamma)
        gamma_static.update(f"Positioning: {gamma}" if gamma else "")
        line = f"Past -3σ pair days: {event_count} events"
        if event_count:
            line += f", median next-21d pair return {fmt.pct(median_fwd_21d)}"
        self.query_one("#events-line", Static).update(line)
        self.query_one("#regime-line", Static).update(regime)
