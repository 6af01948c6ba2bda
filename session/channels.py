"""Where a fired alert goes: terminal bell and OSC 9/777 bytes, the JSONL log, apprise URLs."""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from crowdwatch.analytics.alerts import Alert, iso_utc
from crowdwatch.config.schema import AlertsConfig
from crowdwatch.session.alerts import AlertLog

BELL = b"\a"
OSC_ENV_VAR = "CROWDWATCH_OSC"  # 9, 777 or off: overrides the terminal detection
TITLE = "crowdwatch"
QUEUE_SIZE = 64
SEND_TIMEOUT_SECONDS = 10.0


def clean(text: str) -> str:
    """No control characters inside an escape sequence (an ESC or BEL would end it)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def osc9(body: str) -> bytes:
    """iTerm2's notification: ESC ] 9 ; body BEL."""
    return b"\x1b]9;" + clean(body).encode("utf-8") + b"\x07"


def osc777(title: str, body: str) -> bytes:
    """urxvt's notify extension (foot, WezTerm, Ghostty, Windows Terminal): ESC ] 777 ;
    notify ; title ; body BEL (the title may not hold a ';': it would end the field)."""
    fields = f"notify;{clean(title).replace(';', ',')};{clean(body)}"
    return b"\x1b]777;" + fields.encode("utf-8") + b"\x07"


def tmux_passthrough(sequence: bytes) -> bytes:
    """tmux hands DCS tmux; ... ST to the outer terminal (with `allow-passthrough on`);
    every ESC inside is doubled."""
    return b"\x1bPtmux;" + sequence.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\"


def osc_flavour(env: Mapping[str, str]) -> str | None:
    """'9', '777' or None (off): only terminals known to show the notification get one.

    Off with NO_COLOR or TERM=dumb (a plain terminal or a pipe asked for no extras). Over
    SSH only TERM and LC_* travel, so kitty (TERM=xterm-kitty), foot (TERM=foot*) and
    iTerm2 (LC_TERMINAL=iTerm2) are found there; CROWDWATCH_OSC=9|777|off decides by hand.
    """
    forced = env.get(OSC_ENV_VAR, "").strip().lower()
    if forced in ("9", "777"):
        return forced
    if forced or env.get("NO_COLOR") or env.get("TERM", "") in ("", "dumb"):
        return None
    term, program = env.get("TERM", ""), env.get("TERM_PROGRAM", "")
    if program == "iTerm.app" or env.get("LC_TERMINAL") == "iTerm2":
        return "9"
    if term == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "9"
    if program in ("WezTerm", "ghostty") or term in ("wezterm", "xterm-ghostty"):
        return "777"
    if env.get("WEZTERM_PANE") or term.startswith("foot") or env.get("WT_SESSION"):
        return "777"
    return None


def notification_text(alert: Alert) -> str:
    return f"{alert.rule}: {alert.message}"


def terminal_bytes(alert: Alert, notify: tuple[str, ...], env: Mapping[str, str]) -> bytes:
    """What to write to the terminal for one alert: a bell and/or an OSC notification."""
    out = BELL if "bell" in notify else b""
    flavour = osc_flavour(env) if "osc" in notify else None
    if flavour is None:
        return out
    body = notification_text(alert)
    sequence = osc9(f"{TITLE}: {body}") if flavour == "9" else osc777(TITLE, body)
    return out + (tmux_passthrough(sequence) if env.get("TMUX") else sequence)


class AppriseSender:
    """Sends each alert to the apprise URLs from one worker thread, so a slow endpoint never
    holds up a tick; the queue is bounded (a full queue drops the alert and says so)."""

    def __init__(self, urls: tuple[str, ...], log: AlertLog | None = None) -> None:
        self.log = log
        self.problems: deque[str] = deque(maxlen=20)
        self._queue: queue.Queue[tuple[Alert, date] | None] = queue.Queue(QUEUE_SIZE)
        self._targets: list[Any] = []
        self._thread: threading.Thread | None = None
        if not urls:
            return
        try:
            import apprise
        except ImportError:
            self.problems.append("alerts.yaml lists apprise URLs but apprise is not installed: "
                                 "pip install 'crowdwatch[alerts]'")  # fmt: skip
            return
        for number, url in enumerate(urls, start=1):
            target = apprise.Apprise()
            if target.add(url):
                self._targets.append(target)
            else:
                self.problems.append(f"alerts.yaml apprise URL #{number} is not one apprise "
                                     "knows; it is skipped")  # fmt: skip
        if self._targets:
            self._thread = threading.Thread(target=self._run, name="apprise", daemon=True)
            self._thread.start()

    def send(self, alert: Alert, day: date) -> None:
        if self._thread is None:
            return
        try:
            self._queue.put_nowait((alert, day))
        except queue.Full:
            self._failed(alert, day, "apprise is behind (queue full): alert not sent")

    def _failed(self, alert: Alert, day: date, error: str) -> None:
        self.problems.append(f"{error} ({alert.rule}, {alert.series})")
        if self.log is not None:
            self.log.append(day, {"ts": iso_utc(datetime.now(UTC)), "event": "apprise failed",
                                  "rule": alert.rule, "series": alert.series, "error": error})  # fmt: skip

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            alert, day = item
            for target in self._targets:
                where = target[0].url(privacy=True)
                try:
                    sent = target.notify(body=alert.message, title=f"{TITLE}: {alert.rule}")
                except Exception as exc:  # noqa: BLE001 - a plugin's error must not kill the worker
                    sent, why = False, f"{type(exc).__name__}: {exc}"
                else:
                    why = "the endpoint refused it or did not answer"
                if not sent:
                    self._failed(alert, day, f"apprise {where}: {why}")
            self._queue.task_done()
        self._queue.task_done()

    def close(self, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        """Send what is queued (up to `timeout` seconds), then stop the worker."""
        if self._thread is None:
            return
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)
        self._thread = None


class Delivery:
    """The headless channels of alerts.yaml: the log and apprise (the TUI adds screen,
    bell and osc with terminal_bytes)."""

    def __init__(self, config: AlertsConfig, log: AlertLog | None) -> None:
        self.notify = config.notify
        self.log = log if "log" in config.notify else None
        self.apprise = AppriseSender(config.apprise, self.log)

    def deliver(self, alerts: list[Alert], day: date) -> None:
        for alert in alerts:
            if self.log is not None:
                self.log.append(day, alert.record())
            self.apprise.send(alert, day)

    def warnings(self) -> list[str]:
        log_problems = self.log.problems if self.log is not None else []
        return [*log_problems, *self.apprise.problems]

    def close(self) -> None:
        self.apprise.close()


def environment() -> Mapping[str, str]:
    return os.environ
