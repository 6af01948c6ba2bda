"""ConfigError: every problem found in the YAML config, each naming its file, line and key."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# control characters and lone surrogates: they cannot be printed (a surrogate cannot even be
# encoded as UTF-8), so a message quoting one would fail or garble the terminal
_UNPRINTABLE = ("Cc", "Cs")


def unprintable(text: str) -> str | None:
    """The first control character or lone surrogate in text, if any."""
    return next((ch for ch in text if unicodedata.category(ch) in _UNPRINTABLE), None)


def printable(text: str) -> str:
    """text with every control character and lone surrogate written as an escape (\\u0006)."""
    if unprintable(text) is None:
        return text
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _UNPRINTABLE else ch for ch in text
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file; line is 1-based (None when the whole file is at fault)."""

    path: Path
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return printable(f"{where}: {self.message}")


class ConfigError(Exception):
    """The configuration cannot be used; str() lists every problem, one per line.

    `path`, `line` and `key` describe the first problem; `problems` holds them all.
    """

    def __init__(
        self,
        path: Path | str,
        line: int | None = None,
        key: str | None = None,
        message: str = "",
        *,
        problems: Sequence[Problem] | None = None,
    ) -> None:
        self.problems: list[Problem] = (
            list(problems) if problems else [Problem(Path(path), line, key, message)]
        )
        first = self.problems[0]
        self.path: Path = first.path
        self.line: int | None = first.line
        self.key: str | None = first.key
        super().__init__(str(self))

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> ConfigError:
        """One error carrying several problems (there must be at least one)."""
        if not problems:
            raise ValueError("ConfigError.from_problems needs at least one problem")
        first = problems[0]
        return cls(first.path, first.line, first.key, first.message, problems=problems)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
