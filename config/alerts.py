"""alerts.yaml: read and validate the alert rules (series, field, op, value) and channels."""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import Node, ScalarNode

from crowdwatch.config.errors import Problem
from crowdwatch.config.schema import (
    ALERT_CHANNELS,
    ALERT_OPS,
    ALERT_SEVERITIES,
    AlertRule,
    AlertsConfig,
    Condition,
    FactorSpec,
    Theme,
)
from crowdwatch.config.yamlnodes import NULL_TAG, FileCheck, line_of, suggestion

TOP_KEYS = ("cooldown_minutes", "notify", "apprise", "rules")
RULE_KEYS = ("name", "series", "field", "op", "value", "and", "severity")
CONDITION_KEYS = ("series", "field", "op", "value")
# the momentum baskets and the internals of report --json (config must not import analytics;
# tests/test_alert_config.py checks these against analytics)
BASKET_SERIES = ("winners", "short_momentum", "momentum_pair", "momentum_beta_neutral")
INTERNAL_SERIES = (
    "index_ret", "breadth", "dispersion_ratio", "dispersion_percentile", "reversal_corr",
    "realized_corr", "letf_flow_usd", "letf_flow_percentile", "letf_gamma_usd_per_pct",
)  # fmt: skip
MOVE_FIELDS = ("ret", "sigma", "percentile", "ret_1w", "ret_1m", "drawdown")
THEME_FIELDS = (*MOVE_FIELDS, "crowding", "flag")
VALUE_FIELDS = ("value",)
FLAGS = ("UNWIND", "SQUEEZE")
WILDCARDS = ("baskets.*", "factors.*", "themes.*")


def series_kind(series: str) -> str:
    """'move' (basket/factor), 'theme', 'internal' or 'user' from the series' spelling."""
    head = series.split(".", 1)[0] if "." in series else ""
    return {"themes": "theme", "internals": "internal", "series": "user"}.get(head, "move")


def fields_of(series: str) -> tuple[str, ...]:
    return {"move": MOVE_FIELDS, "theme": THEME_FIELDS}.get(series_kind(series), VALUE_FIELDS)


def is_fraction(series: str, field: str) -> bool:
    """Values read in [0, 1]: percentiles and breadth (a 97 there means 0.97)."""
    name = series.split(".", 1)[-1]
    return field == "percentile" or (
        series_kind(series) == "internal" and (name.endswith("_percentile") or name == "breadth")
    )


def _condition(
    check: FileCheck, node: Node, keys: tuple[str, ...], what: str, own_series: str | None
) -> tuple[Condition | None, dict[str, Node]]:
    required = ("series", "op", "value") if own_series is None else ("op", "value")
    values = check.mapping(node, what, keys, required, key="rules")
    series = check.text(values["series"], "series") if "series" in values else own_series
    op = check.choice(values["op"], "op", ALERT_OPS) if "op" in values else None
    if series is None:
        return None, values
    if own_series is not None and "series" in values and series in WILDCARDS:
        check.error(values["series"], "series", "key 'series': an `and:` condition reads one "
                    "series; leave `series` out to read the rule's own (each wildcard match)")  # fmt: skip
        return None, values
    allowed = fields_of(series)
    if "field" in values:
        field = check.choice(values["field"], "field", allowed)
    elif allowed == VALUE_FIELDS:
        field = "value"
    else:
        check.error(node, "field", f"{what} on '{series}' is missing the required key 'field' "
                    f"(one of {', '.join(allowed)})")  # fmt: skip
        field = None
    value = _threshold(check, values.get("value"), series, field, op)
    if field is None or op is None or value is None:
        return None, values
    return Condition(series, field, op, value, line=line_of(values.get("series", node))), values


def _threshold(
    check: FileCheck, node: Node | None, series: str, field: str | None, op: str | None
) -> float | str | None:
    if node is None or field is None:
        return None
    if field == "flag":
        word = check.text(node, "value")
        if word is not None and word.upper() not in FLAGS:
            check.error(node, "value", f"key 'value': a flag is UNWIND or SQUEEZE, got '{word}'"
                        f"{suggestion(word, FLAGS)}")  # fmt: skip
            return None
        if op is not None and op not in ("==", "!="):
            check.error(node, "op", f"key 'op': a flag compares with == or !=, not {op}")
            return None
        return word.upper() if word is not None else None
    number = check.number(node, "value")
    if number is not None and is_fraction(series, field) and not 0 <= number <= 1:
        hint = f"; did you mean {number / 100:g}?" if 1 < number <= 100 else ""
        check.error(node, "value", f"key 'value': {series} {field} is a share in [0, 1], "
                    f"got {number:g}{hint}")  # fmt: skip
        return None
    return number


