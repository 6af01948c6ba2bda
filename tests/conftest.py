"""Test-wide isolation: no test ever reads or writes the developer's real crowdwatch config."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user config dir: an empty (not yet created) folder of the test's own."""
    folder = tmp_path / "user-config"
    monkeypatch.setenv("CROWDWATCH_CONFIG_DIR", str(folder))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CROWDWATCH_LOG_DIR", str(tmp_path / "user-logs"))  # the alert log
    return folder
