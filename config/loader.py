"""Find the five config files (--config dir, user dir, bundled), parse and validate them."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
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
    "check_files",
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


def _not_a_file(path: Path) -> str | None:
    """Why something at path cannot be a config file (None: a file, or nothing there)."""
    if path.is_file() or not os.path.lexists(path):
        return None
    if path.is_symlink() and not path.exists():
        return "is a broken symbolic link"
    if path.is_dir():
        return "is a folder"
    if path.is_fifo():
        return "is a named pipe (FIFO)"
    return "is not a regular file"


def resolve_paths(config_dir: Path | None = None) -> dict[str, Path]:
    """Per file, the first that exists of config_dir/<f>, user dir/<f>, bundled default.

    A config_dir that is not a folder is a ConfigError: silently falling back would hide
    a mistyped --config. So is a folder, FIFO or broken link where a file would be read:
    the user meant a file there, and falling back to the default would hide it.
    """
    if config_dir is not None:
        config_dir = Path(config_dir).expanduser()
        if not config_dir.is_dir():
            why = "is not a folder" if config_dir.exists() else "does not exist"
            raise ConfigError(config_dir, None, None, f"the config folder {why}")
    user_dir = user_config_dir()
    paths: dict[str, Path] = {}
    problems: list[Problem] = []
    for name in CONFIG_FILES:
        candidates = [config_dir / name] if config_dir is not None else []
        candidates.append(user_dir / name)
        for path in candidates:
            why = _not_a_file(path)
            if why is not None:
                problems.append(
                    Problem(path, None, None, f"{why}, not a YAML file: replace or remove it")
                )
        paths[name] = next((path for path in candidates if path.is_file()), bundled_path(name))
    if problems:
        raise ConfigError.from_problems(problems)
    return paths


MAX_FILE_BYTES = 1_000_000  # the bundled files are a few kB


def _read_text(check: FileCheck, path: Path) -> str | None:
    """The file's text, or None after recording why it cannot be read."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        check.error(None, None, f"cannot read the file ({exc.strerror or exc})")
        return None
    if len(data) > MAX_FILE_BYTES:
        check.error(None, None, f"the file is over {MAX_FILE_BYTES:,} bytes; a config is a few kB")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        check.error(line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8")
        return None


@dataclass(frozen=True, slots=True)
class FileResult:
    """One file read and validated: its value (best effort) and its problems."""

    name: str
    path: Path
    value: Any
    problems: list[Problem]
    names: dict[str, int] = field(default_factory=dict)  # item name -> its line

    @property
    def bundled(self) -> bool:
        return self.path == bundled_path(self.name)


def load_file(name: str, path: Path) -> FileResult:
    """Read and validate one config file; problems are returned, not raised."""
    check = FileCheck(path)
    text = _read_text(check, path)
    if text is None:
        return FileResult(name, path, None, check.problems)
    try:
        root = compose(path, text)
    except ConfigError as exc:
        return FileResult(name, path, None, exc.problems)
    value = _READERS[name](check, root)
    problems = sorted(check.problems, key=lambda problem: problem.line or 0)
    return FileResult(name, path, value, problems, dict(check.names))


def series_name_clashes(results: dict[str, FileResult]) -> list[Problem]:
    """A factor and a theme with one name would be one column of the report and the export.

    The problem is put in the file the user wrote: the factor when themes.yaml is the
    bundled default, else the theme; the message names the other file and line.
    """
    themes, factors = results["themes.yaml"], results["factors.yaml"]
    blame_factor = themes.bundled and not factors.bundled
    problems = []
    for name in sorted(set(themes.names) & set(factors.names)):
        mine, other = (factors, themes) if blame_factor else (themes, factors)
        noun, other_noun = ("factor", "theme") if blame_factor else ("theme", "factor")
        problems.append(
            Problem(
                mine.path,
                mine.names[name],
                "name",
                f"key 'name': {noun} '{name}' has the name of a {other_noun} "
                f"({other.path}:{other.names[name]}); rename one (series are keyed by name "
                "in the report and the export)",
            )
        )
    return problems


def check_files(config_dir: Path | None = None) -> dict[str, FileResult]:
    """Every file read and validated, cross-file problems filed under the file they blame.

    The one validation path: `load_config` and `config validate` both use it, so validate
    rejects whatever the app would. Raises ConfigError only when the paths are unusable.
    """
    paths = resolve_paths(config_dir)
    results = {name: load_file(name, path) for name, path in paths.items()}
    for problem in series_name_clashes(results):
        blamed = results[problem.path.name].problems
        blamed.append(problem)
        blamed.sort(key=lambda each: each.line or 0)
    alerts, themes, factors = (results[n] for n in ("alerts.yaml", "themes.yaml", "factors.yaml"))
    if not (alerts.problems or themes.problems or factors.problems):
        # an alert rule on a theme or factor that is not there (one file's own problems
        # first: its names may be the misspelt ones)
        alerts.problems.extend(
            alert_series_problems(alerts.value, themes.value, factors.value, alerts.path)
        )
    return results


def load_config(config_dir: Path | None = None) -> Config:
    """The validated Config; raises ConfigError listing every problem of every file."""
    results = check_files(config_dir)
    problems = [problem for result in results.values() for problem in result.problems]
    if problems:
        raise ConfigError.from_problems(problems)
    letfs, as_of = results["letfs.yaml"].value
    return Config(
        settings=results["settings.yaml"].value,
        themes=results["themes.yaml"].value,
        letfs=letfs,
        letfs_as_of=as_of,
        factors=results["factors.yaml"].value,
        alerts=results["alerts.yaml"].value,
        sources={name: result.path for name, result in results.items()},
    )


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
