"""The user documentation stays in step with the code: definitions, keys, install command."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

from crowdwatch.analytics.crowding import CROWDING_PARTS
from crowdwatch.analytics.report import INTERNAL_KEYS
from crowdwatch.analytics.results import BASKET_KEYS, MoveStats
from crowdwatch.config.loader import load_config
from crowdwatch.config.schema import COLOUR_SCHEMES, Settings
from crowdwatch.feeds.yahoo_client import INSTALL_COMMAND, INSTALL_HINT
from crowdwatch.session.export import WHAT

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEFINITIONS = (ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")


def test_the_readme_points_to_the_definitions_in_the_repository() -> None:
    assert "DESIGN.md" not in README
    assert "](docs/definitions.md)" in README


def test_every_series_field_and_setting_is_defined() -> None:
    names = [*BASKET_KEYS, *INTERNAL_KEYS, *CROWDING_PARTS, *WHAT, "events", "UNWIND",
             "SQUEEZE", "quantile", "weighting"]  # fmt: skip
    names += [f.name for f in fields(MoveStats) if f.name not in ("name", "members", "recent",
                                                                  "on_record")]  # fmt: skip
    settings = [f.name for f in fields(Settings) if f.name != "alert_sigma"]
    names += settings + ["alerts: {sigma}", "--as-files"]
    names += [factor.name for factor in load_config().factors]
    missing = [name for name in names if f"{name}" not in DEFINITIONS]
    assert missing == []


def test_the_settings_defaults_in_the_definitions_are_the_codes() -> None:
    defaults = Settings()
    for key, value in [("benchmark", defaults.benchmark), ("quantile", defaults.quantile),
                       ("refresh_seconds", defaults.refresh_seconds),
                       ("dispersion_since_years", defaults.dispersion_since_years),
                       ("alerts: {sigma}", defaults.alert_sigma),
                       ("weighting", defaults.weighting),
                       ("colour_scheme", defaults.colour_scheme)]:  # fmt: skip
        row = re.search(rf"^\| `{re.escape(key)}` \| ([^|]+) \|", DEFINITIONS, re.M)
        assert row is not None, key
        shown = row.group(1).strip()
        assert shown == (f"{value:g}" if isinstance(value, int | float) else value) or (
            isinstance(value, float) and float(shown) == value
        ), (key, shown)
    assert defaults.colour_scheme == COLOUR_SCHEMES[0]


def test_install_hint_and_readme_say_the_same_command() -> None:
    assert INSTALL_COMMAND in INSTALL_HINT and INSTALL_COMMAND in README
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirement = INSTALL_COMMAND.split("'")[1]
    assert requirement in extras["optional-dependencies"]["yahoo"]


KEY_NAMES = {"question_mark": "?", "slash": "/", "plus": "+", "minus": "-", "escape": "Esc",
             "ctrl+c": "Ctrl+C", "ctrl+s": "Ctrl+S", "tab": "Tab", "shift+tab": "Shift+Tab",
             "enter": "Enter", "f1": "F1", "left_square_bracket": "[",
             "right_square_bracket": "]"}  # fmt: skip


def test_every_key_the_app_binds_is_in_the_readme_keys_table() -> None:
    from crowdwatch.tui.app import CrowdwatchApp
    from crowdwatch.tui.screens.dashboard import DashboardScreen
    from crowdwatch.tui.screens.detail import DetailScreen
    from crowdwatch.tui.screens.theme_detail import ThemeDetail

    table = README.split("## Keys", 1)[1].split("\n## ", 1)[0]
    cells = {cell.strip(" `") for row in table.splitlines() if row.startswith("|")
             for cell in re.split(r"[|,/]| or ", row.split("|")[1])}  # fmt: skip
    cells |= {"/"} if "`/`" in table else set()
    cells |= {"-"} if "`-`" in table else set()
    missing = []
    for owner in (CrowdwatchApp, DashboardScreen, DetailScreen, ThemeDetail):
        for binding in owner.BINDINGS:
            for key in binding.key.split(","):
                shown = KEY_NAMES.get(key, key)
                if shown not in cells:
                    missing.append((owner.__name__, key))
    assert missing == []
