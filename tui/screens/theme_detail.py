"""Drill-down of a theme: members by contribution, missing tickers, cumulative chart, crowding."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Static

from crowdwatch.analytics.results import Snapshot, ThemeMove
from crowdwatch.tui.messages import EditTheme
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.tui.screens.series_detail import move_header
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.attribution import SORTS, MemberTable, top_share_text
from crowdwatch.widgets.charts import SeriesChart
from crowdwatch.widgets.theme_table import flag_cell

PART_LABELS = {
    "momentum": "Momentum",
    "comovement": "Comovement",
    "momentum_beta": "Momentum beta",
}


def crowding_text(theme: ThemeMove, pal: fmt.Palette) -> Text:
    """Crowding and its three parts as 0-100 bars."""
    text = Text("Crowding ", style="bold")
    text.append(f"{fmt.ratio(theme.crowding, 0)} / 100\n")
    for key, label in PART_LABELS.items():
        value = theme.crowding_parts.get(key)
        bar = "" if value is None else "█" * int(round(value / 5))
        text.append(f"{label:<14}{fmt.ratio(value, 0):>4} ")
        text.append(bar, style=pal.paint("#5f87d7"))
        text.append("\n")
    if theme.momentum is not None:
        text.append(f"Theme momentum (12-1) {fmt.pct(theme.momentum, 1)}")
        if theme.momentum_thirds:
            text.append(f", {' and '.join(theme.momentum_thirds)} third of the themes")
        text.append("\n")
    return text


class ThemeDetail(DetailScreen):
    """A theme's drill-down; + and - edit its tickers in the user's themes.yaml."""

    BINDINGS = [
        Binding("s", "sort_members", "Sort members"),
        Binding("plus", "ask_ticker(True)", "Add ticker", key_display="+"),
        Binding("minus", "ask_ticker(False)", "Remove ticker", key_display="-"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__(id="theme-detail")
        self.theme_name = name
        self.member_sort = 0  # index into widgets.attribution.SORTS

    def action_sort_members(self) -> None:
        self.member_sort = (self.member_sort + 1) % len(SORTS)
        self.watch_snapshot()
        self.adding = True

    def body(self) -> Iterable[Widget]:
        # what drove the move first: the members by contribution, then the history
        yield Static("Members (today)", classes="section", id="members-title")
        yield Static("", id="top-share")
        yield MemberTable(id="members")
        yield Static("", id="missing")
        with Horizontal(classes="detail-row"):
            yield SeriesChart("cumulative return (%)", id="cumulative-chart")
            yield Static("", id="crowding-parts")

    def below_body(self) -> Iterable[Widget]:
        prompt = Input(id="ticker-input", classes="ticker-input")
        prompt.cursor_blink = False
        yield prompt

    # --- editing the theme's tickers --------------------------------------------------
    def action_ask_ticker(self, add: bool) -> None:
        """Open the prompt: empty to add; the highlighted member, to confirm, to remove."""
        self.adding = add
        prompt = self.query_one("#ticker-input", Input)
        verb = "add to" if add else "remove from"
        prompt.placeholder = f"ticker to {verb} {self.theme_name} (Enter saves, Esc cancels)"
        prompt.value = "" if add else self.highlighted_ticker()
        prompt.add_class("-open")
        prompt.focus()

    def highlighted_ticker(self) -> str:
        table = self.query_one("#members", MemberTable)
        if table.row_count == 0:
            return ""
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value or "")

    @on(Input.Submitted, "#ticker-input")
    def _ticker_entered(self, event: Input.Submitted) -> None:
        ticker = event.value.strip().upper()
        self.close_prompt()
        if ticker:
            self.post_message(EditTheme(self.theme_name, ticker, self.adding))

    def close_prompt(self) -> None:
        prompt = self.query_one("#ticker-input", Input)
        prompt.value = ""
        prompt.remove_class("-open")
        self.query_one("#members", MemberTable).focus()

    def action_back(self) -> None:
        if self.query_one("#ticker-input", Input).has_class("-open"):
            self.close_prompt()  # Esc cancels the prompt first
            return
        super().action_back()

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        theme = snapshot.themes.get(self.theme_name)
        if theme is None:
            self.header(Text(f"{self.theme_name}: not in this snapshot", style="bold"))
            return
        pal = fmt.palette(self)
        header = move_header(self.theme_name, theme.stats, snapshot.alert_sigma, pal)
        if theme.flag:
            header.append("  ")
            header.append_text(flag_cell(theme.flag, pal))
        if theme.flag_reason:
            header.append(f"\n{theme.flag_reason}")
        if theme.note:
            header.append(f"\n{theme.note}", style="italic")
        self.header(header)
        drill = snapshot.drill_downs.get(self.theme_name)
        self.query_one("#cumulative-chart", SeriesChart).points = drill.cumulative if drill else ()
        self.query_one("#crowding-parts", Static).update(crowding_text(theme, pal))
        self.query_one("#top-share", Static).update(
            top_share_text(theme.stats, theme.stats.top_share())
        )
        self.query_one("#members", MemberTable).show(
            snapshot.members.get(self.theme_name), self.member_sort, snapshot.alert_sigma, pal
        )
        self.query_one("#members-title", Static).update(
            f"Members: {theme.member_count} with a return today, "
            f"by {SORTS[self.member_sort][0]} (s: sort)"
        )
        missing = ", ".join(theme.missing) if theme.missing else "none"
        self.query_one("#missing", Static).update(f"Missing from the data: {missing}")
