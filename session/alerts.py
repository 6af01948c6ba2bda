"""The alert runtime: rising edges per (rule, series), cooldown, the day's tape, the JSONL log."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from crowdwatch.analytics.alerts import Alert, snapshot_time, true_now
from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.schema import AlertsConfig

LOG_ENV_VAR = "CROWDWATCH_LOG_DIR"
ALERT_KEYS = ("ts", "rule", "series", "field", "value", "message")


def log_dir() -> Path:
    """The user log folder: $CROWDWATCH_LOG_DIR, else the platformdirs one."""
    override = os.environ.get(LOG_ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_log_dir("crowdwatch"))


class AlertLog:
    """alerts-YYYY-MM-DD.jsonl per session day: one JSON object a line, appended whole.

    A simulated source replays its session from the open on every run, so it writes to
    alerts-YYYY-MM-DD-simulated.jsonl and is never read back (every run is a new replay).
    """

    def __init__(self, folder: Path | None = None, simulated: bool = False) -> None:
        self.folder = Path(folder) if folder is not None else log_dir()
        self.simulated = simulated
        self.problems: list[str] = []

    def path(self, day: date) -> Path:
        tail = "-simulated" if self.simulated else ""
        return self.folder / f"alerts-{day.isoformat()}{tail}.jsonl"

    def append(self, day: date, record: dict[str, Any]) -> None:
        """One line in one write() on an O_APPEND file: concurrent writers never interleave."""
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path(day), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:
            self.problems.append(f"alert log {self.path(day)}: cannot write ({exc.strerror})")

    def alerts(self, day: date) -> Iterator[dict[str, Any]]:
        """The alert records of a day's log (other lines, e.g. delivery failures, skipped)."""
        path = self.path(day)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(f"alert log {path}: cannot read it ({exc}); starting afresh")
            return
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                self.problems.append(f"alert log {path}:{number}: not JSON, skipped")
                continue
            if isinstance(record, dict) and all(key in record for key in ALERT_KEYS):
                yield record


def parse_ts(text: Any) -> datetime | None:
    try:
        ts = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo is not None else None


class AlertBook:
    """Evaluates the rules on each snapshot of a session and keeps the day's tape.

    A (rule, series) fires when its condition holds now, did not hold at its previous
    evaluation (a session's first evaluation counts as 'not before'), and it has not fired
    within cooldown_minutes of quote time. A new session day starts afresh; with a log,
    that day's logged alerts count as fired and as 'true before' (nothing fires twice
    across a restart: a pair fires again only after its condition went false and rose).
    """

    def __init__(self, config: AlertsConfig, log: AlertLog | None = None) -> None:
        self.rules = config.rules
        self.cooldown = timedelta(minutes=config.cooldown_minutes)
        self.log = log
        self.session: date | None = None
        self.tape: list[Alert] = []
        self._true_before: set[tuple[str, str]] = set()
        self._last_fired: dict[tuple[str, str], datetime] = {}

    def _start_session(self, day: date) -> None:
        self.session = day
        self.tape = []
        self._true_before = set()
        self._last_fired = {}
        if self.log is None or self.log.simulated:
            return
        names = {rule.name for rule in self.rules}
        for record in self.log.alerts(day):
            ts = parse_ts(record["ts"])
            key = (str(record["rule"]), str(record["series"]))
            if ts is None or key[0] not in names:
                continue
            self._true_before.add(key)
            if key not in self._last_fired or ts > self._last_fired[key]:
                self._last_fired[key] = ts

    def evaluate(self, snapshot: Snapshot) -> list[Alert]:
        """The alerts that fire on this snapshot, in rule order; they join the tape."""
        if snapshot.as_of != self.session:
            self._start_session(snapshot.as_of)
        now = snapshot_time(snapshot)
        holding = true_now(self.rules, snapshot)
        fired = []
        for alert in holding:
            if alert.key in self._true_before:
                continue
            last = self._last_fired.get(alert.key)
            if last is not None and now - last < self.cooldown:
                continue
            self._last_fired[alert.key] = now
            fired.append(alert)
        self._true_before = {alert.key for alert in holding}
        self.tape.extend(fired)
        return fired
