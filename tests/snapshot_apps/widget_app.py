"""A host app for one widget: compose it, then fill it with fixed data on mount."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import App, ComposeResult
from textual.widget import Widget


class WidgetApp(App[None]):
    """`WidgetApp(make, fill)`: make() builds the widgets, fill(app) loads the data."""

    CSS = """
    Screen { layout: vertical; }
    .boxed { border: round $primary; height: auto; }
    """

    def __init__(
        self,
        make: Callable[[], Iterable[Widget]],
        fill: Callable[[App], None] | None = None,
        theme: str = "textual-dark",
    ) -> None:
        super().__init__()
        self._make = make
        self._fill = fill
        self.theme = theme

    def compose(self) -> ComposeResult:
        yield from self._make()

    def on_mount(self) -> None:
        if self._fill is not None:
            self._fill(self)
