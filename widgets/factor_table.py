"""The "Factor sigma moves" pane: one row per momentum basket and per factor."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from crowdwatch.analytics.formatting import basket_label, factor_label
from crowdwatch.analytics.results import MoveStats, Snapshot
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.columns import Cell, Column, Fit, shrinkable
from crowdwatch.widgets.pane_table import PaneTable
from crowdwatch.widgets.sparkline import sparkline

TITLE = "Factor sigma moves"
SPARK_RANGE = (8, 60)
PAIR = "momentum_pair"
PAIR_ROW = f"basket:{PAIR}"

# display order; priority says what stays as the pane narrows (0 always)
SPEC = (
    Column("name", "Name", 0, justify="left"),
    Column("ret", "Today", 1, 7),
    Column("sigma", "σ", 2, 7),
    Column("pctl", "Pctl", 3, 5),
    Column("since", "Since", 4, 12, justify="left"),
    Column("ret_1w", "1w", 5, 7),
    Column("ret_1m", "1m", 6, 7),
    Column("ret_ytd", "YTD", 8, 7),
    Column("drawdown", "Drawdown", 9, 7),
    Column("spark", "60d", 7, justify="left"),
)
# (long, short) wordings, most important first
LEGEND = (
    ("w/b DATE: the last day as bad / as good", "w/b: worst/best since"),
    ("Pctl: today's rank among all earlier days (0th: below every one)", "Pctl 0th: lowest ever"),
    ("!: |σ| at or above the alert level", "!: alert"),
    ("bold: the momentum pair (also the momentum factor)", "bold: pair = momentum factor"),
)

Line = tuple[str, str, MoveStats]  # (row key, label, stats)


def lines_from(snapshot: Snapshot) -> tuple[Line, ...]:
    """Baskets first (keys 'basket:<key>'), then factors ('factor:<name>').

    A factor that is the momentum pair itself (DESIGN: momentum = momentum_pair) is not
    shown twice: the pair's row stands for it.
    """
    pair = snapshot.baskets.get(PAIR)
    baskets = [
        (f"basket:{key}", basket_label(key), stats) for key, stats in snapshot.baskets.items()
    ]
    factors = [
        (f"factor:{name}", factor_label(name), stats)
        for name, stats in snapshot.factors.items()
        if pair is None or not same_numbers(stats, pair)
    ]
    return tuple(baskets + factors)


SHOWN_FIELDS = (
    "ret", "sigma", "percentile", "ret_1w", "ret_1m", "ret_ytd", "drawdown",
    "worst_since", "best_since", "recent", "on_record",
)  # fmt: skip


def same_numbers(a: MoveStats, b: MoveStats) -> bool:
    """True when two series show the same row (the momentum factor and the pair)."""
    return all(getattr(a, name) == getattr(b, name) for name in SHOWN_FIELDS)


def spark_cell(values: tuple[float | None, ...], palette: fmt.Palette) -> Fit:
    def draw(width: int) -> Text:
        return sparkline(values, width, palette)

    return Fit(draw, max(min(len(values), SPARK_RANGE[1]), SPARK_RANGE[0]), SPARK_RANGE[0])


def move_cells(
    label: str, stats: MoveStats, alert: float, pal: fmt.Palette, style: str = ""
) -> dict[str, Cell]:
    """The cells of one series row (shared by the factor and theme tables)."""
    cells: dict[str, Cell] = {
        "name": shrinkable(label, style=style),
        "ret": pal.colored(fmt.pct(stats.ret), stats.ret),
        "sigma": pal.sigma_cell(stats.sigma, alert),
        "pctl": Text(fmt.ordinal(stats.percentile), justify="right"),
        "since": Text(fmt.since(stats.worst_since, stats.best_since, stats.ret, stats.on_record)),
        "ret_1w": pal.colored(fmt.pct(stats.ret_1w), stats.ret_1w),
        "ret_1m": pal.colored(fmt.pct(stats.ret_1m), stats.ret_1m),
        "ret_ytd": pal.colored(fmt.pct(stats.ret_ytd), stats.ret_ytd),
        "drawdown": pal.colored(fmt.pct(stats.drawdown), stats.drawdown),
        "spark": spark_cell(stats.recent, pal),
    }
    return cells


class FactorTable(PaneTable):
    """Today's return, sigma, percentile, record, 1w, 1m, YTD, drawdown and a sparkline."""

    spec = SPEC
    lines: reactive[tuple[Line, ...]] = reactive((), init=False)
    alert_sigma: reactive[float] = reactive(3.0, init=False)

    def on_mount(self) -> None:
        self._rebuild()

    def show(self, snapshot: Snapshot) -> None:
        self.set_reactive(FactorTable.alert_sigma, snapshot.alert_sigma)
        self.lines = lines_from(snapshot)

    def watch_lines(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        pal = fmt.palette(self)
        rows = [
            (
                key,
                move_cells(label, stats, self.alert_sigma, pal, "bold" if key == PAIR_ROW else ""),
            )
            for key, label, stats in self.lines
        ]
        self.show_rows(rows)
