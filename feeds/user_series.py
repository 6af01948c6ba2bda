"""The desk's own series (series.csv|parquet: date, name, value): read, clean and watch.

File format (in a files folder, or anywhere with `--series PATH`)::

    date,name,value
    2026-01-30,prime_net_exposure,0.62
    2026-02-04,dealer_gamma,4.6e9

- One row per (date, name); any number of names, daily or weekly. Dates are ISO 8601
  (a timestamp counts as its first 10 characters). Values are plain numbers in the unit
  settings.yaml `series:` gives the name (dealer gamma in US dollars per 1% move).
- Rows with a missing or invalid date, a missing name, or a missing, non-numeric or
  infinite value are dropped; of duplicate (date, name) rows the last one wins. The status
  line says what was dropped: "series.csv: dropped 2 rows (1 bad date, 1 non-numeric value)".
- The file is watched like quotes.csv (feeds/watched.py): every refresh stats it and
  re-reads it when its size, modification time or inode changed. A corrupt, empty or
  vanished file keeps the last good series and warns until a good one arrives. Replace it
  atomically (write a temp file in the same folder, then rename it over series.csv); a
  file rewritten in place is only taken once it held still for one refresh, and one that
  changed while it was read is read again.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crowdwatch.config.atomic import write_atomically
from crowdwatch.config.schema import SeriesSpec
from crowdwatch.feeds.base import Feed, FeedError
from crowdwatch.feeds.frames import (
    as_date,
    describe_drops,
    flag_bad_rows,
    read_table,
    require_columns,
    short_error,
)
from crowdwatch.feeds.watched import FileProblem, WatchedFile, pick_file

SERIES_SCHEMA = {"date": pl.Date, "name": pl.String, "value": pl.Float64}
SERIES_HINT = "A series file needs the columns date, name, value (ISO dates, numeric values)."
TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum, pl.Null)


class SeriesFileError(FeedError):
    """A series file that cannot be used at all; the message names the file and the fault."""


def _expected_type(column: str, dtype: pl.DataType) -> str | None:
    """What the column should have been, when its type cannot be read as that column."""
    if column == "date":
        ok = dtype in (pl.Date, pl.String, pl.Null) or isinstance(dtype, pl.Datetime)
        return None if ok else "ISO dates (text) or a date type"
    if column == "name":
        return None if isinstance(dtype, TEXT_TYPES) else "text"
    ok = dtype.is_numeric() or dtype in (pl.String, pl.Null)
    return None if ok else "numbers"


def _check_types(raw: pl.DataFrame, source: str) -> None:
    for column in SERIES_SCHEMA:
        dtype = raw.schema[column]
        expected = _expected_type(column, dtype)
        if expected is not None:
            raise SeriesFileError(
                f"{source}: column '{column}' has type {dtype}; expected {expected}. {SERIES_HINT}"
            )


def _value_columns(dtype: pl.DataType) -> list[pl.Expr]:
    """value (float, NaN as null) and `_given` (the cell held something)."""
    col = pl.col("value")
    if dtype == pl.String:
        col = col.str.strip_chars()
        given = col.is_not_null() & (col != "")
    else:
        given = col.is_not_null()
    number = col.cast(pl.Float64, strict=False)
    if dtype.is_numeric():  # a NaN cell is an empty cell
        given = given & ~number.is_nan()
    elif dtype == pl.String:
        given = given & ~col.str.to_lowercase().is_in(["nan", "na", "n/a", "null", "none"])
    return [pl.when(given).then(number).alias("value"), given.alias("_given")]


def clean_series(raw: pl.DataFrame, source: str) -> tuple[pl.DataFrame, str | None]:
    """Coerce to SERIES_SCHEMA, drop bad rows (counted), sort by (name, date).

    Raises SeriesFileError for a missing column, an unusable column type or no valid rows.
    """
    try:
        require_columns(raw, list(SERIES_SCHEMA), source, SERIES_HINT)
    except FeedError as exc:
        raise SeriesFileError(str(exc)) from None
    _check_types(raw, source)
    name = pl.col("name").cast(pl.String).str.strip_chars()
    typed = raw.select(
        as_date(raw.schema["date"]).alias("date"),
        pl.when(name == "").then(None).otherwise(name).alias("name"),
        *_value_columns(raw.schema["value"]),
    )
    typed, counts = flag_bad_rows(
        typed,
        [
            (pl.col("date").is_null(), "bad date"),
            (pl.col("name").is_null(), "missing name"),
            (~pl.col("_given"), "missing value"),
            (pl.col("value").is_null(), "non-numeric value"),
            (pl.col("value").is_infinite(), "infinite value"),
        ],
    )
    valid = typed.filter(pl.col("_reason").is_null())
    if valid.is_empty():
        if not typed.height:
            raise SeriesFileError(f"{source}: no rows. {SERIES_HINT}")
        reasons = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
        raise SeriesFileError(f"{source}: no valid rows ({reasons})")
    kept = valid.unique(subset=["date", "name"], keep="last", maintain_order=True)
    counts["duplicate date/name"] = valid.height - kept.height
    frame = kept.select(list(SERIES_SCHEMA)).cast(SERIES_SCHEMA).sort("name", "date")
    return frame, describe_drops(source, counts)


def read_series(path: Path) -> tuple[pl.DataFrame, str | None]:
    """The clean series of one file and its dropped-rows message; SeriesFileError if unusable."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SeriesFileError(f"{path.name}: cannot read it ({exc.strerror or exc})") from None
    if size == 0:
        raise SeriesFileError(f"{path.name}: empty file")
    try:
        raw = read_table(path)
    except (Exception, pl.exceptions.PanicException) as exc:  # garbage, truncated Parquet...
        raise SeriesFileError(f"{path.name}: unreadable ({short_error(exc)})") from None
    return clean_series(raw, path.name)


