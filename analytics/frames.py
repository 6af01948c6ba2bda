"""Date-indexed polars frames for drill-downs and export: built once in prepare, today appended."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl


def dated_frame(dates: np.ndarray, columns: dict[str, np.ndarray]) -> pl.DataFrame:
    """date + float columns, NaN as null: the frames the drill-downs and export read."""
    frame = pl.DataFrame({"date": dates, **columns}).with_columns(pl.col("date").cast(pl.Date))
    return frame.with_columns(pl.exclude("date").cast(pl.Float64).fill_nan(None))


def with_today(prior: pl.DataFrame, today: date, values: dict[str, float | None]) -> pl.DataFrame:
    """A prepared date-indexed frame plus today's row: O(columns), not O(history)."""
    # one row built row-wise and stacked as a new chunk: ~10x cheaper than a dict of
    # one-element columns and pl.concat on a 20-column frame
    row = [today, *(values.get(name) for name in prior.columns[1:])]
    return prior.vstack(pl.DataFrame([row], schema=prior.schema, orient="row"))
