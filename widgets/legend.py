"""Legends that keep to the room they have: whole phrases or a shorter wording, never cut."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

SEPARATOR = " · "


def flow(phrases: Sequence[str], width: int) -> list[str]:
    """Phrases laid into lines of at most `width` cells, never splitting a phrase (one
    longer than a line is left out)."""
    lines: list[str] = []
    for phrase in phrases:
        if len(phrase) > width:
            continue
        if lines and len(lines[-1]) + len(SEPARATOR) + len(phrase) <= width:
            lines[-1] += SEPARATOR + phrase
        else:
            lines.append(phrase)
    return lines


def fit_legend(phrases: Sequence[tuple[str, str]], width: int, height: int) -> list[str]:
    """The longer wordings if they fit in `height` lines, else the shorter ones, else as
    many whole phrases (in order of importance) as fit."""
    for wording in (0, 1):
        lines = flow([p[wording] for p in phrases], width)
        if len(lines) <= height:
            return lines
    short = [p[1] for p in phrases]
    while short and len(flow(short, width)) > height:
        short.pop()
    return flow(short, width)


class Legend(Static):
    """What a pane's codes mean; takes the rows its pane has left (`height: 1fr`)."""

    DEFAULT_CSS = """
    Legend { height: 1fr; min-height: 0; padding: 0 1; color: $text-muted; }
    """

    phrases: reactive[tuple[tuple[str, str], ...]] = reactive((), layout=True)

    def __init__(self, phrases: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="legend")
        self.set_reactive(Legend.phrases, tuple(phrases))

    def render(self) -> Text:
        width, height = self.content_region.width, self.content_region.height
        return Text("\n".join(fit_legend(self.phrases, width, height)), no_wrap=True)


class FitLine(Static):
    """One line showing the longest of its variants that fits its width."""

    DEFAULT_CSS = """
    FitLine { height: 1; padding: 0 1; }
    """

    variants: reactive[tuple[Text, ...]] = reactive((), init=False)

    def render(self) -> Text:
        width = self.content_region.width
        ordered = sorted(self.variants, key=lambda t: t.cell_len, reverse=True)
        return next((t for t in ordered if t.cell_len <= width), Text(""))
