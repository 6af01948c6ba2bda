"""The Engine between a feed and the app: live vs close, as-of, and source problems."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from crowdwatch.config.loader import load_config
from crowdwatch.feeds.base import FeedError
from crowdwatch.feeds.files import FilesFeed
from crowdwatch.session.engine import Engine

from .test_cli import small_market


def write_quotes(folder: Path, history: pl.DataFrame, scale: float, ts: str) -> None:
    last_day = history.get_column("date").max()
    quotes = history.filter(pl.col("date") == last_day).select(
        "ticker",
        last=pl.col("close") * scale,
        ts=pl.lit(ts).str.to_datetime(time_zone="UTC"),
    )
    temp = folder / "quotes.parquet.tmp"
    quotes.write_parquet(temp)
    os.replace(temp, folder / "quotes.parquet")


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, pl.DataFrame]:
    history = small_market(days=300)
    history.write_parquet(tmp_path / "prices.parquet")
    return tmp_path, history


def test_quotes_newer_than_history_are_live_and_follow_rewrites(folder) -> None:
    path, history = folder
    next_day = history.get_column("date").max()  # a Friday or weekday; quotes are for later
    write_quotes(path, history, 1.0, f"{next_day.isoformat()}T23:00:00")  # 18:00 NY, same day
    engine = Engine(FilesFeed(path, load_config()), load_config())
    first = engine.start()
    assert first.mode == "close"  # quotes of the last history day add nothing
    write_quotes(path, history, 1.02, "2030-01-02T15:00:00")
    snapshot = engine.tick()
    assert snapshot.mode == "live" and snapshot.as_of.isoformat() == "2030-01-02"
    # every close is 2% higher: every eligible return is +2%
    assert snapshot.internals.index_ret == pytest.approx(0.02)
    write_quotes(path, history, 0.99, "2030-01-02T15:01:00")
    again = engine.tick()
    assert again.internals.index_ret == pytest.approx(-0.01)
    assert again.quotes_ts.minute == 1


def test_a_corrupt_quotes_file_keeps_the_last_snapshot_and_raises_for_the_status(folder):
    path, history = folder
    write_quotes(path, history, 1.01, "2030-01-02T15:00:00")
    engine = Engine(FilesFeed(path, load_config()), load_config())
    good = engine.start()
    assert good.mode == "live"
    (path / "quotes.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(FeedError, match="quotes.parquet"):
        engine.tick()
    # the last good quotes are kept: the numbers on screen do not change
    assert engine._last.internals.index_ret == pytest.approx(0.01)
    write_quotes(path, history, 1.03, "2030-01-02T15:05:00")
    recovered = engine.tick()
    assert recovered.internals.index_ret == pytest.approx(0.03)


def test_as_of_is_static(folder) -> None:
    path, history = folder
    day = sorted(history.get_column("date").unique().to_list())[-10]
    engine = Engine(FilesFeed(path, load_config()), load_config(), as_of=day)
    snapshot = engine.start()
    assert engine.static and snapshot.as_of == day and snapshot.mode == "close"
    assert engine.tick() is snapshot


def test_a_quote_from_an_earlier_session_is_not_a_price_today(folder) -> None:
    from crowdwatch.analytics.model import live, prepare

    path, history = folder
    model = prepare(history, load_config())
    last_day = history.get_column("date").max()
    quotes = history.filter(pl.col("date") == last_day).select(
        "ticker",
        # S03's stale print is +100%: counted, it would beat the index
        last=pl.when(pl.col("ticker") == "S03")
        .then(pl.col("close") * 2)
        .otherwise(pl.col("close") * 1.01),
        ts=pl.when(pl.col("ticker") == "S03")
        .then(pl.lit("2030-01-01T20:00:00"))  # yesterday's print for a halted name
        .otherwise(pl.lit("2030-01-02T15:00:00"))
        .str.to_datetime(time_zone="UTC"),
    )
    snapshot = live(model, quotes)
    members = snapshot.baskets["momentum_pair"].members + snapshot.factors["beta"].members
    assert "S03" not in members
    assert snapshot.universe_size == 30  # S03 is still a member of the universe
    # the 29 names quoted today are all +1%, like the index: none beats it
    assert snapshot.internals.breadth == 0.0


def test_a_new_session_rereads_the_history_and_a_gap_is_warned(folder) -> None:
    path, history = folder
    last_day = history.get_column("date").max()
    days = pl.date_range(last_day, last_day + timedelta(days=10), eager=True)
    weekdays = [d for d in days.to_list() if d.weekday() < 5 and d > last_day]
    first, second = weekdays[0], weekdays[1]
    write_quotes(path, history, 1.01, f"{first.isoformat()}T15:00:00")
    engine = Engine(FilesFeed(path, load_config()), load_config())
    assert engine.start().as_of == first
    assert not any("span" in w for w in engine.warnings())  # the next session: no gap
    # overnight the pipeline appends `first` to prices; quotes move to the next session
    appended = history.filter(pl.col("date") == last_day).with_columns(
        pl.lit(first).alias("date"), pl.col("close") * 1.01
    )
    pl.concat([history, appended]).write_parquet(path / "prices.parquet")
    write_quotes(path, history, 1.01 * 1.02, f"{second.isoformat()}T15:00:00")
    snapshot = engine.tick()
    assert snapshot.as_of == second
    assert snapshot.internals.index_ret == pytest.approx(0.02)  # vs the new close, not 2 days
    # quotes far past the last close: returns would span sessions, and the user is told
    write_quotes(path, history, 1.0, "2030-01-02T15:00:00")
    gapped = Engine(FilesFeed(path, load_config()), load_config())
    gapped.start()
    assert any("span" in w and "update the prices" in w for w in gapped.warnings())


def test_a_stray_weekend_row_is_warned(folder) -> None:
    path, history = folder
    saturday = next(
        d for d in history.get_column("date").unique().sort().to_list()[-30:] if d.weekday() == 4
    ) + timedelta(days=1)
    stray = pl.DataFrame({"date": [saturday], "ticker": ["S01"], "close": [100.0]})
    pl.concat([history, stray]).write_parquet(path / "prices.parquet")
    engine = Engine(FilesFeed(path, load_config()), load_config())
    engine.start()
    assert any(saturday.isoformat() in w and "under half" in w for w in engine.warnings())


def test_the_universe_fallback_says_which_underlyings_it_leaves_out(folder) -> None:
    path, _ = folder
    engine = Engine(FilesFeed(path, load_config()), load_config())
    engine.start()
    (warning,) = [w for w in engine.warnings() if w.startswith("universe:")]
    assert "QQQ" in warning and "universe.csv" in warning
    pl.DataFrame({"ticker": ["S01", "S02"]}).write_csv(path / "universe.csv")
    with_file = Engine(FilesFeed(path, load_config()), load_config())
    with_file.start()
    assert not any(w.startswith("universe:") for w in with_file.warnings())
