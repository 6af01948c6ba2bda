"""The Positioning block in the internals pane and the per-series drill-down (Pilot, snapshots)."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.snapshot_data import AS_OF, NOW, make_snapshot  # noqa: E402

from crowdwatch.analytics.positioning import positioning_at, series_book  # noqa: E402
from crowdwatch.config.schema import SeriesSpec  # noqa: E402
from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.positioning_detail import PositioningDetail  # noqa: E402
from crowdwatch.widgets.charts import BandChart  # noqa: E402
from crowdwatch.widgets.internals_panel import InternalsTable  # noqa: E402
from crowdwatch.widgets.pane_table import PaneTable  # noqa: E402

SPECS = {
    "prime_net_exposure": SeriesSpec("Prime net exposure", "ratio", "exposure"),
    "dealer_gamma": SeriesSpec("Dealer gamma", "usd", "dealer_gamma"),
}


def positioned_snapshot():
    """Fixed series: a weekly exposure climbing into the day, a daily gamma, a stale one."""
    weeks = [AS_OF - timedelta(days=5 + 7 * k) for k in range(70)][::-1]
    days = [AS_OF - timedelta(days=k) for k in range(300)][::-1]
    wave = np.sin(np.arange(70) / 6.0)
    rows = [(d, "prime_net_exposure", round(0.5 + 0.05 * w + 0.001 * k, 4))
            for k, (d, w) in enumerate(zip(weeks, wave, strict=True))]  # fmt: skip
    rows += [(d, "dealer_gamma", 9e9 - 1.5e7 * k) for k, d in enumerate(days)]
    rows.append((AS_OF - timedelta(days=12), "retail_flow", -1.2e8))
    frame = pl.DataFrame(rows, schema={"date": pl.Date, "name": pl.String,
                                       "value": pl.Float64}, orient="row")  # fmt: skip
    snapshot = make_snapshot()
    found = positioning_at(
        series_book(frame, SPECS), AS_OF, snapshot.internals.letf_gamma_usd_per_pct
    )
    return make_snapshot(
        user_series=found.series, net_gamma_usd_per_pct=found.net_gamma_usd_per_pct
    )


def make_app(snapshot=None) -> CrowdwatchApp:
    return CrowdwatchApp(FakeEngine([snapshot or positioned_snapshot()]), clock=lambda: NOW)


async def ready(pilot) -> None:
    for _ in range(500):
        if not pilot.app.busy:
            break
        await pilot.pause(0.01)
    await pilot.pause()


def test_internals_pane_lists_the_series_and_the_gamma_line() -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await ready(pilot)
            table = app.screen.query_one(InternalsTable)
            keys = table.row_keys()
            assert keys[-3:] == ["series:prime_net_exposure", "series:dealer_gamma",
                                 "series:retail_flow"]  # fmt: skip
            stale = table.get_row("series:retail_flow")
            assert stale[0].plain == "retail_flow" and "STALE" in stale[3].plain
            assert "STALE" not in table.get_row("series:dealer_gamma")[3].plain
            line = str(app.screen.query_one("#gamma-line").render())
            assert line.startswith("Positioning: net gamma ")
            assert "(dealers +$4.5bn, LETFs -$3.7bn): net LONG" in line

    asyncio.run(run())


def test_without_series_the_pane_has_no_positioning_rows() -> None:
    async def run() -> None:
        app = make_app(make_snapshot())
        async with app.run_test(size=(160, 48)) as pilot:
            await ready(pilot)
            keys = app.screen.query_one(InternalsTable).row_keys()
            assert not [k for k in keys if k.startswith("series:")]
            assert app.screen.query_one("#gamma-line").display is False

    asyncio.run(run())


def test_enter_on_a_series_opens_its_drill_down_and_escape_comes_back() -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await ready(pilot)
            await pilot.press("tab", "tab", "tab")
            table = app.screen.query_one(InternalsTable)
            table.move_cursor(row=table.row_keys().index("series:dealer_gamma"))
            await pilot.press("enter")
            await pilot.pause()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PositioningDetail)
            assert screen.series_name == "dealer_gamma"
            header = str(screen.query_one("#detail-header").render())
            assert header.startswith("Dealer gamma  $4.5bn on 2026-02-04")
            chart = screen.query_one(BandChart)
            assert len(chart.points) == 300
            assert chart.points[-1][1] == pytest.approx(9e9 - 1.5e7 * 299)
            assert chart.points[0][2] is None and chart.points[-1][2] is not None
            observations = screen.query_one("#observations", PaneTable)
            assert observations.row_keys()[0] == AS_OF.isoformat()
            assert "net gamma" in str(screen.query_one("#gamma-detail").render())
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.id == "dashboard"

    asyncio.run(run())


def _drill_to(name: str):
    async def go(pilot) -> None:
        await ready(pilot)
        await pilot.press("tab", "tab", "tab")
        table = pilot.app.screen.query_one(InternalsTable)
        table.move_cursor(row=table.row_keys().index(f"series:{name}"))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()

    return go


def test_snapshot_internals_pane_with_positioning(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(160, 48), run_before=ready)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_snapshot_positioning_drill_down(snap_compare, size) -> None:
    go = _drill_to("prime_net_exposure")
    assert snap_compare(make_app(), terminal_size=size, run_before=go)
