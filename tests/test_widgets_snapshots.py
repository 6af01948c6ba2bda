"""Snapshot tests of every pane widget on the fixed Snapshot (look at them as pictures)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.lens_data import REGIME  # noqa: E402
from fixtures.snapshot_data import NOW, QUOTES_TS, intraday_trail, make_snapshot  # noqa: E402
from snapshot_apps.widget_app import WidgetApp  # noqa: E402

from crowdwatch.analytics.lens_format import regime_line  # noqa: E402
from crowdwatch.tui.screens.dashboard import event_summary  # noqa: E402
from crowdwatch.widgets.basket_panel import BasketPanel  # noqa: E402
from crowdwatch.widgets.charts import SeriesChart, SigmaHistogram  # noqa: E402
from crowdwatch.widgets.factor_table import FactorTable  # noqa: E402
from crowdwatch.widgets.internals_panel import InternalsPanel  # noqa: E402
from crowdwatch.widgets.status_bar import StatusBar, StatusState  # noqa: E402
from crowdwatch.widgets.theme_table import ThemeTable  # noqa: E402

SNAP = make_snapshot()


def test_factor_table(snap_compare) -> None:
    def fill(app) -> None:
        app.query_one(FactorTable).show(SNAP)

    assert snap_compare(WidgetApp(lambda: [FactorTable()], fill), terminal_size=(100, 12))


def test_theme_table(snap_compare) -> None:
    def fill(app) -> None:
        app.query_one(ThemeTable).show(SNAP)

    assert snap_compare(WidgetApp(lambda: [ThemeTable()], fill), terminal_size=(90, 14))


def test_theme_table_sorted_by_crowding_and_filtered(snap_compare) -> None:
    def fill(app) -> None:
        table = app.query_one(ThemeTable)
        table.show(SNAP)
        table.sort_by("crowding")
        table.filter_text = "i"

    assert snap_compare(WidgetApp(lambda: [ThemeTable()], fill), terminal_size=(90, 14))


def test_basket_panel_with_intraday_chart(snap_compare) -> None:
    trail = {k: tuple(v) for k, v in intraday_trail().items()}

    def fill(app) -> None:
        app.query_one(BasketPanel).show(SNAP, trail)

    assert snap_compare(WidgetApp(lambda: [BasketPanel()], fill), terminal_size=(70, 22))


def test_internals_panel(snap_compare) -> None:
    count, median = event_summary(SNAP.events)

    def fill(app) -> None:
        line = regime_line(REGIME)
        app.query_one(InternalsPanel).show(SNAP.internals, "SPY", count, median, regime=line)

    assert snap_compare(WidgetApp(lambda: [InternalsPanel()], fill), terminal_size=(80, 11))


STATES = (
    StatusState("demo", True, SNAP.as_of, QUOTES_TS, 3.0, loading=False),
    StatusState(
        "yahoo",
        False,
        SNAP.as_of,
        QUOTES_TS - timedelta(minutes=4),
        240.0,
        stale=True,
        cached=True,
        loading=False,
        message="FeedError: yahoo timed out",
        error=True,
    ),
    StatusState("files", False, SNAP.as_of, None, None, loading=False, static=True),
    StatusState("demo", True, None, None, None, loading=True),
    replace(
        StatusState("demo", True, SNAP.as_of, QUOTES_TS, 3.0, loading=False),
        paused=True,
        message="3 tickers missing from the data",
    ),
)


def test_status_bar_states(snap_compare) -> None:
    def make():
        return [StatusBar(id=f"s{i}") for i in range(len(STATES))]

    def fill(app) -> None:
        for i, state in enumerate(STATES):
            app.query_one(f"#s{i}", StatusBar).state = state

    assert snap_compare(WidgetApp(make, fill), terminal_size=(100, 6))


def test_charts(snap_compare) -> None:
    def make():
        return [SeriesChart("cumulative (%)", id="cumulative"), SigmaHistogram(id="hist")]

    def fill(app) -> None:
        drill = SNAP.drill_downs["momentum_pair"]
        app.query_one(SeriesChart).points = drill.cumulative
        app.query_one(SigmaHistogram).show(drill.sigmas, -3.6)

    assert snap_compare(WidgetApp(make, fill), terminal_size=(80, 30))


def test_status_age_uses_injected_clock() -> None:
    # the snapshot tests rely on it: the fixed clock is 3 s after the quotes
    assert (NOW - QUOTES_TS).total_seconds() == 3
