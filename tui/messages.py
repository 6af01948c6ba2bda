"""Messages screens send to the app: what the user asked for, never a call into the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.message import Message

DetailKind = Literal["basket", "factor", "theme", "internals", "positioning", "analogs"]


@dataclass
class OpenDetail(Message):
    """Open the drill-down of one row: a basket or factor key, a theme name, an internal,
    a user series (positioning); or the analog days (no name)."""

    kind: DetailKind
    name: str = ""


@dataclass
class ShowFailure(Message):
    """The app could not start; the dashboard's panes say why (sent app -> dashboard)."""

    text: str


@dataclass
class EditTheme(Message):
    """Add a ticker to a theme, or remove one, in the user's themes.yaml."""

    theme: str
    ticker: str
    add: bool


@dataclass
class ConfigWritten(Message):
    """A config edit was written (text says where) or refused (error)."""

    text: str
    error: bool = False
