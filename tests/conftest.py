"""Test-wide isolation (never the developer's real crowdwatch config) and hypothesis profiles."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzing import FUZZ_EXAMPLES  # noqa: E402


@pytest.fixture(autouse=True)
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user config dir: an empty (not yet created) folder of the test's own."""
    folder = tmp_path / "user-config"
    monkeypatch.setenv("CROWDWATCH_CONFIG_DIR", str(folder))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CROWDWATCH_LOG_DIR", str(tmp_path / "user-logs"))  # the alert log
    return folder


@pytest.fixture(scope="session")
def demo_close_snapshot(tmp_path_factory):
    """The real Engine on the demo at the close of the replayed day (what `report` shows):
    computed once for every test file that reads it (a Snapshot is frozen)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CROWDWATCH_CONFIG_DIR", str(tmp_path_factory.mktemp("cfg")))
    try:
        from crowdwatch.config.loader import load_config
        from crowdwatch.feeds.demo import DemoFeed
        from crowdwatch.session.engine import Engine

        config = load_config(None)
        return Engine(DemoFeed(config), config).report_snapshot()
    finally:
        patch.undo()


# Hypothesis profiles (pick one with --hypothesis-profile NAME or HYPOTHESIS_PROFILE=NAME):
# - default: new random examples on every run (plus the failures saved in .hypothesis/),
#   so the property tests keep exploring over time;
# - ci: the same examples on every run (derandomize), for a reproducible pipeline;
# - fuzz: many examples, for a long exploratory run (see fuzzing.examples).
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.register_profile(
    "fuzz",
    deadline=None,
    max_examples=FUZZ_EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
