"""Number formatting shared by every pane: signs always shown, so meaning survives NO_COLOR."""

from __future__ import annotations

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


def colour_on() -> bool:
    """False under NO_COLOR: Textual greys colours out, and dim red on black is unreadable."""
    # textual is imported here, not at the top, to keep it out of `crowdwatch report`;
    # the private context is the only place Textual keeps NO_COLOR once the app runs
    from textual._context import active_app

    try:
        return not active_app.get().no_color
    except LookupError:
        return True


def paint(style: str, mono: str | None = None) -> str:
    """`style` in colour; without colour `mono`, else only its bold/reverse/... words."""
    if colour_on():
        return style
    if mono is not None:
        return mono
    return " ".join(word for word in style.split() if word in MONO_KEEP)


def tone(value: float | None) -> str:
    """The style name for a signed number: losses red, gains green (none without colour)."""
    if value is None or value == 0 or not colour_on():
        return ""
    return "red" if value < 0 else "green"


def colored(text: str, value: float | None, *, bold: bool = False) -> Text:
    style = tone(value)
    if bold and style:
        style = f"bold {style}"
    return Text(text, style=style, justify="right")


def sigma_cell(value: float | None, alert: float) -> Text:
    """A sigma with a marker when it reaches the alert level: '!-3.4σ' (readable uncoloured)."""
    if value is None:
        return Text(DASH, justify="right")
    hot = abs(round(value, 1)) >= alert  # as shown: a '-3.0σ' on screen is an alert
    text = ("!" if hot else " ") + sigma(value)
    if hot:
        return Text(text, style=f"bold reverse {tone(value)}".strip(), justify="right")
    return colored(text, value)
