"""Validation shared by the real feeds: coerce raw frames to the contracts, count what is dropped."""

from __future__ import annotations

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


def _as_date(dtype: pl.DataType) -> pl.Expr:
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
    typed = raw.select(
        _as_date(raw.schema["date"]).alias("date"),
        _as_ticker(raw.schema["ticker"]).alias("ticker"),
        _as_float("close", raw.schema["close"]).alias("close"),
        *[_as_float(c, raw.schema[c]).alias(c) for c in optional],
    ).with_row_index("_row")
    typed, counts = flag_bad_rows(
        typed,
        [
            (pl.col("date").is_null(), "missing or invalid date"),
            (pl.col("ticker").is_null(), "missing ticker"),
            (pl.col("close").is_null(), "missing close"),
            (pl.col("close") <= 0, "non-positive close"),
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
            (pl.col("ts").is_null(), "missing or invalid ts"),
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
    exprs = [_as_ticker(raw.schema["ticker"]).alias("ticker")]
    for column in ("name", "sector"):
        exprs.append(
            pl.col(column).cast(pl.String).alias(column)
            if column in raw.columns
            else pl.lit(None, pl.String).alias(column)
        )
    exprs.append(
        _as_float("market_cap", raw.schema["market_cap"]).alias("market_cap")
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
