"""The per-tick pass: live quotes + a prepared Model -> Snapshot, in O(universe)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from crowdwatch.analytics import internals as mi
from crowdwatch.analytics.alerts import with_alerts
from crowdwatch.analytics.attribution import attribute
from crowdwatch.analytics.baskets import (
    basket_mean,
    basket_return,
    factor_return,
    momentum_baskets,
    select,
)
from crowdwatch.analytics.events import build_events
from crowdwatch.analytics.moves import finite, move_stats
from crowdwatch.analytics.positioning import SeriesBook, positioning_at
from crowdwatch.analytics.prepare import Model, leg_weights, prepare
from crowdwatch.analytics.results import Internals, MoveStats, Snapshot, ThemeMove
from crowdwatch.analytics.themes import flags, weighted_mean
from crowdwatch.config.schema import Config

NEW_YORK = "America/New_York"


def session_date(quotes: pl.DataFrame) -> date:
    """The exchange (New York) date of the newest quote."""
    newest = quotes.select(pl.col("ts").max().dt.convert_time_zone(NEW_YORK).dt.date()).item()
    return newest


def quote_vector(model: Model, quotes: pl.DataFrame, today: date) -> np.ndarray:
    """last per ticker in panel column order (NaN where unquoted).

    A quote left over from an earlier session is not a price for today: a halted name
    must not enter breadth and the baskets with a return of zero.
    """
    column = model.panel.column
    last = np.full(len(model.panel.tickers), np.nan)
    session = pl.col("ts").dt.convert_time_zone(NEW_YORK).dt.date()
    rows = quotes.filter(
        pl.col("ticker").is_in(list(column))
        & pl.col("last").is_not_null()
        & (pl.col("last") > 0)
        & (session == pl.lit(today))
    )
    idx = np.array([column[t] for t in rows.get_column("ticker").to_list()], dtype=int)
    last[idx] = rows.get_column("last").to_numpy()
    return last


def names(tickers: tuple[str, ...], *masks: np.ndarray) -> tuple[str, ...]:
    union = np.logical_or.reduce(masks)
    return tuple(tickers[j] for j in np.flatnonzero(union))


def stats_for(model: Model, name: str, today: date, value: float, members=()) -> MoveStats:
    return move_stats(name, model.histories[name], today, value, members)


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
    tickers = panel.tickers
    with np.errstate(invalid="ignore", divide="ignore"):
        r_today = quote_vector(model, quotes, today) / panel.close[-1] - 1.0
    eligible = panel.member & ~np.isnan(r_today)
    returns_row, eligible_row = r_today[None, :], eligible[None, :]
    weights = leg_weights(config, model.caps_at_d[None, :] if model.caps_at_d is not None else None)
    legs, masks = {}, {}
    for signal in {"mom", *(s for s, _ in model.factor_legs.values())} & set(model.signals_at_d):
        chosen = select(model.signals_at_d[signal][None, :], eligible_row, config.settings.quantile)
        masks[signal] = (chosen.top, chosen.bottom)
        legs[signal] = (
            basket_return(returns_row, chosen.top, weights)[0],
            basket_return(returns_row, chosen.bottom, weights)[0],
        )
    top, bottom = masks["mom"]
    beta_d = model.signals_at_d["beta"][None, :]
    values = momentum_baskets(
        np.array([legs["mom"][0]]),
        np.array([legs["mom"][1]]),
        basket_mean(beta_d, top),
        basket_mean(beta_d, bottom),
    )
    both = names(tickers, top, bottom)
    members = {"winners": names(tickers, top), "short_momentum": names(tickers, bottom)}
    baskets = {
        key: stats_for(model, key, today, series[0], members.get(key, both))
        for key, series in values.items()
    }
    factors = {}
    for name, (signal, long_top) in model.factor_legs.items():
        if signal not in legs:  # size without market caps: all null, never dropped
            factors[name] = stats_for(model, name, today, None)
            continue
        value = factor_return(*legs[signal], long_top)
        factors[name] = stats_for(model, name, today, value, names(tickers, *masks[signal]))
    themes = theme_moves(model, today, r_today)
    baskets, factors, themes, members = attribute(
        model, r_today, masks, weights, baskets, factors, themes
    )
    index_return = r_today[panel.benchmark] if panel.benchmark is not None else np.nan
    internals, letf_funds = market_internals(model, today, r_today, eligible, index_return)
    pair_today = baskets["momentum_pair"].ret
    pair = np.append(model.series["momentum_pair"], np.nan if pair_today is None else pair_today)
    events = build_events(
        pair, np.append(model.pair_sigma, np.nan), np.append(panel.dates, np.datetime64(today))
    )
    positioning = positioning_at(user_series, today, internals.letf_gamma_usd_per_pct)
    snapshot = Snapshot(
        as_of=today,
        mode=mode,  # type: ignore[arg-type]
        source=source,
        simulated=simulated,
        benchmark=config.settings.benchmark,
        universe_size=int(panel.member.sum()),
        baskets=baskets,
        factors=factors,
        themes=themes,
        internals=internals,
        events=events,
        quotes_ts=quotes.get_column("ts").max() if mode == "live" else None,
        alert_sigma=config.settings.alert_sigma,
        series=series_frame(model, today, {**baskets, **factors}, themes),
        theme_members=theme_members(model, r_today),
        dispersion_history=with_today(
            model.dispersion_frame,
            today,
            {
                "dispersion_ratio": internals.dispersion_ratio,
                "letf_flow_usd": internals.letf_flow_usd,
            },
        ),
        letf_funds=letf_funds,
        user_series=positioning.series,
        net_gamma_usd_per_pct=positioning.net_gamma_usd_per_pct,
        members=members,
    )
    return with_alerts(snapshot, config.alerts.rules)


def theme_moves(model: Model, today: date, r_today: np.ndarray) -> dict[str, ThemeMove]:
    config = model.config
    have = ~np.isnan(r_today)
    values = weighted_mean(r_today[None, :], model.theme_matrix)[0]
    counts = ((model.theme_matrix > 0) & have[:, None]).sum(axis=0)
    stats = {
        t.name: stats_for(model, t.name, today, values[k]) for k, t in enumerate(config.themes)
    }
    flag = flags(model.theme_momentum_at_d, {name: s.sigma for name, s in stats.items()})
    out = {}
    for k, theme in enumerate(config.themes):
        score, parts = model.theme_crowding[theme.name]
        out[theme.name] = ThemeMove(
            stats=stats[theme.name],
            member_count=int(counts[k]),
            missing=model.theme_missing[theme.name],
            crowding=score,
            crowding_parts=parts,
            flag=flag[theme.name],  # type: ignore[arg-type]
            momentum=model.theme_momentum_at_d[theme.name],
            note=theme.note,
        )
    return out


def market_internals(
    model: Model, today: date, r_today: np.ndarray, eligible: np.ndarray, index_return: float
) -> tuple[Internals, pl.DataFrame]:
    panel, settings = model.panel, model.config.settings
    member_returns = r_today[eligible]
    bench = panel.benchmark
    recent = np.vstack([panel.returns[-20:], r_today[None, :]])
    index_recent = recent[:, bench] if bench is not None else np.full(len(recent), np.nan)
    ratio = mi.dispersion_ratio(recent[-5:][:, eligible], index_recent[-5:])
    since = np.datetime64(mi.years_before(today, settings.dispersion_since_years))
    window = panel.dates >= since
    mom = model.signals_at_d["mom"]
    ranked = eligible & ~np.isnan(mom)
    fund_returns = r_today[model.letf_columns] if len(model.letf_columns) else np.array([])
    fund_flows = model.letf_notional * fund_returns if len(fund_returns) else np.array([])
    have = ~np.isnan(fund_flows)
    flow = float(fund_flows[have].sum()) if have.any() else None
    prior_flows = np.abs(model.letf_history)
    by_underlying: dict[str, float] = {}
    for fund, value in zip(model.letf_funds, fund_flows, strict=True):
        if not np.isnan(value):
            by_underlying[fund.underlying] = by_underlying.get(fund.underlying, 0.0) + float(value)
    gamma = sum(f.aum_usd * f.leverage * (f.leverage - 1) for f in model.config.letfs) * 0.01
    internals = Internals(
        index_ret=finite(index_return),
        breadth=mi.breadth(member_returns, index_return),
        dispersion_ratio=ratio,
        dispersion_percentile=mi.share_at_or_below(model.dispersion[window], ratio),
        reversal_corr=mi.spearman(r_today[ranked], mom[ranked]),
        realized_corr=mi.realized_corr(recent[:, eligible], index_recent),
        letf_flow_usd=flow,
        letf_flow_percentile=mi.share_at_or_below(
            prior_flows, abs(flow) if flow is not None else None
        ),
        letf_gamma_usd_per_pct=float(gamma),
        letf_by_underlying=by_underlying,
    )
    funds = pl.DataFrame(
        {
            "ticker": [f.ticker for f in model.letf_funds],
            "underlying": [f.underlying for f in model.letf_funds],
            "leverage": [float(f.leverage) for f in model.letf_funds],
            "aum_usd": [float(f.aum_usd) for f in model.letf_funds],
            "flow_usd": [finite(v) for v in fund_flows],
        },
        schema={"ticker": pl.String, "underlying": pl.String, "leverage": pl.Float64,
                "aum_usd": pl.Float64, "flow_usd": pl.Float64},
    )  # fmt: skip
    return internals, funds


def with_today(prior: pl.DataFrame, today: date, values: dict[str, float | None]) -> pl.DataFrame:
    """A prepared date-indexed frame plus today's row: O(columns), not O(history)."""
    row = pl.DataFrame(
        {"date": [today], **{name: [values.get(name)] for name in prior.columns[1:]}},
        schema=prior.schema,
    )
    return pl.concat([prior, row], rechunk=False)


