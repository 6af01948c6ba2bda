"""Hostile config files: each class found by fuzzing exits 2 naming file, line and key.

`config validate` and `report` must agree: both reject, both name the same place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from crowdwatch.config.errors import ConfigError, printable
from crowdwatch.config.loader import bundled_path, load_config
from crowdwatch.tui.cli import main

FIXTURES = Path(__file__).parent / "config_fixtures" / "valid"


def folder_with(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return folder


def both_commands(capsys, folder: Path) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of `config validate DIR` and `report --json --config DIR`."""
    answers = []
    for argv in (
        ["config", "validate", str(folder)],
        ["report", "--json", "--config", str(folder)],
    ):
        code = main(argv)
        out, err = capsys.readouterr()
        answers.append((code, out, err))
    return answers


# (file, content, line, key or None, a fragment of the message)
HOSTILE = {
    # control characters, NUL and raw bytes
    "control character U+0006": ("settings.yaml", "quantile: 0.2\x06\n", 1, None, "U+0006"),
    "NUL on line 2": ("settings.yaml", "benchmark: QQQ\nquantile: \x000.2\n", 2, None, "U+0000"),
    "escaped control in a name": (
        "themes.yaml",
        'themes:\n  - name: "AI\\x06"\n    tickers: [NVDA]\n',
        2,
        "name",
        "U+0006",
    ),
    "raw non-UTF-8 byte": (
        "themes.yaml",
        b"themes:\n  - name: caf\xe9\n    tickers: [NVDA]\n",
        2,
        None,
        "not UTF-8",
    ),
    # nesting and tags
    "500 levels of nesting": (
        "settings.yaml",
        "alerts: " + "[" * 500 + "]" * 500 + "\n",
        1,
        None,
        "nested more than",
    ),  # fmt: skip
    "block nesting": (
        "settings.yaml",
        "alerts:\n" + "".join("  " * i + "a:\n" for i in range(1, 60)),
        32,
        None,
        "nested more than",
    ),
    "bool tag on a number": ("settings.yaml", "quantile: !!bool x\n", 1, "quantile", "number"),
    "timestamp tag": (
        "settings.yaml",
        "refresh_seconds: !!timestamp x\n",
        1,
        "refresh_seconds",
        "number",
    ),
    "int tag on text": (
        "settings.yaml",
        "dispersion_since_years: !!int x\n",
        1,
        "dispersion_since_years",
        "whole number",
    ),  # fmt: skip
    "timestamp tag on as_of": (
        "letfs.yaml",
        "as_of: !!timestamp 2026-99-99\nfunds: []\n",
        1,
        "as_of",
        "date",
    ),  # fmt: skip
    "lone surrogate": ("settings.yaml", 'quantile: "\\uD800"\n', 1, "quantile", "U+D800"),
    # numbers that validated but broke the computation
    "dispersion years 1e10": (
        "settings.yaml",
        "dispersion_since_years: 10000000000\n",
        1,
        "dispersion_since_years",
        "between 1 and 50",
    ),  # fmt: skip
    "dispersion years 2026": (
        "settings.yaml",
        "dispersion_since_years: 2026\n",
        1,
        "dispersion_since_years",
        "between 1 and 50",
    ),  # fmt: skip
    "quantile too small": ("settings.yaml", "quantile: 0.001\n", 1, "quantile", "0.01"),
    "refresh too fast": ("settings.yaml", "refresh_seconds: 1e-9\n", 1, "refresh_seconds", "0.1"),
    "refresh too slow": ("settings.yaml", "refresh_seconds: 1e9\n", 1, "refresh_seconds", "3600"),
    "alert sigma huge": ("settings.yaml", "alerts: {sigma: 1e300}\n", 1, "sigma", "100"),
    "aum 1e308": (
        "letfs.yaml",
        "funds:\n  - {ticker: TQQQ, underlying: QQQ, leverage: 3, aum_usd: 1e308}\n",
        2,
        "aum_usd",
        "1e+13",
    ),
    "leverage -1e200": (
        "letfs.yaml",
        "funds:\n  - {ticker: SQQQ, underlying: QQQ, leverage: -1e200, aum_usd: 1e9}\n",
        2,
        "leverage",
        "between -10 and 10",
    ),
    "aum inf": (
        "letfs.yaml",
        "funds:\n  - {ticker: SQQQ, underlying: QQQ, leverage: -3, aum_usd: .inf}\n",
        2,
        "aum_usd",
        "finite",
    ),
    "weight 1e300": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA, AMD]\n    weights: {NVDA: 1e300}\n",
        4,
        "NVDA",
        "1e+06",
    ),
    "alert cooldown 1e300": (
        "alerts.yaml",
        "cooldown_minutes: 1e300\nrules: []\n",
        1,
        "cooldown_minutes",
        "between 0 and 10080",
    ),  # fmt: skip
    # lengths and counts
    "benchmark of 300,000 characters": (
        "settings.yaml",
        "benchmark: " + "X" * 300_000 + "\n",
        1,
        "benchmark",
        "300,000 characters long; the limit is 24",
    ),
    "theme name too long": (
        "themes.yaml",
        "themes:\n  - name: " + "n" * 81 + "\n    tickers: [NVDA]\n",
        2,
        "name",
        "the limit is 80",
    ),
    "note too long": (
        "themes.yaml",
        "themes:\n  - name: AI\n    tickers: [NVDA]\n    note: " + "x" * 501 + "\n",
        4,
        "note",
        "the limit is 500",
    ),
    "101 themes": (
        "themes.yaml",
        "themes:\n" + "".join(f"  - {{name: T{i}, tickers: [A{i}]}}\n" for i in range(101)),
        2,
        "themes",
        "lists 101 themes; the limit is 100",
    ),
    "201 tickers in a theme": (
        "themes.yaml",
        "themes:\n  - name: Big\n    tickers: [" + ", ".join(f"A{i}" for i in range(201)) + "]\n",
        3,
        "tickers",
        "lists 201 tickers; the limit is 200",
    ),
    "2,001 memberships": (
        "themes.yaml",
        "themes:\n"
        + "".join(
            f"  - {{name: T{t}, tickers: [{', '.join(f'A{t}_{i}' for i in range(200))}]}}\n"
            for t in range(10)
        )
        + "  - {name: Last, tickers: [Z]}\n",
        2,
        "themes",
        "2,001 tickers in all",
    ),
    # one validation path: what report rejected, validate rejects
    "a theme named date": (
        "themes.yaml",
        "themes:\n  - {name: date, tickers: [NVDA]}\n",
        2,
        "name",
        "the date column",
    ),  # fmt: skip
    "a factor named date": (
        "factors.yaml",
        "factors:\n  - {name: date, signal: mom, long: top}\n",
        2,
        "name",
        "the date column",
    ),  # fmt: skip
}


