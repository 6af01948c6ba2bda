"""Edits the app makes to the user's YAML config (a theme's tickers, a setting), comments kept.

ruamel.yaml's round-trip mode keeps comments, key order, flow or block style and quoting;
what it cannot keep is unusual spacing inside a flow list (`[A,B]` comes back `[A, B]`) and
blank lines or comments placed between the items of a flow list. The bundled defaults are
never edited: the first edit copies the file to the user config folder.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from crowdwatch.config.atomic import write_atomically
from crowdwatch.config.errors import ConfigError, Problem
from crowdwatch.config.loader import bundled_path, load_file, user_config_dir


def writable_file(name: str, in_use: Path) -> Path:
    """The file an edit goes to: the one in use, unless that is the bundled default, which
    is first copied to the user config folder (an existing user file is never replaced)."""
    if in_use.resolve() != bundled_path(name).resolve():
        return in_use
    target = user_config_dir() / name
    if not target.exists():
        data = in_use.read_bytes()
        try:
            write_atomically(target, lambda temp: Path(temp).write_bytes(data))
        except OSError as exc:
            raise ConfigError(target, None, None, f"cannot write the file ({exc})") from exc
    return target


def _round_trip(text: str) -> tuple[YAML, Any]:
    _, indent, offset = load_yaml_guess_indent(text)
    yaml = YAML()  # round-trip: comments, order and styles survive
    yaml.width = 4096  # never re-wrap a long flow list of tickers
    yaml.preserve_quotes = True
    if indent is not None:
        yaml.indent(mapping=indent, sequence=indent, offset=offset or 0)
    return yaml, yaml.load(text)


def edit_file(name: str, path: Path, change: Callable[[Any], Any]) -> None:
    """Apply change(document) to the YAML file and write it back atomically (change may
    return a new document, for a file that held none).

    The new text is validated like any config file first; a change that would make the file
    invalid raises ConfigError and leaves the file as it was.
    """
    try:
        text = path.read_text(encoding="utf-8")
        yaml, document = _round_trip(text)
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise ConfigError(path, None, None, f"cannot edit the file ({exc})") from exc
    replacement = change(document)
    if replacement is not None:
        document = replacement
    out = io.StringIO()
    yaml.dump(document, out)
    new_text = out.getvalue()

    def write(temp: str) -> None:
        Path(temp).write_text(new_text, encoding="utf-8")
        problems = load_file(name, Path(temp)).problems
        if problems:  # name the real file, not the temp one
            raise ConfigError.from_problems(
                [Problem(path, p.line, p.key, p.message) for p in problems]
            )

    try:
        write_atomically(path, write)
    except OSError as exc:
        raise ConfigError(path, None, None, f"cannot write the file ({exc})") from exc


def _theme(document: Any, path: Path, theme: str) -> Any:
    themes = document.get("themes") if hasattr(document, "get") else None
    for item in themes or []:
        if hasattr(item, "get") and item.get("name") == theme:
            return item
    raise ConfigError(path, None, "themes", f"no theme named '{theme}' in this file")


def add_ticker(path: Path, theme: str, ticker: str) -> str:
    """Append a ticker to a theme; returns the ticker as written (upper case)."""
    symbol = ticker.strip().upper()
    if not symbol or any(ch.isspace() for ch in symbol):
        raise ConfigError(path, None, "tickers", f"'{ticker}' is not a ticker symbol")

    def change(document: Any) -> None:
        tickers = _theme(document, path, theme)["tickers"]
        if symbol in [str(t).strip().upper() for t in tickers]:
            raise ConfigError(path, None, "tickers", f"{symbol} is already in theme '{theme}'")
        tickers.append(symbol)

    edit_file("themes.yaml", path, change)
    return symbol


def remove_ticker(path: Path, theme: str, ticker: str) -> None:
    """Remove a ticker (and its weight, if any) from a theme; the last one stays."""
    symbol = ticker.strip().upper()

    def change(document: Any) -> None:
        item = _theme(document, path, theme)
        tickers = item["tickers"]
        upper = [str(t).strip().upper() for t in tickers]
        if symbol not in upper:
            raise ConfigError(path, None, "tickers", f"{symbol} is not in theme '{theme}'")
        if len(tickers) == 1:
            raise ConfigError(
                path, None, "tickers", f"{symbol} is the last ticker of '{theme}'; a theme "
                "needs one (delete the theme in the file instead)",
            )  # fmt: skip
        del tickers[upper.index(symbol)]
        weights = item.get("weights")
        if weights is not None:
            for key in [k for k in weights if str(k).strip().upper() == symbol]:
                del weights[key]
            if not weights:
                del item["weights"]

    edit_file("themes.yaml", path, change)


def set_setting(path: Path, key: str, value: Any) -> None:
    """Set one top-level key of settings.yaml (added at the end when absent)."""

    def change(document: Any) -> Any:
        if document is None:  # an empty file (or only comments)
            return CommentedMap({key: value})
        if not isinstance(document, CommentedMap):
            raise ConfigError(path, None, key, "the file is not a mapping of settings")
        document[key] = value
        return None

    edit_file("settings.yaml", path, change)