def series_frame(
    model: Model, today: date, stats: dict[str, MoveStats], themes: dict[str, ThemeMove]
) -> pl.DataFrame:
    """date + a column per basket, factor and theme; today's values appended."""
    today_values = {name: s.ret for name, s in stats.items()}
    today_values.update({name: t.stats.ret for name, t in themes.items()})
    return with_today(model.series_frame, today, today_values)


def theme_members(model: Model, r_today: np.ndarray) -> dict[str, pl.DataFrame]:
    """Per theme: ticker, ret, sigma, mom, beta of its tickers found in the data."""
    column = model.panel.column
    themes = model.config.themes
    found = [[t for t in theme.tickers if t in column] for theme in themes]
    idx = np.array([column[t] for tickers in found for t in tickers], dtype=int)
    ret = r_today[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = ret / model.ticker_rms[idx]
    # one frame split by theme: a frame per theme per tick costs more than the maths
    frame = pl.DataFrame(
        {
            "theme": [theme.name for theme, tickers in zip(themes, found, strict=True)
                      for _ in tickers],
            "ticker": [t for tickers in found for t in tickers],
            "ret": ret,
            "sigma": sigma,
            "mom": model.signals_at_d["mom"][idx],
            "beta": model.signals_at_d["beta"][idx],
        },
        schema={"theme": pl.String, "ticker": pl.String, "ret": pl.Float64,
                "sigma": pl.Float64, "mom": pl.Float64, "beta": pl.Float64},
    ).with_columns(pl.exclude("theme", "ticker").fill_nan(None))  # fmt: skip
    parts = frame.partition_by("theme", as_dict=True, include_key=False, maintain_order=True)
    empty = frame.clear().drop("theme")
    return {theme.name: parts.get((theme.name,), empty) for theme in themes}


def close_snapshot(
    history: pl.DataFrame,
    config: Config,
    universe: pl.DataFrame | None = None,
    as_of: date | None = None,
    source: str = "files",
    simulated: bool = False,
    user_series: SeriesBook | None = None,
) -> Snapshot:
    """Close mode: the last history date (<= as_of) is T, the day before it is d."""
    if as_of is not None:
        history = history.filter(pl.col("date") <= as_of)
    history = history.filter(pl.col("close").is_not_null() & (pl.col("close") > 0))
    dates = history.get_column("date").unique().sort()
    if len(dates) < 2:
        raise ValueError(
            f"the history has {len(dates)} trading day(s)"
            + (f" up to {as_of}" if as_of is not None else "")
            + "; at least two are needed (check the prices file"
            + (" and --as-of)" if as_of is not None else ")")
        )
    today = dates[-1]
    model = prepare(history.filter(pl.col("date") < today), config, universe)
    quotes = history.filter(pl.col("date") == today).select(
        "ticker",
        last=pl.col("close"),
        ts=pl.lit(today).cast(pl.Datetime("us")).dt.replace_time_zone(NEW_YORK)
        .dt.offset_by("16h").dt.convert_time_zone("UTC"),
    )  # fmt: skip
    return live(
        model, quotes, source=source, simulated=simulated, mode="close", user_series=user_series
    )
