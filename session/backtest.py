"""`crowdwatch alerts backtest`: the rules on every past close, and what followed each fire."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from crowdwatch.analytics.alert_history import (
    DAILY_INTERNALS,
    MOVE_FIELDS,
    alert_field_history,
    snapshot_of_row,
)
from crowdwatch.analytics.alerts import close_time, true_now
from crowdwatch.analytics.events import forward
from crowdwatch.analytics.model import Model
from crowdwatch.config.alerts import series_kind
from crowdwatch.config.schema import AlertRule, AlertsConfig, Condition

HORIZONS = (5, 21)
FORWARD_KEYS = ("pair_fwd_5d", "pair_fwd_21d", "index_fwd_5d", "index_fwd_21d")


@dataclass(frozen=True, slots=True)
class Fire:
    date: date
    series: str
    value: float | str
    forward: dict[str, float | None]  # FORWARD_KEYS


@dataclass(slots=True)
class RuleBacktest:
    rule: str
    testable: bool
    reason: str | None = None  # why not, when not testable
    fires: list[Fire] = field(default_factory=list)

    def medians(self) -> dict[str, float | None]:
        out = {}
        for key in FORWARD_KEYS:
            values = [f.forward[key] for f in self.fires if f.forward[key] is not None]
            out[key] = statistics.median(values) if values else None
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "testable": self.testable,
            "reason": self.reason,
            "count": len(self.fires),
            "median": self.medians(),
            "fires": [
                {"date": f.date.isoformat(), "series": f.series, "value": f.value, **f.forward}
                for f in self.fires
            ],
        }


def untestable(condition: Condition) -> str | None:
    """Why a condition has no daily history, or None when it has one."""
    kind, field_ = series_kind(condition.series), condition.field
    if kind == "user":
        return f"{condition.series}: user series are not back-tested"
    if kind == "internal":
        key = condition.series.split(".", 1)[1]
        return None if key in DAILY_INTERNALS else f"{condition.series} has no daily history"
    if field_ in MOVE_FIELDS or (kind == "theme" and field_ == "flag"):
        return None
    return f"field {field_} has no daily history (back-tested: ret, sigma, percentile, flag)"


def backtest(model: Model, config: AlertsConfig, since: date | None = None) -> list[RuleBacktest]:
    """Each rule on each close of the model's history, with the same rising-edge and
    cooldown rule as a live session (one evaluation a close); fires from `since` on."""
    history = alert_field_history(model)
    themes = [theme.name for theme in model.config.themes]
    factors = [spec.name for spec in model.config.factors]
    pair = model.series.values["momentum_pair"]
    bench = model.panel.benchmark
    index = model.panel.returns[:, bench] if bench is not None else np.full(len(pair), np.nan)
    results = {rule.name: RuleBacktest(rule.name, True) for rule in config.rules}
    testable: list[AlertRule] = []
    for rule in config.rules:
        reasons = [r for c in (rule.condition, *rule.also) if (r := untestable(c))]
        if reasons:
            results[rule.name] = RuleBacktest(rule.name, False, "; ".join(reasons))
        else:
            testable.append(rule)
    cooldown = timedelta(minutes=config.cooldown_minutes)
    true_before: set[tuple[str, str]] = set()
    last_fired: dict[tuple[str, str], Any] = {}
    for row_number, row in enumerate(history.iter_rows(named=True)):
        snapshot = snapshot_of_row(row, themes, factors, "backtest")
        holding = true_now(testable, snapshot)
        now = close_time(row["date"])
        for alert in holding:
            last = last_fired.get(alert.key)
            if alert.key in true_before or (last is not None and now - last < cooldown):
                continue
            last_fired[alert.key] = now
            if since is not None and row["date"] < since:
                continue
            ahead = {
                f"{name}_fwd_{h}d": forward(values, row_number, h)
                for name, values in (("pair", pair), ("index", index))
                for h in HORIZONS
            }
            results[alert.rule].fires.append(Fire(row["date"], alert.series, alert.value, ahead))
        true_before = {alert.key for alert in holding}
    return [results[rule.name] for rule in config.rules]


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def backtest_text(results: list[RuleBacktest], first: date, last: date) -> str:
    lines = [f"alert rules on every close {first} .. {last} (momentum pair and index after)"]
    for result in results:
        if not result.testable:
            lines.append(f"\n{result.rule}: not back-testable ({result.reason})")
            continue
        median = result.medians()
        lines.append(
            f"\n{result.rule}: fired {len(result.fires)} time(s); median pair "
            f"{percent(median['pair_fwd_5d'])} / {percent(median['pair_fwd_21d'])}, index "
            f"{percent(median['index_fwd_5d'])} / {percent(median['index_fwd_21d'])} (5d / 21d)"
        )
        if result.fires:
            lines.append(f"  {'date':<10}  {'series':<28} {'value':>9}  " + "  ".join(
                f"{head:>8}" for head in ("pair 5d", "pair 21d", "index 5d", "index 21d")))  # fmt: skip
        for fire in result.fires:
            value = fire.value if isinstance(fire.value, str) else f"{fire.value:.4g}"
            ahead = "  ".join(f"{percent(fire.forward[key]):>8}" for key in FORWARD_KEYS)
            lines.append(f"  {fire.date}  {fire.series:<28} {value:>9}  {ahead}")
    return "\n".join(lines)


def history_model(feed, config, as_of: date | None = None) -> Model:
    """The prepared model of a feed's whole history (up to as_of): every close is past."""
    import polars as pl

    from crowdwatch.analytics.model import prepare
    from crowdwatch.config.loader import check_benchmark

    history = feed.history()
    check_benchmark(config, set(history.get_column("ticker").unique().to_list()))
    if as_of is not None:
        history = history.filter(pl.col("date") <= as_of)
    if history.get_column("date").n_unique() < 2:
        raise ValueError("the backtest needs at least two days of history (check --as-of)")
    return prepare(history, config, feed.universe())
