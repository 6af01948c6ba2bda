"""alerts.yaml: the bundled rules, validation with file, line, key and did-you-mean."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from crowdwatch.analytics.report import INTERNAL_KEYS
from crowdwatch.analytics.results import BASKET_KEYS
from crowdwatch.config.alerts import BASKET_SERIES, INTERNAL_SERIES
from crowdwatch.config.commands import init_user_config, validate_config
from crowdwatch.config.loader import ConfigError, bundled_path, load_config
from crowdwatch.config.schema import AlertRule, AlertsConfig, Condition

FIXTURES = Path(__file__).parent / "config_fixtures" / "valid"


def folder_with(tmp_path: Path, alerts: str) -> Path:
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    (folder / "alerts.yaml").write_text(textwrap.dedent(alerts).lstrip("\n"), encoding="utf-8")
    return folder


def problems(tmp_path: Path, alerts: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(folder_with(tmp_path, alerts))
    return [str(problem) for problem in caught.value.problems]


def test_config_keeps_the_analytics_names() -> None:
    assert BASKET_SERIES == BASKET_KEYS
    assert INTERNAL_SERIES == INTERNAL_KEYS


def test_bundled_rules_are_the_issue_defaults() -> None:
    alerts = load_config().alerts
    assert alerts.cooldown_minutes == 30
    assert alerts.notify == ("screen", "bell", "osc", "log") and alerts.apprise == ()
    by_name = {rule.name: rule for rule in alerts.rules}
    assert by_name["momentum crash"].condition == Condition("momentum_pair", "sigma", "<=", -3)
    assert by_name["momentum surge"].condition == Condition("momentum_pair", "sigma", ">=", 3)
    assert by_name["theme unwind"].condition == Condition("themes.*", "flag", "==", "UNWIND")
    assert by_name["theme squeeze"].condition == Condition("themes.*", "flag", "==", "SQUEEZE")
    assert by_name["dispersion extreme"].condition == Condition(
        "internals.dispersion_percentile", "value", ">=", 0.97
    )
    assert by_name["LETF rebalancing"].condition == Condition(
        "internals.letf_flow_percentile", "value", ">=", 0.95
    )
    selloff = by_name["narrow selloff"]
    assert selloff.condition == Condition("internals.breadth", "value", ">=", 0.75)
    assert selloff.also == (Condition("internals.index_ret", "value", "<", 0),)
    assert len(alerts.rules) == 7


def test_fixture_rules_read_every_key() -> None:
    alerts = load_config(FIXTURES).alerts
    assert alerts.cooldown_minutes == 15 and alerts.notify == ("log", "bell")
    assert alerts.apprise == ("json://127.0.0.1:9/hook",)
    crowded = alerts.rules[2]
    assert crowded == AlertRule(
        "crowded and falling",
        Condition("themes.*", "ret", "<", -0.02),
        (
            Condition("themes.*", "crowding", ">=", 80),  # no series: the rule's own
            Condition("internals.index_ret", "value", "<", 0),
        ),
    )
    assert alerts.rules[1].condition.value == "UNWIND"  # flags are read upper-case
    assert alerts.rules[0].severity == "error"


def test_a_misspelt_theme_names_the_closest(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        rules:
          - {name: ok, series: momentum_pair, field: sigma, op: "<=", value: -3}
          - {name: typo, series: "themes.AI benefciaries", field: flag, op: "==", value: UNWIND}
          - {name: factor typo, series: low_voll, field: sigma, op: ">=", value: 2}
    """,
    )
    assert len(found) == 2, found
    assert found[0].endswith(
        "alerts.yaml:3: key 'series': rule 'typo' names 'themes.AI benefciaries', which is not "
        "a basket, factor, theme or internal; did you mean 'themes.AI beneficiaries'?"
    )
    assert "alerts.yaml:4:" in found[1] and "did you mean 'low_vol'?" in found[1]


def test_each_bad_value_is_named_with_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        cooldown_minutes: -5
        notify: [screen, bel]
        rules:
          - {name: a, series: momentum_pair, field: sigmaa, op: "<=", value: -3}
          - {name: b, series: momentum_pair, field: sigma, op: "=<", value: -3}
          - {name: c, series: internals.dispersion_percentile, op: ">=", value: 97}
          - {name: d, series: "themes.*", field: flag, op: "==", value: UNWOUND}
          - {name: e, series: "themes.*", op: "==", value: UNWIND}
          - {name: f, series: momentum_pair, field: sigma, op: "<=", value: -3, sevrity: error}
          - {name: a, series: winners, field: ret, op: "<", value: 0}
          - {name: g, series: "themes.*", field: flag, op: ">=", value: UNWIND}
          - {name: h, series: internals.breadth, op: ">=", value: 0.7,
             and: [{series: "themes.*", field: ret, op: "<", value: 0}]}
    """,
    )
    text = "\n".join(found)
    assert ":1: key 'cooldown_minutes' must not be negative" in text
    assert (
        ":2: key 'notify': 'bel' is not one of screen, bell, osc, log; did you mean 'bell'?" in text
    )
    assert ":4: key 'field': 'sigmaa' is not one of" in text and "did you mean 'sigma'?" in text
    assert ":5: key 'op': '=<' is not one of" in text
    assert (
        ":6: key 'value': internals.dispersion_percentile value is a share in [0, 1], got 97; "
        "did you mean 0.97?" in text
    )
    assert ":7: key 'value': a flag is UNWIND or SQUEEZE, got 'UNWOUND'" in text
    assert ":8: a rule on 'themes.*' is missing the required key 'field'" in text
    assert ":9: key 'sevrity' is not allowed in a rule; did you mean 'severity'?" in text
    assert ":10: key 'name': rule 'a' is defined twice (first at line 4)" in text
    assert ":11: key 'op': a flag compares with == or !=, not >=" in text
    assert ":13: key 'series': an `and:` condition reads one series" in text


def test_validate_and_init_include_alerts(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        """
        rules:
          - {name: typo, series: "themes.Regional bank", field: ret, op: "<", value: 0}
    """,
    )
    ok, text = validate_config(folder)
    assert not ok
    assert f"alerts.yaml ({folder / 'alerts.yaml'}, --config): 1 problem" in text
    assert "did you mean 'themes.Regional banks'?" in text
    ok, text = validate_config(FIXTURES)
    assert ok and "alerts.yaml" in text and "6 rules, cooldown 15 min, notify log, bell" in text
    target = tmp_path / "user"
    written = dict(init_user_config(target))
    assert written[target / "alerts.yaml"] == "written"
    assert (target / "alerts.yaml").read_bytes() == bundled_path("alerts.yaml").read_bytes()


def test_a_rule_on_one_theme_by_name(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        """
        rules:
          - {name: AI, series: themes.AI beneficiaries, field: crowding, op: ">=", value: 90}
    """,
    )
    rule = load_config(folder).alerts.rules[0]
    assert rule.condition == Condition("themes.AI beneficiaries", "crowding", ">=", 90)


def test_an_empty_alerts_file_means_no_rules(tmp_path: Path) -> None:
    assert load_config(folder_with(tmp_path, "# nothing yet\n")).alerts == AlertsConfig()


def test_the_sigma_marker_setting_still_works(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "rules: []\n")
    (folder / "settings.yaml").write_text("alerts: {sigma: 2}\n", encoding="utf-8")
    config = load_config(folder)
    assert config.settings.alert_sigma == 2.0 and config.alerts.rules == ()
