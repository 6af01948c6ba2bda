"""`crowdwatch export`: write the daily series behind the panes, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from crowdwatch.analytics.results import Snapshot


def write_series(snapshot: Snapshot, out: Path) -> int:
    """One row per date, a column per basket, factor and theme; returns the row count."""
    frame = snapshot.series
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if out.suffix.lower() == ".parquet":
            frame.write_parquet(temp)
        else:
            frame.write_csv(temp)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return frame.height
