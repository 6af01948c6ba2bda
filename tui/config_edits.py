"""Config edits made from the app: the colour scheme (c) and a theme's tickers (+/-).

Each edit is written back to the user's YAML (config.edit: comments kept, atomic) in a
thread worker; the engine's config watcher then applies it at the next tick, which the
app asks for at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from textual import work

from crowdwatch.config.edit import add_ticker, remove_ticker, set_setting, writable_file
from crowdwatch.config.errors import ConfigError
from crowdwatch.config.loader import resolve_paths
from crowdwatch.tui.messages import ConfigWritten, EditTheme


class ConfigEditsMixin:
    """Mixed into the App: writes edits one at a time, answers with ConfigWritten."""

    engine: object
    _edit_lock: threading.Lock
    _scheme_wanted: str | None

    def init_config_edits(self) -> None:
        self._edit_lock = threading.Lock()
        self._scheme_wanted = None

    def config_file(self, name: str) -> Path:
        """The file in use for `name` (--config folder, user folder or bundled)."""
        return resolve_paths(getattr(self.engine, "config_dir", None))[name]

    @work(thread=True, exit_on_error=False, group="config-edit")
    def write_config(self, edit: Callable[[], str], failure: str = "") -> None:
        with self._edit_lock:  # read-modify-write: one edit at a time
            try:
                text = edit()
            except ConfigError as exc:
                message = ConfigWritten(failure + str(exc).splitlines()[0], error=True)
            except OSError as exc:
                message = ConfigWritten(f"{failure}{exc}", error=True)
            else:
                message = ConfigWritten(text)
        self.post_message(message)  # type: ignore[attr-defined]

    def save_colour_scheme(self, scheme: str) -> None:
        self._scheme_wanted = scheme

        def edit() -> str:
            wanted = self._scheme_wanted  # quick presses: write the last one chosen
            path = writable_file("settings.yaml", self.config_file("settings.yaml"))
            set_setting(path, "colour_scheme", wanted)
            return f"Colour scheme {wanted}, saved in {path}"

        self.write_config(edit, f"Colour scheme {scheme} for this session only: ")

    def save_theme_edit(self, request: EditTheme) -> None:
        def edit() -> str:
            path = writable_file("themes.yaml", self.config_file("themes.yaml"))
            if request.add:
                symbol = add_ticker(path, request.theme, request.ticker)
                return f"Added {symbol} to {request.theme}, saved in {path}"
            remove_ticker(path, request.theme, request.ticker)
            return f"Removed {request.ticker} from {request.theme}, saved in {path}"

        self.write_config(edit)
