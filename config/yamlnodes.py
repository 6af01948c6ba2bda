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
import yaml.composer
import yaml.reader
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crowdwatch.config.errors import ConfigError, Problem, unprintable

NULL_TAG = "tag:yaml.org,2002:null"
# plausible lengths: the longest listed symbols are ~10 characters (BRK.B, 7203.T, ABCD.WS),
# names are a table cell; a note is one line in the drill-down
MAX_TICKER, MAX_NAME, MAX_NOTE = 24, 80, 500


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


# the deepest real config is 5 levels (themes > list > theme > weights > value); a limit
# far above it keeps the recursive composer away from Python's recursion limit
MAX_DEPTH = 32


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses documents nested deeper than MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep (a config file is a few levels)",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def compose(path: Path, text: str) -> Node | None:
    """Parse one YAML document into nodes; syntax errors become a ConfigError with the line."""
    loader = None
    try:
        # the reader checks every character when it is built: inside the try
        loader = _DepthLimitedLoader(text)
        return loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a byte"
        raise ConfigError(
            path,
            _line_at(text, exc.position),
            None,
            f"invalid YAML: the character {what} is not allowed "
            "(control characters other than tab and newline); remove it",
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError(path, line, None, f"invalid YAML: {detail}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, None, f"invalid YAML: {exc}") from exc
    except RecursionError as exc:  # a safety net: MAX_DEPTH stops nesting long before
        raise ConfigError(path, None, None, "invalid YAML: nested too deeply") from exc
    finally:
        if loader is not None:
            loader.dispose()


class FileCheck:
    """Reads typed values out of one file's nodes, recording a Problem for each bad one.

    Every reader returns None for a bad value (after recording why), so validation goes on
    and the user sees all the problems of a file at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.names: dict[str, int] = {}  # item name -> line (themes, factors, funds)
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
        bad = unprintable(str(node.value))
        if bad is not None:  # written as an escape: "\x06", "\0", "\uD800"
            self.error(
                node,
                key,
                f"key '{key}' contains the character U+{ord(bad):04X}, which is not allowed "
                "(control characters and lone surrogates)",
            )
            return None
        return node

    def value(self, node: ScalarNode) -> Any:
        """The scalar as YAML reads it; its text when an explicit tag cannot parse it."""
        try:
            return self._constructor.construct_object(node)
        except Exception:  # `!!bool x` raises KeyError, `!!timestamp x` AttributeError...
            return node.value

    def too_long(self, node: Node, key: str, text: str, limit: int) -> bool:
        """Record (and say True) when a text value is longer than its limit."""
        if len(text) <= limit:
            return False
        self.error(node, key, f"key '{key}' is {len(text):,} characters long; the limit is {limit}")
        return True

    def too_many(self, node: Node, key: str, count: int, limit: int, what: str) -> bool:
        """Record (and say True) when a list has more items than its limit."""
        if count <= limit:
            return False
        self.error(node, key, f"key '{key}' lists {count:,} {what}; the limit is {limit:,}")
        return True

    def positive(self, node: Node, key: str, hint: str = "") -> float | None:
        """The number at `node` if it is greater than 0; else record why and return None."""
        value = self.number(node, key)
        if value is not None and value <= 0:
            self.error(node, key, f"key '{key}' must be greater than 0{hint}, got {value:g}")
            return None
        return value

    def in_range(
        self, node: Node, key: str, value: float | None, low: float, high: float, unit: str = ""
    ) -> float | None:
        """value if low <= value <= high (or None); else record why and return None."""
        if value is None or low <= value <= high:
            return value
        self.error(
            node, key, f"key '{key}' must be between {low:g} and {high:g}{unit}, got {value:g}"
        )
        return None

    def text(
        self, node: Node, key: str, *, allow_empty: bool = False, max_length: int = MAX_NAME
    ) -> str | None:
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
        return None if self.too_long(node, key, text, max_length) else text

    def ticker(self, node: Node, key: str) -> str | None:
        """A ticker symbol: stripped and upper-cased; no spaces inside."""
        scalar = self._scalar(node, key, "a ticker symbol")
        if scalar is None:
            return None
        symbol = str(scalar.value).strip().upper()
        if self.too_long(node, key, symbol, MAX_TICKER):
            return None
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
