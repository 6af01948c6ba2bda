"""config init / validate / path: never overwrite, write atomically, summarise clearly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from crowdwatch.config import commands
from crowdwatch.config.commands import (
    KEPT,
    WRITTEN,
    describe_paths,
    init_user_config,
    validate_config,
)
from crowdwatch.config.loader import CONFIG_FILES, ConfigError, bundled_path, load_config

FIXTURES = Path(__file__).parent / "config_fixtures" / "valid"


# -- init -------------------------------------------------------------------------------


def test_init_writes_every_bundled_default_into_the_user_dir(user_dir: Path) -> None:
    report = init_user_config()
    assert report == [(user_dir / name, WRITTEN) for name in CONFIG_FILES]
    for name in CONFIG_FILES:
        assert (user_dir / name).read_bytes() == bundled_path(name).read_bytes()
    assert sorted(os.listdir(user_dir)) == sorted(CONFIG_FILES)  # no temp files left
    # the copies are what the app now reads, and they are valid
    config = load_config()
    assert all(config.sources[name] == user_dir / name for name in CONFIG_FILES)


def test_init_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    mine = "# my own settings\nbenchmark: QQQ\n"
    (target / "settings.yaml").write_text(mine, encoding="utf-8")
    (target / "themes.yaml").write_text("not even valid: [", encoding="utf-8")

    report = dict(init_user_config(target))
    assert report[target / "settings.yaml"] == KEPT
    assert report[target / "themes.yaml"] == KEPT
    assert report[target / "factors.yaml"] == WRITTEN
    assert (target / "settings.yaml").read_text(encoding="utf-8") == mine
    assert (target / "themes.yaml").read_text(encoding="utf-8") == "not even valid: ["

    # running it again keeps everything, including what it wrote the first time
    written = (target / "factors.yaml").read_bytes()
    assert {status for _, status in init_user_config(target)} == {KEPT}
    assert (target / "factors.yaml").read_bytes() == written
    assert (target / "settings.yaml").read_text(encoding="utf-8") == mine


def test_init_creates_missing_parent_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "crowdwatch"
    assert {status for _, status in init_user_config(target)} == {WRITTEN}
    assert sorted(os.listdir(target)) == sorted(CONFIG_FILES)


def test_failed_write_leaves_no_temp_file_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(commands.os, "replace", refuse)
    target = tmp_path / "full-disk"
    with pytest.raises(ConfigError) as caught:
        init_user_config(target)
    assert caught.value.path == target / CONFIG_FILES[0]
    assert "cannot write" in str(caught.value)
    assert os.listdir(target) == []


def test_init_into_a_path_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot create the config folder"):
        init_user_config(blocker)


# -- validate ---------------------------------------------------------------------------


def test_validate_good_folder_summarises_each_file(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES, tmp_path / "cfg")
    ok, text = validate_config(folder)
    assert ok
    lines = text.splitlines()
    assert lines[0] == (
        f"themes.yaml ({folder / 'themes.yaml'}, --config): 2 themes, 6 tickers ... OK"
    )
    assert "factors.yaml" in lines[1] and "2 factors (momentum, low_vol) ... OK" in lines[1]
    assert "3 funds on 2 underlyings, AUMs as of 2026-06-01 ... OK" in lines[2]
    assert "benchmark QQQ, quantile 0.25" in lines[3] and lines[3].endswith("OK")
    assert lines[-1] == "All config files are valid."


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES, tmp_path / "cfg")
    (folder / "settings.yaml").write_text("quantile: 2\nweighting: capp\n", encoding="utf-8")
    ok, text = validate_config(folder)
    assert not ok
    assert f"settings.yaml ({folder / 'settings.yaml'}, --config): 2 problems" in text
    assert f"  {folder / 'settings.yaml'}:1: key 'quantile'" in text
    assert f"  {folder / 'settings.yaml'}:2: key 'weighting'" in text
    assert "did you mean 'cap'?" in text
    assert "themes.yaml" in text and "2 themes, 6 tickers ... OK" in text  # others still shown
    assert text.splitlines()[-1] == "2 problem(s) in 1 file."


def test_validate_missing_folder_is_not_ok(tmp_path: Path) -> None:
    ok, text = validate_config(tmp_path / "nope")
    assert not ok
    assert "does not exist" in text


def test_validate_labels_user_and_bundled_sources(user_dir: Path) -> None:
    user_dir.mkdir()
    shutil.copy(FIXTURES / "factors.yaml", user_dir / "factors.yaml")
    ok, text = validate_config(None)
    assert ok, text
    assert f"factors.yaml ({user_dir / 'factors.yaml'}, user)" in text
    assert f"settings.yaml ({bundled_path('settings.yaml')}, bundled default)" in text


# -- path -------------------------------------------------------------------------------


def test_describe_paths_shows_the_winner_per_file(tmp_path: Path, user_dir: Path) -> None:
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    shutil.copy(FIXTURES / "themes.yaml", config_dir / "themes.yaml")
    text = describe_paths(config_dir)
    assert f"--config folder:  {config_dir}" in text
    assert f"user config dir:  {user_dir} (set by $CROWDWATCH_CONFIG_DIR; not created" in text
    assert f"themes.yaml    {config_dir / 'themes.yaml'} (--config)" in text
    assert f"settings.yaml  {bundled_path('settings.yaml')} (bundled default)" in text

    init_user_config()
    text = describe_paths(None)
    assert "--config folder:" not in text
    assert f"{user_dir} (set by $CROWDWATCH_CONFIG_DIR; exists)" in text
    assert f"themes.yaml    {user_dir / 'themes.yaml'} (user)" in text


def test_describe_paths_rejects_a_missing_config_dir(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        describe_paths(tmp_path / "nope")
