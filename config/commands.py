"""The `config init | validate | path` commands as plain functions (the CLI prints their text)."""

from __future__ import annotations

import os
from pathlib import Path

from crowdwatch.config.atomic import write_atomically
from crowdwatch.config.errors import ConfigError
from crowdwatch.config.loader import (
    CONFIG_FILES,
    ENV_VAR,
    FileResult,
    bundled_path,
    check_files,
    resolve_paths,
    user_config_dir,
)

WRITTEN = "written"
KEPT = "exists, kept"
NO_DEFAULT = "no bundled default, skipped"


def init_user_config(target: Path | None = None) -> list[tuple[Path, str]]:
    """Copy the bundled defaults into the user config dir, never overwriting a file.

    Returns (path, "written" | "exists, kept" | "no bundled default, skipped") per file.
    Raises ConfigError when the folder or a file cannot be written.
    """
    folder = Path(target).expanduser() if target is not None else user_config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(folder, None, None, f"cannot create the config folder ({exc})") from exc
    report: list[tuple[Path, str]] = []
    for name in CONFIG_FILES:
        dest = folder / name
        if dest.exists():
            report.append((dest, KEPT))
            continue
        source = bundled_path(name)
        if not source.is_file():
            report.append((dest, NO_DEFAULT))
            continue
        try:
            data = source.read_bytes()
            write_atomically(dest, lambda temp, data=data: Path(temp).write_bytes(data))
        except OSError as exc:
            raise ConfigError(dest, None, None, f"cannot write the file ({exc})") from exc
        report.append((dest, WRITTEN))
    return report


def _origin(path: Path, config_dir: Path | None, label: str = "--config") -> str:
    if config_dir is not None and path.parent == Path(config_dir).expanduser():
        return label
    if path.parent == user_config_dir():
        return "user"
    return "bundled default"


def _summary(result: FileResult) -> str:
    value = result.value
    if result.name == "settings.yaml":
        return (
            f"benchmark {value.benchmark}, quantile {value.quantile:g}, refresh every "
            f"{value.refresh_seconds:g}s, dispersion over {value.dispersion_since_years}y, "
            f"'!' at |sigma| >= {value.alert_sigma:g}, {value.weighting} weights, "
            f"colours {value.colour_scheme}, "
            f"momentum vol target {value.momentum_vol_target:g}"
        )
    if result.name == "alerts.yaml":
        channels = ", ".join(value.notify) or "no channels"
        urls = f" + {len(value.apprise)} apprise URL(s)" if value.apprise else ""
        return (
            f"{len(value.rules)} rules, cooldown {value.cooldown_minutes:g} min, "
            f"notify {channels}{urls}"
        )
    if result.name == "themes.yaml":
        tickers = {ticker for theme in value for ticker in theme.tickers}
        return f"{len(value)} themes, {len(tickers)} tickers"
    if result.name == "factors.yaml":
        names = ", ".join(factor.name for factor in value)
        return f"{len(value)} factors ({names})" if value else "0 factors"
    funds, as_of = value
    underlyings = {fund.underlying for fund in funds}
    dated = f", AUMs as of {as_of.isoformat()}" if as_of else ", AUMs undated"
    return f"{len(funds)} funds on {len(underlyings)} underlyings{dated}"


def validate_config(
    config_dir: Path | None = None, folder_label: str = "--config"
) -> tuple[bool, str]:
    """Check every file the app would read; (ok, a summary with each problem on its line).

    `folder_label` names where config_dir came from: "--config", or "folder checked" for
    `config validate DIR`."""
    try:
        results = check_files(config_dir)
    except ConfigError as exc:
        return False, str(exc)
    lines: list[str] = []
    problem_count = 0
    bad_files = 0
    for name, result in results.items():
        path = result.path
        head = f"{name} ({path}, {_origin(path, config_dir, folder_label)})"
        if not result.problems:
            lines.append(f"{head}: {_summary(result)} ... OK")
            continue
        bad_files += 1
        problem_count += len(result.problems)
        plural = "problem" if len(result.problems) == 1 else "problems"
        lines.append(f"{head}: {len(result.problems)} {plural}")
        lines.extend(f"  {problem}" for problem in result.problems)
    if problem_count:
        files = "file" if bad_files == 1 else "files"
        lines.append(f"{problem_count} problem(s) in {bad_files} {files}.")
    else:
        lines.append("All config files are valid.")
    return problem_count == 0, "\n".join(lines)


def describe_paths(config_dir: Path | None = None) -> str:
    """Where the config is looked for and which file wins (for `crowdwatch config path`).

    Raises ConfigError when config_dir is given but is not a folder.
    """
    paths = resolve_paths(config_dir)
    user_dir = user_config_dir()
    state = "exists" if user_dir.is_dir() else "not created yet: run `crowdwatch config init`"
    via = f"set by ${ENV_VAR}; " if os.environ.get(ENV_VAR, "").strip() else ""
    lines = []
    if config_dir is not None:
        lines.append(f"--config folder:  {Path(config_dir).expanduser()}")
    lines.append(f"user config dir:  {user_dir} ({via}{state})")
    lines.append(f"bundled defaults: {bundled_path(CONFIG_FILES[0]).parent}")
    lines.append("files in use (first found: --config folder, user config dir, bundled):")
    width = max(len(name) for name in paths)
    for name, path in paths.items():
        lines.append(f"  {name:<{width}}  {path} ({_origin(path, config_dir)})")
    return "\n".join(lines)
