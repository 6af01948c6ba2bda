"""The on-disk history cache of the Yahoo feed: one Parquet file, written atomically."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crowdwatch.config.atomic import write_atomically
from crowdwatch.feeds.base import HISTORY_SCHEMA
from crowdwatch.feeds.frames import short_error

CACHE_SCHEMA = {**HISTORY_SCHEMA, "volume": pl.Float64}
# an adjusted close that moved by more than this on the overlap day was re-adjusted by Yahoo
READJUST_TOLERANCE = 1e-6


def default_cache_dir() -> Path:
    """platformdirs' user cache dir for crowdwatch, Yahoo subfolder."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("crowdwatch")) / "yahoo"


def write_parquet_atomically(frame: pl.DataFrame, path: Path) -> None:
    """Write the frame through a temp file and a rename (config.atomic)."""
    write_atomically(path, frame.write_parquet)


class HistoryCache:
    """history.parquet under `directory`: date, ticker, close, volume (Yahoo-adjusted)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "history.parquet"
        self.problem: str | None = None  # why the last load() found no usable cache

    def load(self) -> pl.DataFrame | None:
        """The cached history, or None when there is none or it is unreadable (see .problem)."""
        self.problem = None
        if not self.path.is_file():
            return None
        try:
            frame = pl.read_parquet(self.path)
            missing = [c for c in CACHE_SCHEMA if c not in frame.columns]
            if missing:
                raise ValueError(f"missing column '{missing[0]}'")
            return frame.select(list(CACHE_SCHEMA)).cast(CACHE_SCHEMA).sort("ticker", "date")
        except Exception as exc:  # a cache that cannot be read is rebuilt, never fatal
            self.problem = f"cache {self.path} unreadable ({short_error(exc)}); rebuilding it"
            return None

    def save(self, frame: pl.DataFrame) -> None:
        write_parquet_atomically(frame.select(list(CACHE_SCHEMA)).cast(CACHE_SCHEMA), self.path)


def merge_history(cached: pl.DataFrame | None, fresh: pl.DataFrame) -> pl.DataFrame:
    """Cached rows + freshly downloaded rows; fresh rows win on the same (ticker, date).

    Incremental requests start at the last cached date, so each ticker's first fresh row
    overlaps the cache. If Yahoo re-adjusted the ticker since (a split or dividend after
    that day), the overlap close differs, and the whole cached series is rescaled by the
    same factor, which is exactly what the adjustment does to earlier closes.
    """
    fresh = fresh.select(list(CACHE_SCHEMA)).cast(CACHE_SCHEMA)
    if cached is None or cached.is_empty():
        return fresh.unique(["ticker", "date"], keep="last").sort("ticker", "date")
    anchor = (
        fresh.sort("date")
        .group_by("ticker")
        .agg(pl.col("date").first(), pl.col("close").first().alias("fresh_close"))
    )
    ratio = (
        anchor.join(cached.select("ticker", "date", "close"), on=["ticker", "date"])
        .select("ticker", (pl.col("fresh_close") / pl.col("close")).alias("ratio"))
        .filter((pl.col("ratio") - 1).abs() > READJUST_TOLERANCE)
    )
    rescaled = (
        cached.join(ratio, on="ticker", how="left")
        .with_columns(pl.col("close") * pl.col("ratio").fill_null(1.0))
        .drop("ratio")
    )
    return (
        pl.concat([rescaled, fresh], how="vertical")
        .unique(["ticker", "date"], keep="last", maintain_order=True)
        .sort("ticker", "date")
    )
