"""The refresh loop: engine calls in thread workers, results back as messages, never overlapping."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from textual import work
from textual.message import Message
from textual.timer import Timer

from crowdwatch.analytics.alerts import Alert
from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.errors import ConfigError
from crowdwatch.feeds.base import FeedError
from crowdwatch.session.alerts import AlertLog
from crowdwatch.session.channels import AlertSession
from crowdwatch.widgets.format import NEW_YORK
from crowdwatch.widgets.status_bar import StatusState

INTRADAY_KEYS = ("winners", "short_momentum", "momentum_pair")
STALE_REFRESHES = 3
CLOSE_MINUTES = 16 * 60


class EngineLike(Protocol):
    source: str
    simulated: bool
    refresh_seconds: float
    static: bool

    def start(self) -> Snapshot: ...
    def tick(self) -> Snapshot: ...
    def warnings(self) -> list[str]: ...

    # optional: errors() -> list[str], problems the engine works around (a bad config edit)


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AlertNews:
    """What the alert rules made of a snapshot (worked out in the refresh worker)."""

    fired: tuple[Alert, ...] = ()
    tape: tuple[Alert, ...] = ()  # the day's tape, oldest first
    notify: tuple[str, ...] = ()  # alerts.yaml's channels when they fired


@dataclass
class SnapshotReady(Message):
    """A new snapshot from engine.start() (first=True) or engine.tick()."""

    snapshot: Snapshot
    first: bool = False
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # e.g. a bad config edit, kept out
    colour_scheme: str | None = None  # settings.yaml's, when the engine has a config
    alerts: AlertNews | None = None  # None: the engine has no alert rules


@dataclass
class DayReady(Message):
    """The close of an earlier day from engine.snapshot_at() (the [ and ] keys), or why not."""

    day: date
    snapshot: Snapshot | None = None
    error: str = ""
    seconds: float = 0.0  # how long the engine took to answer


@dataclass
class EngineFailed(Message):
    """engine.start() or engine.tick() raised; the status line shows the text."""

    error: str
    during_start: bool = False


class IntradayTrail:
    """(ts, cumulative return since the open) per basket, from successive live snapshots."""

    def __init__(self) -> None:
        self.session: Any = None
        self.points: dict[str, list[tuple[datetime, float]]] = {k: [] for k in INTRADAY_KEYS}

    def add(self, snapshot: Snapshot) -> None:
        if snapshot.mode != "live" or snapshot.quotes_ts is None:
            return
        if snapshot.as_of != self.session:
            self.session = snapshot.as_of
            self.points = {k: [] for k in INTRADAY_KEYS}
        for key in INTRADAY_KEYS:
            stats = snapshot.baskets.get(key)
            if stats is None or stats.ret is None:
                continue
            line = self.points[key]
            if line and line[-1][0] >= snapshot.quotes_ts:
                continue  # the same quotes again (a pause in the feed)
            line.append((snapshot.quotes_ts, stats.ret))

    def frozen(self) -> dict[str, tuple[tuple[datetime, float], ...]]:
        return {k: tuple(v) for k, v in self.points.items()}


def after_close(ts: datetime | None) -> bool:
    if ts is None:
        return False
    local = ts.astimezone(NEW_YORK)
    return local.hour * 60 + local.minute >= CLOSE_MINUTES


class Freshness:
    """Age of the quotes and the STALE rule: older than 3 refreshes, or a source error.

    A simulated feed replays a past day, so its age counts from when its quote time last
    moved on our clock; a real feed's age is our clock minus the quote time. Quotes from
    after the close are never stale: the market is shut, not the feed.
    """

    def __init__(self, clock: Clock, refresh_seconds: float, simulated: bool) -> None:
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.simulated = simulated
        self.quotes_ts: datetime | None = None
        self.seen_at: datetime | None = None
        self.failed = False

    def observe(self, snapshot: Snapshot) -> None:
        self.failed = False
        if snapshot.quotes_ts != self.quotes_ts:
            self.quotes_ts = snapshot.quotes_ts
            self.seen_at = self.clock()

    def age_seconds(self) -> float | None:
        if self.quotes_ts is None:
            return None
        origin = self.seen_at if self.simulated else self.quotes_ts
        if origin is None:
            return None
        return (self.clock() - origin).total_seconds()

    def stale(self, live: bool) -> bool:
        if self.failed:
            return True
        if not live or after_close(self.quotes_ts):
            return False
        age = self.age_seconds()
        return age is not None and age > STALE_REFRESHES * self.refresh_seconds


class RefreshMixin:
    """Mixed into the App: owns the engine workers, the timer and the pause switch.

    A tick re-arms a one-shot timer only when it has finished, so ticks never overlap,
    and `r` during a tick just asks for another one straight after.
    """

    engine: EngineLike
    paused: bool
    alert_session: AlertSession | None
    _timer: Timer | None
    _ticking: bool
    _tick_again: bool
    _started: bool
    _stepping: bool

    def init_refresh(self) -> None:
        self.paused = False
        self._stepping = False  # an engine.snapshot_at() runs (a day step)
        self._timer = None
        self._ticking = False
        self._tick_again = False
        self._started = False
        self._first_pending = True  # until the first start() has answered
        self.alert_session = None  # made by the first worker from engine.config.alerts

    def _post(self, message: Message) -> None:
        """Thread-safe: post_message is the one App call a worker thread may make."""
        self.post_message(message)  # type: ignore[attr-defined]

    def _engine_warnings(self) -> list[str]:
        try:
            return list(self.engine.warnings())
        except Exception:  # noqa: BLE001 - a broken warnings() must not kill the loop
            return []

    def _alert_news(self, snapshot: Snapshot) -> tuple[AlertNews | None, list[str]]:
        """Worker side: the snapshot through the session's AlertBook (it reads and appends
        the log file) and the log and apprise channels; the screen channels are the app's."""
        config = getattr(getattr(self.engine, "config", None), "alerts", None)
        if config is None and self.alert_session is None:
            return None, []
        try:
            if self.alert_session is None:
                self.alert_session = AlertSession(config, AlertLog(simulated=self.engine.simulated))
            elif config is not None:
                self.alert_session.reconfigure(config)  # alerts.yaml may have been edited
            session = self.alert_session
            fired = tuple(session.step(snapshot))
        except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the refresh
            return None, [f"alerts: {_describe(exc)}"]
        return AlertNews(fired, session.tape, session.config.notify), session.warnings()

    def _engine_errors(self) -> list[str]:
        errors = getattr(self.engine, "errors", None)
        try:
            return list(errors()) if errors is not None else []
        except Exception:  # noqa: BLE001
            return []

    def _snapshot_message(self, snapshot: Snapshot, first: bool) -> SnapshotReady:
        news, alert_warnings = self._alert_news(snapshot)
        settings = getattr(getattr(self.engine, "config", None), "settings", None)
        scheme = getattr(settings, "colour_scheme", None)
        # alert delivery problems last: the status line shows the last warning
        warnings = [*self._engine_warnings(), *alert_warnings]
        return SnapshotReady(
            snapshot, first, warnings, self._engine_errors(), colour_scheme=scheme, alerts=news
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine-start")
    def run_start(self) -> None:
        try:
            snapshot = self.engine.start()
        except Exception as exc:  # noqa: BLE001 - any feed error is shown, never fatal
            self._post(EngineFailed(_describe(exc), during_start=True))
            return
        self._post(self._snapshot_message(snapshot, True))

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine-tick")
    def run_tick(self) -> None:
        try:
            snapshot = self.engine.tick()
        except Exception as exc:  # noqa: BLE001
            self._post(EngineFailed(_describe(exc)))
            return
        self._post(self._snapshot_message(snapshot, False))

    @work(thread=True, exit_on_error=False, group="engine-step")
    def run_step(self, day: date, ahead: date | None) -> None:
        """The close of `day` (never the feed: the engine keeps the history); then `ahead`,
        the day a further step in the same direction would ask for, is answered into the
        engine's cache so that step is instant. The live ticks go on in their own worker."""
        started = time.perf_counter()
        try:
            snapshot = self.engine.snapshot_at(day)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - shown on the status line, never fatal
            self._post(DayReady(day, error=_describe(exc)))
            return
        self._post(DayReady(day, snapshot, seconds=time.perf_counter() - started))
        if ahead is not None:
            with contextlib.suppress(Exception):  # only a head start: the step itself will say
                self.engine.snapshot_at(ahead)  # type: ignore[attr-defined]

    @work(thread=True, exit_on_error=False, group="engine-ahead")
    def run_ahead(self, day: date) -> None:
        """Answer `day` into the engine's cache (the first [ press is then instant)."""
        with contextlib.suppress(Exception):  # only a head start: the step itself will say
            self.engine.snapshot_at(day)  # type: ignore[attr-defined]

    def _ticks_wanted(self) -> bool:
        """An as-of answer never polls; it still ticks to apply config edits, if it can."""
        return not self.engine.static or bool(getattr(self.engine, "watches_config", False))

    @property
    def busy(self) -> bool:
        """True while engine.start() or engine.tick() runs (tests wait on it)."""
        return self._ticking or self._first_pending or self._stepping

    def tick_now(self) -> None:
        """Start a tick unless one is running (then run one right after it)."""
        if not self._started:
            if not self._ticking:
                self._ticking = True
                self.run_start()
            return
        if not self._ticks_wanted():
            return
        if self._ticking:
            self._tick_again = True
            return
        self._cancel_timer()
        self._ticking = True
        self.run_tick()

    def tick_finished(self) -> None:
        """Called on the UI thread when a start or tick result has been handled."""
        self._ticking = False
        self._first_pending = False
        if self._tick_again:
            self._tick_again = False
            self.tick_now()
            return
        self.arm_timer()

    def arm_timer(self) -> None:
        self._cancel_timer()
        if self.paused or not self._ticks_wanted() or self._ticking:
            return
        delay = max(float(self.engine.refresh_seconds), 0.1)
        if not self._started:
            delay *= 5  # retrying a failed start: loading history is heavy
        set_timer = self.set_timer  # type: ignore[attr-defined]
        self._timer = set_timer(delay, self.tick_now, name="refresh")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if paused:
            self._cancel_timer()
        elif not self._ticking:
            self.tick_now()


def _describe(exc: BaseException) -> str:
    """The first line of the error; our own errors' messages already say what to do."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if text and isinstance(exc, (FeedError, ConfigError)):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def status_for(
    engine: EngineLike,
    snapshot: Snapshot | None,
    freshness: Freshness,
    *,
    paused: bool,
    message: str,
    error: bool,
    alerts: int = 0,
    more: int = 0,
    past_day: bool = False,
) -> StatusState:
    # paused quotes are old by choice: only a source error makes them stale then
    live = snapshot is not None and snapshot.mode == "live" and not engine.static and not paused
    quotes_ts = snapshot.quotes_ts if snapshot is not None else None
    return StatusState(
        source=engine.source,
        simulated=bool(engine.simulated or (snapshot is not None and snapshot.simulated)),
        session=snapshot.as_of if snapshot is not None else None,
        quotes_ts=quotes_ts,
        age_seconds=freshness.age_seconds(),
        stale=freshness.stale(live) if snapshot is not None or freshness.failed else False,
        cached=bool(getattr(engine, "cached", False)),
        loading=snapshot is None and not freshness.failed,
        paused=paused,
        static=bool(engine.static),
        closed=after_close(quotes_ts),
        message=message,
        error=error,
        alerts=alerts,
        more=more,
        past_day=past_day,
    )
