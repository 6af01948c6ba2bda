"""load_config: bundled defaults, the per-file search order, YAML errors, check_benchmark."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import platformdirs
import pytest

from crowdwatch.config.loader import (
    CONFIG_FILES,
    ConfigError,
    bundled_path,
    check_benchmark,
    load_config,
    resolve_paths,
    user_config_dir,
)
from crowdwatch.config.schema import Config, FactorSpec, LetfFund, Settings, Theme

FIXTURES = Path(__file__).parent / "config_fixtures" / "valid"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def copy_fixtures(folder: Path) -> Path:
    shutil.copytree(FIXTURES, folder, dirs_exist_ok=True)
    return folder


# -- the bundled defaults ---------------------------------------------------------------


def test_bundled_defaults_load_and_are_sane() -> None:
    config = load_config()
    assert all(config.sources[name] == bundled_path(name) for name in CONFIG_FILES)
    assert config.settings == Settings()  # settings.yaml restates the schema defaults
    assert config.factors == (
        FactorSpec("momentum", "mom", "top"),
        FactorSpec("beta", "beta", "top"),
        FactorSpec("low_vol", "vol", "bottom"),
        FactorSpec("reversal", "rev", "bottom"),
        FactorSpec("size", "size", "bottom"),
    )
    assert len(config.themes) >= 1
    assert all(theme.tickers for theme in config.themes)
    assert len(config.letfs) >= 1
    assert all(fund.leverage not in (0, 1) and fund.aum_usd >= 0 for fund in config.letfs)


def test_bundled_files_live_inside_the_package() -> None:
    for name in CONFIG_FILES:
        path = bundled_path(name)
        assert path.parent.name == "defaults"
        assert path.parent.parent.name == "config"
        assert path.is_file(), f"missing bundled default {path}"


# -- a full valid folder ----------------------------------------------------------------


def test_fixture_folder_loads_every_field() -> None:
    config = load_config(FIXTURES)
    assert isinstance(config, Config)
    assert config.settings == Settings(
        benchmark="QQQ",
        quantile=0.25,
        refresh_seconds=0.5,
        dispersion_since_years=2,
        alert_sigma=2.5,
        weighting="cap",
    )
    assert config.themes == (
        Theme(
            name="AI beneficiaries",
            tickers=("NVDA", "AVGO", "AMD", "ON"),
            weights={"NVDA": 2.0},
            note="the crowded AI trade",
        ),
        Theme(name="Regional banks", tickers=("KRE", "ZION")),
    )
    assert config.letfs == (
        LetfFund("TQQQ", "QQQ", 3.0, 3.9e10),
        LetfFund("SQQQ", "QQQ", -3.0, 2.3e9),
        LetfFund("NVDL", "NVDA", 2.0, 4e9),  # plain 4e9 is text to YAML 1.1; read as a number
    )
    assert config.letfs_as_of == date(2026, 6, 1)
    assert config.factors == (
        FactorSpec("momentum", "mom", "top"),
        FactorSpec("low_vol", "vol", "bottom"),
    )
    assert config.sources == {name: FIXTURES / name for name in CONFIG_FILES}


def test_settings_keys_left_out_keep_their_defaults(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path / "cfg")
    write(folder, "settings.yaml", "alerts: {sigma: 4}\n")
    assert load_config(folder).settings == Settings(alert_sigma=4.0)


# -- search order, per file -------------------------------------------------------------


def test_config_dir_beats_user_dir_beats_bundled_per_file(tmp_path: Path, user_dir: Path) -> None:
    config_dir = tmp_path / "cfg"
    write(config_dir, "settings.yaml", "benchmark: AAA\n")
    write(user_dir, "settings.yaml", "benchmark: BBB\n")
    write(user_dir, "factors.yaml", "factors:\n  - {name: only, signal: rev, long: top}\n")

    assert resolve_paths(config_dir) == {
        "themes.yaml": bundled_path("themes.yaml"),
        "factors.yaml": user_dir / "factors.yaml",
        "letfs.yaml": bundled_path("letfs.yaml"),
        "settings.yaml": config_dir / "settings.yaml",
        "alerts.yaml": bundled_path("alerts.yaml"),
    }
    assert resolve_paths(None)["settings.yaml"] == user_dir / "settings.yaml"

    # the same through load_config, with every file present somewhere
    for name in ("themes.yaml", "letfs.yaml"):
        shutil.copy(FIXTURES / name, user_dir / name)
    config = load_config(config_dir)
    assert config.settings.benchmark == "AAA"
    assert config.factors == (FactorSpec("only", "rev", "top"),)
    assert config.sources == {
        "themes.yaml": user_dir / "themes.yaml",
        "factors.yaml": user_dir / "factors.yaml",
        "letfs.yaml": user_dir / "letfs.yaml",
        "settings.yaml": config_dir / "settings.yaml",
        "alerts.yaml": bundled_path("alerts.yaml"),
    }
    assert load_config().settings.benchmark == "BBB"


def test_bundled_default_used_for_a_file_found_nowhere_else(tmp_path: Path) -> None:
    config_dir = copy_fixtures(tmp_path / "cfg")
    (config_dir / "factors.yaml").unlink()
    config = load_config(config_dir)
    assert config.sources["factors.yaml"] == bundled_path("factors.yaml")
    assert [factor.name for factor in config.factors] == [
        "momentum",
        "beta",
        "low_vol",
        "reversal",
        "size",
    ]
    assert config.sources["themes.yaml"] == config_dir / "themes.yaml"


def test_resolve_paths_falls_back_to_bundled_when_nothing_else_exists(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert resolve_paths(empty) == {name: bundled_path(name) for name in CONFIG_FILES}
    assert resolve_paths(None) == {name: bundled_path(name) for name in CONFIG_FILES}


def test_missing_config_dir_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "typo")
    assert caught.value.path == tmp_path / "typo"
    assert "does not exist" in str(caught.value)
    not_a_folder = write(tmp_path, "file.yaml", "x: 1\n")
    with pytest.raises(ConfigError, match="is not a folder"):
        resolve_paths(not_a_folder)


def test_user_config_dir_env_override_and_platformdirs_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROWDWATCH_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert user_config_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("CROWDWATCH_CONFIG_DIR")
    assert user_config_dir() == Path(platformdirs.user_config_dir("crowdwatch"))
    monkeypatch.setenv("CROWDWATCH_CONFIG_DIR", "  ")  # blank means unset
    assert user_config_dir() == Path(platformdirs.user_config_dir("crowdwatch"))


# -- YAML-level errors ------------------------------------------------------------------


def load_error(tmp_path: Path, name: str, text: str) -> ConfigError:
    folder = copy_fixtures(tmp_path / "cfg")
    write(folder, name, text)
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    return caught.value


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        "themes.yaml",
        """
        themes:
          - name: AI
            tickers: [NVDA, AMD
          - name: Banks
        """,
    )
    assert error.path == tmp_path / "cfg" / "themes.yaml"
    assert error.line == 4
    assert error.key is None
    assert str(error).startswith(f"{tmp_path / 'cfg' / 'themes.yaml'}:4: invalid YAML")


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file_is_an_error(tmp_path: Path, text: str) -> None:
    error = load_error(tmp_path, "factors.yaml", text)
    assert (error.path.name, error.line) == ("factors.yaml", 1)
    assert "the file is empty" in str(error) and "factors" in str(error)


def test_top_level_must_be_a_mapping_with_the_right_key(tmp_path: Path) -> None:
    error = load_error(tmp_path, "letfs.yaml", "- {ticker: TQQQ}\n")
    assert (error.path.name, error.line) == ("letfs.yaml", 1)
    assert "the top level must be a mapping" in str(error)

    error = load_error(tmp_path, "themes.yaml", "# my themes\ntheme:\n  - name: AI\n")
    assert (error.path.name, error.line, error.key) == ("themes.yaml", 2, "theme")
    assert "did you mean 'themes'?" in str(error)


def test_tab_indentation_reports_the_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, "settings.yaml", "benchmark: SPY\n\tquantile: 0.2\n")
    assert (error.path.name, error.line) == ("settings.yaml", 2)


def test_all_problems_of_all_files_are_collected(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path / "cfg")
    write(folder, "settings.yaml", "quantile: 0.9\nrefresh_seconds: -1\nbenchmrk: SPY\n")
    write(folder, "factors.yaml", "factors:\n  - {name: m, signal: mo, long: top}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    error = caught.value
    where = [(p.path.name, p.line, p.key) for p in error.problems]
    assert where == [
        ("factors.yaml", 2, "signal"),
        ("settings.yaml", 1, "quantile"),
        ("settings.yaml", 2, "refresh_seconds"),
        ("settings.yaml", 3, "benchmrk"),
    ]
    lines = str(error).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(f"{folder / 'factors.yaml'}:2: ")
    assert (error.path, error.line, error.key) == (folder / "factors.yaml", 2, "signal")


def test_config_error_single_problem_and_from_problems() -> None:
    error = ConfigError(Path("/x/themes.yaml"), 12, "tickerz", "key 'tickerz' is bad")
    assert str(error) == "/x/themes.yaml:12: key 'tickerz' is bad"
    assert (error.path, error.line, error.key) == (Path("/x/themes.yaml"), 12, "tickerz")
    assert (
        str(ConfigError("/x/a.yaml", None, None, "file not found")) == "/x/a.yaml: file not found"
    )
    with pytest.raises(ValueError):
        ConfigError.from_problems([])


# -- check_benchmark --------------------------------------------------------------------


def test_check_benchmark_names_settings_line_and_key(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path / "cfg")
    settings = write(folder, "settings.yaml", "# desk settings\nquantile: 0.2\nbenchmark: SPX\n")
    config = load_config(folder)
    check_benchmark(config, {"SPX", "AAPL"})  # present: no error
    with pytest.raises(ConfigError) as caught:
        check_benchmark(config, {"SPY", "AAPL", "MSFT"})
    error = caught.value
    assert (error.path, error.line, error.key) == (settings, 3, "benchmark")
    assert str(error) == (
        f"{settings}:3: key 'benchmark': SPX is not in the data; did you mean 'SPY'?"
    )


def test_check_benchmark_with_the_default_benchmark(tmp_path: Path) -> None:
    folder = copy_fixtures(tmp_path / "cfg")
    write(folder, "settings.yaml", "quantile: 0.2\n")
    config = load_config(folder)
    with pytest.raises(ConfigError) as caught:
        check_benchmark(config, {"AAPL"})
    assert caught.value.key == "benchmark"
    assert caught.value.line is None
    assert "SPY (the default" in str(caught.value)
    with pytest.raises(ConfigError, match="settings.yaml: key 'benchmark'"):
        check_benchmark(Config(), {"AAPL"})  # a hand-built Config has no sources
