"""Number formatting shared by every pane: signs always shown, so meaning survives NO_COLOR."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.text import Text

NEW_YORK = ZoneInfo("America/New_York")
DASH = "–"


def pct(value: float | None, digits: int = 2) -> str:
    """A decimal return as a signed percent: -0.0123 -> '-1.23%'."""
    if value is None:
        return DASH
    return f"{value * 100:+.{digits}f}%"


def sigma(value: float | None) -> str:
    """A sigma move with its sign: -3.42 -> '-3.4σ'."""
    if value is None:
        return DASH
    return f"{value:+.1f}σ"


def billions(value: float | None) -> str:
    """US dollars as signed billions: -1.82e10 -> '-18.2bn'."""
    if value is None:
        return DASH
    return f"{value / 1e9:+.1f}bn"


def ordinal(value: float | None) -> str:
    """A percentile in [0, 1] as an ordinal: 0.991 -> '99th'."""
    if value is None:
        return DASH
    n = int(value * 100)
    n = min(max(n, 0), 100)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ratio(value: float | None, digits: int = 2) -> str:
    if value is None:
        return DASH
    return f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 2) -> str:
    if value is None:
        return DASH
    return f"{value:+.{digits}f}"


def iso(value: date | None) -> str:
    if value is None:
        return DASH
    return value.isoformat()


def ny_time(ts: datetime | None) -> str:
    """Exchange time (New York) of a UTC timestamp: '10:32:15 ET'."""
    if ts is None:
        return DASH
    return ts.astimezone(NEW_YORK).strftime("%H:%M:%S ET")


def age(seconds: float | None) -> str:
    """A compact age: '4s', '3m05s', '2h10m', '3d'."""
    if seconds is None:
        return DASH
    s = max(int(seconds), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d"


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


def since(worst: date | None, best: date | None, ret: float | None, on_record: bool) -> str:
    """'worst since 2022-05-09', 'best since ...' or 'record'; the sign of ret picks the side."""
    if ret is None or ret == 0:
        return DASH
    if on_record:
        return "worst ever" if ret < 0 else "best ever"
    day = worst if ret < 0 else best
    if day is None:
        return DASH
    return ("w " if ret < 0 else "b ") + day.isoformat()