@pytest.mark.parametrize(("name", "content", "line", "key", "fragment"), HOSTILE.values(),
                         ids=HOSTILE)  # fmt: skip
def test_validate_and_report_both_exit_2_naming_file_line_and_key(
    tmp_path: Path, capsys, name: str, content: str | bytes, line: int, key, fragment: str
) -> None:
    folder = folder_with(tmp_path, name, content)
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    error = caught.value
    assert (error.path, error.line, error.key) == (folder / name, line, key), str(error)
    assert fragment in str(error)
    where = f"{folder / name}:{line}: "
    (v_code, v_out, v_err), (r_code, r_out, r_err) = both_commands(capsys, folder)
    assert (v_code, r_code) == (2, 2)
    assert where in v_out and fragment in v_out, v_out
    assert "problem" in v_out.splitlines()[-1]  # the summary survives
    assert where in r_err and fragment in r_err, r_err
    assert r_out == "" and "Traceback" not in v_err + r_err
    if key is not None:
        assert f"'{key}'" in str(error)


def test_messages_escape_unprintable_characters() -> None:
    assert printable("a\x06b\ud800") == "a\\u0006b\\ud800"
    assert printable("plain ünïcode") == "plain ünïcode"
    text = str(ConfigError(Path("x.yaml"), 1, "k", "got '\ud800'"))
    text.encode("utf-8")  # a surrogate could not be encoded; the escape can
    assert text == "x.yaml:1: got '\\ud800'"


def test_a_factor_named_like_a_bundled_theme_blames_the_factors_file(tmp_path: Path) -> None:
    """The user changed factors.yaml: the error must name it, not the bundled themes.yaml."""
    theme = load_config().themes[0].name
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "factors.yaml").write_text(
        f"factors:\n  - {{name: momentum, signal: mom, long: top}}\n"
        f"  - {{name: {theme}, signal: rev, long: bottom}}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.key) == (folder / "factors.yaml", 3, "name")
    assert f"factor '{theme}' has the name of a theme ({bundled_path('themes.yaml')}:" in str(
        problem
    )


def test_validate_reports_a_clash_between_files_like_report_does(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "cfg"
    shutil.copytree(FIXTURES, folder)
    factors = load_config(folder).factors
    (folder / "themes.yaml").write_text(
        f"themes:\n  - name: {factors[0].name}\n    tickers: [NVDA]\n", encoding="utf-8"
    )
    (v_code, v_out, _), (r_code, _, r_err) = both_commands(capsys, folder)
    assert (v_code, r_code) == (2, 2)
    expected = f"{folder / 'themes.yaml'}:2: key 'name': theme '{factors[0].name}' has the name"
    assert expected in v_out and expected in r_err


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _broken_link(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.yaml")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_folder, "is a folder"),
        (_fifo, "is a named pipe"),
        (_broken_link, "is a broken symbolic link"),
    ],
    ids=["folder", "fifo", "broken symlink"],
)
@pytest.mark.parametrize("where", ["--config", "user dir"])
def test_something_not_a_file_where_a_config_file_goes_exits_2(
    tmp_path: Path, user_dir: Path, capsys, make, why: str, where: str
) -> None:
    """Falling back to the bundled default would hide the user's file: say so instead."""
    folder = tmp_path / "cfg" if where == "--config" else user_dir
    folder.mkdir()
    make(folder / "themes.yaml")
    argv_config = ["--config", str(folder)] if where == "--config" else []
    for argv in (["config", "validate", *argv_config[1:]], ["report", "--json", *argv_config]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, (argv, out, err)
        assert f"{folder / 'themes.yaml'}: {why}" in out + err


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "themes.yaml", "# " + "x" * 1_000_001 + "\nthemes: []\n")
    with pytest.raises(ConfigError, match="over 1,000,000 bytes"):
        load_config(folder)


def test_bounds_accept_their_edges(tmp_path: Path) -> None:
    """The limits are inclusive: the largest plausible values still load."""
    folder = folder_with(
        tmp_path,
        "settings.yaml",
        "quantile: 0.01\nrefresh_seconds: 3600\ndispersion_since_years: 50\nalerts: {sigma: 100}\n",
    )
    (folder / "letfs.yaml").write_text(
        "funds:\n  - {ticker: " + "T" * 24 + ", underlying: QQQ, leverage: -10, aum_usd: 1e13}\n"
    )
    config = load_config(folder)
    assert (config.settings.quantile, config.settings.dispersion_since_years) == (0.01, 50)
    assert config.letfs[0].leverage == -10 and config.letfs[0].aum_usd == 1e13
