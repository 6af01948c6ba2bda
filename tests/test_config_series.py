"""settings.yaml `series:` (Positioning and gamma): each error names the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdwatch.config.loader import ConfigError, load_config
from crowdwatch.config.schema import SeriesSpec

from .test_config_validation import folder_with, only_problem

GOOD = """
series:
  prime_net_exposure: {label: Prime-book net exposure, unit: ratio, role: exposure}
  dealer_gamma: {label: Dealer gamma, unit: usd, role: dealer_gamma}
  retail_flow: {unit: number}
  gross_leverage: {}
"""


def test_series_entries_are_read(tmp_path: Path) -> None:
    settings = load_config(folder_with(tmp_path, "settings.yaml", GOOD)).settings
    assert settings.series == {
        "prime_net_exposure": SeriesSpec("Prime-book net exposure", "ratio", "exposure"),
        "dealer_gamma": SeriesSpec("Dealer gamma", "usd", "dealer_gamma"),
        "retail_flow": SeriesSpec("retail_flow", "number", None),
        "gross_leverage": SeriesSpec("gross_leverage", None, None),
    }


def test_no_series_key_means_no_entries(tmp_path: Path) -> None:
    settings = load_config(folder_with(tmp_path, "settings.yaml", "benchmark: SPY\n")).settings
    assert settings.series == {}


# (text, line, key, fragments of the message)
CASES = {
    "unknown key in an entry": (
        "series:\n  dealer_gamma: {label: G, unit: usd, rol: dealer_gamma}\n",
        2,
        "rol",
        ["key 'rol' is not allowed in series 'dealer_gamma'", "did you mean 'role'?"],
    ),
    "unknown unit": (
        "series:\n  x:\n    unit: dollars\n",
        3,
        "unit",
        ["'dollars' is not one of usd, pct, ratio, number"],
    ),
    "misspelt role": (
        "series:\n  x: {role: exposur}\n",
        2,
        "role",
        ["'exposur' is not one of", "did you mean 'exposure'?"],
    ),
    "entry not a mapping": (
        "series:\n  x: 3\n",
        2,
        "x",
        ["series 'x' must be a mapping with keys label, unit, role"],
    ),
    "series not a mapping": (
        "series: [a, b]\n",
        1,
        "series",
        ["key 'series' must be a mapping"],
    ),
    "label a list": (
        "series:\n  x: {label: [a]}\n",
        2,
        "label",
        ["key 'label' must be text, got a list or mapping"],
    ),
    "second dealer gamma": (
        "series:\n  g1: {unit: usd, role: dealer_gamma}\n  g2: {unit: usd, role: dealer_gamma}\n",
        3,
        "role",
        ["only one series may have role dealer_gamma", "'g1' has it at line 2"],
    ),
    "dealer gamma in pct": (
        "series:\n  g:\n    role: dealer_gamma\n    unit: pct\n",
        4,
        "unit",
        ["key 'unit' of series 'g': role dealer_gamma needs unit usd"],
    ),
    "dealer gamma without a unit": (
        "series:\n  g:\n    role: dealer_gamma\n",
        3,
        "unit",
        ["role dealer_gamma needs unit usd"],
    ),
    "duplicate name": (
        "series:\n  g: {unit: usd}\n  g: {unit: pct}\n",
        3,
        "g",
        ["key 'g' appears twice (first at line 2)"],
    ),
}


@pytest.mark.parametrize(("text", "line", "key", "fragments"), CASES.values(), ids=CASES)
def test_each_series_rule_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, fragments: list[str]
) -> None:
    error = only_problem(tmp_path, "settings.yaml", text)
    assert (error.line, error.key) == (line, key), str(error)
    message = str(error)
    assert message.startswith(f"{tmp_path / 'cfg' / 'settings.yaml'}:{line}: ")
    for fragment in fragments:
        assert fragment in message


def test_a_bad_unit_on_dealer_gamma_is_reported_once(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "settings.yaml", "series:\n  g: {role: dealer_gamma, unit: $}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    assert len(caught.value.problems) == 1
    assert "'$' is not one of usd" in str(caught.value)
