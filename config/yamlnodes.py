"""YAML read as a node tree so every value keeps its line; typed readers that collect problems."""

from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crowdwatch.config.errors import ConfigError, Problem

NULL_TAG = "tag:yaml.org,2002:null"


def line_of(node: Node) -> int:
    """The 1-based line where a node starts."""
    return node.start_mark.line + 1


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice nearest to a misspelt word (case-insensitive), if any is close enough."""
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return by_lower[close[0]]
    # an abbreviation or its long form ("momentum" for "mom") is too far for difflib
    prefixed = [c for low, c in by_lower.items() if word.lower().startswith(low) and len(low) >= 3]
    return prefixed[0] if len(prefixed) == 1 else None


def suggestion(word: str, choices: Sequence[str]) -> str:
    """The "; did you mean 'x'?" tail of a message, or "" when nothing is close."""
    near = closest(word, choices)
    return f"; did you mean '{near}'?" if near else ""


def compose(path: Path, text: str) -> Node | None:
    """Parse one YAML document into nodes; syntax errors become a ConfigError with the line."""
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError(path, line, None, f"invalid YAML: {detail}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, None, f"invalid YAML: {exc}") from exc
    finally:
        loader.dispose()


class FileCheck:
    """Reads typed values out of one file's nodes, recording a Problem for each bad one.

    Every reader returns None for a bad value (after recording why), so validation goes on
    and the user sees all the problems of a file at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()

    def error(self, where: Node | int | None, key: str | None, message: str) -> None:
        line = line_of(where) if isinstance(where, Node) else where
        self.problems.append(Problem(self.path, line, key, message))

    # -- containers -------------------------------------------------------------------

    def pairs(self, node: Node, key: str | None) -> list[tuple[str, int, Node]]:
        """(key text, key line, value node) of a mapping; complains about a non-mapping."""
        if not isinstance(node, MappingNode):
            self.error(node, key, f"key '{key}' must be a mapping ({{key: value, ...}})")
            return []
        try:
            self._constructor.flatten_mapping(node)  # resolves '<<' merge keys
        except yaml.YAMLError as exc:
            self.error(node, key, f"key '{key}': bad merge ({exc})")
            return []
        seen: dict[str, int] = {}
        result = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
                self.error(key_node, key, f"key '{key}': keys must be plain names")
                continue
            name = str(key_node.value).strip()
            if name in seen:
                self.error(
                    key_node, name, f"key '{name}' appears twice (first at line {seen[name]})"
                )
                continue
            seen[name] = line_of(key_node)
            result.append((name, line_of(key_node), value_node))
        return result

    def mapping(
        self,
        node: Node,
        what: str,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        key: str | None = None,
    ) -> dict[str, Node]:
        """The allowed keys of a mapping; unknown keys get a did-you-mean, missing ones a note."""
        if not isinstance(node, MappingNode):
            prefix = f"key '{key}': " if key else ""
            self.error(
                node, key, f"{prefix}{what} must be a mapping with keys {', '.join(allowed)}"
            )
            return {}
        values: dict[str, Node] = {}
        suggested: set[str] = set()
        for name, line, value in self.pairs(node, key):
            if name not in allowed:
                near = closest(name, allowed)
                hint = f"; did you mean '{near}'?" if near else ""
                suggested.add(near or "")
                self.error(
                    line,
                    name,
                    f"key '{name}' is not allowed in {what}{hint} (allowed: {', '.join(allowed)})",
                )
                continue
            values[name] = value
        for name in required:
            # a misspelt required key already got a did-you-mean; don't also call it missing
            if name not in values and name not in suggested:
                self.error(node, name, f"{what} is missing the required key '{name}'")
        return values

    def sequence(self, node: Node, key: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error(node, key, f"key '{key}' must be a list")
            return None
        return list(node.value)

    # -- scalars ------------------------------------------------------------------------

    def _scalar(self, node: Node, key: str, expected: str) -> ScalarNode | None:
        if not isinstance(node, ScalarNode) or node.tag == NULL_TAG:
            found = "nothing" if isinstance(node, ScalarNode) else "a list or mapping"
            self.error(node, key, f"key '{key}' must be {expected}, got {found}")
            return None
        return node

    def value(self, node: ScalarNode) -> Any:
        try:
            return self._constructor.construct_object(node)
        except (yaml.YAMLError, ValueError):
            return node.value

    def text(self, node: Node, key: str, *, allow_empty: bool = False) -> str | None:
        """The scalar as written (so ON, NO or 2024 stay text), stripped."""
        if allow_empty and isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return ""
        scalar = self._scalar(node, key, "text")
        if scalar is None:
            return None
        text = str(scalar.value).strip()
        if not text and not allow_empty:
            self.error(node, key, f"key '{key}' must not be empty")
            return None
        return text

    def ticker(self, node: Node, key: str) -> str | None:
        """A ticker symbol: stripped and upper-cased; no spaces inside."""
        scalar = self._scalar(node, key, "a ticker symbol")
        if scalar is None:
            return None
        symbol = str(scalar.value).strip().upper()
        if not symbol or any(ch.isspace() for ch in symbol):
            self.error(node, key, f"key '{key}': '{scalar.value}' is not a ticker symbol")
            return None
        return symbol

    def number(self, node: Node, key: str) -> float | None:
        """A finite int or float (plain 4e10 counts: YAML 1.1 would read it as text)."""
        scalar = self._scalar(node, key, "a number")
        if scalar is None:
            return None
        value = self.value(scalar)
        if isinstance(value, str) and scalar.style is None:
            with contextlib.suppress(ValueError):
                value = float(value.replace("_", ""))
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(node, key, f"key '{key}' must be a number, got '{scalar.value}'")
            return None
        if not math.isfinite(value):
            self.error(node, key, f"key '{key}' must be a finite number, got '{scalar.value}'")
            return None
        return float(value)

    def integer(self, node: Node, key: str) -> int | None:
        scalar = self._scalar(node, key, "a whole number")
        if scalar is None:
            return None
        value = self.value(scalar)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(node, key, f"key '{key}' must be a whole number, got '{scalar.value}'")
            return None
        return value

    def day(self, node: Node, key: str) -> date | None:
        """A calendar date written YYYY-MM-DD (quoted or not)."""
        scalar = self._scalar(node, key, "a date (YYYY-MM-DD)")
        if scalar is None:
            return None
        value = self.value(scalar)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value.strip())
        if isinstance(value, datetime) or not isinstance(value, date):
            self.error(node, key, f"key '{key}' must be a date (YYYY-MM-DD), got '{scalar.value}'")
            return None
        return value

    def choice(self, node: Node, key: str, choices: Sequence[str]) -> str | None:
        text = self.text(node, key)
        if text is None:
            return None
        if text not in choices:
            self.error(
                node,
                key,
                f"key '{key}': '{text}' is not one of {', '.join(choices)}"
                f"{suggestion(text, choices)}",
            )
            return None
        return text
