"""Small views of the snapshot's frames for the drill-downs (cumulative paths, sigma days)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from crowdwatch.analytics.moves import sigma_series


def _column(series: pl.DataFrame | None, column: str) -> pl.DataFrame:
    if series is None or column not in series.columns:
        return pl.DataFrame(
            {"date": [], "value": []}, schema={"date": pl.Date, "value": pl.Float64}
        )
    return (
        series.select("date", pl.col(column).cast(pl.Float64).alias("value"))
        .drop_nulls("value")
        .sort("date")
    )


def cumulative(series: pl.DataFrame | None, column: str) -> tuple[tuple[date, float], ...]:
    """The compounded path of a daily return column, as (date, cumulative return)."""
    frame = _column(series, column).with_columns(
        ((1.0 + pl.col("value")).cum_prod() - 1.0).alias("cumulative")
    )
    return tuple(zip(frame["date"].to_list(), frame["cumulative"].to_list(), strict=True))


def sigma_days(series: pl.DataFrame | None, column: str) -> pl.DataFrame:
    """date, ret, sigma of every day with enough history for a sigma (the analytics rule)."""
    frame = _column(series, column)
    sigmas = sigma_series(frame["value"].to_numpy()) if frame.height else np.array([])
    return (
        frame.rename({"value": "ret"})
        .with_columns(pl.Series("sigma", sigmas, dtype=pl.Float64).fill_nan(None))
        .drop_nulls("sigma")
    )


def worst_days(days: pl.DataFrame, count: int = 8) -> list[tuple[date, float, float]]:
    rows = days.sort("ret").head(count)
    return list(
        zip(rows["date"].to_list(), rows["ret"].to_list(), rows["sigma"].to_list(), strict=True)
    )
