"""Installed, the repo is ONE import package `crowdwatch`: no stray top-level modules."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

LAYERS = ("analytics", "config", "feeds", "session", "tui", "widgets")


def test_the_distribution_declares_only_crowdwatch_at_top_level() -> None:
    top_level = importlib.metadata.distribution("crowdwatch").read_text("top_level.txt")
    assert top_level.split() == ["crowdwatch"]


def test_layers_import_only_under_crowdwatch(tmp_path) -> None:
    probe = (
        "import importlib.util as u, sys; "
        f"stray = [n for n in {LAYERS!r} if u.find_spec(n)]; "
        f"inside = [n for n in {LAYERS!r} if u.find_spec('crowdwatch.' + n) is None]; "
        "print(stray, inside); sys.exit(1 if stray or inside else 0)"
    )
    # run from an empty folder so the repo root is not on sys.path
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_console_script_points_at_the_cli() -> None:
    scripts = importlib.metadata.distribution("crowdwatch").entry_points
    (script,) = [e for e in scripts if e.name == "crowdwatch"]
    assert script.value == "crowdwatch.tui.cli:main"
