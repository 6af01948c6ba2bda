"""The "Momentum baskets" pane: the pair's two legs in words, and the intraday chart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive

from crowdwatch.analytics.results import MoveStats, Snapshot
from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.charts import IntradayChart, intraday_legend
from crowdwatch.widgets.columns import Column, Fit, fit_text
from crowdwatch.widgets.legend import FitLine
from crowdwatch.widgets.pane_table import PaneTable

TITLE = "Momentum baskets"

Trail = Mapping[str, tuple[tuple[datetime, float], ...]]
LEG_KEYS = ("momentum_pair", "winners", "short_momentum")


def _words(*parts: str | tuple[str, float | None], pal: fmt.Palette) -> Text:
    """Text from plain words and (number text, value) pairs coloured by sign."""
    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(part[0], style=pal.tone(part[1]))
        else:
            text.append(part)
    return text


def leg_sentences(baskets: Mapping[str, MoveStats], pal: fmt.Palette) -> dict[str, Fit]:
    """One sentence per row: the pair as its two legs, the long leg, the short leg (a
    rally of the stocks momentum is short is a squeeze)."""
    pair, long, short = (baskets.get(k) or MoveStats(k) for k in LEG_KEYS)

    def num(stats: MoveStats) -> tuple[str, float | None]:
        return fmt.pct(stats.ret), stats.ret

    def sig(stats: MoveStats) -> str:
        return fmt.sigma(stats.sigma).strip()

    fell = {True: "fell", False: "rose"}
    rows: dict[str, Fit] = {}
    rows["momentum_pair"] = fit_text(
        _words("Pair ", num(pair), " = winners ", num(long), " minus short-mom ", num(short),
               pal=pal),
        _words("Pair ", num(pair), " = winners ", num(long), " - shorts ", num(short), pal=pal),
        _words("Pair ", num(pair), ": winners ", num(long), ", shorts ", num(short), pal=pal),
        _words("Pair ", num(pair), pal=pal),
    )  # fmt: skip
    if long.ret is None or long.ret == 0:
        rows["winners"] = fit_text(_words("Long leg: winners ", num(long), pal=pal))
    else:
        verb = fell[long.ret < 0]
        rows["winners"] = fit_text(
            _words(f"Long leg: the winners {verb} ", num(long), f" ({sig(long)})", pal=pal),
            _words(f"Winners {verb} ", num(long), pal=pal),
        )
    if short.ret is None or short.ret == 0:
        rows["short_momentum"] = fit_text(_words("Short leg: short-mom ", num(short), pal=pal))
    elif short.ret > 0:
        rows["short_momentum"] = fit_text(
            _words("Short leg: the shorts rallied ", num(short), f" ({sig(short)}): a squeeze",
                   pal=pal),
            _words("Shorts rallied ", num(short), ": squeeze", pal=pal),
            _words("Squeeze ", num(short), pal=pal),
        )  # fmt: skip
    else:
        rows["short_momentum"] = fit_text(
            _words("Short leg: the shorts fell ", num(short), f" ({sig(short)}): no squeeze",
                   pal=pal),
            _words("Shorts fell ", num(short), ": no squeeze", pal=pal),
        )  # fmt: skip
    return rows


class BasketTable(PaneTable):
    """The pair and its legs in words; Enter opens the series of the row."""

    spec = (Column("text", "", 0, justify="left"),)
    baskets: reactive[Mapping[str, MoveStats]] = reactive(dict, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_header = False

    def on_mount(self) -> None:
        self._rebuild()

    def watch_baskets(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        if not self.baskets:
            return
        sentences = leg_sentences(self.baskets, fmt.palette(self))
        self.show_rows([(key, {"text": sentences[key]}) for key in LEG_KEYS])


class BasketPanel(Vertical):
    """The legs of the pair above the intraday chart of winners, short-momentum and the pair."""

    DEFAULT_CSS = """
    BasketPanel { height: 1fr; }
    BasketPanel > BasketTable { height: auto; }
    BasketPanel > #intraday-legend { height: 1; padding: 0 1; }
    BasketPanel > IntradayChart { height: 1fr; min-height: 6; }
    """

    def compose(self) -> ComposeResult:
        yield BasketTable(id="basket-table")
        yield FitLine(id="intraday-legend")
        yield IntradayChart(id="intraday-chart")

    def show(self, snapshot: Snapshot, trail: Trail) -> None:
        table = self.query_one(BasketTable)
        table.baskets = dict(snapshot.baskets)
        chart = self.query_one(IntradayChart)
        chart.empty_message = (
            f"as of {snapshot.as_of.isoformat()}: no intraday"
            if snapshot.mode == "close"
            else "intraday: no live quotes yet"
        )
        chart.trail = dict(trail)
        shown = any(trail.values())
        legend = intraday_legend(fmt.palette(self)) if shown else ()
        self.query_one("#intraday-legend", FitLine).variants = tuple(legend)
