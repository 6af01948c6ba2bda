"""Values a tick remembers with the objects they were computed from, compared by identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Kept:
    """Values remembered with the objects they were computed from, compared by identity
    (the sources are kept alive here): the signals at d are fixed for a Model, and today's
    selection masks are the same read-only arrays from poll to poll while the eligible
    names stay the same (factors.Selections)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[Any, ...], Any]] = {}

    def get(self, name: str, sources: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        kept = self._kept.get(name)
        if (
            kept is not None
            and len(kept[0]) == len(sources)
            and all(a is b for a, b in zip(kept[0], sources, strict=True))
        ):
            return kept[1]
        value = build()
        self._kept[name] = (sources, value)  # one item, swapped whole
        return value
