"""Validation shared by the real feeds: coerce raw frames to the contracts, count what is dropped."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from crowdwatch.config.calendar import NEW_YORK_NAME, SESSION_CLOSE_OFFSET
from crowdwatch.feeds.base import HISTORY_SCHEMA, QUOTES_SCHEMA, FeedError

HISTORY_OPTIONAL = ("volume", "market_cap")
UNIVERSE_SCHEMA = {
    "ticker": pl.String,
    "name": pl.String,
    "sector": pl.String,
    "market_cap": pl.Float64,
}
UTC = "UTC"
NEW_YORK = "America/New_York"

# Plausible values: rows outside are dropped and counted. Dates and quote times beyond
# these make Python's date arithmetic fail ("year 0 is out of range"); prices beyond them
# make returns overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
MIN_PRICE, MAX_PRICE = 1e-6, 1e9  # Berkshire A trades near 1e6
# a quote dated more than this after the last close is a bad clock, not the session
QUOTE_LEAD = timedelta(days=7)

# what each column may hold before it is cast (a List or a Time cannot become a close)
KIND_TYPES = {
    "date": "a date (Date, Datetime or ISO 8601 text)",
    "timestamp": "a timestamp (Datetime, Date or ISO 8601 text)",
    "text": "text (String, Categorical or an integer)",
    "number": "a number (integer, float, decimal or numeric text)",
}


def _fits(kind: str, dtype: pl.DataType) -> bool:
    if dtype in (pl.String, pl.Null):
        return True
    if kind == "date":
        return dtype == pl.Date or isinstance(dtype, pl.Datetime)
    if kind == "timestamp":
        return dtype == pl.Date or isinstance(dtype, pl.Datetime)
    if kind == "text":
        return dtype.is_integer() or isinstance(dtype, pl.Categorical | pl.Enum)
    return dtype.is_numeric()  # number


def check_types(
    frame: pl.DataFrame, kinds: dict[str, str], source: str, error: type[Exception] = FeedError
) -> None:
    """Raise `error` naming the file, the column and the type found, for the first column
    whose type cannot be cast to what it must hold."""
    for column, kind in kinds.items():
        if column not in frame.columns:
            continue
        dtype = frame.schema[column]
        if not _fits(kind, dtype):
            raise error(
                f"{source}: column '{column}' has type {dtype}; it must hold {KIND_TYPES[kind]}"
            )


def require_columns(frame: pl.DataFrame, columns: list[str], source: str, hint: str) -> None:
    """Raise FeedError naming the file and the first missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or "no columns"
        raise FeedError(f"{source}: missing column '{missing[0]}' (found: {found}). {hint}")


def describe_drops(source: str, counts: dict[str, int]) -> str | None:
    """'prices.csv: dropped 3 rows (2 non-positive close, 1 duplicate date/ticker)' or None."""
    parts = [f"{n} {label}" for label, n in counts.items() if n]
    total = sum(counts.values())
    if not total:
        return None
    noun = "row" if total == 1 else "rows"
    return f"{source}: dropped {total} {noun} ({', '.join(parts)})"


def as_date(dtype: pl.DataType) -> pl.Expr:
    col = pl.col("date")
    if dtype == pl.Date:
        return col
    if isinstance(dtype, pl.Datetime):
        return col.dt.date()
    if dtype == pl.String:
        # ISO 8601: a date, or a timestamp whose first 10 characters are the date
        return col.str.strip_chars().str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    return col.cast(pl.Date, strict=False)


