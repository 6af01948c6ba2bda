"""Config hot reload in the Engine: a good edit applies at the next tick from the kept
history (no re-read, no replay restart); a bad one keeps the last good config and says why."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from crowdwatch.analytics.report import to_json
from crowdwatch.config.loader import load_config
from crowdwatch.feeds.files import FilesFeed
from crowdwatch.session import engine as engine_module
from crowdwatch.session.engine import Engine

from .test_cli import small_market
from .test_engine import write_quotes

THEMES = "# my themes\nthemes:\n  - name: Alpha\n    tickers: [S01, S02, S03]\n"


def edit(path: Path, text: str) -> None:
    """Write and move the modification time on, as a later save would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


@pytest.fixture
def live_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data, cfg = tmp_path / "data", tmp_path / "cfg"
    data.mkdir()
    cfg.mkdir()
    history = small_market(days=300)
    history.write_parquet(data / "prices.parquet")
    write_quotes(data, history, 1.01, "2030-01-02T15:00:00")
    edit(cfg / "themes.yaml", THEMES)
    config = load_config(cfg)
    feed = FilesFeed(data, config)
    calls = {"prepare": 0, "history": 0}
    real_prepare, real_history = engine_module.prepare, feed.history

    def counting_prepare(*args, **kw):
        calls["prepare"] += 1
        return real_prepare(*args, **kw)

    def counting_history():
        calls["history"] += 1
        return real_history()

    monkeypatch.setattr(engine_module, "prepare", counting_prepare)
    monkeypatch.setattr(feed, "history", counting_history)
    engine = Engine(feed, config, config_dir=cfg, watch_config=True)
    engine.start()
    return engine, cfg, data, calls


def without_source(snapshot) -> dict:
    out = to_json(snapshot)
    out.pop("generated_at", None)
    return out


def test_a_theme_edit_applies_at_the_next_tick_from_the_kept_history(live_engine) -> None:
    engine, cfg, data, calls = live_engine
    assert set(engine.tick().themes) == {"Alpha"}
    edit(cfg / "themes.yaml", THEMES + "  - name: Beta\n    tickers: [S04, S05]\n")
    snapshot = engine.tick()
    assert set(snapshot.themes) == {"Alpha", "Beta"}
    assert calls == {"prepare": 2, "history": 1}  # re-prepared, never re-read
    assert engine.errors() == []
    # the same numbers as a fresh engine started with the edited config
    fresh = Engine(FilesFeed(data, load_config(cfg)), load_config(cfg))
    assert without_source(snapshot) == without_source(fresh.start())


def test_a_live_only_setting_needs_no_prepare(live_engine) -> None:
    engine, cfg, _, calls = live_engine
    edit(cfg / "settings.yaml", "alerts: {sigma: 1.5}\nrefresh_seconds: 7\n")
    snapshot = engine.tick()
    assert snapshot.alert_sigma == 1.5 and engine.refresh_seconds == 7
    assert calls["prepare"] == 1
    edit(cfg / "settings.yaml", "alerts: {sigma: 1.5}\nrefresh_seconds: 7\nquantile: 0.3\n")
    engine.tick()
    assert calls["prepare"] == 2  # the basket fraction is read by prepare


def test_a_bad_edit_keeps_the_last_good_config_until_fixed(live_engine) -> None:
    engine, cfg, _, calls = live_engine
    good = engine.tick()
    edit(cfg / "themes.yaml", THEMES + "  - name: Beta\n    tickrs: [S04]\n")
    kept = engine.tick()
    assert set(kept.themes) == {"Alpha"} and kept.themes["Alpha"] == good.themes["Alpha"]
    (error,) = engine.errors()
    assert error.startswith("themes.yaml:6: key 'tickrs'") and str(cfg / "themes.yaml") in error
    assert "did you mean 'tickers'" in error and "last good config kept" in error
    assert engine.tick() is not None and engine.errors() == [error]  # still there
    edit(cfg / "themes.yaml", THEMES + "  - name: Beta\n    tickers: [S04]\n")
    assert set(engine.tick().themes) == {"Alpha", "Beta"}
    assert engine.errors() == []
    assert calls["history"] == 1


def test_a_benchmark_missing_from_the_data_is_a_bad_edit(live_engine) -> None:
    engine, cfg, _, calls = live_engine
    edit(cfg / "settings.yaml", "benchmark: SPX\n")
    snapshot = engine.tick()
    assert snapshot.benchmark == "SPY"
    assert "settings.yaml:1" in engine.errors()[0] and "benchmark" in engine.errors()[0]


def test_a_new_user_file_counts_as_an_edit(live_engine, user_dir: Path) -> None:
    engine, _, _, _ = live_engine
    user_dir.mkdir(parents=True, exist_ok=True)
    (user_dir / "settings.yaml").write_text("alerts: {sigma: 2.5}\n", encoding="utf-8")
    assert engine.tick().alert_sigma == 2.5


def test_close_mode_and_as_of_answer_with_the_new_config(tmp_path: Path) -> None:
    data, cfg = tmp_path / "data", tmp_path / "cfg"
    data.mkdir()
    cfg.mkdir()
    history = small_market(days=300)
    history.write_parquet(data / "prices.parquet")
    edit(cfg / "themes.yaml", THEMES)
    day = sorted(history.get_column("date").unique().to_list())[-5]
    for as_of in (None, day):
        engine = Engine(FilesFeed(data, load_config(cfg)), load_config(cfg), as_of=as_of,
                        config_dir=cfg, watch_config=True)  # fmt: skip
        assert engine.start().mode == "close" and engine.watches_config
        edit(cfg / "themes.yaml", THEMES + "  - name: Beta\n    tickers: [S04, S05]\n")
        snapshot = engine.tick()
        assert set(snapshot.themes) == {"Alpha", "Beta"}
        assert snapshot.as_of == (as_of or history.get_column("date").max())
        edit(cfg / "themes.yaml", THEMES)


def test_without_watching_nothing_is_kept_or_checked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    small_market(days=300).write_parquet(data / "prices.parquet")
    engine = Engine(FilesFeed(data, load_config()), load_config())
    engine.start()
    assert engine._frames is None and not engine.watches_config
    assert isinstance(engine.tick().series, pl.DataFrame)


def test_an_alerts_edit_needs_no_prepare(live_engine) -> None:
    engine, cfg, _, calls = live_engine
    edit(
        cfg / "alerts.yaml",
        "rules:\n  - {name: any move, series: themes.Alpha, field: ret, op: '>', value: -1.0}\n",
    )
    snapshot = engine.tick()
    assert engine.errors() == [], engine.errors()
    assert calls["prepare"] == 1
    assert len(engine.config.alerts.rules) == 1
    assert snapshot.alerts is not None
