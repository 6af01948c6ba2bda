"""`crowdwatch export`: the series, internals, members or intraday trail behind the panes,
or a files-source folder that `--source files` reads back; every file written atomically."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.atomic import write_atomically
from crowdwatch.session.engine import Engine, newer_than

WHAT = ("series", "internals", "members", "intraday")
INTRADAY_KEYS = ("winners", "short_momentum", "momentum_pair")


def write_frame(frame: pl.DataFrame, out: Path) -> None:
    parquet = out.suffix.lower() == ".parquet"
    write_atomically(out, frame.write_parquet if parquet else frame.write_csv)


def write_series(snapshot: Snapshot, out: Path) -> int:
    """One row per date, a column per basket, factor and theme; returns the row count."""
    write_frame(snapshot.series, out)
    return snapshot.series.height


def internals_frame(snapshot: Snapshot) -> pl.DataFrame:
    """The internals' daily history: date, dispersion_ratio, letf_flow_usd."""
    return snapshot.dispersion_history


def members_frame(snapshot: Snapshot) -> pl.DataFrame:
    """Today's members of every basket, pair, factor and theme (the drill-downs' tables):
    side, return, weight and contribution (they add up to the series' return), signals."""
    parts = [
        table.select(pl.lit(key).alias("series"), pl.all())
        for key, table in snapshot.members.items()
    ]
    if not parts:
        return pl.DataFrame(schema={"date": pl.Date, "series": pl.String, "ticker": pl.String})
    return pl.concat(parts).select(pl.lit(snapshot.as_of).alias("date"), pl.all())


def intraday_frame(engine: Engine) -> pl.DataFrame:
    """The session's trail: ts and each momentum basket's return since the previous close,
    at every quote time the source can replay (the demo: every minute to the close; files
    and Yahoo: the latest quotes). Empty in close mode and --as-of."""
    schema = {"ts": pl.Datetime("us", "UTC"), **dict.fromkeys(INTRADAY_KEYS, pl.Float64)}
    rows = [
        {"ts": point.quotes_ts, **{key: point.baskets[key].ret for key in INTRADAY_KEYS}}
        for point in engine.session_trail()
    ]
    return pl.DataFrame(rows, schema=schema)


def write_source_folder(engine: Engine, folder: Path) -> list[tuple[Path, int]]:
    """prices.csv (+ quotes.csv, universe.csv, series.csv) that `--source files --data folder` reads
    back to the same report: the history, the closing quotes of a live session, the
    universe. Returns (path, rows) per file written."""
    folder.mkdir(exist_ok=True)
    history = engine.feed.history()
    written = []
    files = {"prices.csv": history.sort("ticker", "date")}
    closing = engine.feed.closing_quotes()
    last_day = history.get_column("date").max()
    if closing is not None and newer_than(closing, last_day):
        files["quotes.csv"] = closing.with_columns(
            pl.col("ts").dt.to_string("%Y-%m-%dT%H:%M:%S%.fZ")
        )
    universe = engine.feed.universe()
    if universe is not None:
        files["universe.csv"] = universe
    series = engine.series.frame() if engine.series is not None else None
    if series is not None and series.height:  # the desk's own series (labels: settings.yaml)
        files["series.csv"] = series
    for name, frame in files.items():
        path = folder / name
        write_atomically(path, frame.write_csv)
        written.append((path, frame.height))
    return written
