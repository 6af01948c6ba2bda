"""Notice edits of the config files between refreshes (a stat per file: cheap enough per tick)."""

from __future__ import annotations

from pathlib import Path

from crowdwatch.config.errors import ConfigError
from crowdwatch.config.loader import resolve_paths

Signature = tuple[tuple[str, str, int, int], ...] | str


def config_signature(config_dir: Path | None) -> Signature:
    """Which file each name resolves to, with its modification time and size.

    A new file in the user folder changes which file wins, so it counts as an edit too.
    """
    try:
        paths = resolve_paths(config_dir)
    except ConfigError as exc:  # the --config folder went away: that is a change too
        return str(exc)
    entries = []
    for name, path in paths.items():
        try:
            stat = path.stat()
            entries.append((name, str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            entries.append((name, str(path), -1, -1))
    return tuple(entries)


class ConfigWatcher:
    """`changed()` is True once after any config file the app reads was edited."""

    def __init__(self, config_dir: Path | None = None) -> None:
        self.config_dir = config_dir
        self.signature = config_signature(config_dir)

    def changed(self) -> bool:
        now = config_signature(self.config_dir)
        if now == self.signature:
            return False
        self.signature = now
        return True
