"""Pilot tests on the demo: config hot reload, a bad edit, +/- on a theme, the colour key."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from demo_support import FakeClock  # noqa: E402
from fixtures.pilot_support import settle, status_text, sync  # noqa: E402

from crowdwatch.config.loader import bundled_path, load_config  # noqa: E402
from crowdwatch.feeds.demo import DemoFeed  # noqa: E402
from crowdwatch.session.engine import Engine  # noqa: E402
from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.messages import OpenDetail  # noqa: E402
from crowdwatch.tui.screens.notices import MessagesScreen  # noqa: E402
from crowdwatch.tui.screens.theme_detail import ThemeDetail  # noqa: E402
from crowdwatch.widgets.theme_table import ThemeTable  # noqa: E402


def demo_app(replay: FakeClock) -> CrowdwatchApp:
    """The demo as `crowdwatch` runs it, config from the (isolated) user folder, watched."""
    config = load_config()
    feed = DemoFeed(config, clock=replay)
    engine = Engine(feed, config, watch_config=True)
    engine.refresh_seconds = 3600  # the test ticks with r
    return CrowdwatchApp(engine)


def save(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


async def tick(pilot, replay: FakeClock, seconds: float = 10.0) -> None:
    replay.now += seconds
    await pilot.press("r")
    await settle(pilot)


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.fixture
def user_themes(user_dir: Path) -> Path:
    user_dir.mkdir(parents=True, exist_ok=True)
    path = user_dir / "themes.yaml"
    path.write_bytes(bundled_path("themes.yaml").read_bytes())
    return path


@sync
async def test_theme_edit_applies_without_restarting_the_replay_or_the_trail(
    user_themes: Path,
) -> None:
    replay = FakeClock()
    app = demo_app(replay)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await tick(pilot, replay)
        points = len(app.intraday.points["momentum_pair"])
        quotes_ts = app.snapshot.quotes_ts
        assert points >= 3
        text = user_themes.read_text(encoding="utf-8")
        save(user_themes, text + "  - name: Megacaps\n    tickers: [AAPL, MSFT, NVDA]\n")
        await tick(pilot, replay)
        assert "Megacaps" in app.snapshot.themes
        assert "Megacaps" in app.screen.query_one(ThemeTable).row_keys()
        assert app.snapshot.quotes_ts > quotes_ts  # the replay went on, not back to 09:30
        assert len(app.intraday.points["momentum_pair"]) == points + 1  # trail kept


@sync
async def test_a_bad_edit_is_shown_until_fixed_and_the_last_good_config_stays(
    user_themes: Path,
) -> None:
    replay = FakeClock()
    app = demo_app(replay)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        good = user_themes.read_text(encoding="utf-8")
        save(
            user_themes,
            good.replace("  - name: Memory\n    tickers:", "  - name: Memory\n    tikers:"),
        )
        await tick(pilot, replay)
        line = good.splitlines().index("  - name: Memory") + 2
        text = status_text(app)
        assert f"themes.yaml:{line}" in text and "tikers" in text
        assert "Memory" in app.snapshot.themes  # the last good config
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MessagesScreen)
        errors = [n for n in app.screen.notices_now if n.error]
        assert len(errors) == 1 and "did you mean 'tickers'" in errors[0].text
        await pilot.press("escape")
        await tick(pilot, replay)
        assert "tikers" in status_text(app)  # still shown: not fixed yet
        save(user_themes, good)
        await tick(pilot, replay)
        assert "tikers" not in status_text(app)
        assert app.notice_log.current == ()


@sync
async def test_plus_and_minus_edit_the_users_themes_file(user_dir: Path) -> None:
    bundled = bundled_path("themes.yaml").read_bytes()
    replay = FakeClock()
    app = demo_app(replay)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(OpenDetail("theme", "Memory"))
        await pilot.pause()
        assert isinstance(app.screen, ThemeDetail)
        await pilot.press("plus", *"sndk", "enter")
        for _ in range(100):
            if "SNDK" in (app.snapshot.themes["Memory"].stats.members or ()) or any(
                "Added SNDK" in t for t in notifications(app)
            ):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        user_file = user_dir / "themes.yaml"
        assert any(f"Added SNDK to Memory, saved in {user_file}" in t for t in notifications(app))
        assert "SNDK" in next(t for t in load_config().themes if t.name == "Memory").tickers
        assert "# Crowded themes" in user_file.read_text(encoding="utf-8")  # comments kept
        assert bundled_path("themes.yaml").read_bytes() == bundled  # never the defaults
        # minus offers the highlighted member; Enter confirms
        table = app.screen.query_one("#members")
        table.focus()
        highlighted = app.screen.highlighted_ticker()
        await pilot.press("minus")
        assert app.screen.query_one("#ticker-input").value == highlighted
        await pilot.press("enter")
        for _ in range(100):
            if any(f"Removed {highlighted}" in t for t in notifications(app)):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        memory = next(t for t in load_config().themes if t.name == "Memory")
        assert highlighted not in memory.tickers and "SNDK" in memory.tickers
        # Esc cancels the prompt before it closes the view
        await pilot.press("plus", "escape")
        assert isinstance(app.screen, ThemeDetail)
        assert not app.screen.query_one("#ticker-input").has_class("-open")


@sync
async def test_colour_key_remembers_the_scheme_and_a_settings_edit_switches_it(
    user_dir: Path,
) -> None:
    replay = FakeClock()
    app = demo_app(replay)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("c")
        for _ in range(100):
            if (user_dir / "settings.yaml").exists() and notifications(app):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert app.theme == "textual-light"
        assert load_config().settings.colour_scheme == "textual-light"
        assert any("Colour scheme textual-light, saved in" in t for t in notifications(app))
        text = (user_dir / "settings.yaml").read_text(encoding="utf-8")
        assert "# the index every" in text  # the bundled comments came along
        save(user_dir / "settings.yaml", text.replace("textual-light", "nord"))
        await tick(pilot, replay)
        assert app.theme == "nord"
        assert "Colour scheme nord" in notifications(app)
    # the next start uses the remembered scheme
    again = demo_app(FakeClock())
    assert again.theme == "nord"
