"""Screens and widgets render what analytics computed: from analytics they import result
types (classes), labels and the presentation helpers, never a computation; they never call
into the app (no `type: ignore` to reach its methods)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RENDERING = sorted([*ROOT.glob("tui/screens/*.py"), *ROOT.glob("widgets/*.py")])
# number and text formats: presentation, shared with the text report
PRESENTATION = {
    "crowdwatch.analytics.formatting",
    "crowdwatch.analytics.positioning_format",
    "crowdwatch.analytics.lens_format",
}


def analytics_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from crowdwatch.analytics... import name` in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "crowdwatch.analytics"
        ):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("crowdwatch.analytics")]
            found += [(name, "*") for name in names]
    return found


def test_the_rendering_files_are_found() -> None:
    names = {path.name for path in RENDERING}
    assert {"series_detail.py", "theme_detail.py", "factor_table.py"} <= names


@pytest.mark.parametrize("path", RENDERING, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_from_analytics_are_result_types_only(path: Path) -> None:
    wrong = []
    for module_name, name in analytics_imports(path):
        if module_name in PRESENTATION:
            continue
        if name == "*":
            wrong.append(f"import {module_name}")
            continue
        target = getattr(importlib.import_module(module_name), name, None)
        if target is None:  # a submodule imported by name: `from analytics import moves`
            wrong.append(f"{module_name}.{name} (a module)")
        elif callable(target) and not inspect.isclass(target):  # constants and labels pass
            wrong.append(f"{module_name}.{name}")
    assert wrong == [], f"{path.name} imports analytics computations: {wrong}"


@pytest.mark.parametrize("path", RENDERING, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_screen_reaches_into_the_app(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "self.app." not in text.replace("self.app.no_color", "") or path.parent.name == "widgets"
    assert "type: ignore[attr-defined]" not in text
