"""Pilot tests of the attribution drill-downs on the demo at its close: what the user sees."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.pilot_support import settle, sync  # noqa: E402
from fixtures.snapshot_data import NOW, make_snapshot  # noqa: E402

from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.series_detail import SeriesDetail  # noqa: E402
from crowdwatch.tui.screens.theme_detail import ThemeDetail  # noqa: E402
from crowdwatch.widgets.attribution import MemberTable  # noqa: E402


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def table_rows(table: MemberTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@sync
async def test_theme_drill_down_lists_the_drivers(demo_close_snapshot) -> None:
    snapshot = demo_close_snapshot
    ai = snapshot.themes["AI beneficiaries"].stats
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"beneficiaries", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ThemeDetail)
        rows = table_rows(app.screen.query_one("#members", MemberTable))
        by_ticker = {row[0]: row for row in rows}
        # NVDA is listed with its weight (1.5 of 16) and its contribution in basis points
        nvda = next(c for c in snapshot.members["AI beneficiaries"].iter_rows(named=True)
                    if c["ticker"] == "NVDA")  # fmt: skip
        assert by_ticker["NVDA"][2] == "9.4%"
        assert by_ticker["NVDA"][3] == f"{nvda['contribution'] * 1e4:+.0f}bp"
        # sorted by contribution: the largest first, as in the report's top contributors
        assert [row[0] for row in rows[:3]] == [c.ticker for c in ai.top_contributors[:3]]
        share = sum(c.contribution for c in ai.top_contributors[:3]) / ai.ret
        names = ", ".join(c.ticker for c in ai.top_contributors[:3])
        assert f"{names}: {share * 100:.0f}% of the move" in text_of(app, "#top-share")
        await pilot.press("s", "s")  # by contribution, then by today's return
        await pilot.pause()
        rows = table_rows(app.screen.query_one("#members", MemberTable))
        assert "by today" in text_of(app, "#members-title")
        returns = [float(row[1].rstrip("%")) for row in rows]
        assert returns == sorted(returns)


@sync
async def test_pair_drill_down_says_the_long_side_drove_the_move(demo_close_snapshot) -> None:
    snapshot = demo_close_snapshot
    legs = snapshot.baskets["momentum_pair"].legs
    app = CrowdwatchApp(FakeEngine([snapshot]), clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # the momentum pair row
        await settle(pilot)
        assert isinstance(app.screen, SeriesDetail)
        assert app.screen.series_name == "momentum_pair"
        drivers = text_of(app, "#drivers")
        assert f"Long side {legs.long_share * 100:.0f}% of the move" in drivers
        assert legs.long_share > 0.5
        long_rows = table_rows(app.screen.query_one("#long-members", MemberTable))
        short_rows = table_rows(app.screen.query_one("#short-members", MemberTable))
        table = snapshot.members["momentum_pair"]
        assert len(long_rows) == table.filter(table["side"] == "long").height
        assert len(short_rows) == table.filter(table["side"] == "short").height
        assert "Information Technology" in text_of(app, "#sectors")
        assert "Long leg" in text_of(app, "#long-title")


@sync
async def test_single_basket_has_one_member_table() -> None:
    app = CrowdwatchApp(FakeEngine([make_snapshot()]), clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # winners, the first row
        await settle(pilot)
        assert isinstance(app.screen, SeriesDetail)
        assert app.screen.query_one("#short-members").display is False
        assert "Members" in text_of(app, "#long-title")
