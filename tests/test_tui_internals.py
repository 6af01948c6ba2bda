"""The internals' drill-downs on the demo at its close: Enter on each row of the internals pane
opens that internal's screen, and it shows what `report --json` says (Pilot), plus
snapshots of the reversal and LETF screens."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.pilot_support import settle, sync  # noqa: E402
from fixtures.snapshot_data import NOW  # noqa: E402

from crowdwatch.analytics.report import to_json  # noqa: E402
from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.internals_detail import InternalsDetail, value_text  # noqa: E402
from crowdwatch.widgets.charts import ScatterChart, SeriesChart  # noqa: E402
from crowdwatch.widgets.format import ordinal  # noqa: E402
from crowdwatch.widgets.pane_table import PaneTable  # noqa: E402

# the internals pane's rows, top down, and the JSON key each one shows
ROWS = (
    ("index", "index_ret"),
    ("breadth", "breadth"),
    ("dispersion", "dispersion_ratio"),
    ("reversal", "reversal_corr"),
    ("realized", "realized_corr"),
    ("letf", "letf_flow_usd"),
)
PERCENTILE_KEYS = {"dispersion": "dispersion_percentile", "letf": "letf_flow_percentile"}


def rows_of(app, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, PaneTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_internal(pilot, row: int) -> InternalsDetail:
    await settle(pilot)
    await pilot.press("tab", "tab", "tab", *["down"] * row, "enter")  # the internals pane
    await settle(pilot)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, InternalsDetail)
    return screen


@pytest.mark.parametrize(("row", "key", "json_key"), [(k, *r) for k, r in enumerate(ROWS)])
@sync
async def test_each_row_opens_its_own_drill_down(demo_close_snapshot, row, key, json_key):
    snapshot = demo_close_snapshot
    internals = to_json(snapshot)["internals"]
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_internal(pilot, row)
        assert screen.key == key
        header = str(screen.query_one("#detail-header").render())
        drill = snapshot.internal_drill_downs[key]
        # the header's value is the JSON's, number for number
        assert drill.history.today == internals[json_key]
        assert value_text(key, internals[json_key]) in header
        if key in PERCENTILE_KEYS:
            assert drill.history.percentile == internals[PERCENTILE_KEYS[key]]
            assert f"{ordinal(internals[PERCENTILE_KEYS[key]])} pctl" in header
        chart = screen.query_one("#history-chart", SeriesChart)
        assert len(chart.points) == len(drill.history.points) > 250
        assert chart.points[-1][0] == snapshot.as_of  # the history ends on T
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, InternalsDetail)


@sync
async def test_breadth_lists_winners_and_losers_by_sector(demo_close_snapshot) -> None:
    snapshot = demo_close_snapshot
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_internal(pilot, 1)
        header = str(screen.query_one("#detail-header").render())
        assert "78.7%" in header and "100th pctl" in header  # the broadest day on record
        rows = rows_of(app, "#by-sector")
        members = sum(int(r[1]) for r in rows)
        beating = sum(int(r[2]) for r in rows)
        assert members == snapshot.internal_drill_downs["breadth"].count == 581
        assert beating / members == pytest.approx(snapshot.internals.breadth)
        assert "Information Technology" in {r[0] for r in rows}
        by_breadth = [float(r[4].rstrip("%")) for r in rows]
        assert by_breadth == sorted(by_breadth, reverse=True)


@sync
async def test_dispersion_lists_the_widest_vols(demo_close_snapshot) -> None:
    snapshot = demo_close_snapshot
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_internal(pilot, 2)
        rows = rows_of(app, "#vol-ratios")
        top = snapshot.internal_drill_downs["dispersion"].tables["vol_ratios"].row(0, named=True)
        assert len(rows) == 15
        assert rows[0][0] == top["ticker"] and rows[0][5] == f"{top['vol_ratio']:.1f}x"
        assert "since" in str(app.screen.query_one("#detail-header").render())


@sync
async def test_reversal_shows_the_scatter_and_the_most_reversed(demo_close_snapshot) -> None:
    snapshot = demo_close_snapshot
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_internal(pilot, 3)
        xs, ys = app.screen.query_one("#reversal-scatter", ScatterChart).points
        assert len(xs) == len(ys) == snapshot.internal_drill_downs["reversal"].count
        rows = rows_of(app, "#most-reversed")
        # AMD: past winner (+139% momentum) down 16.5% on the day
        assert rows[0][:2] == ["AMD", "Advanced Micro Devices"]
        assert rows[0][3] == "-16.5%" and rows[0][4] == "+139%"
        assert all(r[3].startswith("-") != r[4].startswith("-") for r in rows)


@sync
async def test_letf_charts_the_flow_of_the_row_under_the_cursor(demo_close_snapshot) -> None:
    snapshot = demo_close_snapshot
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_internal(pilot, 5)
        underlyings = rows_of(app, "#letf-underlyings")
        assert underlyings[0][:3] == ["SOXX", "3", "-10.8"]  # the largest flow first
        funds = rows_of(app, "#letf-funds")
        assert funds[0][0] == "SOXL"
        chart = screen.query_one("#history-chart", SeriesChart)
        assert chart.title.startswith("LETF flow")
        screen.query_one("#letf-funds", PaneTable).focus()
        await pilot.press("down")  # TQQQ
        await pilot.pause()
        assert chart.title.startswith("TQQQ")
        tqqq = snapshot.internal_drill_downs["letf"].flows["fund:TQQQ"]
        assert chart.points[-1][1] == pytest.approx(tqqq.today / 1e9)
        assert f"today {ordinal(tqqq.percentile)} pctl of |flow|" in chart.title


def drill_app(snapshot) -> CrowdwatchApp:
    return CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)


def opener(row: int):
    async def go(pilot) -> None:
        await open_internal(pilot, row)

    return go


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_reversal_snapshot(snap_compare, demo_close_snapshot, size) -> None:
    assert snap_compare(drill_app(demo_close_snapshot), terminal_size=size, run_before=opener(3))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_letf_snapshot(snap_compare, demo_close_snapshot, size) -> None:
    assert snap_compare(drill_app(demo_close_snapshot), terminal_size=size, run_before=opener(5))
