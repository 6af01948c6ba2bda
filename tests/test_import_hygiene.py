"""analytics, feeds and config stay headless: importing them never pulls in textual or rich."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

HEADLESS_PACKAGES = (
    "crowdwatch.analytics",
    "crowdwatch.feeds",
    "crowdwatch.config",
    "crowdwatch.session",
)
FORBIDDEN = ("textual", "rich", "textual_plotext", "plotext")
REPO_ROOT = Path(__file__).resolve().parents[1]


def headless_modules() -> list[str]:
    """Every module of the headless packages, found on disk (new files are picked up)."""
    names: list[str] = []
    for package_name in HEADLESS_PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        names.extend(
            info.name for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}.")
        )
    return sorted(names)


def test_every_headless_package_has_modules() -> None:
    modules = headless_modules()
    assert "crowdwatch.config.loader" in modules
    assert "crowdwatch.feeds.base" in modules
    assert "crowdwatch.analytics.results" in modules
    assert "crowdwatch.session.engine" in modules


@pytest.mark.parametrize("module", headless_modules())
def test_module_imports_without_textual_or_rich(module: str) -> None:
    # a fresh interpreter: this test process has probably imported textual already
    code = (
        f"import sys, {module}\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "assert not bad, f'imported {bad}'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )
    assert result.returncode == 0, f"{module}: {result.stderr.strip()[-2000:]}"


def _lint_imports() -> str | None:
    candidate = Path(sys.executable).parent / "lint-imports"
    return str(candidate) if candidate.exists() else shutil.which("lint-imports")


@pytest.mark.skipif(_lint_imports() is None, reason="import-linter is not installed")
def test_import_linter_contracts_are_kept() -> None:
    pyproject = REPO_ROOT / "pyproject.toml"
    settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert settings["contracts"], "pyproject.toml has no import-linter contracts"
    result = subprocess.run(
        [_lint_imports(), "--config", str(pyproject), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "0 broken" in output
