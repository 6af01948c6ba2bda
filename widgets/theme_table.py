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
from crowdwatch.widgets.pane_table import PaneTable

TITLE = "Crowded themes"

# (column key, header, width, sort value, descending by default)
_FLAG_ORDER = {"UNWIND": 0, "SQUEEZE": 1}
COLUMNS: tuple[tuple[str, str, int, Callable[[ThemeMove], Any], bool], ...] = (
    ("name", "Theme", 20, lambda t: t.stats.name.lower(), False),
    ("ret", "Today", 7, lambda t: t.stats.ret, False),
    ("sigma", "σ", 7, lambda t: t.stats.sigma, False),
    ("flag", "Flag", 9, lambda t: _FLAG_ORDER.get(t.flag or ""), False),
    ("crowding", "Crowd", 5, lambda t: t.crowding, True),
    ("ret_1w", "1w", 7, lambda t: t.stats.ret_1w, False),
    ("ret_1m", "1m", 7, lambda t: t.stats.ret_1m, False),
    ("ret_ytd", "YTD", 7, lambda t: t.stats.ret_ytd, False),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)
HEADERS = {c[0]: c[1] for c in COLUMNS}


def flag_cell(flag: str | None) -> Text:
    """UNWIND / SQUEEZE in reverse video with an arrow, so they stand out even uncoloured."""
    if flag == "UNWIND":
        return Text("▼UNWIND", style=fmt.paint("bold reverse red"))
    if flag == "SQUEEZE":
        return Text("▲SQUEEZE", style=fmt.paint("bold reverse green"))
    return Text("")


def sort_themes(themes: list[ThemeMove], column: str, descending: bool) -> list[ThemeMove]:
    """Sort by a column; unknown values always go last, ties by name."""
    value = next(c[3] for c in COLUMNS if c[0] == column)
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

    def on_mount(self) -> None:
        for key, header, width, _, _ in COLUMNS:
            self.add_column(header, key=key, width=width)
        self.fixed_columns = 1
        self._rebuild()

    def show(self, snapshot: Snapshot) -> None:
        self.set_reactive(ThemeTable.alert_sigma, snapshot.alert_sigma)
        self.themes = tuple(snapshot.themes.values())

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        """Sort by `column`; its natural direction unless told, flipped when chosen again."""
        default = next(c[4] for c in COLUMNS if c[0] == column)
        if descending is None:
            descending = not self.sort_descending if column == self.sort_column else default
        self.set_reactive(ThemeTable.sort_descending, descending)
        self.sort_column = column
        self._rebuild()
        self.post_message(self.ViewChanged(self))

    def cycle_sort(self) -> None:
        """`s`: sort by the next column."""
        index = (COLUMN_KEYS.index(self.sort_column) + 1) % len(COLUMN_KEYS)
        self.sort_by(COLUMN_KEYS[index], descending=COLUMNS[index][4])

    def describe(self) -> str:
        """Sort and filter state for the pane's subtitle."""
        arrow = "▼" if self.sort_descending else "▲"
        text = f"sort {HEADERS[self.sort_column]} {arrow}"
        if self.filter_text:
            text += f" · filter '{self.filter_text}'"
        return text

    def visible(self) -> list[ThemeMove]:
        needle = self.filter_text.strip().lower()
        rows = [t for t in self.themes if needle in t.stats.name.lower()]
        return sort_themes(rows, self.sort_column, self.sort_descending)

    def watch_themes(self) -> None:
        self._rebuild()

    def watch_filter_text(self) -> None:
        self._rebuild()
        self.post_message(self.ViewChanged(self))

    def on_data_table_header_selected(self, event: PaneTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def _rebuild(self) -> None:
        if not self.columns:
            return
        rows = []
        for theme in self.visible():
            stats = theme.stats
            name_style = "bold" if theme.flag else ""
            rows.append(
                (
                    stats.name,
                    [
                        Text(stats.name, style=name_style),
                        fmt.colored(fmt.pct(stats.ret), stats.ret),
                        fmt.sigma_cell(stats.sigma, self.alert_sigma),
                        flag_cell(theme.flag),
                        Text(fmt.ratio(theme.crowding, 0), justify="right"),
                        fmt.colored(fmt.pct(stats.ret_1w), stats.ret_1w),
                        fmt.colored(fmt.pct(stats.ret_1m), stats.ret_1m),
                        fmt.colored(fmt.pct(stats.ret_ytd), stats.ret_ytd),
                    ],
                )
            )
        self.replace_rows(rows)
