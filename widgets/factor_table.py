"""The "Factor sigma moves" pane: one row per momentum basket and per factor."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from crowdwatch.analytics.results import MoveStats, Snapshot
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.pane_table import PaneTable
from crowdwatch.widgets.sparkline import sparkline

TITLE = "Factor sigma moves"
SPARK_WIDTH = 20  # the default; the column takes whatever width is left, 8 to 60
SPARK_RANGE = (8, 60)

# short labels so the name column stays narrow at 80 columns
BASKET_SHORT = {
    "winners": "Winners",
    "short_momentum": "Short-mom basket",
    "momentum_pair": "Momentum pair",
    "momentum_beta_neutral": "Beta-neutral pair",
}

Line = tuple[str, str, MoveStats]  # (row key, label, stats)


def factor_label(name: str) -> str:
    return "F " + name.replace("_", " ").capitalize()


def lines_from(snapshot: Snapshot) -> tuple[Line, ...]:
    """Baskets first (keys 'basket:<key>'), then factors ('factor:<name>')."""
    baskets = [
        (f"basket:{key}", BASKET_SHORT.get(key, key), stats)
        for key, stats in snapshot.baskets.items()
    ]
    factors = [
        (f"factor:{name}", factor_label(name), stats) for name, stats in snapshot.factors.items()
    ]
    return tuple(baskets + factors)


class FactorTable(PaneTable):
    """Today's return, sigma, percentile, record, 1w, 1m and a 60-day sparkline."""

    spark_width = SPARK_WIDTH
    lines: reactive[tuple[Line, ...]] = reactive((), init=False)
    alert_sigma: reactive[float] = reactive(3.0, init=False)

    def on_mount(self) -> None:
        self.add_column("Name", key="name", width=17)
        self.add_column("Today", key="ret", width=7)
        self.add_column("σ", key="sigma", width=7)
        self.add_column("Pctl", key="pctl", width=5)
        self.add_column("Since", key="since", width=12)
        self.add_column("1w", key="ret_1w", width=7)
        self.add_column("1m", key="ret_1m", width=7)
        self.add_column("60d", key="spark", width=SPARK_WIDTH)
        self.fixed_columns = 1
        self._rebuild()

    def on_resize(self) -> None:
        """Give the sparkline the width the other columns leave."""
        if "spark" not in self.columns:
            return
        others = sum(
            column.width + 2 * self.cell_padding
            for key, column in self.columns.items()
            if key != "spark"
        )
        spare = self.size.width - others - 2 * self.cell_padding - 1
        width = min(max(spare, SPARK_RANGE[0]), SPARK_RANGE[1])
        if width != self.spark_width:
            self.spark_width = width
            self.columns["spark"].width = width  # type: ignore[index]
            self._require_update_dimensions = True
            self._rebuild()
            self.refresh()

    def show(self, snapshot: Snapshot) -> None:
        self.set_reactive(FactorTable.alert_sigma, snapshot.alert_sigma)
        self.lines = lines_from(snapshot)

    def watch_lines(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        if not self.columns:
            return
        rows = []
        for key, label, stats in self.lines:
            rows.append(
                (
                    key,
                    [
                        Text(label, style="bold" if key == "basket:momentum_pair" else ""),
                        fmt.colored(fmt.pct(stats.ret), stats.ret),
                        fmt.sigma_cell(stats.sigma, self.alert_sigma),
                        Text(fmt.ordinal(stats.percentile), justify="right"),
                        fmt.since(stats.worst_since, stats.best_since, stats.ret, stats.on_record),
                        fmt.colored(fmt.pct(stats.ret_1w), stats.ret_1w),
                        fmt.colored(fmt.pct(stats.ret_1m), stats.ret_1m),
                        sparkline(stats.recent, self.spark_width),
                    ],
                )
            )
        self.replace_rows(rows)
