"""Pilot tests of the dashboard's layout at every size: no cut number, no sideways scroll,
colours, the status word after the close, labels, legends and the navigation keys."""

from __future__ import annotations

import asyncio
import functools
import re
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.color import Color, ColorSystem

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.snapshot_data import NOW, THEMES, make_snapshot  # noqa: E402

from crowdwatch.analytics.results import FACTOR_LABELS, ThemeMove  # noqa: E402
from crowdwatch.tui.app import SCHEMES, CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.help import HelpScreen, TooSmallScreen  # noqa: E402
from crowdwatch.tui.screens.series_detail import SeriesDetail  # noqa: E402
from crowdwatch.tui.screens.theme_detail import ThemeDetail  # noqa: E402
from crowdwatch.widgets.charts import IntradayChart  # noqa: E402
from crowdwatch.widgets.factor_table import FactorTable  # noqa: E402
from crowdwatch.widgets.pane_table import PaneTable  # noqa: E402
from crowdwatch.widgets.status_bar import StatusBar, render_status  # noqa: E402
from crowdwatch.widgets.theme_table import ThemeTable  # noqa: E402

SIZES = [(80, 24), (100, 30), (120, 32), (160, 48)]
# a percent, a sigma, an ordinal or a date as the formats write them, whole
WHOLE = re.compile(r"[+-]?\d+\.\d\d%|[!]?[+-]\d+\.\dσ|\d+(st|nd|rd|th)|\d{4}-\d\d-\d\d")


