"""The Yahoo history cache: atomic Parquet round trip and the incremental merge."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.feeds.cache import (
    CACHE_SCHEMA,
    HistoryCache,
    default_cache_dir,
    merge_history,
    write_parquet_atomically,
)


def frame(rows: list[tuple[date, str, float]]) -> pl.DataFrame:
    return pl.DataFrame([(d, t, c, 1.0) for d, t, c in rows], schema=CACHE_SCHEMA, orient="row")


D1, D2, D3 = date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 4)


def test_round_trip(tmp_path: Path) -> None:
    cache = HistoryCache(tmp_path / "yahoo")
    assert cache.load() is None and cache.problem is None
    data = frame([(D2, "B", 2.0), (D1, "A", 1.0), (D1, "B", 1.5)])
    cache.save(data)
    assert_frame_equal(cache.load(), data.sort("ticker", "date"))
    # no temp files are left next to the cache
    assert [p.name for p in (tmp_path / "yahoo").iterdir()] == ["history.parquet"]


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history.parquet"
    good = frame([(D1, "A", 1.0)])
    write_parquet_atomically(good, path)

    def broken(self: pl.DataFrame, target: object) -> None:
        Path(str(target)).write_bytes(b"half a fi")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        write_parquet_atomically(frame([(D2, "A", 2.0)]), path)
    monkeypatch.undo()
    assert_frame_equal(pl.read_parquet(path), good)
    assert [p.name for p in tmp_path.iterdir()] == ["history.parquet"]


def test_unreadable_or_foreign_cache_is_reported(tmp_path: Path) -> None:
    cache = HistoryCache(tmp_path)
    cache.path.write_bytes(b"junk")
    assert cache.load() is None
    assert cache.problem is not None and "unreadable" in cache.problem
    pl.DataFrame({"date": [D1], "ticker": ["A"]}).write_parquet(cache.path)
    assert cache.load() is None
    assert "missing column 'close'" in (cache.problem or "")


def test_merge_appends_and_fresh_wins_on_overlap() -> None:
    cached = frame([(D1, "A", 10.0), (D2, "A", 11.0), (D1, "B", 5.0)])
    fresh = frame([(D2, "A", 11.0), (D3, "A", 12.0), (D1, "C", 7.0)])
    merged = merge_history(cached, fresh)
    assert merged.rows() == [
        (D1, "A", 10.0, 1.0),
        (D2, "A", 11.0, 1.0),
        (D3, "A", 12.0, 1.0),
        (D1, "B", 5.0, 1.0),
        (D1, "C", 7.0, 1.0),
    ]


def test_merge_rescales_a_readjusted_ticker() -> None:
    cached = frame([(D1, "A", 10.0), (D2, "A", 12.0), (D1, "B", 5.0), (D2, "B", 6.0)])
    # A split 2-for-1 after D2: Yahoo now says D2 closed at 6
    fresh = frame([(D2, "A", 6.0), (D3, "A", 6.6), (D2, "B", 6.0), (D3, "B", 6.1)])
    merged = merge_history(cached, fresh)
    assert merged.filter(pl.col("ticker") == "A")["close"].to_list() == [5.0, 6.0, 6.6]
    assert merged.filter(pl.col("ticker") == "B")["close"].to_list() == [5.0, 6.0, 6.1]


def test_merge_without_cache() -> None:
    fresh = frame([(D2, "A", 2.0), (D1, "A", 1.0)])
    assert merge_history(None, fresh)["date"].to_list() == [D1, D2]


def test_default_cache_dir_is_under_platformdirs() -> None:
    import platformdirs

    assert default_cache_dir() == Path(platformdirs.user_cache_dir("crowdwatch")) / "yahoo"
