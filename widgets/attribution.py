"""What drove a move, drawn: the legs bar, the sector split and the member tables."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from rich.text import Text

from crowdwatch.analytics.attribution import Legs
from crowdwatch.analytics.formatting import bp, legs_words, share
from crowdwatch.analytics.results import MoveStats
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.pane_table import PaneTable

BAR_WIDTH = 30
SECTORS_SHOWN = 8
# the member tables' orders, cycled with "s": label, column, descending
SORTS: tuple[tuple[str, str, bool], ...] = (
    ("largest contribution", "size", True),
    ("contribution", "contribution", False),
    ("today", "ret", False),
    ("momentum", "mom", True),
    ("beta", "beta", True),
    ("ticker", "ticker", False),
)


def legs_text(legs: Legs | None, pal: fmt.Palette = fmt.COLOUR) -> Text:
    """'long -3.52%  ███████████████████████░░░░░░░  short -1.05%' and the words."""
    if legs is None:
        return Text("Legs: no move to split today")
    text = Text("Long side ")
    text.append_text(pal.colored(fmt.pct(legs.long), legs.long))
    text.append("  ")
    long_cells = 0 if legs.long_share is None else round(legs.long_share * BAR_WIDTH)
    text.append("█" * long_cells, style=pal.paint("cyan"))
    text.append("░" * (BAR_WIDTH - long_cells), style=pal.paint("magenta"))
    text.append("  short side ")
    text.append_text(pal.colored(fmt.pct(legs.short), legs.short))
    text.append(f"\n{legs_words(legs.long_share).capitalize()}", style="bold")
    return text


def top_share_text(stats: MoveStats, top_share: float | None, count: int = 3) -> str:
    """'NVDA, AVGO, AMD: 61% of the move'."""
    names = [c.ticker for c in stats.top_contributors[:count]]
    if not names or top_share is None:
        return "No contributions today"
    return f"{', '.join(names)}: {share(top_share)} of the move"


def sector_text(by_sector: dict[str, float] | None, pal: fmt.Palette = fmt.COLOUR) -> Text:
    """One line per sector, largest contribution first."""
    if by_sector is None:
        return Text("By sector: no sectors in this source (universe.csv has none)")
    text = Text()
    text.append("By sector (contribution)", style="bold")
    for sector, value in list(by_sector.items())[:SECTORS_SHOWN]:
        text.append(f"\n{sector[:24]:<24} ")
        text.append_text(pal.colored(f"{bp(value):>8}", value))
    if len(by_sector) > SECTORS_SHOWN:
        text.append(f"\n... {len(by_sector) - SECTORS_SHOWN} more")
    return text


def sorted_members(frame: pl.DataFrame, sort: int) -> pl.DataFrame:
    """The table in the chosen order (ties by ticker); members without a return last."""
    _, column, descending = SORTS[sort % len(SORTS)]
    if column == "size":
        return frame  # analytics hands it over by |contribution| descending, ties by ticker
    return frame.sort([column, "ticker"], descending=[descending, False], nulls_last=True)


class MemberTable(PaneTable):
    """Members of one leg (or of a basket or theme) with their part in the move."""

    # the numbers first, so a narrow terminal shows them without scrolling
    COLUMNS: Sequence[tuple[str, str, int]] = (
        ("Ticker", "ticker", 7), ("Today", "ret", 8), ("Weight", "weight", 7),
        ("Contrib", "contribution", 8), ("σ", "sigma", 7), ("Mom 12-1", "mom", 8),
        ("Beta", "beta", 5), ("Sector", "sector", 22), ("Name", "name", 24),
    )  # fmt: skip

    def on_mount(self) -> None:
        for label, key, width in self.COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(
        self, frame: pl.DataFrame | None, sort: int, alert: float, pal: fmt.Palette | None = None
    ) -> None:
        pal = pal or fmt.palette(self)
        rows = []
        if frame is not None and frame.height:
            for row in sorted_members(frame, sort).iter_rows(named=True):
                ret, contribution = row["ret"], row["contribution"]
                rows.append(
                    (
                        row["ticker"],
                        [
                            row["ticker"],
                            pal.colored(fmt.pct(ret), ret),
                            Text(fmt.pct(row["weight"], 1).lstrip("+"), justify="right"),
                            pal.colored(bp(contribution), contribution),
                            pal.sigma_cell(row["sigma"], alert),
                            pal.colored(fmt.pct(row["mom"], 1), row["mom"]),
                            Text(fmt.ratio(row["beta"]), justify="right"),
                            row["sector"] or "",
                            row["name"] or "",
                        ],
                    )  # fmt: skip
                )
        self.replace_rows(rows)
