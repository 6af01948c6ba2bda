"""Shared helpers for the demo tests: the bundled config, read without any user config."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdwatch.config.loader import load_config
from crowdwatch.config.schema import Config


def bundled_config(empty_dir: Path) -> Config:
    """The bundled defaults only: the user config dir points at an empty folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CROWDWATCH_CONFIG_DIR", str(empty_dir))
        return load_config(empty_dir)


class FakeClock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
