"""Pilot tests of markup safety, the screenshot key and the keys that close views and quit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.content import Content

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.pilot_support import make_app, settle, sync  # noqa: E402

from crowdwatch.tui.messages import ShowFailure  # noqa: E402
from crowdwatch.tui.screens.help import HelpScreen  # noqa: E402
from crowdwatch.tui.screens.series_detail import SeriesDetail  # noqa: E402


def rendered(widget) -> str:
    """What a Static shows, as plain text (markup already applied)."""
    return str(widget.render())


@sync
async def test_help_legend_shows_the_stale_badge_literally() -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        legend = rendered(app.screen.query_one("#legend"))
        assert "[STALE] means old quotes" in legend


@sync
async def test_filter_text_with_brackets_is_shown_as_typed() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"[b]x", "enter")
        await pilot.pause()
        pane = app.screen.query_one("#pane-themes")
        # a border subtitle is drawn from markup: unescaped, "[b]" turns bold and vanishes
        shown = Content.from_markup(pane.border_subtitle).plain
        assert "filter '[b]x'" in shown


@sync
async def test_start_failure_text_with_brackets_is_shown_as_is() -> None:
    app = make_app([RuntimeError("never")])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.dashboard.post_message(ShowFailure("prices.csv [bold] column missing"))
        await pilot.pause()
        placeholder = app.dashboard.query_one(".placeholder")
        assert "prices.csv [bold] column missing" in rendered(placeholder)


@pytest.mark.parametrize("key", ["escape", "q"])
@sync
async def test_escape_or_q_closes_a_drill_down_and_q_then_quits(key) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SeriesDetail)
        await pilot.press(key)
        await pilot.pause()
        assert app.screen.id == "dashboard" and app.is_running
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


@pytest.mark.parametrize("where", ["dashboard", "drill-down", "help", "filter box"])
@sync
async def test_ctrl_c_quits_from_anywhere(where) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        keys = {"dashboard": [], "drill-down": ["enter"], "help": ["question_mark"],
                "filter box": ["slash", "a"]}[where]  # fmt: skip
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@sync
async def test_screenshot_key_saves_in_the_current_directory_without_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"  # a server account: no ~/Downloads
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = list(work.glob("crowdwatch_*.svg"))
        assert len(saved) == 1 and "<svg" in saved[0].read_text(encoding="utf-8")
        assert any(str(saved[0].resolve()) in text for text in notifications(app))
        assert not (home / "Downloads").exists()


@sync
async def test_screenshot_into_an_unwritable_folder_says_why(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_screenshot(path=str(tmp_path / "missing"))
        await pilot.pause()
        assert any("Screenshot not saved" in text for text in notifications(app))
        assert app.is_running


@sync
async def test_palette_has_one_colour_switcher_and_our_screenshot() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = list(app.get_system_commands(app.screen))
        titles = [command.title for command in commands]
        assert "Theme" not in titles  # Textual's picker would bypass settings.yaml
        assert titles.count("Screenshot") == 1 and titles.count("Quit") == 1
        shot = next(c for c in commands if c.title == "Screenshot")
        assert "current directory" in shot.help
