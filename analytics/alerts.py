"""Alert rules read on one Snapshot: which (rule, series) conditions hold, as Alert records."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from crowdwatch.analytics.results import BASKET_KEYS, Snapshot
from crowdwatch.config.alerts import WILDCARDS, is_fraction, series_kind
from crowdwatch.config.calendar import NEW_YORK, SESSION_CLOSE
from crowdwatch.config.schema import AlertRule, Condition

CLOSE = SESSION_CLOSE
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
PERCENT_FIELDS = ("ret", "ret_1w", "ret_1m", "drawdown")
PERCENT_INTERNALS = ("index_ret",)
USD_INTERNALS = ("letf_flow_usd", "letf_gamma_usd_per_pct")


@dataclass(frozen=True, slots=True)
class Alert:
    """One fired (rule, series): the record of DESIGN.md plus the rule's toast severity."""

    ts: datetime  # quote time, UTC
    rule: str
    series: str
    field: str
    value: float | str
    message: str
    severity: str = "warning"

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.series

    @property
    def value_text(self) -> str:
        """The value as the tape and `watch` print it: '-3.42', '+8.50%', 'UNWIND'."""
        return format_value(self.series, self.field, self.value)

    def record(self) -> dict[str, Any]:
        """The JSON object of `watch --json`, the log and `report --json`."""
        return {
            "ts": iso_utc(self.ts),
            "rule": self.rule,
            "series": self.series,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


def iso_utc(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def close_time(day: date) -> datetime:
    """16:00 New York of a day, in UTC: the time of a close-mode snapshot."""
    return datetime.combine(day, CLOSE, tzinfo=NEW_YORK).astimezone(UTC)


def snapshot_time(snapshot: Snapshot) -> datetime:
    """Quote time (UTC) of a live snapshot; 16:00 New York of its day in close mode."""
    ts = snapshot.quotes_ts
    if snapshot.mode == "live" and ts is not None:
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    return close_time(snapshot.as_of)


def expand(series: str, snapshot: Snapshot) -> list[str]:
    """A wildcard as one series per match (baskets and factors by key, themes.<name>)."""
    if series == "baskets.*":
        return [key for key in BASKET_KEYS if key in snapshot.baskets]
    if series == "factors.*":
        return list(snapshot.factors)
    if series == "themes.*":
        return [f"themes.{name}" for name in snapshot.themes]
    if series.startswith(("baskets.", "factors.")):
        return [series.split(".", 1)[1]]
    return [series]


def read(snapshot: Snapshot, series: str, field: str) -> float | str | None:
    """The value a condition compares; None when unknown (missing series, null, NaN)."""
    kind = series_kind(series)
    name = series.split(".", 1)[1] if kind != "move" else series
    if kind == "theme":
        theme = snapshot.themes.get(name)
        if theme is None:
            return None
        value = (
            getattr(theme, field) if field in ("crowding", "flag") else getattr(theme.stats, field)
        )
    elif kind == "internal":
        value = getattr(snapshot.internals, name, None)
    elif kind == "user":
        entry = getattr(snapshot, "user_series", {}).get(name)
        value = getattr(entry, "value", None)
    else:
        stats = snapshot.baskets.get(name) or snapshot.factors.get(name)
        value = getattr(stats, field, None) if stats is not None else None
    if isinstance(value, str):
        return value
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def holds(value: float | str | None, condition: Condition) -> bool:
    """A null (unknown) value is never true, whatever the op."""
    if value is None or isinstance(value, str) != isinstance(condition.value, str):
        return False
    return OPS[condition.op](value, condition.value)


def format_value(series: str, field: str, value: float | str) -> str:
    if isinstance(value, str):
        return value
    name = series.split(".", 1)[-1]
    if is_fraction(series, field) or field == "value" and name.endswith("_corr"):
        return f"{value:.2f}"
    if field in PERCENT_FIELDS or name in PERCENT_INTERNALS:
        return f"{value:+.2%}"
    if name in USD_INTERNALS:
        return f"{'-' if value < 0 else '+'}${abs(value) / 1e9:.1f}bn"
    if field == "crowding":
        return f"{value:.0f}"
    return f"{value:+.2f}" if field == "sigma" else f"{value:.4g}"


def describe(series: str, condition: Condition, value: float | str) -> str:
    """'momentum_pair sigma -3.42 (<= -3)'; a flag reads 'themes.Memory flag UNWIND'."""
    text = f"{series} {condition.field} {format_value(series, condition.field, value)}"
    if isinstance(value, str):
        return text
    return f"{text} ({condition.op} {format_value(series, condition.field, condition.value)})"


def rule_matches(rule: AlertRule, snapshot: Snapshot) -> Iterable[tuple[str, float | str, str]]:
    """(series, value, message) for every expansion of the rule whose conditions all hold."""
    own = rule.condition
    for series in expand(own.series, snapshot):
        value = read(snapshot, series, own.field)
        if not holds(value, own):
            continue
        parts = [describe(series, own, value)]  # type: ignore[arg-type]
        for extra in rule.also:
            other = series if extra.series == own.series else expand(extra.series, snapshot)[0]
            extra_value = read(snapshot, other, extra.field)
            if not holds(extra_value, extra):
                break
            parts.append(describe(other, extra, extra_value))  # type: ignore[arg-type]
        else:
            yield series, value, ", ".join(parts)  # type: ignore[misc]


def true_now(rules: Iterable[AlertRule], snapshot: Snapshot) -> list[Alert]:
    """Every (rule, series) whose condition holds on the snapshot, as an Alert at its time."""
    ts = snapshot_time(snapshot)
    return [
        Alert(ts, rule.name, series, rule.condition.field, value, message, rule.severity)
        for rule in rules
        for series, value, message in rule_matches(rule, snapshot)
    ]


def with_alerts(snapshot: Snapshot, rules: tuple[AlertRule, ...]) -> Snapshot:
    """The snapshot with its `alerts`: the rules evaluated once (the first evaluation of a
    session counts as 'not true before', so every condition that holds is listed)."""
    if not rules:
        return snapshot
    return replace(snapshot, alerts=tuple(true_now(rules, snapshot)))


__all__ = ["WILDCARDS", "Alert", "close_time", "snapshot_time", "true_now", "with_alerts"]
