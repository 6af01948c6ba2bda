"""The status line: source, session, quote time and age, and the badges a trader must see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from crowdwatch.widgets import format as fmt


@dataclass(frozen=True, slots=True)
class StatusState:
    """What the status line shows; the tui works out age and staleness."""

    source: str = ""
    simulated: bool = False
    session: date | None = None
    quotes_ts: datetime | None = None
    age_seconds: float | None = None
    stale: bool = False
    cached: bool = False
    loading: bool = True
    paused: bool = False
    static: bool = False
    closed: bool = False  # the quotes are from after the close: old is not stale
    message: str = ""  # the latest warning or error text
    error: bool = False
    alerts: int = 0  # alerts on today's tape (key a)
    more: int = 0  # other warnings in force, read on the messages screen (m)
    past_day: bool = False  # an earlier day's close ([ / ]); the live feed polls on


def _badge(text: str, style: str, pal: fmt.Palette) -> Text:
    # brackets keep badges visible without colour (NO_COLOR)
    return Text(f"[{text}]", style=pal.paint(f"bold {style}", "bold reverse"))


def mode_word(state: StatusState) -> str:
    """LOADING, NO DATA, AS-OF, CLOSED (quotes from the session's close on), PAUSED or LIVE."""
    if state.loading:
        return "LOADING"
    if state.session is None:
        return "NO DATA"
    if state.static or state.past_day:
        return "AS-OF"
    if state.closed:
        return "CLOSED"
    if state.paused:
        return "PAUSED"
    return "LIVE"


MODE_STYLES = {
    "LOADING": "black on white",
    "NO DATA": f"white on {fmt.LOSS}",
    "AS-OF": "black on white",
    "CLOSED": "black on white",
    "PAUSED": "black on #d7af00",
    "LIVE": f"black on {fmt.GAIN}",
}


def render_status(state: StatusState, pal: fmt.Palette = fmt.COLOUR) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    badges: list[Text] = []
    if state.simulated:
        badges.append(_badge("SIMULATED", "black on #d7af00", pal))
    if state.stale:
        badges.append(_badge("STALE", f"white on {fmt.LOSS}", pal))
    if state.cached:
        badges.append(_badge("CACHED", "black on #00afaf", pal))
    mode = mode_word(state)
    # an earlier day stepped to with [ / ] stands out from a plain --as-of
    style = "black on #d75fd7" if state.past_day and not state.static else MODE_STYLES[mode]
    badges.append(_badge(mode, style, pal))
    line.append_text(Text(" ").join(badges))
    line.append(f" {state.source or '?'} {fmt.iso(state.session)}")
    if state.past_day:  # the way back, before anything the right edge may cut
        line.append(" close (t: today)", style=pal.paint("bold #d75fd7", "bold"))
    if state.quotes_ts is not None:
        line.append(f" quotes {fmt.ny_time(state.quotes_ts)}")
        if state.closed:
            line.append(" (close)")
        elif state.age_seconds is not None:
            line.append(f" ({fmt.age(state.age_seconds)} old)")
    if state.alerts:  # before the message, which may be cut at the right edge
        line.append(" │ ")
        line.append(f"{state.alerts} alert{'s' if state.alerts != 1 else ''}", style="bold")
    if state.message:
        line.append(" │ ")
        if state.more:  # before the message, which may be cut at the right edge
            line.append(f"+{state.more} more (m) ", style=pal.paint("bold", "bold"))
        style = f"bold {fmt.LOSS}" if state.error else "#d7af00"
        line.append(state.message, style=pal.paint(style, "bold"))
    return line


class StatusBar(Static):
    """One line at the bottom of every screen."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    state: reactive[StatusState] = reactive(StatusState, init=False)

    def on_mount(self) -> None:
        self.update(render_status(self.state, fmt.palette(self)))

    def watch_state(self, state: StatusState) -> None:
        self.update(render_status(state, fmt.palette(self)))
