"""Find the five config files (--config dir, user dir, bundled), parse and validate them."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
from yaml.nodes import MappingNode, Node

from crowdwatch.config.alerts import alert_series_problems, read_alerts
from crowdwatch.config.errors import ConfigError, Problem
from crowdwatch.config.readers import read_factors, read_letfs, read_settings, read_themes
from crowdwatch.config.schema import Config
from crowdwatch.config.yamlnodes import FileCheck, compose, suggestion

__all__ = [
    "CONFIG_FILES",
    "ENV_VAR",
    "ConfigError",
    "Problem",
    "bundled_path",
    "check_benchmark",
    "load_config",
    "load_file",
    "resolve_paths",
    "user_config_dir",
]

CONFIG_FILES = ("themes.yaml", "factors.yaml", "letfs.yaml", "settings.yaml", "alerts.yaml")
ENV_VAR = "CROWDWATCH_CONFIG_DIR"

_READERS: dict[str, Callable[[FileCheck, Node | None], Any]] = {
    "themes.yaml": read_themes,
    "factors.yaml": read_factors,
    "letfs.yaml": read_letfs,
    "settings.yaml": read_settings,
    "alerts.yaml": read_alerts,
}


def user_config_dir() -> Path:
    """The user's config folder: $CROWDWATCH_CONFIG_DIR, else the platformdirs one."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("crowdwatch"))


def bundled_path(name: str) -> Path:
    """The default file shipped inside the package (config/defaults/<name>)."""
    return Path(str(resources.files("crowdwatch.config").joinpath("defaults", name)))


def resolve_paths(config_dir: Path | None = None) -> dict[str, Path]:
    """Per file, the first that exists of config_dir/<f>, user dir/<f>, bundled default.

    A config_dir that is not a folder is a ConfigError: silently falling back would hide
    a mistyped --config.
    """
    if config_dir is not None:
        config_dir = Path(config_dir).expanduser()
        if not config_dir.is_dir():
            why = "is not a folder" if config_dir.exists() else "does not exist"
            raise ConfigError(config_dir, None, None, f"the config folder {why}")
    user_dir = user_config_dir()
    paths: dict[str, Path] = {}
    for name in CONFIG_FILES:
        candidates = [config_dir / name] if config_dir is not None else []
        candidates.append(user_dir / name)
        paths[name] = next((path for path in candidates if path.is_file()), bundled_path(name))
    return paths


@dataclass(frozen=True, slots=True)
class FileResult:
    """One file read and validated: its value (best effort) and its problems."""

    name: str
    path: Path
    value: Any
    problems: list[Problem]


def load_file(name: str, path: Path) -> FileResult:
    """Read and validate one config file; problems are returned, not raised."""
    check = FileCheck(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        check.error(None, None, "file not found")
        return FileResult(name, path, None, check.problems)
    except (OSError, UnicodeDecodeError) as exc:
        check.error(None, None, f"cannot read the file ({exc})")
        return FileResult(name, path, None, check.problems)
    try:
        root = compose(path, text)
    except ConfigError as exc:
        return FileResult(name, path, None, exc.problems)
    value = _READERS[name](check, root)
    problems = sorted(check.problems, key=lambda problem: problem.line or 0)
    return FileResult(name, path, value, problems)


def load_config(config_dir: Path | None = None) -> Config:
    """The validated Config; raises ConfigError listing every problem of every file."""
    paths = resolve_paths(config_dir)
    results = {name: load_file(name, path) for name, path in paths.items()}
    problems = [problem for result in results.values() for problem in result.problems]
    if problems:
        raise ConfigError.from_problems(problems)
    letfs, as_of = results["letfs.yaml"].value
    themes, factors = results["themes.yaml"].value, results["factors.yaml"].value
    check_series_names(themes, factors, paths)
    alerts = results["alerts.yaml"].value
    problems = alert_series_problems(alerts, themes, factors, paths["alerts.yaml"])
    if problems:
        raise ConfigError.from_problems(problems)
    return Config(
        settings=results["settings.yaml"].value,
        themes=results["themes.yaml"].value,
        letfs=letfs,
        letfs_as_of=as_of,
        factors=results["factors.yaml"].value,
        alerts=alerts,
        sources=paths,
    )


# the momentum baskets' keys (analytics.results.BASKET_KEYS; config must not import analytics)
RESERVED_SERIES = ("winners", "short_momentum", "momentum_pair", "momentum_beta_neutral", "date")


def _name_line(path: Path, name: str) -> int | None:
    """The first line of a file that sets `name: <name>` (for a cross-file error)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0]
        if "name" in text and name in text:
            return number
    return None


def check_series_names(themes, factors, paths: dict[str, Path]) -> None:
    """Every basket, factor and theme is one daily series keyed by its name: no two alike."""
    problems = []
    taken = {key: "a momentum basket" for key in RESERVED_SERIES}
    for label, file, items in (
        ("factor", "factors.yaml", factors),
        ("theme", "themes.yaml", themes),
    ):
        for item in items:
            if item.name in taken:
                path = paths[file]
                problems.append(
                    Problem(
                        path,
                        _name_line(path, item.name),
                        "name",
                        f"key 'name': {label} '{item.name}' has the name of {taken[item.name]}; "
                        "rename it (series are keyed by name in the report and the export)",
                    )
                )
            taken.setdefault(item.name, f"a {label}")
    if problems:
        raise ConfigError.from_problems(problems)


def _benchmark_line(path: Path) -> int | None:
    """The line of `benchmark:` in a settings file (None if absent or unreadable)."""
    try:
        root = compose(path, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ConfigError):
        return None
    if isinstance(root, MappingNode):
        for key_node, _value in root.value:
            if getattr(key_node, "value", None) == "benchmark":
                return key_node.start_mark.line + 1
    return None


def check_benchmark(config: Config, tickers: set[str]) -> None:
    """Raise ConfigError (settings.yaml, line of `benchmark`) if the data lacks the benchmark."""
    benchmark = config.settings.benchmark
    if benchmark in tickers:
        return
    path = config.sources.get("settings.yaml", Path("settings.yaml"))
    line = _benchmark_line(path) if path.is_file() else None
    origin = "" if line is not None else " (the default; set it in settings.yaml)"
    raise ConfigError(
        path,
        line,
        "benchmark",
        f"key 'benchmark': {benchmark}{origin} is not in the data"
        f"{suggestion(benchmark, sorted(tickers))}",
    )
