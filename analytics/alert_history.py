"""Daily histories of the alert fields (for the backtest): each value as it stood at a close."""

from __future__ import annotations

import bisect

import numpy as np
import polars as pl

from crowdwatch.analytics import internals as mi
from crowdwatch.analytics.events import grid_sigma
from crowdwatch.analytics.history_lens import FEATURES
from crowdwatch.analytics.model import Model
from crowdwatch.analytics.results import BASKET_KEYS, Internals, MoveStats, Snapshot, ThemeMove
from crowdwatch.analytics.themes import flags

MOVE_FIELDS = ("ret", "sigma", "percentile")
DAILY_INTERNALS = (
    "index_ret", "breadth", "dispersion_ratio", "dispersion_percentile", "letf_flow_usd",
    "letf_flow_percentile",
)  # fmt: skip
SEP = "|"  # column name = "<series>|<field>"; a basket or factor by key, a theme by name


def expanding_percentile(series: np.ndarray) -> np.ndarray:
    """Share of the earlier non-null values <= each value (NaN where the value is NaN or
    has no earlier value): DESIGN.md 'percentile' on every day."""
    out = np.full(len(series), np.nan)
    seen: list[float] = []
    for row, value in enumerate(series):
        if np.isnan(value):
            continue
        if seen:
            out[row] = bisect.bisect_right(seen, value) / len(seen)
        bisect.insort(seen, float(value))
    return out


def windowed_share(values: np.ndarray, dates: np.ndarray, years: int) -> np.ndarray:
    """Each day's dispersion percentile: share of the prior values dated from the day minus
    `years` that are <= it (as live() computes it for T)."""
    out = np.full(len(values), np.nan)
    for row in range(1, len(values)):
        if np.isnan(values[row]):
            continue
        since = np.datetime64(mi.years_before(dates[row].astype(object), years))
        start = int(np.searchsorted(dates, since, side="left"))
        share = mi.share_at_or_below(values[start:row], float(values[row]))
        out[row] = np.nan if share is None else share
    return out


def alert_field_history(model: Model) -> pl.DataFrame:
    """date + a column per back-testable (series, field) over every close of the model.

    Moves (baskets, factors, themes): ret, sigma, percentile; themes also flag (String);
    internals (as "internals.<key>|value"): the DAILY_INTERNALS.
    """
    panel, config = model.panel, model.config
    columns: dict[str, np.ndarray] = {}
    for name, values in model.series.values.items():
        columns[f"{name}{SEP}ret"] = values
        columns[f"{name}{SEP}sigma"] = grid_sigma(values)
        columns[f"{name}{SEP}percentile"] = expanding_percentile(values)
    n = len(panel.dates)
    index_returns = (
        panel.returns[:, panel.benchmark] if panel.benchmark is not None else np.full(n, np.nan)
    )
    flows = model.letf.history
    internal = {
        "index_ret": index_returns,
        "breadth": model.lens.features[:, FEATURES.index("breadth")],  # computed once, there
        "dispersion_ratio": model.internals.dispersion,
        "dispersion_percentile": windowed_share(
            model.internals.dispersion, panel.dates, config.settings.dispersion_since_years
        ),
        "letf_flow_usd": flows,
        "letf_flow_percentile": expanding_percentile(np.abs(flows)),
    }
    columns.update({f"internals.{key}{SEP}value": v for key, v in internal.items()})
    frame = pl.DataFrame({"date": panel.dates, **columns}).with_columns(
        pl.col("date").cast(pl.Date), pl.exclude("date").fill_nan(None)
    )
    return frame.with_columns(theme_flags(model, columns))


def theme_flags(model: Model, columns: dict[str, np.ndarray]) -> list[pl.Series]:
    """UNWIND / SQUEEZE per theme and day: momentum at the previous close, that day's sigma."""
    names = [theme.name for theme in model.config.themes]
    momentum = model.themes.momentum
    rows: list[dict[str, str | None]] = [dict.fromkeys(names) for _ in model.panel.dates]
    for row in range(1, len(rows) if momentum is not None else 0):
        at_d = {name: _value(momentum[row - 1, k]) for k, name in enumerate(names)}
        sigma = {name: _value(columns[f"{name}{SEP}sigma"][row]) for name in names}
        rows[row] = flags(at_d, sigma)
    return [
        pl.Series(f"{name}{SEP}flag", [r[name] for r in rows], dtype=pl.String) for name in names
    ]


def _value(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def snapshot_of_row(row: dict, themes: list[str], factors: list[str], source: str) -> Snapshot:
    """A close-mode Snapshot holding one day of the history (only the back-testable fields),
    so the rules read a past close exactly as they read today's."""

    def stats(name: str) -> MoveStats:
        return MoveStats(name, **{f: row.get(f"{name}{SEP}{f}") for f in MOVE_FIELDS})

    return Snapshot(
        as_of=row["date"],
        mode="close",
        source=source,
        simulated=False,
        benchmark="",
        universe_size=0,
        baskets={key: stats(key) for key in BASKET_KEYS},
        factors={name: stats(name) for name in factors},
        themes={
            name: ThemeMove(stats(name), flag=row.get(f"{name}{SEP}flag"))  # type: ignore[arg-type]
            for name in themes
        },
        internals=Internals(
            **{key: row.get(f"internals.{key}{SEP}value") for key in DAILY_INTERNALS}
        ),
        events=(),
    )
