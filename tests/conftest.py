"""Test-wide isolation (no test touches the developer's real config) and hypothesis profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `pytest --hypothesis-profile=fuzz` runs the fuzz tests (tests/fuzz_support.py) with thousands
# of examples each; by default they run a few dozen, to keep the suite fast.
settings.register_profile(
    "fuzz",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user config dir: an empty (not yet created) folder of the test's own."""
    folder = tmp_path / "user-config"
    monkeypatch.setenv("CROWDWATCH_CONFIG_DIR", str(folder))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CROWDWATCH_LOG_DIR", str(tmp_path / "user-logs"))  # the alert log
    return folder
