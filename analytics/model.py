"""The analytics entry points: prepare() once per history, live() on every tick."""

from __future__ import annotations

from crowdwatch.analytics.live import close_snapshot, live
from crowdwatch.analytics.prepare import Model, prepare

__all__ = ["Model", "close_snapshot", "live", "prepare"]