def sync(test):
    @functools.wraps(test)
    def run(*args, **kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def twelve_themes() -> dict[str, ThemeMove]:
    """The fixture's 11 themes and a 12th, as many as the bundled themes.yaml has."""
    extra = THEMES["Chemicals"]
    twelfth = replace(extra, stats=replace(extra.stats, name="Software"), flag=None)
    return {**THEMES, "Software": twelfth}


def make_app(snapshot=None, **kw) -> CrowdwatchApp:
    snapshot = snapshot or make_snapshot(themes=twelve_themes())
    return CrowdwatchApp(FakeEngine([snapshot], **kw), clock=lambda: NOW)


async def settle(pilot) -> None:
    for _ in range(500):
        if not pilot.app.busy:
            break
        await pilot.pause(0.01)
    await pilot.pause()
    await pilot.pause()


def row_texts(table: PaneTable) -> list[str]:
    """What the table shows, line by line (header first), as the user sees it."""
    return [table.render_line(y).text for y in range(table.size.height)]


async def each_pane(pilot):
    """Every pane in turn (1-4), yielding the shown tables."""
    for number in range(1, 5):
        await pilot.press(str(number))
        await pilot.pause()
        yield [t for t in pilot.app.screen.query(PaneTable) if t.region.width > 0]


# --- items 1 and 7: no cut number, no sideways scroll, at every size ---------------------
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@sync
async def test_no_cell_is_cut_and_nothing_scrolls_sideways(size, no_color, monkeypatch) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        async for tables in each_pane(pilot):
            for table in tables:
                assert table.max_scroll_x == 0, (size, table.id)
                for _ in range(5):  # a sideways key moves on; it never slides a column
                    table.action_cursor_right()
                assert table.scroll_x == 0
                shown = "\n".join(row_texts(table))
                for row in table.ordered_rows:
                    for cell in table.get_row(row.key):
                        plain = getattr(cell, "plain", str(cell)).strip()
                        for match in WHOLE.finditer(plain):
                            assert match.group(0) in shown, (size, table.id, plain)
        await pilot.press("1")
        await pilot.pause()
        lines = row_texts(app.screen.query_one(FactorTable))
        winners = next(line for line in lines if "Winners" in line)
        assert "-4.12%" in winners  # the fixture's winners return, sign and all
        assert "-3.1σ" in winners


@sync
async def test_a_loss_keeps_its_sign_after_right_presses_at_80_columns(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        for _ in range(3):
            await pilot.press("right", "left")
        table = app.screen.query_one(ThemeTable)
        line = next(t for t in row_texts(table) if "AI beneficiaries" in t)
        assert "-8.51%" in line  # not "8.51%": a loss never looks like a gain


@sync
async def test_all_twelve_themes_and_whole_notes_at_120x32() -> None:
    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        themes = app.screen.query_one(ThemeTable)
        assert themes.row_count == 12
        assert themes.size.height >= 13  # header + 12 rows, no vertical scrolling
        assert themes.max_scroll_y == 0
        notes = [line for line in row_texts(app.screen.query_one("#internals-table"))]
        letf = next(line for line in notes if "LETF" in line)
        # a note is a whole wording: the biggest underlying with its flow, not a stub
        assert re.search(r"QQQ -8\.1( |$)", letf.rstrip("│ ")), letf


# --- columns.choose_widths: hand-worked cases ---------------------------------------------
def test_columns_by_priority_hand_worked() -> None:
    from crowdwatch.widgets.columns import Column, choose_widths, shrinkable

    spec = (
        Column("name", "Name", 0, justify="left"),
        Column("a", "A", 1, 6),
        Column("spark", "S", 3),
        Column("b", "Bbbbbbbb", 2),
    )
    rows = [{"name": shrinkable("Momentum pair", minimum=6), "a": "-1.00%", "b": "x",
             "spark": shrinkable("x" * 30, minimum=5)}]  # fmt: skip
    # 13 + 6 + 8 with 2 padding each = 33; the spark needs 5 + 2 more
    assert [(c.key, w) for c, w in choose_widths(spec, rows, 33, 2)] == [
        ("name", 13), ("a", 6), ("b", 8)
    ]  # fmt: skip
    assert [(c.key, w) for c, w in choose_widths(spec, rows, 45, 2)] == [
        ("name", 13), ("a", 6), ("spark", 10), ("b", 8)
    ]  # fmt: skip
    # too narrow for the name at full width: it shrinks, numbers stay whole
    assert [(c.key, w) for c, w in choose_widths(spec, rows, 20, 2)] == [("name", 10), ("a", 6)]
    # a soft width: the name waits for the others before it grows past it
    soft = (Column("name", "Name", 0, justify="left", soft_width=8), Column("n", "N", 3))
    rows2 = [
        {
            "name": shrinkable("Prime-book net exposure", minimum=6),
            "n": shrinkable("x" * 12, minimum=0),
        }
    ]
    assert [(c.key, w) for c, w in choose_widths(soft, rows2, 30, 2)] == [("name", 14), ("n", 12)]
    assert [(c.key, w) for c, w in choose_widths(soft, rows2, 24, 2)] == [("name", 8), ("n", 12)]
    for available in range(0, 60):
        chosen = choose_widths(spec, rows, available, 2)
        assert sum(w + 2 for _, w in chosen) <= available


# --- item 13: losses red and gains green in every scheme, 256 and 16 colours --------------
def _is_red(rgb) -> bool:
    return rgb[0] > 150 and rgb[1] < 100 and rgb[2] < 100


def _is_green(rgb) -> bool:
    return rgb[1] > 120 and rgb[0] < 100 and rgb[2] < 120


@pytest.mark.parametrize("scheme", SCHEMES)
@sync
async def test_losses_red_gains_green_in_every_scheme(scheme) -> None:
    app = make_app()
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.theme = scheme
        await pilot.pause()
        table = app.screen.query_one(FactorTable)
        styles = {}
        for y in range(table.size.height):
            for segment in table.render_line(y):
                for word in ("-4.93%", "+1.54%"):
                    if word in segment.text and segment.style and segment.style.color:
                        styles[word] = segment.style.color
        for word, is_hue, numbers in (("-4.93%", _is_red, {1, 9}), ("+1.54%", _is_green, {2, 10})):
            colour = styles[word]
            # what the terminal gets: ANSI names go through the app's ANSI theme
            rgb = colour.get_truecolor(app.ansi_theme)
            assert is_hue(rgb), (scheme, word, rgb)
            truecolor = Color.from_rgb(*rgb)
            assert truecolor.downgrade(ColorSystem.STANDARD).number in numbers, (scheme, word)
            eight_bit = truecolor.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
            assert is_hue(eight_bit), (scheme, word, eight_bit)


def test_format_uses_no_private_textual_module() -> None:
    root = Path(__file__).parent.parent
    for folder in ("widgets", "tui"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text()
            assert not re.search(r"textual\._\w+|from textual import _", text), path


# --- item 12: CLOSED after the close, and the as-of chart --------------------------------
@sync
async def test_status_says_closed_after_the_close_and_live_before() -> None:
    close = datetime(2026, 2, 4, 21, 0, tzinfo=UTC)  # 16:00 New York
    app = make_app(make_snapshot(quotes_ts=close))
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        text = render_status(app.screen.query_one(StatusBar).state).plain
        assert "[CLOSED]" in text and "[LIVE]" not in text
    app = make_app(make_snapshot())  # 10:30 New York
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert "[LIVE]" in render_status(app.screen.query_one(StatusBar).state).plain


@sync
async def test_as_of_chart_says_no_intraday() -> None:
    app = make_app(make_snapshot(mode="close", quotes_ts=None), static=True)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        chart = app.screen.query_one(IntradayChart)
        assert chart.empty_message == "as of 2026-02-04: no intraday"


# --- item 8: the intraday chart's axes -----------------------------------------------------
def test_zero_ticks_label_the_zero_line() -> None:
    from crowdwatch.widgets.charts import time_ticks, zero_ticks

    ticks, labels = zero_ticks(-4.6, 1.1)
    assert 0 in ticks and labels[ticks.index(0)] == "0"
    assert ticks[0] <= -4.6 and ticks[-1] >= 1.1
    assert labels == ["-6", "-4", "-2", "0", "+2"]
    ticks, labels = zero_ticks(0.0, 0.0)  # the open: no '-0.00'
    assert labels[ticks.index(0)] == "0" and not any(lab.startswith("-0") for lab in labels)
    # five minutes after the open: two labels, not one
    assert time_ticks(570, 575)[1] == ["09:30", "09:35"]
    assert time_ticks(570, 960)[1][0] == "10:00"


# --- item 14: one label per series, the empty filter, ticker filter ----------------------
@sync
async def test_one_label_per_series_on_the_dashboard_drill_down_and_report() -> None:
    from crowdwatch.session.report_text import text_report

    snapshot = make_snapshot()
    app = make_app(snapshot)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        factor = "\n".join(row_texts(app.screen.query_one(FactorTable)))
        for label in ("Short-mom basket", "Low-vol factor", "Beta factor"):
            assert label in factor
        assert "F Low vol" not in factor
        table = app.screen.query_one(FactorTable)
        table.move_cursor(row=table.row_keys().index("factor:low_vol"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SeriesDetail)
        assert str(app.screen.query_one("#detail-header").render()).startswith("Low-vol factor")
    report = text_report(snapshot)
    assert "Short-mom basket" in report and "Low-vol factor" in report
    assert "low_vol factor" not in report
    assert FACTOR_LABELS["low_vol"] == "Low-vol factor"


@sync
async def test_filter_matching_nothing_says_so_and_tickers_match() -> None:
    themes = dict(THEMES)
    themes["Memory chips"] = replace(themes["Memory chips"], tickers=("MU", "WDC"))
    app = make_app(make_snapshot(themes=themes))
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"xyz")
        await pilot.pause()
        assert app.screen.query_one(ThemeTable).row_count == 0
        said = str(app.screen.query_one("#theme-empty").render())
        assert "no theme matches 'xyz'" in said
        assert app.screen.query_one("#theme-empty").display
        await pilot.press("escape", "slash", "m", "u")
        await pilot.pause()
        assert app.screen.query_one(ThemeTable).row_keys() == ["Memory chips"]


# --- item 19: each series once; the baskets pane's own job --------------------------------
@sync
async def test_momentum_factor_shown_once_and_basket_pane_tells_the_legs() -> None:
    app = make_app(make_snapshot())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        keys = app.screen.query_one(FactorTable).row_keys()
        assert "basket:momentum_pair" in keys and "factor:momentum" not in keys
        assert len(keys) == len(set(keys)) == 4 + 4
        legs = "\n".join(row_texts(app.screen.query_one("#basket-table")))
        assert "Pair -4.93% = winners -4.12% minus short-mom +0.81%" in legs
        assert "squeeze" in legs
    other = make_snapshot()
    factors = dict(other.factors)
    factors["momentum"] = replace(factors["momentum"], ret=-0.01)  # a user's own momentum
    app = make_app(replace(other, factors=factors))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "factor:momentum" in app.screen.query_one(FactorTable).row_keys()


# --- item 20: codes explained where they appear; why a theme is flagged -------------------
@sync
async def test_legends_and_the_flag_reason() -> None:
    snapshot = make_snapshot()
    themes = dict(snapshot.themes)
    reason = "UNWIND: momentum in the top third and σ -4.20 ≤ -2"
    themes["AI beneficiaries"] = replace(themes["AI beneficiaries"], flag_reason=reason)
    app = make_app(replace(snapshot, themes=themes))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        legend = str(app.screen.query_one("#pane-factors .legend").render())
        assert "w/b" in legend and "0th" in legend and "bold" in legend
        await pilot.press("2")
        legend = str(app.screen.query_one("#pane-themes .legend").render())
        assert "UNWIND" in legend and "bold: flagged" in legend
        await pilot.press("enter")  # sorted by sigma: AI beneficiaries first
        await pilot.pause()
        assert isinstance(app.screen, ThemeDetail)
        assert reason in str(app.screen.query_one("#detail-header").render())


# --- item 21: keys, title, too small ---------------------------------------------------------
@sync
async def test_jk_gG_number_keys_and_f1() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FactorTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        for number, pane in ((4, "internals"), (2, "themes"), (3, "baskets"), (1, "factors")):
            await pilot.press(str(number))
            assert app.screen.active_pane == pane
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@sync
async def test_terminal_title_tells_the_story() -> None:
    app = make_app(make_snapshot())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert app.title == "crowdwatch SPY -0.51% pair -3.6σ"


@sync
async def test_too_small_screen_says_the_current_and_needed_size() -> None:
    app = make_app()
    async with app.run_test(size=(50, 16)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small").render())
        assert "50x16" in text and "60x20" in text
        await pilot.resize_terminal(55, 18)
        await pilot.pause(0.1)
        assert "55x18" in str(app.screen.query_one("#too-small").render())
