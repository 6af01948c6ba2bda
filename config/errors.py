"""ConfigError: every problem found in the YAML config, each naming its file, line and key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file; line is 1-based (None when the whole file is at fault)."""

    path: Path
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


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