def _as_float(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.String:
        col = col.str.strip_chars()
    col = col.cast(pl.Float64, strict=False)
    # NaN counts as missing: a close of NaN is no close
    return pl.when(col.is_nan()).then(None).otherwise(col)


def _finite_or_null(value: pl.Expr) -> pl.Expr:
    return pl.when(value.is_finite()).then(value).otherwise(None)


def _as_ticker(dtype: pl.DataType) -> pl.Expr:
    col = pl.col("ticker").cast(pl.String, strict=False).str.strip_chars()
    return pl.when(col == "").then(None).otherwise(col)


def session_close(day: pl.Expr) -> pl.Expr:
    """The session close (16:00 New York) on a date, in UTC: what a date-only quote time means."""
    return (
        day.cast(pl.Datetime("us"))
        .dt.replace_time_zone(NEW_YORK_NAME)
        .dt.offset_by(SESSION_CLOSE_OFFSET)
        .dt.convert_time_zone(UTC)
    )


def _as_utc(dtype: pl.DataType) -> pl.Expr:
    col = pl.col("ts")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:  # naive timestamps are taken as UTC
            return col.dt.replace_time_zone(UTC).dt.cast_time_unit("us")
        return col.dt.convert_time_zone(UTC).dt.cast_time_unit("us")
    if dtype == pl.String:
        text = col.str.strip_chars()
        # a bare date is that session's close (16:00 New York), not midnight UTC (the day before)
        bare = text.str.len_chars() == 10
        stamped = pl.when(bare).then(None).otherwise(text)
        return pl.coalesce(
            stamped.str.to_datetime(time_unit="us", time_zone=UTC, strict=False),
            session_close(pl.when(bare).then(text).str.to_date(strict=False)),
        )
    if dtype == pl.Date:
        return session_close(col)
    return col.cast(pl.Datetime("us", UTC), strict=False)


def flag_bad_rows(
    typed: pl.DataFrame, rules: list[tuple[pl.Expr, str]]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Add `_reason` (the first rule a row breaks, else null) and count rows per rule."""
    reason = pl.lit(None, dtype=pl.String)
    for broken, label in reversed(rules):
        reason = pl.when(broken).then(pl.lit(label)).otherwise(reason)
    typed = typed.with_columns(reason.alias("_reason"))
    counts = {label: typed.filter(pl.col("_reason") == label).height for _, label in rules}
    return typed, counts


def clean_history(raw: pl.DataFrame, source: str) -> tuple[pl.DataFrame, str | None]:
    """Coerce to HISTORY_SCHEMA (+ optional columns), drop bad rows, sort by (ticker, date).

    Duplicate (date, ticker) rows keep the LAST one in file order: a producer that appends a
    correction expects it to win.
    """
    require_columns(
        raw,
        list(HISTORY_SCHEMA),
        source,
        "Prices need the columns date, ticker, close (optional: volume, market_cap).",
    )
    optional = [c for c in HISTORY_OPTIONAL if c in raw.columns]
    check_types(
        raw,
        {"date": "date", "ticker": "text", "close": "number"} | dict.fromkeys(optional, "number"),
        source,
    )
    typed = raw.select(
        as_date(raw.schema["date"]).alias("date"),
        _as_ticker(raw.schema["ticker"]).alias("ticker"),
        _as_float("close", raw.schema["close"]).alias("close"),
        # an optional value that is not finite is unknown, not a reason to drop the close
        *[_finite_or_null(_as_float(c, raw.schema[c])).alias(c) for c in optional],
    ).with_row_index("_row")
    typed, counts = flag_bad_rows(
        typed,
        [
            (pl.col("date").is_null(), "missing or invalid date"),
            (~pl.col("date").is_between(FIRST_DAY, LAST_DAY), "date out of range"),
            (pl.col("ticker").is_null(), "missing ticker"),
            (pl.col("close").is_null(), "missing close"),
            (pl.col("close") <= 0, "non-positive close"),
            (~pl.col("close").is_between(MIN_PRICE, MAX_PRICE), "absurd close"),
        ],
    )
    valid = typed.filter(pl.col("_reason").is_null())
    kept = valid.unique(subset=["date", "ticker"], keep="last", maintain_order=True)
    counts["duplicate date/ticker"] = valid.height - kept.height
    frame = kept.drop("_row", "_reason").sort("ticker", "date")
    return frame, describe_drops(source, counts)


class QuotesProblem(Exception):
    """A quotes file that cannot be used at all (empty, unreadable, missing column, no rows)."""


def clean_quotes(raw: pl.DataFrame, source: str) -> tuple[pl.DataFrame, str | None]:
    """Coerce to QUOTES_SCHEMA; drop bad rows; one row per ticker (the latest ts wins)."""
    for column in QUOTES_SCHEMA:
        if column not in raw.columns:
            raise QuotesProblem(f"missing column '{column}'")
    check_types(raw, {"ticker": "text", "last": "number", "ts": "timestamp"}, source, QuotesProblem)
    typed = raw.select(
        _as_ticker(raw.schema["ticker"]).alias("ticker"),
        _as_float("last", raw.schema["last"]).alias("last"),
        _as_utc(raw.schema["ts"]).alias("ts"),
    )
    typed, counts = flag_bad_rows(
        typed,
        [
            (pl.col("ticker").is_null(), "missing ticker"),
            (pl.col("last").is_null(), "missing last"),
            (pl.col("last") <= 0, "non-positive last"),
            (~pl.col("last").is_between(MIN_PRICE, MAX_PRICE), "absurd last"),
            (pl.col("ts").is_null(), "missing or invalid ts"),
            (~pl.col("ts").is_between(_utc(FIRST_DAY), _utc(LAST_DAY)), "ts out of range"),
        ],
    )
    valid = typed.filter(pl.col("_reason").is_null()).drop("_reason")
    if valid.is_empty():
        if not typed.height:
            raise QuotesProblem("no rows")
        reasons = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
        raise QuotesProblem(f"no valid rows ({reasons})")
    kept = valid.sort("ts").unique(subset=["ticker"], keep="last").sort("ticker")
    counts["duplicate ticker"] = valid.height - kept.height
    return kept.select(list(QUOTES_SCHEMA)).cast(QUOTES_SCHEMA), describe_drops(source, counts)


def _utc(day: date) -> pl.Expr:
    return pl.lit(day).cast(pl.Datetime("us")).dt.replace_time_zone(UTC)


def read_table(path: Path) -> pl.DataFrame:
    """Read a CSV (every column as text, coerced later) or a Parquet file."""
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False, truncate_ragged_lines=True)


def read_universe(path: Path) -> pl.DataFrame:
    """universe.csv: ticker (required), name, sector, market_cap; one row per ticker."""
    try:
        raw = read_table(path)
    except Exception as exc:  # polars raises several types for unreadable files
        raise FeedError(f"{path.name}: unreadable ({short_error(exc)}); fix or remove it.") from exc
    require_columns(
        raw, ["ticker"], path.name, "A universe file needs a ticker column (name, sector optional)."
    )
    check_types(
        raw,
        {"ticker": "text", "name": "text", "sector": "text", "market_cap": "number"},
        path.name,
    )
    exprs = [_as_ticker(raw.schema["ticker"]).alias("ticker")]
    for column in ("name", "sector"):
        exprs.append(
            pl.col(column).cast(pl.String).alias(column)
            if column in raw.columns
            else pl.lit(None, pl.String).alias(column)
        )
    exprs.append(
        _finite_or_null(_as_float("market_cap", raw.schema["market_cap"])).alias("market_cap")
        if "market_cap" in raw.columns
        else pl.lit(None, pl.Float64).alias("market_cap")
    )
    return (
        raw.select(exprs)
        .filter(pl.col("ticker").is_not_null())
        .unique(subset=["ticker"], keep="first", maintain_order=True)
        .cast(UNIVERSE_SCHEMA)
    )


def short_error(exc: BaseException, limit: int = 120) -> str:
    """One line describing an exception, fit for the status line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
