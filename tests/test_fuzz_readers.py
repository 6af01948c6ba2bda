"""Fuzz the data readers: Parquet columns of any type, CSV cells of any text, odd quotes.

The contract: a FeedError (or, for quotes, a warning) naming the file, or a clean frame (the
schema, finite plausible values, no duplicate, sorted); and `report --json` on the result
exits 0 with JSON a strict parser accepts, or 2 with our own message, never a warning.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_support import (  # noqa: E402
    assert_clean_cli_answer,
    fuzz_settings,
    run_cli,
    small_market,
    small_market_csv,
)

from crowdwatch.config.schema import Config  # noqa: E402
from crowdwatch.feeds.base import HISTORY_SCHEMA, QUOTES_SCHEMA, FeedError  # noqa: E402
from crowdwatch.feeds.files import FilesFeed  # noqa: E402
from crowdwatch.feeds.frames import (  # noqa: E402
    FIRST_DAY,
    LAST_DAY,
    MAX_PRICE,
    MIN_PRICE,
    QuotesProblem,
    clean_quotes,
)

ROWS = 6
# text a producer (or a broken one) might put in any cell
ODD_TEXT = [
    "", " ", "nan", "NaN", "inf", "-inf", "1e300", "1e-300", "-0", "0", "-1", "1e308",
    "0001-01-01", "2099-12-31", "9999-12-31T23:59:59Z", "2026-02-30", "2026-02-04",
    "2025-06-30T15:30:00Z", "2025-06-30T10:30:00-05:00", "x", "SPY", "S01", "\ufeff", '"',
    ",", "\x00", "1_000", "1,5", "TRUE", "null", "12:30", "P1D",
]  # fmt: skip

odd_cell = st.sampled_from(ODD_TEXT) | st.text(max_size=12)


def any_column(n: int) -> st.SearchStrategy[pl.Series]:
    """A column of n values of one of the types a Parquet file may hold."""
    floats = st.floats(allow_nan=True, allow_infinity=True)
    makers = [
        (st.dates(), pl.Date),
        (st.datetimes(), pl.Datetime("us")),
        (st.datetimes(timezones=st.just(None)), pl.Datetime("ms", "UTC")),
        (st.times(), pl.Time),
        (st.timedeltas(timedelta(days=-9999), timedelta(days=9999)), pl.Duration("us")),
        (st.integers(-(2**31), 2**31 - 1), pl.Int32),
        (st.integers(-(2**63), 2**63 - 1), pl.Int64),
        (floats, pl.Float64),
        (floats.filter(lambda x: x != x or abs(x) < 3e38), pl.Float32),
        (st.booleans(), pl.Boolean),
        (odd_cell, pl.String),
        (st.sampled_from(["S01", "SPY", "x"]), pl.Categorical),
        (st.binary(max_size=4), pl.Binary),
        (st.lists(floats, max_size=2), pl.List(pl.Float64)),
        (st.decimals(allow_nan=False, allow_infinity=False, places=2,
                     min_value=Decimal("-1e6"), max_value=Decimal("1e6")), pl.Decimal(10, 2)),
        (st.none(), pl.Null),
    ]  # fmt: skip
    return st.sampled_from(makers).flatmap(
        lambda maker: st.lists(maker[0] | st.none(), min_size=n, max_size=n).map(
            lambda values: pl.Series(values, dtype=maker[1], strict=False)
        )
    )


def assert_clean_history(frame: pl.DataFrame) -> None:
    assert {k: frame.schema[k] for k in HISTORY_SCHEMA} == HISTORY_SCHEMA
    if frame.is_empty():
        return
    assert frame["close"].is_between(MIN_PRICE, MAX_PRICE).all()
    assert frame["date"].is_between(FIRST_DAY, LAST_DAY).all()
    assert frame["ticker"].null_count() == 0
    assert frame.select("ticker", "date").is_unique().all()
    assert frame.select("ticker", "date").rows() == sorted(frame.select("ticker", "date").rows())
    for column in ("volume", "market_cap"):
        if column in frame.columns:
            assert frame[column].drop_nulls().is_finite().all()


def assert_clean_quotes(frame: pl.DataFrame) -> None:
    assert frame.schema == pl.Schema(QUOTES_SCHEMA)
    assert frame["last"].is_between(MIN_PRICE, MAX_PRICE).all()
    assert frame["ticker"].is_unique().all() and frame["ticker"].null_count() == 0


def history_or_named_error(folder: Path, file_name: str) -> None:
    try:
        feed = FilesFeed(folder, Config())
        frame = feed.history()
    except FeedError as error:
        assert str(error).startswith(file_name), str(error)
        return
    assert_clean_history(frame)
    assert all(w.startswith((file_name, "quotes")) for w in feed.warnings()), feed.warnings()


@fuzz_settings(60)
@given(
    columns=st.fixed_dictionaries(
        {name: any_column(ROWS) for name in ("date", "ticker", "close")},
        optional={name: any_column(ROWS) for name in ("volume", "market_cap", "extra")},
    )
)
def test_parquet_prices_of_any_column_types(columns: dict[str, pl.Series]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        pl.DataFrame(columns).write_parquet(folder / "prices.parquet")
        history_or_named_error(folder, "prices.parquet")


@fuzz_settings(60)
@given(columns=st.fixed_dictionaries({n: any_column(ROWS) for n in ("ticker", "last", "ts")}))
def test_parquet_quotes_of_any_column_types(columns: dict[str, pl.Series]) -> None:
    try:
        quotes, warning = clean_quotes(pl.DataFrame(columns), "quotes.parquet")
    except QuotesProblem:
        return  # the feed shows it after the file name and keeps the last good quotes
    assert_clean_quotes(quotes)
    assert warning is None or warning.startswith("quotes.parquet: dropped")


@st.composite
def mutated_prices_csv(draw: st.DrawFn) -> str:
    """The small market as CSV with some cells, rows or the header replaced."""
    lines = small_market_csv().splitlines()
    for _ in range(draw(st.integers(1, 8))):
        row = draw(st.integers(0, len(lines) - 1))
        cells = lines[row].split(",")
        where = draw(st.integers(0, len(cells)))
        action = draw(st.sampled_from(["cell", "cell", "append", "drop cell", "extra cell"]))
        if action == "cell" and where < len(cells):
            cells[where] = draw(odd_cell).replace("\n", " ")
        elif action == "drop cell" and where < len(cells):
            del cells[where]
        elif action == "extra cell":
            cells.insert(where, draw(odd_cell).replace("\n", " "))
        else:
            lines.append(",".join(draw(st.lists(odd_cell, min_size=0, max_size=4))))
        lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n"


@st.composite
def quotes_csv(draw: st.DrawFn) -> str:
    """Quotes for some of the small market's tickers, with odd values and clocks."""
    tickers = draw(st.lists(st.sampled_from([*small_market()["ticker"].unique(), "ZZZ"]),
                            min_size=1, max_size=8))  # fmt: skip
    moment = datetime(2025, 7, 1, 15, 30)
    rows = []
    for ticker in tickers:
        last = draw(st.sampled_from(["100", "101.5", "99"]) | odd_cell)
        ts = draw(
            st.sampled_from([moment.isoformat() + "Z", "2025-07-01"])
            | st.timedeltas(timedelta(days=-5), timedelta(days=40)).map(
                lambda d: (moment + d).isoformat() + "Z"
            )
            | odd_cell
        )
        rows.append(f"{ticker},{last},{ts}".replace("\n", " "))
    return "ticker,last,ts\n" + "\n".join(rows) + "\n"


