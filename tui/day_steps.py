"""Stepping the whole app through the history's days ([ and ]) and back to today (t)."""

from __future__ import annotations

from datetime import date
from typing import Any

from crowdwatch.analytics.results import Snapshot
from crowdwatch.tui.refresh import DayReady, IntradayTrail


class DayStepsMixin:
    """Mixed into the App (before RefreshMixin, whose worker answers the steps).

    `live_snapshot` is the engine's latest answer (the feed keeps polling); the screens show
    `snapshot`: it, or the close of an earlier day, answered exactly as --as-of would.
    """

    engine: Any
    intraday: IntradayTrail
    snapshot: Snapshot | None
    trail: Any
    _stepping: bool
    notify: Any  # the App's
    run_step: Any  # RefreshMixin's workers
    run_ahead: Any
    update_status: Any

    def init_day_steps(self) -> None:
        self.live_snapshot: Snapshot | None = None
        self.view_day: date | None = None  # the day asked for; None: the live answer
        self.showing_past = False  # the screens show an earlier day's close
        self.last_step_seconds: float | None = None  # the engine's time for the last step
        self._direction = -1  # of the last step: the day after the next is answered ahead

    def first_step_ahead(self) -> None:
        """The day before today's answered in the background, a while after the start (not
        to slow the first paint): the first [ then shows at once."""
        live = self.live_snapshot
        if live is None or not getattr(self.engine, "steps_days", False) or self.view_day:
            return
        day = self.engine.neighbour_day(live.as_of, -1)
        if day is not None:
            self.run_ahead(day)

    def action_step_day(self, step: int) -> None:
        """The whole app to the previous / next trading day's close (as --as-of answers)."""
        live = self.live_snapshot
        if live is None:
            self.notify("Still loading history...", timeout=2)
            return
        if not getattr(self.engine, "steps_days", False):
            self.notify("This source cannot step through days", timeout=3)
            return
        shown = self.view_day or live.as_of
        day = self.engine.neighbour_day(shown, step)
        if step > 0 and (day is None or day >= live.as_of):
            self.action_today()  # past the last close: today's own answer
            return
        if day is None:
            self.notify("No earlier day in the history", timeout=2)
            return
        self.view_day, self._direction = day, step
        self._step_to_view_day()

    def _step_to_view_day(self) -> None:
        """One engine step at a time: a press during one is answered when it ends."""
        if self._stepping or self.view_day is None:
            return
        self._stepping = True
        ahead = self.engine.neighbour_day(self.view_day, self._direction)
        if (
            self.live_snapshot is not None
            and ahead is not None
            and ahead >= self.live_snapshot.as_of
        ):
            ahead = None  # that step is back to today
        self.run_step(self.view_day, ahead)

    def on_day_ready(self, message: DayReady) -> None:
        """A step's answer (Textual finds the handler by name: this is no MessagePump)."""
        self._stepping = False
        if self.view_day is None:
            return  # `t` was pressed meanwhile
        if message.day != self.view_day:
            self._step_to_view_day()  # more presses came in: the latest day only
            return
        if message.snapshot is None:
            self.notify(f"Could not show {message.day}: {message.error}", severity="error",
                        markup=False)  # fmt: skip
            self.view_day = self.snapshot.as_of if self.showing_past and self.snapshot else None
            return
        self.last_step_seconds = message.seconds
        self.showing_past = True
        self.trail = {}  # the intraday trail is today's
        self.snapshot = message.snapshot
        self.update_status()

    def action_today(self) -> None:
        """Back to the live answer at once: the feed kept polling meanwhile."""
        self.view_day = None
        if not self.showing_past:
            return
        self.showing_past = False
        self.trail = self.intraday.frozen()
        self.snapshot = self.live_snapshot
        self.update_status()
