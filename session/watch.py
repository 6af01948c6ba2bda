"""`crowdwatch watch`: the Engine and the alert rules without a screen (servers, cron)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Protocol, TextIO

from crowdwatch.analytics.alerts import NEW_YORK, Alert, close_time, format_value, snapshot_time
from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.schema import AlertsConfig
from crowdwatch.feeds.base import FeedError
from crowdwatch.session.alerts import AlertBook, AlertLog
from crowdwatch.session.channels import Delivery


class EngineLike(Protocol):
    simulated: bool
    static: bool

    def start(self) -> Snapshot: ...
    def tick(self) -> Snapshot: ...
    def warnings(self) -> list[str]: ...


def alert_line(alert: Alert) -> str:
    """HH:MM:SS ET  rule  series  field=value  message."""
    clock = alert.ts.astimezone(NEW_YORK).strftime("%H:%M:%S")
    value = format_value(alert.series, alert.field, alert.value)
    return f"{clock} ET  {alert.rule}  {alert.series}  {alert.field}={value}  {alert.message}"


def replay_over(engine: EngineLike, snapshot: Snapshot) -> bool:
    """A simulated session ends at its close (it holds there); a real one runs on."""
    if not engine.simulated:
        return False
    return snapshot.mode == "close" or snapshot_time(snapshot) >= close_time(snapshot.as_of)


class Watch:
    """Evaluates the rules on every tick, prints each alert as it fires and delivers it to
    the log and apprise channels. Warnings (feed, log, apprise) go to `report` once each."""

    def __init__(
        self,
        engine: EngineLike,
        config: AlertsConfig,
        out: TextIO,
        report: Callable[[str], None],
        *,
        as_json: bool = False,
        log: AlertLog | None = None,
    ) -> None:
        self.engine = engine
        log = log if log is not None else AlertLog(simulated=engine.simulated)
        self.book = AlertBook(config, log if "log" in config.notify else None)
        self.delivery = Delivery(config, log)
        self.out = out
        self.report = report
        self.as_json = as_json
        self._told: set[str] = set()

    def _tell(self, warnings: list[str]) -> None:
        for warning in warnings:
            if warning not in self._told:
                self._told.add(warning)
                self.report(warning)

    def step(self, snapshot: Snapshot) -> list[Alert]:
        fired = self.book.evaluate(snapshot)
        self.delivery.deliver(fired, snapshot.as_of)
        for alert in fired:
            text = json.dumps(alert.record()) if self.as_json else alert_line(alert)
            print(text, file=self.out, flush=True)
        self._tell([*self.engine.warnings(), *self.delivery.warnings()])
        return fired

    def run(self, stop: threading.Event, interval: float, once: bool = False) -> None:
        """Until the replay's close, `stop` (SIGINT/SIGTERM) or, with once, one evaluation."""
        try:
            snapshot = self.engine.start()
            while True:
                self.step(snapshot)
                if once or self.engine.static or replay_over(self.engine, snapshot):
                    return
                if stop.wait(interval):
                    return
                try:
                    snapshot = self.engine.tick()
                except FeedError as exc:  # the last good quotes stand; say why, go on
                    self._tell([str(exc)])
        finally:
            self.delivery.close()
            self._tell(self.delivery.warnings())
