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


def _badge(text: str, style: str) -> Text:
    # brackets keep badges visible without colour (NO_COLOR)
    return Text(f"[{text}]", style=fmt.paint(f"bold {style}", "bold reverse"))


def render_status(state: StatusState) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    badges: list[Text] = []
    if state.simulated:
        badges.append(_badge("SIMULATED", "black on yellow"))
    if state.stale:
        badges.append(_badge("STALE", "white on red"))
    if state.cached:
        badges.append(_badge("CACHED", "black on cyan"))
    if state.loading:
        mode = _badge("LOADING", "black on white")
    elif state.session is None:
        mode = _badge("NO DATA", "white on red")
    elif state.past_day:
        mode = _badge("AS-OF", "black on magenta")
    elif state.static:
        mode = _badge("AS-OF", "black on white")
    elif state.paused:
        mode = _badge("PAUSED", "black on yellow")
    else:
        mode = _badge("LIVE", "black on green")
    badges.append(mode)
    line.append_text(Text(" ").join(badges))
    line.append(f" {state.source or '?'} {fmt.iso(state.session)}")
    if state.past_day:  # the way back, before anything the right edge may cut
        line.append(" close (t: today)", style=fmt.paint("bold magenta", "bold"))
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
            line.append(f"+{state.more} more (m) ", style=fmt.paint("bold", "bold"))
        line.append(state.message, style=fmt.paint("bold red" if state.error else "yellow", "bold"))
    return line


class StatusBar(Static):
    """One line at the bottom of every screen."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    state: reactive[StatusState] = reactive(StatusState, init=False)

    def on_mount(self) -> None:
        self.update(render_status(self.state))

    def watch_state(self, state: StatusState) -> None:
        self.update(render_status(state))