@fuzz_settings(30)
@given(prices=mutated_prices_csv(), quotes=st.none() | quotes_csv())
def test_report_json_on_mutated_csv_prices_and_quotes(prices: str, quotes: str | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "prices.csv").write_text(prices, encoding="utf-8")
        if quotes is not None:
            (folder / "quotes.csv").write_text(quotes, encoding="utf-8")
        history_or_named_error(folder, "prices.csv")
        assert_clean_cli_answer(*run_cli("report", "--json", "--source", "files", "--data",
                                         str(folder)))  # fmt: skip


extreme_price = st.sampled_from([MIN_PRICE, MAX_PRICE]) | st.floats(MIN_PRICE, MAX_PRICE)


@fuzz_settings(20)
@given(
    tickers=st.lists(st.sampled_from(["SPY", "QQQ", *(f"S{i:02d}" for i in range(30))]),
                     min_size=1, max_size=12, unique=True),
    levels=st.tuples(extreme_price, extreme_price),
    days=st.integers(1, 300),
)  # fmt: skip
def test_report_json_with_extreme_but_plausible_closes(
    tickers: list[str], levels: tuple[float, float], days: int
) -> None:
    """Closes that swing between 1e-6 and 1e9 give daily returns of 1e15: compounded, they
    overflow a float; the report says null (unknown), never Infinity, and numpy stays quiet."""
    market = small_market()
    dates = market["date"].unique().sort().tail(days)
    swing = [levels[i % 2] for i in range(days)]
    patch = pl.DataFrame(
        {
            "date": [d for d in dates for _ in tickers],
            "ticker": tickers * days,
            "close": [c for c in swing for _ in tickers],
        }
    )
    patched = pl.concat([market, patch])  # the patch comes last: it wins as a duplicate
    with tempfile.TemporaryDirectory() as scratch:
        patched.write_csv(Path(scratch) / "prices.csv")
        answer = run_cli("report", "--json", "--source", "files", "--data", scratch)
        assert_clean_cli_answer(*answer)
        assert answer[0] == 0
