"""The per-tick pass: live quotes + a prepared Model -> Snapshot, in O(universe)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from crowdwatch.analytics.alerts import with_alerts
from crowdwatch.analytics.attribution import attribution_today
from crowdwatch.analytics.events import events_today
from crowdwatch.analytics.factors import baskets_today
from crowdwatch.analytics.internals import dispersion_history_today, internals_today
from crowdwatch.analytics.internals_drill import InternalDrillDowns, Today
from crowdwatch.analytics.letf import letf_today
from crowdwatch.analytics.moves import drill_downs_today, frame_today, stats_today
from crowdwatch.analytics.positioning import SeriesBook, positioning_at
from crowdwatch.analytics.results import BASKET_KEYS, Snapshot
from crowdwatch.analytics.themes import theme_moves, theme_values_today
from crowdwatch.config.calendar import NEW_YORK, NEW_YORK_NAME

if TYPE_CHECKING:  # model.py imports this module
    from crowdwatch.analytics.model import Model


def session_date(quotes: pl.DataFrame) -> date:
    """The exchange (New York) date of the newest quote."""
    newest = quotes.get_column("ts").max()
    if newest is None or not isinstance(NEW_YORK, ZoneInfo):  # no tz database: polars has one
        return quotes.select(
            pl.col("ts").max().dt.convert_time_zone(NEW_YORK_NAME).dt.date()
        ).item()
    # a time zone-naive column is UTC, as polars' convert_time_zone reads it
    return as_utc(newest).astimezone(NEW_YORK).date()


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def session_bounds(day: date) -> tuple[np.datetime64, np.datetime64]:
    """The UTC instants (time zone-naive, as polars' to_numpy gives them) where the New York
    date `day` starts and where the next one starts (midnight in New York always exists)."""
    start, end = (
        datetime.combine(d, time(), tzinfo=NEW_YORK).astimezone(UTC).replace(tzinfo=None)
        for d in (day, day + timedelta(days=1))
    )
    return np.datetime64(start, "us"), np.datetime64(end, "us")


class QuoteColumns:
    """The panel column of each quote row (-1: not in the panel), remembered for the last
    ticker column seen: the feeds send the same tickers in the same order on every poll, so
    a tick compares them (~15 us at 3,000 names) instead of looking each up (~0.2 ms)."""

    def __init__(self) -> None:
        # one tuple, swapped whole: a tick in another thread never reads half an update
        self._last: tuple[dict[str, int], pl.Series, np.ndarray] | None = None

    def of(self, column: dict[str, int], tickers: pl.Series) -> np.ndarray:
        last = self._last
        if last is not None and last[0] is column and last[1].equals(tickers):
            return last[2]
        columns = np.array([column.get(t, -1) for t in tickers.to_list()], dtype=np.int64)
        self._last = (column, tickers, columns)
        return columns


def quote_vector(model: Model, quotes: pl.DataFrame, today: date) -> np.ndarray:
    """last per ticker in panel column order (NaN where unquoted).

    A quote left over from an earlier session is not a price for today: a halted name
    must not enter breadth and the baskets with a return of zero. A later quote of the same
    ticker overwrites an earlier one.
    """
    if not isinstance(NEW_YORK, ZoneInfo):
        return quote_vector_polars(model, quotes, today)
    prices = quotes.get_column("last")
    last = (prices if prices.dtype == pl.Float64 else prices.cast(pl.Float64)).to_numpy()
    ts = quotes.get_column("ts").to_numpy()  # UTC
    start, end = session_bounds(today)
    # polars orders NaN above every number: a NaN last passes "> 0" and quotes as NaN
    keep = ((last > 0) | np.isnan(last)) & (ts >= start) & (ts < end)
    if prices.null_count():
        keep &= prices.is_not_null().to_numpy()
    columns = model.quote_columns.of(model.panel.column, quotes.get_column("ticker"))
    keep &= columns >= 0
    out = np.full(len(model.panel.tickers), np.nan)
    out[columns[keep]] = last[keep]
    return out


def quote_vector_polars(model: Model, quotes: pl.DataFrame, today: date) -> np.ndarray:
    """quote_vector with polars' own time zone database (where Python has none)."""
    last = np.full(len(model.panel.tickers), np.nan)
    session = pl.col("ts").dt.convert_time_zone(NEW_YORK_NAME).dt.date()
    rows = quotes.filter(
        pl.col("last").is_not_null() & (pl.col("last") > 0) & (session == pl.lit(today))
    ).join(model.panel.columns, on="ticker", how="inner", maintain_order="left")
    last[rows.get_column("column").to_numpy()] = rows.get_column("last").to_numpy()
    return last


def live(
    model: Model,
    quotes: pl.DataFrame,
    source: str = "demo",
    simulated: bool = False,
    mode: str = "live",
    user_series: SeriesBook | None = None,
) -> Snapshot:
    """The Snapshot for session T (the quotes' New York date) against the model's close d."""
    if quotes is None or quotes.height == 0:
        raise ValueError("live() needs quotes; use close_snapshot() for close mode")
    today = session_date(quotes)
    if today <= model.last_date:
        raise ValueError(f"quotes dated {today} are not after the history's {model.last_date}")
    panel, config = model.panel, model.config
    with np.errstate(invalid="ignore", divide="ignore"):
        r_today = quote_vector(model, quotes, today) / panel.close[-1] - 1.0
    eligible = panel.member & ~np.isnan(r_today)
    baskets = baskets_today(
        model.baskets, model.signals_at_d, panel.ticker_array, r_today, eligible
    )
    theme_values, member_counts = theme_values_today(model.themes, r_today)
    values = {**baskets.values, **theme_values}
    # attribution: legs, top contributors and sectors of each M (built into it, not added)
    explanations, members = attribution_today(
        model, r_today, baskets.masks, baskets.weights, values
    )
    stats = stats_today(model.series, today, values, baskets.members, explanations)
    basket_stats = {key: stats[key] for key in BASKET_KEYS}
    factor_stats = {name: stats[name] for name in model.baskets.factor_legs}
    themes = theme_moves(model.themes, stats, member_counts)
    letf = letf_today(model.letf, r_today)
    mom = model.signals_at_d["mom"]
    internals = internals_today(
        model.internals,
        config.settings,
        today,
        r_today,
        eligible,
        mom,
        letf,
        model.baskets.ranked("mom", mom),  # momentum ranked once (the baskets' ranking)
    )
    positioning = positioning_at(user_series, today, internals.letf_gamma_usd_per_pct)
    pair_today = basket_stats["momentum_pair"].ret
    pair = np.append(
        model.series.values["momentum_pair"], np.nan if pair_today is None else pair_today
    )
    today_features, analogs = model.lens.at_today(basket_stats, internals, pair)
    snapshot = Snapshot(
        as_of=today,
        mode=mode,  # type: ignore[arg-type]
        source=source,
        simulated=simulated,
        benchmark=config.settings.benchmark,
        universe_size=int(panel.member.sum()),
        baskets=basket_stats,
        factors=factor_stats,
        themes=themes,
        internals=internals,
        events=events_today(model.events, stats["momentum_pair"].ret),
        quotes_ts=quotes.get_column("ts").max() if mode == "live" else None,
        alert_sigma=config.settings.alert_sigma,
        series=frame_today(model.series, today, stats),
        dispersion_history=dispersion_history_today(model.internals, today, internals),
        letf_funds=letf.funds,
        user_series=positioning.series,
        net_gamma_usd_per_pct=positioning.net_gamma_usd_per_pct,
        analogs=analogs,
        regime=model.lens.regime,
        today_features=today_features,
        analog_paths=model.lens.paths(analogs, pair),
        members=members,
        drill_downs=drill_downs_today(model.series, today, stats),
        internal_drill_downs=InternalDrillDowns(
            model, Today(today, r_today, eligible, internals, letf)
        ),
    )
    return with_alerts(snapshot, config.alerts.rules)
