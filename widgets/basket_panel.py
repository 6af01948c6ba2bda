"""The "Momentum baskets" pane: the four baskets' today and sigma, and the intraday chart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive

from crowdwatch.analytics.results import BASKET_KEYS, MoveStats, Snapshot
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import IntradayChart
from crowdwatch.widgets.factor_table import BASKET_SHORT
from crowdwatch.widgets.pane_table import PaneTable

TITLE = "Momentum baskets"

Trail = Mapping[str, tuple[tuple[datetime, float], ...]]


class BasketTable(PaneTable):
    """Winners, short-momentum basket, pair and beta-neutral pair: today and sigma."""

    baskets: reactive[tuple[MoveStats, ...]] = reactive((), init=False)
    alert_sigma: reactive[float] = reactive(3.0, init=False)

    def on_mount(self) -> None:
        self.add_column("Basket", key="name", width=17)
        self.add_column("Today", key="ret", width=7)
        self.add_column("σ", key="sigma", width=7)
        self.add_column("Since", key="since", width=12)
        self.fixed_columns = 1
        self._rebuild()

    def watch_baskets(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        if not self.columns:
            return
        rows = [
            (
                stats.name,
                [
                    Text(BASKET_SHORT.get(stats.name, stats.name)),
                    fmt.colored(fmt.pct(stats.ret), stats.ret),
                    fmt.sigma_cell(stats.sigma, self.alert_sigma),
                    fmt.since(stats.worst_since, stats.best_since, stats.ret, stats.on_record),
                ],
            )
            for stats in self.baskets
        ]
        self.replace_rows(rows)


class BasketPanel(Vertical):
    """The basket table above the intraday chart of winners, short-momentum and the pair."""

    DEFAULT_CSS = """
    BasketPanel { height: 1fr; }
    BasketPanel > BasketTable { height: auto; }
    BasketPanel > IntradayChart { height: 1fr; min-height: 6; }
    """

    def compose(self) -> ComposeResult:
        yield BasketTable(id="basket-table")
        yield IntradayChart(id="intraday-chart")

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        table = self.query_one(BasketTable)
        table.set_reactive(BasketTable.alert_sigma, snapshot.alert_sigma)
        table.baskets = tuple(snapshot.baskets[k] for k in BASKET_KEYS if k in snapshot.baskets)
        self.query_one(IntradayChart).trail = dict(trail)
