"""Hostile data folders: uncastable column types, absurd values, quote clocks, slow writers."""

from __future__ import annotations

import os
import shutil
from datetime import date, time, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.config.schema import Config
from crowdwatch.feeds.base import FeedError
from crowdwatch.feeds.files import FilesFeed
from crowdwatch.feeds.frames import QuotesProblem, clean_history, clean_quotes, read_universe

FIXTURES = Path(__file__).parent / "fixtures" / "files"
PRICES = pl.DataFrame(
    {
        "date": [date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 2), date(2026, 2, 3)],
        "ticker": ["AAPL", "AAPL", "SPY", "SPY"],
        "close": [100.0, 101.0, 600.0, 601.0],
    }
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("prices.csv", "quotes.csv", "universe.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def rename_over(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text)
    os.replace(temp, path)


# -- column types are checked before any cast ------------------------------------------

BAD_TYPES = {
    "date as Time": ("date", pl.lit(time(9, 30)), "Time"),
    "date as Duration": ("date", pl.lit(timedelta(days=1)), "Duration"),
    "date as integer": ("date", pl.lit(20260202), "Int32"),
    "close as List": ("close", pl.concat_list("close"), "List(Float64)"),
    "close as Struct": ("close", pl.struct("close"), "Struct"),
    "close as Boolean": ("close", pl.col("close") > 0, "Boolean"),
    "ticker as Binary": ("ticker", pl.col("ticker").cast(pl.Binary), "Binary"),
    "volume as List": ("volume", pl.concat_list("close"), "List(Float64)"),
}


@pytest.mark.parametrize(("column", "expr", "type_name"), BAD_TYPES.values(), ids=BAD_TYPES)
def test_a_prices_column_of_the_wrong_type_names_file_column_and_type(
    tmp_path: Path, column: str, expr: pl.Expr, type_name: str
) -> None:
    PRICES.with_columns(expr.alias(column)).write_parquet(tmp_path / "prices.parquet")
    with pytest.raises(FeedError) as caught:
        FilesFeed(tmp_path, Config()).history()
    message = str(caught.value)
    assert message.startswith(f"prices.parquet: column '{column}' has type {type_name}")
    assert "it must hold" in message


def test_castable_types_are_still_read(tmp_path: Path) -> None:
    """Datetime dates, categorical and integer tickers, decimal and integer closes."""
    frame = pl.DataFrame(
        {
            "date": pl.Series([date(2026, 2, 2), date(2026, 2, 3)]).cast(pl.Datetime("ms")),
            "ticker": pl.Series(["7203", "7203"]).cast(pl.Categorical),
            "close": pl.Series([100, 101], dtype=pl.Int16),
            "market_cap": pl.Series(["1.5", "2.5"]).cast(pl.Decimal(10, 2)),
        }
    )
    history, warning = clean_history(frame, "prices.parquet")
    assert warning is None
    assert history["close"].to_list() == [100.0, 101.0]
    assert history["market_cap"].to_list() == [1.5, 2.5]
    numeric = frame.with_columns(pl.Series([7203, 7203]).alias("ticker"))
    assert clean_history(numeric, "prices.parquet")[0]["ticker"].to_list() == ["7203", "7203"]


def test_a_quotes_column_of_the_wrong_type_keeps_the_last_good_quotes(folder: Path) -> None:
    feed = FilesFeed(folder, Config())
    good = feed.quotes()
    assert good is not None
    bad = pl.DataFrame({"ticker": ["AAPL"], "last": [[1.0]], "ts": [time(9, 30)]})
    with pytest.raises(QuotesProblem, match="column 'last' has type List"):
        clean_quotes(bad, "quotes.parquet")
    bad.write_parquet(folder / "quotes.parquet")
    assert_frame_equal(feed.quotes(), good)
    assert "quotes.parquet: column 'last' has type List(Float64)" in feed.warnings()[-1]


def test_a_universe_column_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    path = tmp_path / "universe.parquet"  # read_universe reads any table; CSV holds no list
    pl.DataFrame({"ticker": ["A"], "sector": [[1, 2]]}).write_parquet(path)
    with pytest.raises(FeedError, match="universe.parquet: column 'sector' has type List"):
        read_universe(path)


# -- absurd values are dropped and counted ---------------------------------------------


def test_non_finite_and_absurd_closes_are_dropped_and_counted(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text(
        "date,ticker,close,market_cap\n"
        "2026-02-02,AAPL,100,inf\n"
        "2026-02-03,AAPL,inf,1\n"  # inf
        "2026-02-04,AAPL,1e300,1\n"  # absurd
        "2026-02-05,AAPL,1e-300,1\n"  # absurd: returns would overflow
        "2026-02-06,AAPL,NaN,1\n"  # NaN is no close
        "0001-01-01,AAPL,100,1\n"  # a date Python cannot subtract years from
        "2999-01-01,AAPL,100,1\n"
        "2026-02-02,SPY,600,1\n"
    )
    feed = FilesFeed(tmp_path, Config())
    history = feed.history()
    assert history["close"].to_list() == [100.0, 600.0]
    assert history["market_cap"].to_list() == [None, 1.0]  # an infinite cap is unknown
    assert feed.warnings() == [
        "prices.csv: dropped 6 rows (2 date out of range, 1 missing close, 3 absurd close)"
    ]


def test_absurd_last_and_out_of_range_quote_times_are_dropped_and_counted() -> None:
    raw = pl.DataFrame(
        {
            "ticker": ["A", "B", "C", "D", "E", "F"],
            "last": ["1e300", "inf", "10", "10", "10", "10"],
            "ts": ["2026-02-05T15:00:00Z"] * 2
            + ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "2026-02-05T15:00:00Z", "x"],
        }
    )
    quotes, warning = clean_quotes(raw, "quotes.csv")
    assert quotes["ticker"].to_list() == ["E"]
    assert warning == (
        "quotes.csv: dropped 5 rows (2 absurd last, 1 missing or invalid ts, 2 ts out of range)"
    )


# -- quote clocks ----------------------------------------------------------------------


def test_one_future_quote_does_not_become_the_session(folder: Path) -> None:
    """One row dated 2099 among today's quotes is a bad clock: ignored, file and count named."""
    rename_over(
        folder / "quotes.csv",
        "ticker,last,ts\nAAPL,103,2026-02-05T15:30:00Z\nSPY,597,2026-02-05T15:30:00Z\n"
        "MSFT,401,2099-01-01T15:30:00Z\n",
    )
    feed = FilesFeed(folder, Config())
    feed.history()  # the last close is 2026-02-04
    quotes = feed.quotes()
    assert quotes is not None and quotes["ticker"].to_list() == ["AAPL", "SPY"]
    assert (
        "quotes.csv: ignored 1 quote dated after 2026-02-11 (over a week past the last close, "
        "2026-02-04): check the producer's clock"
    ) in feed.warnings()


def test_a_whole_file_far_ahead_is_kept_for_the_gap_warning(folder: Path) -> None:
    rename_over(folder / "quotes.csv", "ticker,last,ts\nAAPL,103,2030-01-02T15:30:00Z\n")
    feed = FilesFeed(folder, Config())
    feed.history()
    quotes = feed.quotes()
    assert quotes is not None and quotes.height == 1
    assert not any("ignored" in w for w in feed.warnings())


def test_quotes_for_no_known_ticker_are_warned(folder: Path) -> None:
    rename_over(folder / "quotes.csv", "ticker,last,ts\nZZZ,1,2026-02-05T15:30:00Z\n")
    feed = FilesFeed(folder, Config())
    feed.history()
    assert feed.quotes() is not None
    assert "quotes.csv: none of its 1 tickers (ZZZ) is in prices; no live numbers" in (
        feed.warnings()
    )


# -- slow, non-atomic writers ----------------------------------------------------------


def test_an_in_place_rewrite_is_taken_once_it_held_still_for_a_refresh(folder: Path) -> None:
    path = folder / "quotes.csv"
    feed = FilesFeed(folder, Config())
    first = feed.quotes()
    assert first is not None and first["last"].to_list()[0] == 103.0
    # a writer that truncates and rewrites the same file: a CSV cut mid-number still parses
    with path.open("w") as handle:
        handle.write("ticker,last,ts\nAAPL,1,2026-02-05T15:31:00Z\n")
    assert_frame_equal(feed.quotes(), first)  # seen once: maybe mid-write, not taken
    with path.open("a") as handle:
        handle.write("MSFT,402,2026-02-05T15:31:00Z\n")  # the writer was not done
    assert_frame_equal(feed.quotes(), first)
    settled = feed.quotes()  # unchanged since the last refresh: taken
    assert settled is not None and settled["last"].to_list() == [1.0, 402.0]
    assert feed.last_error is None


def test_a_file_that_changes_while_it_is_read_is_read_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crowdwatch.feeds.files as files_module

    feed = FilesFeed(folder, Config())
    first = feed.quotes()
    real_read = files_module.read_table

    def read_then_touch(path: Path) -> pl.DataFrame:
        frame = real_read(path)
        with path.open("a") as handle:  # the writer appends while we parse
            handle.write("SPY,1,2026-02-05T15:32:00Z\n")
        return frame

    rename_over(folder / "quotes.csv", "ticker,last,ts\nAAPL,104,2026-02-05T15:31:00Z\n")
    monkeypatch.setattr(files_module, "read_table", read_then_touch)
    assert_frame_equal(feed.quotes(), first)
    monkeypatch.setattr(files_module, "read_table", real_read)
    # the append was an in-place change: taken once the file held still for a refresh
    assert_frame_equal(feed.quotes(), first)
    quotes = feed.quotes()
    assert quotes is not None and quotes["last"].to_list() == [104.0, 1.0]


def test_report_polls_quotes_after_the_history(folder: Path) -> None:
    """So a source that cannot be reached fails once, and quote clocks meet the last close."""
    from crowdwatch.session.engine import Engine

    calls: list[str] = []

    class Recording(FilesFeed):
        def history(self) -> pl.DataFrame:
            calls.append("history")
            return super().history()

        def closing_quotes(self) -> pl.DataFrame | None:
            calls.append("closing_quotes")
            return super().closing_quotes()

    snapshot = Engine(Recording(folder, Config()), Config()).report_snapshot()
    assert calls == ["history", "closing_quotes"]
    assert snapshot.mode == "live" and snapshot.as_of == date(2026, 2, 5)