class SeriesWatch:
    """A watched series file: the named one (`--series PATH`) or a folder's series.parquet|csv.

    `frame()` is called on every refresh; it returns the same object until the file changes.
    """

    specs: dict[str, SeriesSpec] = {}  # a user's file is labelled by settings.yaml alone

    def __init__(self, path: Path | None = None, folder: Path | None = None) -> None:
        if (path is None) == (folder is None):
            raise ValueError("SeriesWatch needs exactly one of path and folder")
        self.path = Path(path).expanduser() if path is not None else None
        self.folder = Path(folder).expanduser() if folder is not None else None
        if self.path is not None and not self.path.is_file():
            why = "is a folder" if self.path.is_dir() else "no such file"
            raise FeedError(
                f"--series {self.path}: {why}; give a series.csv or .parquet (date, name, value)"
            )
        # the last good series and its dropped-rows warning
        self._watch: WatchedFile[tuple[pl.DataFrame, str | None]] = WatchedFile(
            self._current_path, "series"
        )

    def _current_path(self) -> Path | None:
        if self.path is not None:
            return self.path
        assert self.folder is not None
        return pick_file(self.folder, "series")

    def frame(self) -> pl.DataFrame | None:
        """The last good series (date, name, value), re-read when the file changed."""
        latest = self._watch.poll(_read_watched)
        return latest[0] if latest is not None else None

    def warnings(self) -> list[str]:
        drops = self._watch.value[1] if self._watch.value is not None else None
        return [w for w in (drops, self._watch.problem) if w]


def _read_watched(path: Path) -> tuple[pl.DataFrame, str | None]:
    try:
        return read_series(path)
    except SeriesFileError as exc:
        raise FileProblem(str(exc)) from None


class FixedSeries:
    """Series that never change (the demo's simulated ones), with default labels."""

    def __init__(self, frame: pl.DataFrame, specs: dict[str, SeriesSpec] | None = None) -> None:
        self._frame = frame
        self.specs = specs or {}

    def frame(self) -> pl.DataFrame | None:
        return self._frame

    def warnings(self) -> list[str]:
        return []


SeriesSource = SeriesWatch | FixedSeries


def open_series(path: Path | None, feed: Feed) -> SeriesSource | None:
    """`--series PATH` when given, else the source's own (files folder, demo), else None."""
    if path is not None:
        return SeriesWatch(path=path)
    own = getattr(feed, "series_source", None)
    return own() if own is not None else None


TEMPLATE_FROM = "2025-11-03"  # about three months of the demo's series make the example
SETTINGS_SNIPPET = """series:
  prime_net_exposure: {label: Prime-book net exposure, unit: ratio, role: exposure}
  dealer_gamma: {label: Dealer gamma, unit: usd, role: dealer_gamma}  # $ per 1% move"""


def write_template(path: Path) -> int:
    """Write an example series.csv (atomically; the caller decides about overwriting)."""
    from crowdwatch.feeds.demo_series import demo_series

    frame = demo_series().filter(pl.col("date") >= pl.lit(TEMPLATE_FROM).str.to_date())
    example = frame.sort("date", "name")
    write_atomically(path, lambda temp: example.write_csv(temp))
    return example.height
