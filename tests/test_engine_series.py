"""User series through the Engine and the CLI: watched each refresh, --series, --as-of, template."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from crowdwatch.config.loader import load_config
from crowdwatch.feeds.files import FilesFeed
from crowdwatch.feeds.user_series import SeriesWatch, read_series
from crowdwatch.session.engine import Engine
from crowdwatch.tui.cli import main

from .test_cli import small_market
from .test_engine import write_quotes

SETTINGS = "series:\n  gamma: {label: Dealer gamma, unit: usd, role: dealer_gamma}\n"


def write_series(path: Path, rows: list[tuple[str, str, float]]) -> None:
    text = "date,name,value\n" + "".join(f"{d},{n},{v}\n" for d, n, v in rows)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text)
    os.replace(temp, path)


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, pl.DataFrame]:
    history = small_market(days=300)
    data = tmp_path / "data"
    data.mkdir()
    history.write_parquet(data / "prices.parquet")
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "settings.yaml").write_text(SETTINGS)
    return tmp_path, history


def test_a_new_observation_shows_within_one_refresh(folder) -> None:
    root, history = folder
    data, config = root / "data", load_config(root / "cfg")
    last = history.get_column("date").max()
    write_series(data / "series.csv", [(str(last - timedelta(days=1)), "gamma", 5e9)])
    write_quotes(data, history, 1.01, "2030-01-02T15:00:00")
    engine = Engine(FilesFeed(data, config), config)
    first = engine.start()
    assert first.mode == "live" and first.user_series["gamma"].value == 5e9
    letf = first.internals.letf_gamma_usd_per_pct
    assert first.net_gamma_usd_per_pct == pytest.approx(5e9 - letf)
    assert first.user_series["gamma"].stale is True  # dated years before the 2030 session
    write_series(
        data / "series.csv",
        [(str(last - timedelta(days=1)), "gamma", 5e9), ("2030-01-02", "gamma", 2e9)],
    )
    second = engine.tick()
    assert second.user_series["gamma"].value == 2e9
    assert second.user_series["gamma"].change == -3e9
    assert second.net_gamma_usd_per_pct == pytest.approx(2e9 - letf)


def test_close_mode_picks_up_a_rewrite_and_a_corrupt_file_only_warns(folder) -> None:
    root, history = folder
    data, config = root / "data", load_config(root / "cfg")
    last = history.get_column("date").max()
    write_series(data / "series.csv", [(str(last), "gamma", 1e9)])
    engine = Engine(FilesFeed(data, config), config)
    assert engine.start().mode == "close"
    write_series(data / "series.csv", [(str(last), "gamma", 3e9), (str(last), "x", 1.0)])
    refreshed = engine.tick()
    assert refreshed.user_series["gamma"].value == 3e9 and "x" in refreshed.user_series
    (data / "series.csv").write_bytes(b"")
    kept = engine.tick()  # no FeedError: the quotes are fine, the screen is not STALE
    assert kept.user_series["gamma"].value == 3e9
    assert "series.csv: empty file; keeping the last good series, retrying" in engine.warnings()


def test_as_of_leaves_out_later_observations(folder) -> None:
    root, history = folder
    data, config = root / "data", load_config(root / "cfg")
    days = sorted(history.get_column("date").unique().to_list())
    as_of = days[-10]
    write_series(
        data / "series.csv",
        [
            (str(as_of - timedelta(days=8)), "gamma", 1e9),
            (str(as_of + timedelta(days=1)), "gamma", 9e9),
            (str(as_of + timedelta(days=2)), "later", 1.0),
        ],  # fmt: skip
    )
    snapshot = Engine(FilesFeed(data, config), config, as_of=as_of).start()
    gamma = snapshot.user_series["gamma"]
    assert (gamma.value, gamma.date, gamma.stale) == (1e9, as_of - timedelta(days=8), True)
    assert snapshot.user_series["later"].value is None
    assert snapshot.user_series["later"].stale is None


def test_series_option_with_the_demo_replaces_its_series(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mine.csv"
    write_series(path, [("2026-02-03", "retail_flow", -1.5e8), ("bad", "retail_flow", 1.0)])
    assert main(["report", "--json", "--series", str(path)]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert list(doc["series"]) == ["retail_flow"]
    assert doc["series"]["retail_flow"]["value"] == -1.5e8
    assert doc["net_gamma_usd_per_pct"] is None
    assert "warning: mine.csv: dropped 1 row (1 bad date)" in captured.err


def test_a_missing_series_path_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["report", "--series", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err


def test_every_command_takes_the_series_option(tmp_path: Path) -> None:
    from crowdwatch.tui.cli import build_parser

    path = str(tmp_path / "s.csv")
    for argv in (["--series", path], ["report", "--series", path],
                 ["export", "out.csv", "--series", path], ["config", "--series", path, "path"],
                 ["series", "--series", path, "template"]):  # fmt: skip
        assert build_parser().parse_args(argv).series == Path(path)


def test_series_template_writes_a_clean_file_and_never_overwrites(tmp_path: Path, capsys):
    path = tmp_path / "series.csv"
    assert main(["series", "template", str(path)]) == 0
    assert "role: dealer_gamma" in capsys.readouterr().out
    frame, drops = read_series(path)
    assert drops is None and set(frame["name"]) == {"prime_net_exposure", "dealer_gamma"}
    before = path.read_bytes()
    path.write_text("mine\n")
    assert main(["series", "template", str(path)]) == 2
    assert "exists and was kept; pass --force" in capsys.readouterr().err
    assert path.read_text() == "mine\n"
    assert main(["series", "template", str(path), "--force"]) == 0
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["series.csv"]  # no temp file left


def test_the_files_folder_without_a_series_file_has_none(folder) -> None:
    root, _history = folder
    config = load_config(root / "cfg")
    engine = Engine(FilesFeed(root / "data", config), config)
    assert isinstance(engine.series, SeriesWatch)
    snapshot = engine.start()
    assert snapshot.user_series == {} and snapshot.net_gamma_usd_per_pct is None
    assert engine.warnings() == [w for w in engine.warnings() if "series" not in w]
