"""How many examples a property test tries: its own budget, or the fuzz profile's if larger."""

from __future__ import annotations

from hypothesis import settings

FUZZ_EXAMPLES = 2000


def examples(budget: int) -> int:
    """`budget` normally; the fuzz profile's count when that profile is loaded."""
    return max(budget, settings.default.max_examples) if fuzzing() else budget


def fuzzing() -> bool:
    return settings.default.max_examples >= FUZZ_EXAMPLES
