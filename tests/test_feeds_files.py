"""FilesFeed: prices validation, the watched quotes file, corrupt files and recovery."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import HISTORY_SCHEMA, QUOTES_SCHEMA, Feed, FeedError
from crowdwatch.feeds.files import FilesFeed

FIXTURES = Path(__file__).parent / "fixtures" / "files"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("prices.csv", "quotes.csv", "universe.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def replace_atomically(path: Path, frame: pl.DataFrame) -> None:
    """What the docstring asks producers to do: write a temp file, then rename it."""
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".parquet":
        frame.write_parquet(tmp)
    else:
        frame.write_csv(tmp)
    os.replace(tmp, path)


def quotes_frame(last: float, ts: str) -> pl.DataFrame:
    return pl.DataFrame({"ticker": ["AAPL", "SPY"], "last": [last, 600.0], "ts": [ts, ts]})


def test_is_a_feed(folder: Path) -> None:
    feed = FilesFeed(folder, Config())
    assert isinstance(feed, Feed)
    assert feed.name == "files" and feed.simulated is False


def test_csv_history_drops_bad_rows_with_exact_counts(folder: Path) -> None:
    feed = FilesFeed(folder, Config())
    history = feed.history()
    assert {k: history.schema[k] for k in HISTORY_SCHEMA} == HISTORY_SCHEMA
    assert history.columns == ["date", "ticker", "close", "volume"]
    assert history.height == 8
    assert history.select("ticker", "date").rows() == sorted(
        history.select("ticker", "date").rows()
    )
    msft = history.filter(pl.col("ticker") == "MSFT")
    # the duplicate keeps the last row of the file
    assert msft["close"].to_list() == [400.0, 406.0]
    assert feed.warnings() == [
        "prices.csv: dropped 3 rows (2 non-positive close, 1 duplicate date/ticker)"
    ]


def test_missing_and_unparseable_values_are_counted(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text(
        "date,ticker,close\n"
        "2026-02-02,AAPL,100\n"
        "not-a-date,AAPL,101\n"
        "2026-02-03,,101\n"
        "2026-02-04,AAPL,\n"
        "2026-02-05,AAPL,abc\n"
        "2026-02-06,AAPL,NaN\n"
    )
    feed = FilesFeed(tmp_path, Config())
    assert feed.history()["close"].to_list() == [100.0]
    assert feed.warnings() == [
        "prices.csv: dropped 5 rows (1 missing or invalid date, 1 missing ticker, 3 missing close)"
    ]


def test_parquet_history_matches_csv(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    parquet_dir = tmp_path_factory.mktemp("pq")
    from_csv = FilesFeed(folder, Config()).history()
    raw = pl.read_csv(FIXTURES / "prices.csv", try_parse_dates=True)
    raw.write_parquet(parquet_dir / "prices.parquet")
    feed = FilesFeed(parquet_dir, Config())
    assert_frame_equal(feed.history(), from_csv)
    assert feed.warnings() == [
        "prices.parquet: dropped 3 rows (2 non-positive close, 1 duplicate date/ticker)"
    ]


def test_parquet_is_preferred_over_csv(folder: Path) -> None:
    pl.DataFrame({"date": [date(2026, 1, 2)], "ticker": ["ZZZ"], "close": [1.0]}).write_parquet(
        folder / "prices.parquet"
    )
    assert FilesFeed(folder, Config()).history()["ticker"].to_list() == ["ZZZ"]


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("date,ticker,price\n2026-02-02,AAPL,1\n")
    with pytest.raises(
        FeedError, match=r"prices\.csv: missing column 'close'.*date, ticker, close"
    ):
        FilesFeed(tmp_path, Config()).history()


def test_missing_folder_and_missing_prices_are_feed_errors(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="no such folder"):
        FilesFeed(tmp_path / "nope", Config())
    with pytest.raises(FeedError, match=r"no prices\.parquet or prices\.csv"):
        FilesFeed(tmp_path, Config()).history()


def test_all_rows_bad_is_a_feed_error(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("date,ticker,close\n2026-02-02,AAPL,-1\n")
    with pytest.raises(FeedError, match=r"prices\.csv: no valid rows.*1 non-positive close"):
        FilesFeed(tmp_path, Config()).history()


def test_garbage_prices_file_is_a_feed_error(tmp_path: Path) -> None:
    (tmp_path / "prices.parquet").write_bytes(b"\x00\x01garbage")
    with pytest.raises(FeedError, match=r"prices\.parquet: unreadable"):
        FilesFeed(tmp_path, Config()).history()


def test_universe(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    universe = FilesFeed(folder, Config()).universe()
    assert universe is not None
    assert universe.columns == ["ticker", "name", "sector", "market_cap"]
    assert universe["ticker"].to_list() == ["AAPL", "MSFT"]
    assert universe["market_cap"].to_list() == [3.5e12, 3.1e12]
    bare = tmp_path_factory.mktemp("bare")
    shutil.copy(folder / "prices.csv", bare / "prices.csv")
    assert FilesFeed(bare, Config()).universe() is None
    (bare / "universe.csv").write_text("ticker\nAAPL\n")
    only = FilesFeed(bare, Config()).universe()
    assert only is not None and only["sector"].to_list() == [None]


def test_quotes_csv(folder: Path) -> None:
    feed = FilesFeed(folder, Config())
    quotes = feed.quotes()
    assert quotes is not None
    assert quotes.schema == pl.Schema(QUOTES_SCHEMA)
    assert quotes["ticker"].to_list() == ["AAPL", "MSFT", "SPY"]
    # the -05:00 offset is converted to UTC
    assert quotes["ts"].to_list() == [datetime(2026, 2, 5, 15, 30, tzinfo=UTC)] * 3
    assert_frame_equal(feed.closing_quotes(), quotes)
    assert feed.warnings() == []  # history() not called; the quotes file is clean


def test_no_quotes_file_means_none(folder: Path) -> None:
    (folder / "quotes.csv").unlink()
    feed = FilesFeed(folder, Config())
    assert feed.quotes() is None
    assert feed.closing_quotes() is None
    assert feed.warnings() == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_rewrite_via_temp_and_rename_is_picked_up(folder: Path, suffix: str) -> None:
    (folder / "quotes.csv").unlink()
    path = folder / f"quotes{suffix}"
    replace_atomically(path, quotes_frame(103.0, "2026-02-05T15:30:00Z"))
    feed = FilesFeed(folder, Config())
    first = feed.quotes()
    assert first is not None and first["last"].to_list() == [103.0, 600.0]
    replace_atomically(path, quotes_frame(104.0, "2026-02-05T15:30:02Z"))
    second = feed.quotes()
    assert second is not None
    assert second["last"].to_list() == [104.0, 600.0]
    assert second["ts"].max() == datetime(2026, 2, 5, 15, 30, 2, tzinfo=UTC)


def test_unchanged_file_is_not_reread(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = FilesFeed(folder, Config())
    assert feed.quotes() is not None
    import crowdwatch.feeds.files as files_module

    def boom(path: Path) -> pl.DataFrame:
        raise AssertionError("re-read an unchanged file")

    monkeypatch.setattr(files_module, "read_table", boom)
    assert feed.quotes() is not None


CORRUPTIONS = {
    "garbage bytes": (".parquet", b"\x89PNG\x00\xff garbage", "unreadable"),
    "truncated parquet": (".parquet", None, "unreadable"),
    "empty file": (".csv", b"", "empty file"),
    "missing column": (".csv", b"ticker,ts\nAAPL,2026-02-05T15:31:00Z\n", "missing column 'last'"),
    "header only": (".csv", b"ticker,last,ts\n", "no rows"),
    "all rows bad": (
        ".csv",
        b"ticker,last,ts\nAAPL,-3,2026-02-05T15:31:00Z\n",
        "no valid rows (1 non-positive last)",
    ),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_quotes_keep_last_good_then_recover(folder: Path, case: str) -> None:
    suffix, payload, problem = CORRUPTIONS[case]
    (folder / "quotes.csv").unlink()
    path = folder / f"quotes{suffix}"
    replace_atomically(path, quotes_frame(103.0, "2026-02-05T15:30:00Z"))
    feed = FilesFeed(folder, Config())
    good = feed.quotes()
    assert good is not None and feed.last_error is None
    if payload is None:  # a Parquet file cut in half, as a non-atomic writer leaves it
        payload = path.read_bytes()[: path.stat().st_size // 2]
    tmp = path.with_name("bad.tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)

    kept = feed.quotes()
    assert kept is not None
    assert_frame_equal(kept, good)
    quote_warnings = [w for w in feed.warnings() if w.startswith(path.name)]
    assert len(quote_warnings) == 1
    assert problem in quote_warnings[0]
    assert "keeping the last good quotes" in quote_warnings[0]
    assert feed.last_error == quote_warnings[0]
    # still bad on the next refresh: retried, still the last good quotes
    assert_frame_equal(feed.quotes(), good)

    replace_atomically(path, quotes_frame(105.0, "2026-02-05T15:30:04Z"))
    recovered = feed.quotes()
    assert recovered is not None and recovered["last"].to_list() == [105.0, 600.0]
    assert not [w for w in feed.warnings() if w.startswith(path.name)]
    assert feed.last_error is None


def test_corrupt_quotes_before_any_good_ones(folder: Path) -> None:
    (folder / "quotes.csv").write_bytes(b"")
    feed = FilesFeed(folder, Config())
    assert feed.quotes() is None
    assert feed.warnings()[-1] == "quotes.csv: empty file; no quotes yet, retrying"


def test_partial_quotes_rows_are_dropped_and_reported(folder: Path) -> None:
    # a CSV cut mid-row: the last line has no ts
    (folder / "quotes.csv").write_text("ticker,last,ts\nAAPL,103,2026-02-05T15:30:00Z\nMSFT,40")
    feed = FilesFeed(folder, Config())
    quotes = feed.quotes()
    assert quotes is not None and quotes["ticker"].to_list() == ["AAPL"]
    assert "quotes.csv: dropped 1 row (1 missing or invalid ts)" in feed.warnings()


def test_vanished_quotes_file_keeps_last_good(folder: Path) -> None:
    feed = FilesFeed(folder, Config())
    good = feed.quotes()
    (folder / "quotes.csv").unlink()
    assert_frame_equal(feed.quotes(), good)
    assert feed.warnings()[-1] == "quotes.csv: file is gone; keeping the last good quotes, retrying"
