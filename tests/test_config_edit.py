"""Edits written back to the user's YAML: atomic, comments kept, bundled defaults untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdwatch.config.edit import add_ticker, remove_ticker, set_setting, writable_file
from crowdwatch.config.errors import ConfigError
from crowdwatch.config.loader import bundled_path, load_config, resolve_paths


def themes_of(config_dir: Path | None = None) -> dict[str, tuple[str, ...]]:
    return {t.name: t.tickers for t in load_config(config_dir).themes}


def test_first_edit_copies_the_bundled_themes_to_the_user_folder(user_dir: Path) -> None:
    bundled = bundled_path("themes.yaml")
    before = bundled.read_bytes()
    target = writable_file("themes.yaml", resolve_paths()["themes.yaml"])
    assert target == user_dir / "themes.yaml"
    add_ticker(target, "Memory", "sndk")
    assert bundled.read_bytes() == before
    assert themes_of()["Memory"][-1] == "SNDK"  # the user file now wins
    original = before.decode().splitlines()
    edited = target.read_text(encoding="utf-8").splitlines()
    # every line but the Memory tickers line is kept byte for byte: comments included
    changed = [line for line in original if line not in edited]
    assert len(changed) == 1 and changed[0].strip().startswith("tickers: [MU,")
    assert sum(line.lstrip().startswith("#") for line in edited) == sum(
        line.lstrip().startswith("#") for line in original
    )
    assert len(edited) == len(original)


def test_a_file_in_use_outside_the_bundle_is_edited_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    folder.mkdir()
    path = folder / "themes.yaml"
    path.write_text(
        "# my themes\nthemes:\n- name: Mine   # keep this\n  tickers:\n  - AAA  # first\n  - BBB\n",
        encoding="utf-8",
    )
    assert writable_file("themes.yaml", path) == path
    add_ticker(path, "Mine", "CCC")
    text = path.read_text(encoding="utf-8")
    assert "# my themes" in text and "# keep this" in text and "# first" in text
    assert themes_of(folder)["Mine"] == ("AAA", "BBB", "CCC")
    remove_ticker(path, "Mine", "bbb")
    assert themes_of(folder)["Mine"] == ("AAA", "CCC")
    assert "# first" in path.read_text(encoding="utf-8")


def test_removing_a_weighted_ticker_drops_its_weight(user_dir: Path) -> None:
    target = writable_file("themes.yaml", bundled_path("themes.yaml"))
    remove_ticker(target, "AI beneficiaries", "NVDA")
    theme = next(t for t in load_config().themes if t.name == "AI beneficiaries")
    assert "NVDA" not in theme.tickers and theme.weights == {"AVGO": 1.5}
    remove_ticker(target, "Memory", "MU")  # its only weight: the weights key goes
    assert "weights: {MU" not in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("action", "ticker", "says"),
    [
        (add_ticker, "NVDA", "already in theme"),
        (add_ticker, "BRK B", "not a ticker symbol"),
        (remove_ticker, "ZZZZ", "not in theme"),
    ],
)
def test_refused_edits_leave_the_file_as_it_was(user_dir, action, ticker, says) -> None:
    target = writable_file("themes.yaml", bundled_path("themes.yaml"))
    before = target.read_bytes()
    with pytest.raises(ConfigError, match=says) as caught:
        action(target, "AI beneficiaries", ticker)
    assert caught.value.path == target
    assert target.read_bytes() == before
    assert not [p for p in user_dir.iterdir() if p.name.endswith(".tmp")]


def test_the_last_ticker_of_a_theme_cannot_be_removed(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  - name: Solo\n    tickers: [AAA]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="last ticker"):
        remove_ticker(path, "Solo", "AAA")
    assert path.read_text(encoding="utf-8") == "themes:\n  - name: Solo\n    tickers: [AAA]\n"


def test_colour_scheme_is_a_validated_setting(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("benchmark: SPY   # the index\ncolour_scheme: nrod\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    problem = caught.value.problems[0]
    assert (problem.path, problem.line, problem.key) == (path, 2, "colour_scheme")
    assert "did you mean 'nord'" in problem.message


def test_set_setting_keeps_comments_and_refuses_a_bad_value(user_dir: Path) -> None:
    target = writable_file("settings.yaml", bundled_path("settings.yaml"))
    set_setting(target, "colour_scheme", "nord")
    assert load_config().settings.colour_scheme == "nord"
    text = target.read_text(encoding="utf-8")
    assert "colour_scheme: nord" in text and "# the index every" in text
    assert text.count("\n") == bundled_path("settings.yaml").read_text().count("\n")
    before = target.read_bytes()
    with pytest.raises(ConfigError, match="colour_scheme"):
        set_setting(target, "colour_scheme", "purple")
    assert target.read_bytes() == before


def test_set_setting_in_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    set_setting(path, "colour_scheme", "gruvbox")
    assert load_config(tmp_path).settings.colour_scheme == "gruvbox"
