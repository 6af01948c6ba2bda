"""Columns chosen by priority for the width a table has (as btop and htop do): pure layout.

A table never scrolls sideways: it shows the most important columns that fit whole, so no
number or date is ever cut or slid under a frozen column. Text that may shrink (a name, a
note, a sparkline) is a `Fit` cell: it renders to any width between its minimum and its
natural width.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text

ELLIPSIS = "…"
ESSENTIAL = 2  # columns of this priority or less shrink the others to fit (name, today, σ)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a pane table; a lower `priority` stays longer as the table narrows."""

    key: str
    header: str
    priority: int
    min_width: int = 0  # reserved even when today's cells are narrower (no jitter)
    justify: str = "right"
    # grows past this only after the other columns have their natural width (long names)
    soft_width: int | None = None


@dataclass(frozen=True, slots=True)
class Fit:
    """A cell drawn to any width from `minimum` to `natural` (names, notes, sparklines)."""

    draw: Callable[[int], Text]
    natural: int
    minimum: int


Cell = Text | str | Fit


def shrinkable(text: str, minimum: int = 10, style: str = "") -> Fit:
    """A name that may be shortened with '…' (never a number)."""

    def draw(width: int) -> Text:
        shown = text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS
        return Text(shown, style=style)

    return Fit(draw, len(text), min(len(text), minimum))


def choices(*variants: str, style: str = "") -> Fit:
    """The longest of `variants` that fits (longest first); an empty cell if none does."""
    ordered = sorted(variants, key=len, reverse=True)

    def draw(width: int) -> Text:
        return Text(next((v for v in ordered if len(v) <= width), ""), style=style)

    return Fit(draw, len(ordered[0]) if ordered else 0, 0)


def fit_text(*variants: Text) -> Fit:
    """The longest of the variants (styled text) that fits the width."""
    ordered = sorted(variants, key=lambda t: t.cell_len, reverse=True)

    def draw(width: int) -> Text:
        return next((v for v in ordered if v.cell_len <= width), Text(""))

    return Fit(draw, ordered[0].cell_len, ordered[-1].cell_len)


def cell_width(cell: Cell) -> tuple[int, int]:
    """(minimum, natural) width of a cell."""
    if isinstance(cell, Fit):
        return cell.minimum, cell.natural
    width = cell.cell_len if isinstance(cell, Text) else Text(cell).cell_len
    return width, width


def choose_widths(
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Cell]],
    available: int,
    padding: int,
) -> list[tuple[Column, int]]:
    """The columns that fit in `available` cells, in display order, with their widths.

    Columns are taken by priority at their minimum width (each costs `padding` more). The
    essential ones (priority <= ESSENTIAL) only need room at their minimum; a later one is
    taken only if it fits with every column already taken at its natural width, so a
    name is not shortened to make room for a minor column. One that does not fit is
    skipped (a narrower later one may still fit). What is left then widens the chosen
    columns, by priority, up to their natural width.
    """
    bounds: dict[str, tuple[int, int]] = {}
    for column in columns:
        low = high = max(len(column.header), column.min_width)
        for row in rows:
            if column.key in row:
                cell_low, cell_high = cell_width(row[column.key])
                low, high = max(low, cell_low), max(high, cell_high)
        bounds[column.key] = (low, high)
    chosen: dict[str, int] = {}
    used = natural = 0
    for column in sorted(columns, key=lambda c: c.priority):
        low, high = bounds[column.key]
        base = used if column.priority <= ESSENTIAL else natural
        if base + low + padding <= available:
            chosen[column.key] = low
            used += low + padding
            natural += min(high, column.soft_width or high) + padding
    for soft in (True, False):
        for column in sorted(columns, key=lambda c: c.priority):
            if column.key not in chosen:
                continue
            target = bounds[column.key][1]
            if soft and column.soft_width is not None:
                target = min(target, max(column.soft_width, chosen[column.key]))
            extra = max(min(target - chosen[column.key], available - used), 0)
            chosen[column.key] += extra
            used += extra
    return [(column, chosen[column.key]) for column in columns if column.key in chosen]


def draw_cell(cell: Cell, width: int, justify: str) -> Text:
    if isinstance(cell, Fit):
        return cell.draw(width)
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    if not text.justify:
        text.justify = justify  # type: ignore[assignment]
    return text
