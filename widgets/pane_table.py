"""A row-cursor DataTable that updates in place and hands arrow keys on to the next pane."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from crowdwatch.widgets.columns import Cell, Column, choose_widths, draw_cell

Row = tuple[str, Sequence[Any]]  # (row key, cells)
KeyedRow = tuple[str, Mapping[str, Cell]]  # (row key, {column key: cell})


class PaneTable(DataTable):
    """The table inside a dashboard pane.

    Rows are replaced on every refresh without losing the cursor, and left/right at the
    edge of the scroll ask the screen to move to the neighbour pane. A table given its
    `spec` (Column tuple) shows the columns that fit whole, by priority (`show_rows`), so
    it never scrolls sideways.
    """

    DEFAULT_CSS = """
    PaneTable { height: auto; max-height: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First row", show=False),
        Binding("G", "scroll_bottom", "Last row", show=False),
    ]

    @dataclass
    class LeaveRequest(Message):
        """Left/right pressed with nothing left to scroll that way."""

        table: PaneTable
        step: int

    spec: tuple[Column, ...] = ()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type="row", zebra_stripes=False, show_row_labels=False
        )
        self._keyed_rows: list[KeyedRow] = []
        self.column_layout: tuple[tuple[str, int], ...] = ()

    def row_keys(self) -> list[str]:
        return [str(row.key.value) for row in self.ordered_rows]

    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        row = self.ordered_rows[min(self.cursor_row, self.row_count - 1)]
        return str(row.key.value)

    def replace_rows(self, rows: Sequence[Row]) -> None:
        keys = [key for key, _ in rows]
        columns = [column.key for column in self.ordered_columns]
        if keys == self.row_keys():
            for key, cells in rows:
                for column, value in zip(columns, cells, strict=False):
                    self.update_cell(key, column, value)
            return
        cursor, scroll_x = self.cursor_key(), self.scroll_x
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if cursor in keys:
            self.move_cursor(row=keys.index(cursor), scroll=False)
        self.scroll_x = scroll_x

    # --- columns by priority ---------------------------------------------------------
    def available_width(self) -> int:
        """The cells a row may use: the width less a vertical scrollbar when rows overflow."""
        width = self.size.width
        if len(self._keyed_rows) + 1 > self.size.height > 0:
            width -= self.styles.scrollbar_size_vertical
        return max(width, 0)

    def show_rows(self, rows: Sequence[KeyedRow]) -> None:
        """Rows as {column key: cell}; the columns shown are those that fit whole."""
        self._keyed_rows = list(rows)
        self._apply_layout()

    def on_resize(self) -> None:
        if self.spec:
            self._apply_layout()

    def _apply_layout(self) -> None:
        if not self.spec or not self.is_mounted:
            return
        chosen = choose_widths(
            self.spec,
            [cells for _, cells in self._keyed_rows],
            self.available_width(),
            2 * self.cell_padding,
        )
        layout = tuple((column.key, width) for column, width in chosen)
        if layout != self.column_layout:
            cursor = self.cursor_key()
            self.clear(columns=True)
            for column, width in chosen:
                self.add_column(column.header, key=column.key, width=width)
            self.column_layout = layout
            self.replace_rows(self._drawn(chosen))
            keys = self.row_keys()
            if cursor in keys:
                self.move_cursor(row=keys.index(cursor), scroll=False)
        else:
            self.replace_rows(self._drawn(chosen))

    def _drawn(self, chosen: list[tuple[Column, int]]) -> list[Row]:
        return [
            (
                key,
                [
                    draw_cell(cells.get(column.key, ""), width, column.justify)
                    for column, width in chosen
                ],
            )
            for key, cells in self._keyed_rows
        ]

    def shown_columns(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.column_layout)

    # --- keys --------------------------------------------------------------------------
    def action_cursor_left(self) -> None:
        if self.scroll_x > 0:
            super().action_cursor_left()
        else:
            self.post_message(self.LeaveRequest(self, -1))

    def action_cursor_right(self) -> None:
        if self.scroll_x < self.max_scroll_x:
            super().action_cursor_right()
        else:
            self.post_message(self.LeaveRequest(self, +1))
