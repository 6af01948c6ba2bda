"""The messages screen (m): every warning and error of the session, newest first."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.notices import Notice
from crowdwatch.tui.screens.detail import DetailScreen, Trail
from crowdwatch.widgets import format as fmt


def notices_table(entries: tuple[Notice, ...], current: tuple[Notice, ...]) -> Table | Text:
    """Time (New York), level, whether still in force, and the whole text (wrapped)."""
    if not entries:
        return Text("No warnings or errors this session.", style="italic")
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
    table.add_column("Time", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Now", no_wrap=True)
    table.add_column("Message", ratio=1, overflow="fold")
    in_force = {id(n) for n in current}
    for notice in reversed(entries):
        level = Text(
            "ERROR" if notice.error else "warning",
            style=fmt.paint("bold red" if notice.error else "yellow", "bold"),
        )
        table.add_row(
            fmt.ny_time(notice.at),
            level,
            "●" if id(notice) in in_force else "",
            Text(notice.text),  # Text: a file name or ticker in brackets is not markup
        )
    return table


class MessagesScreen(DetailScreen):
    """Bound to the app's `notices` (every entry) and `notices_now` (in force)."""

    notices: reactive[tuple[Notice, ...]] = reactive(tuple, always_update=True, init=False)
    notices_now: reactive[tuple[Notice, ...]] = reactive(tuple, always_update=True, init=False)

    def __init__(self) -> None:
        super().__init__(id="messages")

    def body(self) -> Iterable[Widget]:
        yield Static("", id="notices")

    def render_current(self) -> None:
        super().render_current()
        self.watch_notices()

    def watch_notices(self) -> None:
        if not self.is_mounted:
            return
        count, now = len(self.notices), len(self.notices_now)
        header = Text("Messages", style="bold")
        header.append(f"  {count} this session, {now} in force (●)  Esc or q closes")
        self.header(header)
        self.query_one("#notices", Static).update(notices_table(self.notices, self.notices_now))

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        """The messages do not depend on the snapshot."""
