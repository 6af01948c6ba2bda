"""A row-cursor DataTable that updates in place and hands arrow keys on to the next pane."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.widgets import DataTable

Row = tuple[str, Sequence[Any]]  # (row key, cells)


class PaneTable(DataTable):
    """The table inside a dashboard pane.

    Rows are replaced on every refresh without losing the cursor or the horizontal scroll,
    and left/right at the edge of the scroll ask the screen to move to the neighbour pane.
    """

    DEFAULT_CSS = """
    PaneTable { height: auto; max-height: 100%; }
    """

    @dataclass
    class LeaveRequest(Message):
        """Left/right pressed with nothing left to scroll that way."""

        table: PaneTable
        step: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type="row", zebra_stripes=False, show_row_labels=False
        )

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
