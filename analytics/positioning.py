"""Positioning and gamma: the desk's own series at T (value, change, 1-year percentile) and
net gamma = dealer gamma - LETF gamma (DESIGN.md "Positioning and gamma")."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import polars as pl

from crowdwatch.config.schema import SeriesSpec

WINDOW_DAYS = 365  # percentile_1y compares with observations dated date-365 .. date-1
MIN_OBSERVATIONS = 10
STALE_AFTER_DAYS = 7
BAND_QUANTILES = {"band_low": 0.1, "band_median": 0.5, "band_high": 0.9}
HISTORY_SCHEMA = {
    "date": pl.Date, "value": pl.Float64, "percentile_1y": pl.Float64,
    "band_low": pl.Float64, "band_median": pl.Float64, "band_high": pl.Float64,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class UserSeries:
    """One user series at T; every number is null when nothing is dated <= T."""

    name: str
    label: str
    unit: str | None = None  # usd | pct | ratio | number
    role: str | None = None  # dealer_gamma | exposure | other
    value: float | None = None
    date: date | None = None
    change: float | None = None
    percentile_1y: float | None = None
    stale: bool | None = None
    # the observations dated <= T (HISTORY_SCHEMA): each with its own past-year percentile
    # and the 10th/50th/90th percentiles of its past year (the drill-down's band)
    history: pl.DataFrame | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SeriesBook:
    """The user series digested once per file change; positioning_at() reads it per tick."""

    frame: pl.DataFrame  # name + HISTORY_SCHEMA, sorted by (name, date)
    specs: dict[str, SeriesSpec]  # every name of the data, in display order
    rows: dict[str, tuple[int, np.ndarray]]  # name -> (first row in frame, its dates)


@dataclass(frozen=True, slots=True)
class Positioning:
    series: dict[str, UserSeries]
    net_gamma_usd_per_pct: float | None


def percentiles_1y(dates: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per observation, the share of the past year's observations at or below it (NaN with
    fewer than MIN_OBSERVATIONS). dates are sorted, unique datetime64[D]."""
    starts = np.searchsorted(dates, dates - np.timedelta64(WINDOW_DAYS, "D"), side="left")
    out = np.full(len(values), np.nan)
    for i, start in enumerate(starts):
        # rows start..i-1 are dated date-365 .. date-1 (dates are unique and sorted)
        if i - start >= MIN_OBSERVATIONS:
            out[i] = np.count_nonzero(values[start:i] <= values[i]) / (i - start)
    return out


def series_book(
    frame: pl.DataFrame | None, specs: dict[str, SeriesSpec] | None = None
) -> SeriesBook | None:
    """Digest a clean series frame (date, name, value; unique per date and name)."""
    if frame is None or frame.is_empty():
        return None
    specs = specs or {}
    ordered = frame.select("name", "date", "value").sort("name", "date")
    percentile = np.empty(ordered.height)
    rows: dict[str, tuple[int, np.ndarray]] = {}
    offset = 0
    for (name,), part in ordered.group_by("name", maintain_order=True):
        dates = part.get_column("date").to_numpy().astype("datetime64[D]")
        values = part.get_column("value").to_numpy()
        percentile[offset : offset + len(dates)] = percentiles_1y(dates, values)
        rows[str(name)] = (offset, dates)
        offset += len(dates)
    bands = [
        pl.col("value")
        .rolling_quantile_by(
            "date",
            window_size=f"{WINDOW_DAYS}d",
            quantile=q,
            interpolation="linear",
            closed="left",  # date-365 .. date-1, the percentile's window
            min_samples=MIN_OBSERVATIONS,
        )
        .over("name")
        .alias(column)
        for column, q in BAND_QUANTILES.items()
    ]
    digested = ordered.with_columns(
        pl.Series("percentile_1y", percentile).fill_nan(None), *bands
    ).select("name", *HISTORY_SCHEMA)
    configured = [name for name in specs if name in rows]
    order = configured + sorted(name for name in rows if name not in specs)
    return SeriesBook(
        frame=digested,
        specs={name: specs.get(name) or SeriesSpec(label=name) for name in order},
        rows={name: rows[name] for name in order},
    )


def series_at(book: SeriesBook, name: str, today: date) -> UserSeries:
    """The DESIGN.md figures of one series at T: O(log observations) plus a slice."""
    spec = book.specs[name]
    offset, dates = book.rows[name]
    found = int(np.searchsorted(dates, np.datetime64(today, "D"), side="right"))
    history = book.frame.slice(offset, found).drop("name")
    base = UserSeries(name, spec.label, spec.unit, spec.role, history=history)
    if found == 0:
        return base
    row = offset + found - 1
    value = float(book.frame.item(row, "value"))
    day: date = book.frame.item(row, "date")
    previous = float(book.frame.item(row - 1, "value")) if found > 1 else None
    return replace(
        base,
        value=value,
        date=day,
        change=value - previous if previous is not None else None,
        percentile_1y=book.frame.item(row, "percentile_1y"),
        stale=today - day > timedelta(days=STALE_AFTER_DAYS),
    )


def positioning_at(
    book: SeriesBook | None, today: date, letf_gamma_usd_per_pct: float | None
) -> Positioning:
    """Every user series at T, and net gamma (null without a dealer_gamma series)."""
    if book is None:
        return Positioning({}, None)
    series = {name: series_at(book, name, today) for name in book.specs}
    dealer = next((s for s in series.values() if s.role == "dealer_gamma"), None)
    net = None
    if dealer is not None and dealer.value is not None and letf_gamma_usd_per_pct is not None:
        net = dealer.value - letf_gamma_usd_per_pct
    return Positioning(series, net)
