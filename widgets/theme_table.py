"""The "Crowded themes" pane: one row per theme, sortable by any column, filterable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive

from crowdwatch.analytics.results import Snapshot, ThemeMove
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.columns import Column
from crowdwatch.widgets.factor_table import move_cells
from crowdwatch.widgets.pane_table import PaneTable

TITLE = "Crowded themes"

# (column key, header, sort value, descending by default): the sortable columns
_FLAG_ORDER = {"UNWIND": 0, "SQUEEZE": 1}
COLUMNS: tuple[tuple[str, str, Callable[[ThemeMove], Any], bool], ...] = (
    ("name", "Theme", lambda t: t.stats.name.lower(), False),
    ("ret", "Today", lambda t: t.stats.ret, False),
    ("sigma", "σ", lambda t: t.stats.sigma, False),
    ("flag", "Flag", lambda t: _FLAG_ORDER.get(t.flag or ""), False),
    ("crowding", "Crowd", lambda t: t.crowding, True),
    ("ret_1w", "1w", lambda t: t.stats.ret_1w, False),
    ("ret_1m", "1m", lambda t: t.stats.ret_1m, False),
    ("ret_ytd", "YTD", lambda t: t.stats.ret_ytd, False),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)
HEADERS = {c[0]: c[1] for c in COLUMNS}
# display order; priority says what stays as the pane narrows (0 always)
SPEC = (
    Column("name", "Theme", 0, justify="left"),
    Column("ret", "Today", 1, 7),
    Column("sigma", "σ", 2, 7),
    Column("flag", "Flag", 3, 8, justify="left"),
    Column("crowding", "Crowd", 4, 5),
    Column("ret_1w", "1w", 5, 7),
    Column("ret_1m", "1m", 6, 7),
    Column("ret_ytd", "YTD", 7, 7),
    Column("pctl", "Pctl", 9, 5),
    Column("since", "Since", 10, 12, justify="left"),
    Column("spark", "60d", 8, justify="left"),
)
# (long, short) wordings, most important first
LEGEND = (
    ("▼UNWIND: a top-third momentum theme down 2σ or more", "▼UNWIND: top-third mom, σ≤-2"),
    ("▲SQUEEZE: a bottom-third theme up 2σ or more", "▲SQUEEZE: bottom third, σ≥+2"),
    ("Crowd: 0-100 against its own past year", "Crowd: 0-100 vs own year"),
    ("bold: flagged", "bold: flagged"),
)


def flag_cell(flag: str | None, pal: fmt.Palette = fmt.COLOUR) -> Text:
    """UNWIND / SQUEEZE in reverse video with an arrow, so they stand out even uncoloured."""
    if flag == "UNWIND":
        return Text("▼UNWIND", style=pal.paint(f"bold reverse {fmt.LOSS}"))
    if flag == "SQUEEZE":
        return Text("▲SQUEEZE", style=pal.paint(f"bold reverse {fmt.GAIN}"))
    return Text("")


def matches(theme: ThemeMove, needle: str) -> bool:
    """The filter: part of the theme's name, or the start of one of its tickers."""
    needle = needle.strip().lower()
    if not needle or needle in theme.stats.name.lower():
        return True
    return any(ticker.lower().startswith(needle) for ticker in theme.tickers)


def sort_themes(themes: list[ThemeMove], column: str, descending: bool) -> list[ThemeMove]:
    """Sort by a column; unknown values always go last, ties by name."""
    value = next(c[2] for c in COLUMNS if c[0] == column)
    known = [t for t in themes if value(t) is not None]
    unknown = [t for t in themes if value(t) is None]
    known.sort(key=lambda t: t.stats.name.lower())
    known.sort(key=value, reverse=descending)
    return known + sorted(unknown, key=lambda t: t.stats.name.lower())


class ThemeTable(PaneTable):
    """Themes with today, sigma, flag, crowding (0-100), 1w, 1m and YTD."""

    @dataclass
    class ViewChanged(Message):
        """The sort or the filter changed (the pane shows them in its subtitle)."""

        table: ThemeTable

    themes: reactive[tuple[ThemeMove, ...]] = reactive((), init=False)
    alert_sigma: reactive[float] = reactive(3.0, init=False)
    sort_column: reactive[str] = reactive("sigma", init=False)
    sort_descending: reactive[bool] = reactive(False, init=False)
    filter_text: reactive[str] = reactive("", init=False)

    spec = SPEC

    def on_mount(self) -> None:
        self._rebuild()

    def show(self, snapshot: Snapshot) -> None:
        self.set_reactive(ThemeTable.alert_sigma, snapshot.alert_sigma)
        self.themes = tuple(snapshot.themes.values())

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        """Sort by `column`; its natural direction unless told, flipped when chosen again."""
        if column not in HEADERS:
            return  # not a sortable column (the sparkline)
        default = next(c[3] for c in COLUMNS if c[0] == column)
        if descending is None:
            descending = not self.sort_descending if column == self.sort_column else default
        self.set_reactive(ThemeTable.sort_descending, descending)
        self.sort_column = column
        self._rebuild()
        self.post_message(self.ViewChanged(self))

    def cycle_sort(self) -> None:
        """`s`: sort by the next column."""
        index = (COLUMN_KEYS.index(self.sort_column) + 1) % len(COLUMN_KEYS)
        self.sort_by(COLUMN_KEYS[index], descending=COLUMNS[index][3])

    def describe(self) -> str:
        """Sort and filter state for the pane's subtitle."""
        arrow = "▼" if self.sort_descending else "▲"
        text = f"sort {HEADERS[self.sort_column]} {arrow}"
        if self.filter_text:
            text += f" · filter '{self.filter_text}'"
        return text

    def visible(self) -> list[ThemeMove]:
        rows = [t for t in self.themes if matches(t, self.filter_text)]
        return sort_themes(rows, self.sort_column, self.sort_descending)

    def watch_themes(self) -> None:
        self._rebuild()
        self.post_message(self.ViewChanged(self))

    def watch_filter_text(self) -> None:
        self._rebuild()
        self.post_message(self.ViewChanged(self))

    def on_data_table_header_selected(self, event: PaneTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def empty_text(self) -> str:
        """What an empty table means: no theme, or none that matches the filter."""
        if self.visible():
            return ""
        if self.filter_text.strip():
            return f"no theme matches '{self.filter_text.strip()}' (name or ticker; Esc clears)"
        return "no themes configured (themes.yaml)" if self.columns else ""

    def _rebuild(self) -> None:
        pal = fmt.palette(self)
        rows = []
        for theme in self.visible():
            stats = theme.stats
            cells = move_cells(
                stats.name, stats, self.alert_sigma, pal, "bold" if theme.flag else ""
            )
            cells["flag"] = flag_cell(theme.flag, pal)
            cells["crowding"] = Text(fmt.ratio(theme.crowding, 0), justify="right")
            rows.append((stats.name, cells))
        self.show_rows(rows)
