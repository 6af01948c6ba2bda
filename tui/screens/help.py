"""The help screen (every key) and the 'terminal too small' notice."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

KEYS = (
    ("Tab / Shift+Tab", "next / previous pane"),
    ("← →", "previous / next pane (tables show the columns that fit; none scrolls sideways)"),
    ("1 2 3 4", "jump to that pane (the number is in its title)"),
    ("↑ ↓ j k PgUp PgDn", "move the row cursor"),
    ("g G", "first / last row"),
    ("Enter", "drill down into the row (theme, factor, basket, internals)"),
    ("Esc / q", "close a drill-down, help or messages; Esc clears the theme filter"),
    (
        "s",
        "sort themes by the next column (click a header to sort by it); in a "
        "drill-down, sort the members (contribution, today, momentum, beta, ticker)",
    ),
    ("S", "reverse the theme sort"),
    ("/", "filter themes by name or ticker (Enter keeps it, Esc clears it)"),
    ("p", "pause / resume live refresh"),
    ("r", "refresh now"),
    ("a", "the day's alerts; Enter opens a series"),
    ("h", "analog days: the past days most like today and what followed (also from the pair)"),
    ("[ ]", "the whole app to the previous / next trading day's close (as --as-of)"),
    ("t", "back to today (live); the feed kept polling"),
    ("c", "cycle colour schemes (dark, light, ...); remembered in settings.yaml"),
    ("+, -", "in a theme's drill-down: add / remove a ticker (saved to your themes.yaml)"),
    ("Ctrl+P", "command palette: the same actions by name"),
    ("m", "messages: every warning and error of the session"),
    ("Ctrl+S", "screenshot (SVG, saved in the current directory)"),
    ("? / F1", "this help"),
    ("q", "quit (on the dashboard)"),
    ("Ctrl+C", "quit, from anywhere"),
)

LEGEND = (
    "Signs carry the meaning without colour: -1.23% is a loss, '!' marks |σ| at or above "
    "the alert level, ▼UNWIND / ▲SQUEEZE flag crowded themes, [STALE] means old quotes "
    "or a source error."
)


def help_table() -> Table:
    table = Table(show_header=False, box=None, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, action in KEYS:
        table.add_row(key, action)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "crowdwatch keys"
            box.border_subtitle = "Esc closes"
            yield Static(help_table())
            # Text, not markup: "[STALE]" in the legend is a badge, not a style tag
            yield Static(Text("\n" + LEGEND), id="legend")


class TooSmallScreen(Screen[None]):
    """Shown below the minimum size; removed by the app as soon as the terminal is big
    enough. Says the current size and the size needed."""

    current: reactive[tuple[int, int]] = reactive((0, 0), init=False)

    def __init__(self, current: tuple[int, int], needed: tuple[int, int]) -> None:
        super().__init__()
        self.needed = needed
        self.set_reactive(TooSmallScreen.current, current)

    def compose(self) -> ComposeResult:
        yield Static(self.message(), id="too-small")

    def message(self) -> str:
        (width, height), (need_w, need_h) = self.current, self.needed
        return (
            f"Terminal too small: {width}x{height}\n"
            f"crowdwatch needs at least {need_w}x{need_h}.\n"
            "Enlarge the window, or q to quit."
        )

    def watch_current(self) -> None:
        if self.is_mounted:
            self.query_one("#too-small", Static).update(self.message())
