"""Number formatting shared by every pane: signs always shown, so meaning survives NO_COLOR.

Whether to colour is the app's decision (`App.no_color`, set from NO_COLOR): a widget asks
for `palette(self)` and styles with it; the module-level functions colour by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rich.text import Text

from crowdwatch.analytics.formatting import (  # noqa: F401  (re-exported for the widgets)
    DASH,
    NEW_YORK,
    age,
    billions,
    iso,
    ny_time,
    ordinal,
    pct,
    ratio,
    sigma,
    signed,
    since,
)

MONO_KEEP = {"bold", "reverse", "italic", "underline"}
# fixed reds and greens, not the ANSI names: the app's ANSI theme turns "red" into pink in
# truecolor and 256-colour terminals downgrade that to magenta; these stay red and green
# on dark and light schemes, and in 256 and 16 colours
LOSS = "#d42a2a"
GAIN = "#22a045"
RGB = {LOSS: (212, 42, 42), GAIN: (34, 160, 69)}


class _HasApp(Protocol):
    @property
    def app(self) -> object: ...


@dataclass(frozen=True, slots=True)
class Palette:
    """Styles for one rendering: in colour, or (NO_COLOR) only bold/reverse and signs."""

    colour: bool = True

    def paint(self, style: str, mono: str | None = None) -> str:
        """`style` in colour; without colour `mono`, else only its bold/reverse/... words."""
        if self.colour:
            return style
        if mono is not None:
            return mono
        return " ".join(word for word in style.split() if word in MONO_KEEP)

    def tone(self, value: float | None) -> str:
        """The style of a signed number: losses red, gains green (none without colour)."""
        if value is None or value == 0 or not self.colour:
            return ""
        return LOSS if value < 0 else GAIN

    def colored(self, text: str, value: float | None, *, bold: bool = False) -> Text:
        style = self.tone(value)
        if bold:
            style = f"bold {style}".strip()
        return Text(text, style=style, justify="right")

    def sigma_cell(self, value: float | None, alert: float) -> Text:
        """A sigma with a marker at the alert level: '!-3.4σ' (readable uncoloured)."""
        if value is None:
            return Text(DASH, justify="right")
        hot = abs(round(value, 1)) >= alert  # as shown: a '-3.0σ' on screen is an alert
        text = ("!" if hot else " ") + sigma(value)
        if hot:
            return Text(text, style=f"bold reverse {self.tone(value)}".strip(), justify="right")
        return self.colored(text, value)

    def rgb(self, name: str) -> tuple[int, int, int] | str | None:
        """A plotext colour: RGB for our loss/gain colours, None (terminal default) uncoloured."""
        if not self.colour:
            return None
        return RGB.get(name, name)


COLOUR = Palette(True)
MONO = Palette(False)


def palette(widget: _HasApp) -> Palette:
    """The palette for a mounted widget: uncoloured when its app runs under NO_COLOR."""
    try:
        no_color = bool(getattr(widget.app, "no_color", False))
    except Exception:  # noqa: BLE001 - not mounted (no active app): colour
        no_color = False
    return MONO if no_color else COLOUR


def paint(style: str, mono: str | None = None) -> str:
    return COLOUR.paint(style, mono)


def tone(value: float | None) -> str:
    return COLOUR.tone(value)


def colored(text: str, value: float | None, *, bold: bool = False) -> Text:
    return COLOUR.colored(text, value, bold=bold)


def sigma_cell(value: float | None, alert: float) -> Text:
    return COLOUR.sigma_cell(value, alert)