def _rule(check: FileCheck, node: Node, first_line: dict[str, int]) -> AlertRule | None:
    condition, values = _condition(check, node, RULE_KEYS, "a rule", None)
    name = check.text(values["name"], "name") if "name" in values else None
    if name is not None:
        line = line_of(values["name"])
        if name in first_line:
            check.error(line, "name", f"key 'name': rule '{name}' is defined twice "
                        f"(first at line {first_line[name]})")  # fmt: skip
            return None
        first_line[name] = line
    severity = "warning"
    if "severity" in values:
        severity = check.choice(values["severity"], "severity", ALERT_SEVERITIES) or severity
    also: list[Condition] = []
    if "and" in values and condition is not None:
        for item in check.sequence(values["and"], "and") or []:
            extra, _ = _condition(check, item, CONDITION_KEYS, "an `and:` condition",
                                  condition.series)  # fmt: skip
            if extra is None:
                return None
            also.append(extra)
    if name is None or condition is None:
        return None
    return AlertRule(name=name, condition=condition, also=tuple(also), severity=severity)


def _words(check: FileCheck, node: Node, key: str, choices: tuple[str, ...] | None) -> list[str]:
    items = check.sequence(node, key)
    words = []
    for item in items or []:
        word = check.choice(item, key, choices) if choices else check.text(item, key)
        if word is not None and word not in words:
            words.append(word)
    return words


def read_alerts(check: FileCheck, root: Node | None) -> AlertsConfig:
    """alerts.yaml -> AlertsConfig; an empty file means no rules (and the default channels)."""
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL_TAG):
        return AlertsConfig()
    values = check.mapping(root, "the top level", TOP_KEYS)
    fields: dict[str, object] = {}
    if "cooldown_minutes" in values:
        minutes = check.number(values["cooldown_minutes"], "cooldown_minutes")
        if minutes is not None and minutes < 0:
            check.error(values["cooldown_minutes"], "cooldown_minutes",
                        f"key 'cooldown_minutes' must not be negative, got {minutes:g}")  # fmt: skip
            minutes = None
        fields["cooldown_minutes"] = minutes
    if "notify" in values:
        fields["notify"] = tuple(_words(check, values["notify"], "notify", ALERT_CHANNELS))
    if "apprise" in values:
        fields["apprise"] = tuple(_words(check, values["apprise"], "apprise", None))
    rules: list[AlertRule] = []
    first_line: dict[str, int] = {}
    items = check.sequence(values["rules"], "rules") if "rules" in values else []
    for item in items or []:
        rule = _rule(check, item, first_line)
        if rule is not None:
            rules.append(rule)
    fields["rules"] = tuple(rules)
    return AlertsConfig(**{key: value for key, value in fields.items() if value is not None})


def known_series(themes: tuple[Theme, ...], factors: tuple[FactorSpec, ...]) -> list[str]:
    """Every series a rule may name with this config (user series come with the data)."""
    return [
        *BASKET_SERIES,
        *(factor.name for factor in factors),
        *WILDCARDS,
        *(f"baskets.{key}" for key in BASKET_SERIES),
        *(f"factors.{factor.name}" for factor in factors),
        *(f"themes.{theme.name}" for theme in themes),
        *(f"internals.{key}" for key in INTERNAL_SERIES),
    ]


def alert_series_problems(
    alerts: AlertsConfig,
    themes: tuple[Theme, ...],
    factors: tuple[FactorSpec, ...],
    path: Path,
) -> list[Problem]:
    """A series no theme, factor, basket or internal has, with the closest one suggested."""
    names = known_series(themes, factors)
    known = set(names)
    problems = []
    for rule in alerts.rules:
        for condition in (rule.condition, *rule.also):
            series = condition.series
            if series in known or series_kind(series) == "user":
                continue
            problems.append(
                Problem(path, condition.line, "series",
                        f"key 'series': rule '{rule.name}' names '{series}', which is not a "
                        f"basket, factor, theme or internal{suggestion(series, names)}")
            )  # fmt: skip
    return problems
