"""`crowdwatch export`: write the daily series behind the panes, atomically."""

from __future__ import annotations

from pathlib import Path

from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.atomic import write_atomically


def write_series(snapshot: Snapshot, out: Path) -> int:
    """One row per date, a column per basket, factor and theme; returns the row count."""
    frame = snapshot.series
    parquet = out.suffix.lower() == ".parquet"
    write_atomically(out, frame.write_parquet if parquet else frame.write_csv)
    return frame.height
