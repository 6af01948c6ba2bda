"""A tiny pure renderable for sparklines of daily values (gaps allowed), one cell per bucket."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from crowdwatch.widgets.format import COLOUR, Palette

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], width: int, palette: Palette = COLOUR) -> Text:
    """Draw up to `width` cells; with more values than cells each cell shows its bucket's
    largest move, so a crash day is never averaged away. Negative cells are red."""
    known = [v for v in values if v is not None]
    if width <= 0 or not known:
        return Text(" " * max(width, 0))
    buckets: list[float | None] = []
    n = len(values)
    cells = min(width, n)
    for i in range(cells):
        chunk = [v for v in values[i * n // cells : (i + 1) * n // cells] if v is not None]
        buckets.append(max(chunk, key=abs) if chunk else None)
    low, high = min(known), max(known)
    span = high - low or 1.0
    text = Text()
    for value in buckets:
        if value is None:
            text.append(" ")
            continue
        level = int((value - low) / span * (len(BARS) - 1))
        text.append(BARS[level], style=palette.tone(value))
    text.pad_right(width - cells)
    return text
