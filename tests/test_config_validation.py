"""Every validation rule of DESIGN.md: each error names the file, the line and the key."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from crowdwatch.config.loader import ConfigError, load_config

FIXTURES = Path(__file__).parent / "config_fixtures" / "valid"


def folder_with(tmp_path: Path, name: str, text: str) -> Path:
    """The valid fixture folder with one file replaced."""
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def only_problem(tmp_path: Path, name: str, text: str) -> ConfigError:
    folder = folder_with(tmp_path, name, text)
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    error = caught.value
    assert len(error.problems) == 1, str(error)
    assert error.path == folder / name
    return error


# (file, text, line, key, fragments of the message)
CASES = {
    # settings.yaml
    "settings unknown key": (
        "settings.yaml",
        "benchmark: SPY\nquantil: 0.2\n",
        2,
        "quantil",
        ["key 'quantil' is not allowed", "did you mean 'quantile'?", "(allowed: benchmark,"],
    ),
    "quantile too big": ("settings.yaml", "quantile: 0.7\n", 1, "quantile", ["(0, 0.5]", "0.7"]),
    "quantile zero": ("settings.yaml", "quantile: 0\n", 1, "quantile", ["(0, 0.5]"]),
    "quantile text": ("settings.yaml", "quantile: lots\n", 1, "quantile", ["must be a number"]),
    "quantile bool": ("settings.yaml", "quantile: yes\n", 1, "quantile", ["must be a number"]),
    "quantile null": ("settings.yaml", "quantile:\n", 1, "quantile", ["got nothing"]),
    "refresh zero": (
        "settings.yaml",
        "benchmark: SPY\nrefresh_seconds: 0\n",
        2,
        "refresh_seconds",
        ["greater than 0"],
    ),
    "refresh quoted": (
        "settings.yaml",
        "refresh_seconds: '2'\n",
        1,
        "refresh_seconds",
        ["must be a number"],
    ),
    "dispersion years fraction": (
        "settings.yaml",
        "dispersion_since_years: 2.5\n",
        1,
        "dispersion_since_years",
        ["whole number"],
    ),
    "dispersion years zero": (
        "settings.yaml",
        "dispersion_since_years: 0\n",
        1,
        "dispersion_since_years",
        ["at least 1"],
    ),
    "alert sigma negative": (
        "settings.yaml",
        "alerts:\n  sigma: -1\n",
        2,
        "sigma",
        ["greater than 0"],
    ),
    "alerts not a mapping": ("settings.yaml", "alerts: 3\n", 1, "alerts", ["must be a mapping"]),
    "alerts unknown key": (
        "settings.yaml",
        "alerts: {sigmas: 3}\n",
        1,
        "sigmas",
        ["not allowed in alerts", "did you mean 'sigma'?"],
    ),
    "weighting choice": (
        "settings.yaml",
        "weighting: caps\n",
        1,
        "weighting",
        ["'caps' is not one of equal, cap", "did you mean 'cap'?"],
    ),
    "momentum vol target zero": (
        "settings.yaml",
        "benchmark: SPY\nmomentum_vol_target: 0\n",
        2,
        "momentum_vol_target",
        ["must be greater than 0", "got 0"],
    ),
    "momentum vol target negative": (
        "settings.yaml",
        "momentum_vol_target: -0.12\n",
        1,
        "momentum_vol_target",
        ["greater than 0"],
    ),
    "momentum vol target text": (
        "settings.yaml",
        "momentum_vol_target: twelve\n",
        1,
        "momentum_vol_target",
        ["must be a number"],
    ),
    "momentum vol target infinite": (
        "settings.yaml",
        "momentum_vol_target: .inf\n",
        1,
        "momentum_vol_target",
        ["must be a finite number"],
    ),
    "momentum vol target absurd": (
        "settings.yaml",
        "momentum_vol_target: 1e308\n",
        1,
        "momentum_vol_target",
        ["must be between 0 and 5", "got 1e+308"],
    ),
    "momentum vol target misspelt": (
        "settings.yaml",
        "momentum_vol_targt: 0.1\n",
        1,
        "momentum_vol_targt",
        ["not allowed", "did you mean 'momentum_vol_target'?"],
    ),
    "benchmark list": ("settings.yaml", "benchmark: [SPY]\n", 1, "benchmark", ["ticker"]),
    "settings duplicate key": (
        "settings.yaml",
        "quantile: 0.2\nbenchmark: SPY\nquantile: 0.3\n",
        3,
        "quantile",
        ["appears twice (first at line 1)"],
    ),
    # themes.yaml
    "theme unknown key": (
        "themes.yaml",
        """
        themes:
          - name: AI
            tickerz: [NVDA]
        """,
        3,
        "tickerz",
        [
            "key 'tickerz' is not allowed in a theme; did you mean 'tickers'? "
            "(allowed: name, tickers, weights, note)"
        ],
    ),
    "theme missing tickers": (
        "themes.yaml",
        "themes:\n  - name: AI\n    note: no tickers\n",
        2,
        "tickers",
        ["a theme is missing the required key 'tickers'"],
    ),
    "theme missing name": (
        "themes.yaml",
        "themes:\n  - tickers: [NVDA]\n",
        2,
        "name",
        ["missing the required key 'name'"],
    ),
    "theme empty tickers": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: []\n",
        3,
        "tickers",
        ["key 'tickers' of theme 'AI' is empty"],
    ),
    "theme tickers not a list": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: NVDA\n",
        3,
        "tickers",
        ["must be a list"],
    ),
    "theme ticker not text": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers:\n      - NVDA\n      - [AMD]\n",
        5,
        "tickers",
        ["must be a ticker symbol"],
    ),
    "theme duplicate names": (
        "themes.yaml",
        """
        themes:
          - name: AI
            tickers: [NVDA]
          - tickers: [AMD]
            name: AI
        """,
        5,
        "name",
        ["theme 'AI' is defined twice (first at line 2)"],
    ),
    "theme duplicate tickers after normalising": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA, AMD,\n      ' nvda ']\n",
        4,
        "tickers",
        ["NVDA is listed twice in theme 'AI' (first at line 3)"],
    ),
    "theme weight for a ticker not in it": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA, AMD]\n    weights:\n      NVDX: 2\n",
        5,
        "NVDX",
        ["NVDX is not one of the tickers of theme 'AI'", "did you mean 'NVDA'?"],
    ),
    "theme weight not positive": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA, AMD]\n    weights: {AMD: 0}\n",
        4,
        "AMD",
        ["weights must be positive, got 0"],
    ),
    "theme weight listed twice": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA]\n    weights:\n      NVDA: 2\n      nvda: 3\n",
        6,
        "nvda",
        ["NVDA is listed twice in weights"],
    ),
    "theme weight not a number": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA]\n    weights: {NVDA: heavy}\n",
        4,
        "NVDA",
        ["must be a number, got 'heavy'"],
    ),
    "theme not a mapping": (
        "themes.yaml",
        "themes:\n  - AI beneficiaries\n",
        2,
        "themes",
        ["a theme must be a mapping with keys name, tickers, weights, note"],
    ),
    "themes not a list": (
        "themes.yaml",
        "themes:\n  name: AI\n",
        2,
        "themes",
        ["key 'themes' must be a list"],
    ),
    "themes top key": (
        "themes.yaml",
        "# mine\nthemes: []\nextra: 1\n",
        3,
        "extra",
        ["not allowed in the top level", "(allowed: themes)"],
    ),
    # letfs.yaml
    "leverage one": (
        "letfs.yaml",
        "funds:\n  - {ticker: SPY, underlying: SPY, leverage: 1, aum_usd: 1}\n",
        2,
        "leverage",
        ["key 'leverage' of SPY is 1", "0 or 1"],
    ),
    "leverage zero": (
        "letfs.yaml",
        "funds:\n  - ticker: XX\n    underlying: QQQ\n    leverage: 0\n    aum_usd: 1\n",
        4,
        "leverage",
        ["is 0"],
    ),
    "leverage text": (
        "letfs.yaml",
        "funds:\n  - {ticker: XX, underlying: QQQ, leverage: three, aum_usd: 1}\n",
        2,
        "leverage",
        ["must be a number, got 'three'"],
    ),
    "negative aum": (
        "letfs.yaml",
        "as_of: 2026-06-01\nfunds:\n  - {ticker: SQQQ, underlying: QQQ, leverage: -3, "
        "aum_usd: -2.3e9}\n",
        3,
        "aum_usd",
        ["key 'aum_usd' of SQQQ must not be negative"],
    ),
    "duplicate letf": (
        "letfs.yaml",
        """
        funds:
          - {ticker: TQQQ, underlying: QQQ, leverage: 3, aum_usd: 1.0e9}
          - {ticker: tqqq, underlying: QQQ, leverage: 3, aum_usd: 2.0e9}
        """,
        3,
        "ticker",
        ["fund TQQQ is listed twice (first at line 2)"],
    ),
    "fund missing key": (
        "letfs.yaml",
        "funds:\n  - {ticker: TQQQ, underlying: QQQ, leverage: 3}\n",
        2,
        "aum_usd",
        ["a fund is missing the required key 'aum_usd'"],
    ),
    "fund unknown key": (
        "letfs.yaml",
        "funds:\n  - {ticker: TQQQ, underlying: QQQ, levrage: 3, aum_usd: 1}\n",
        2,
        "levrage",
        ["did you mean 'leverage'?"],
    ),
    "as_of not a date": (
        "letfs.yaml",
        "as_of: last week\nfunds: []\n",
        1,
        "as_of",
        ["must be a date (YYYY-MM-DD), got 'last week'"],
    ),
    "as_of impossible date": (
        "letfs.yaml",
        "as_of: 2026-13-01\nfunds: []\n",
        1,
        "as_of",
        ["must be a date"],
    ),
    # factors.yaml
    "factor signal unknown": (
        "factors.yaml",
        "factors:\n  - {name: mo, signal: momentum, long: top}\n",
        2,
        "signal",
        ["'momentum' is not one of mom, beta, vol, rev, size", "did you mean 'mom'?"],
    ),
    "factor long unknown": (
        "factors.yaml",
        "factors:\n  - name: lv\n    signal: vol\n    long: botom\n",
        4,
        "long",
        ["'botom' is not one of top, bottom; did you mean 'bottom'?"],
    ),
    "factor duplicate name": (
        "factors.yaml",
        """
        factors:
          - {name: momentum, signal: mom, long: top}
          - {name: momentum, signal: rev, long: bottom}
        """,
        3,
        "name",
        ["factor 'momentum' is defined twice (first at line 2)"],
    ),
    "factors top key misspelt": (
        "factors.yaml",
        "factor:\n  - {name: momentum, signal: mom, long: top}\n",
        1,
        "factor",
        ["did you mean 'factors'?"],
    ),
}


@pytest.mark.parametrize(("name", "text", "line", "key", "fragments"), CASES.values(), ids=CASES)
def test_each_rule_names_file_line_and_key(
    tmp_path: Path, name: str, text: str, line: int, key: str, fragments: list[str]
) -> None:
    error = only_problem(tmp_path, name, text)
    assert (error.line, error.key) == (line, key), str(error)
    message = str(error)
    assert message.startswith(f"{tmp_path / 'cfg' / name}:{line}: ")
    assert f"'{key}'" in message or f" {key} " in message, message
    for fragment in fragments:
        assert fragment in message


def test_tickers_are_stripped_upper_cased_and_yaml_booleans_stay_tickers(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "themes.yaml",
        """
        themes:
          - name: "  Semis  "
            tickers: [" nvda", ON, no, 2330]
            weights: {on: 3}
        """,
    )
    (theme,) = load_config(folder).themes
    assert theme.name == "Semis"
    assert theme.tickers == ("NVDA", "ON", "NO", "2330")
    assert theme.weights == {"ON": 3.0}
    assert theme.weight("NVDA") == 1.0


def test_letf_numbers_and_quoted_date_are_accepted(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "letfs.yaml",
        """
        as_of: "2026-06-01"
        funds:
          - {ticker: soxl, underlying: soxx, leverage: 3, aum_usd: 1e10}
          - {ticker: SOXS, underlying: SOXX, leverage: -3.0, aum_usd: 0}
          - {ticker: QLD, underlying: QQQ, leverage: 2, aum_usd: 8_000_000_000}
        """,
    )
    config = load_config(folder)
    assert config.letfs_as_of == date(2026, 6, 1)
    assert [(f.ticker, f.underlying, f.leverage, f.aum_usd) for f in config.letfs] == [
        ("SOXL", "SOXX", 3.0, 1e10),
        ("SOXS", "SOXX", -3.0, 0.0),
        ("QLD", "QQQ", 2.0, 8e9),
    ]


def test_empty_lists_of_themes_funds_and_no_as_of_are_allowed(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "letfs.yaml", "funds: []\n")
    (folder / "themes.yaml").write_text("themes: []\n", encoding="utf-8")
    config = load_config(folder)
    assert (config.letfs, config.letfs_as_of, config.themes) == ((), None, ())


def test_several_problems_in_one_file_are_all_reported_in_line_order(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "themes.yaml",
        """
        themes:
          - name: AI
            tickers: []
          - name: Memory
            tickerz: [MU]
          - name: AI
            tickers: [NVDA, NVDA]
            weights: {AMD: 1}
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    where = [(problem.line, problem.key) for problem in caught.value.problems]
    # the second "AI" is a duplicate name even though the first has no tickers
    assert where == [(3, "tickers"), (5, "tickerz"), (6, "name"), (7, "tickers"), (8, "AMD")]
    assert len(str(caught.value).splitlines()) == 5


def test_a_theme_named_like_a_factor_or_basket_is_rejected(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "themes.yaml",
        """
        themes:
          - name: AI
            tickers: [NVDA]
          - name: momentum
            tickers: [MU]
          - name: winners
            tickers: [AMD]
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    where = [(problem.path.name, problem.line, problem.key) for problem in caught.value.problems]
    # line 1 is `themes:`; `- name: momentum` is line 4, `- name: winners` line 6
    assert where == [("themes.yaml", 4, "name"), ("themes.yaml", 6, "name")]
    assert "has the name of a factor" in str(caught.value)
    assert "has the name of a momentum basket" in str(caught.value)
