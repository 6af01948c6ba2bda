"""One drill-down per market internal: its daily history with T's percentile, and today's
detail (breadth by sector, the widest 5-day vol ratios, the most reversed names, the LETF
flow per underlying and per fund).

The histories come from prepare (the lens's feature history for breadth and reversal,
InternalsState for dispersion and realized correlation, LetfState for the flows); T's value
is the Snapshot's own (the number `report --json` prints). A drill-down is built on first
read (InternalDrillDowns): a screen opens one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from crowdwatch.analytics.history_lens import FEATURES
from crowdwatch.analytics.internals import DISPERSION_WINDOW, share_at_or_below, years_before
from crowdwatch.analytics.letf import LetfToday
from crowdwatch.analytics.results import Internals

if TYPE_CHECKING:
    from crowdwatch.analytics.attribution import AttributionBasis
    from crowdwatch.analytics.model import Model

INTERNAL_KEYS = ("index", "breadth", "dispersion", "reversal", "realized", "letf")
LISTED = 15  # names in the dispersion and reversal tables
ALL_MEMBERS = "All members"  # the one breadth row without universe.csv sectors


@dataclass(frozen=True, slots=True)
class InternalHistory:
    """One daily series up to T (T's value is the Snapshot's) and T's percentile.

    The days before T are the prepared arrays (shared with the Model); T's point is joined
    only when a screen reads `dates`, `values` or `points`.
    """

    name: str
    prior_dates: np.ndarray  # datetime64[D]: the days up to d
    prior_values: np.ndarray  # NaN where the day has no value
    day: date  # T
    today: float | None
    percentile: float | None  # share of the prior days (from `since`) at or below today
    since: date | None = None  # the percentile's first day; None: every prior day
    absolute: bool = False  # the percentile ranks |value| (the LETF flows)

    @property
    def dates(self) -> np.ndarray:
        return np.append(self.prior_dates, np.datetime64(self.day, "D"))

    @property
    def values(self) -> np.ndarray:
        return np.append(self.prior_values, np.nan if self.today is None else self.today)

    @property
    def points(self) -> tuple[tuple[date, float], ...]:
        """(date, value) of the days with a value, T included, oldest first."""
        values = self.values
        have = ~np.isnan(values)
        return tuple(zip(self.dates[have].tolist(), values[have].tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class InternalDrillDown:
    """What one internal's drill-down shows; tables and flows depend on the internal."""

    key: str
    history: InternalHistory
    # breadth: by_sector; dispersion: vol_ratios; reversal: most_reversed;
    # letf: underlyings, funds
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    flows: dict[str, InternalHistory] = field(default_factory=dict)  # "QQQ", "fund:TQQQ"
    # reversal: (mom at d, ret on T) of the members in reversal_corr
    scatter: tuple[np.ndarray, np.ndarray] | None = None
    count: int = 0  # members behind T's value (breadth, dispersion, reversal)


@dataclass(frozen=True, slots=True)
class Today:
    """What a tick hands the drill-downs."""

    day: date
    r_today: np.ndarray
    eligible: np.ndarray
    internals: Internals
    letf: LetfToday


def history(
    model: Model, name: str, prior: np.ndarray, today: Today, value: float | None, **kw
) -> InternalHistory:
    """The prepared daily values and T's; the percentile against every prior day unless
    given (dispersion, LETF: the Snapshot's own)."""
    if "percentile" not in kw:
        kw["percentile"] = share_at_or_below(prior, value)
    return InternalHistory(name, model.panel.dates, prior, today.day, value, **kw)


def named(basis: AttributionBasis | None, tickers: tuple[str, ...], columns: np.ndarray) -> dict:
    none = [None] * len(columns)
    return {
        "ticker": [tickers[j] for j in columns.tolist()],
        "name": basis.names[columns].tolist() if basis is not None else none,
        "sector": basis.sectors(columns) if basis is not None else none,
    }


def by_sector(today: Today, basis: AttributionBasis | None) -> pl.DataFrame | None:
    """members, beating (r > r(I)), lagging and breadth per sector; largest breadth first."""
    index_ret = today.internals.index_ret
    columns = np.flatnonzero(today.eligible)
    if index_ret is None or not len(columns):
        return None
    beats = today.r_today[columns] > index_ret
    if basis is not None and basis.sector_codes is not None:
        codes, names = basis.sector_codes[columns], basis.sector_names
    else:
        codes, names = np.zeros(len(columns), dtype=np.int64), (ALL_MEMBERS,)
    members = np.bincount(codes, minlength=len(names))
    beating = np.bincount(codes, weights=beats, minlength=len(names)).astype(np.int64)
    have = np.flatnonzero(members)
    frame = pl.DataFrame(
        {
            "sector": [names[k] for k in have.tolist()],
            "members": members[have],
            "beating": beating[have],
            "lagging": members[have] - beating[have],
            "breadth": beating[have] / members[have],
        },
        schema={"sector": pl.String, "members": pl.Int64, "beating": pl.Int64,
                "lagging": pl.Int64, "breadth": pl.Float64},
    )  # fmt: skip
    return frame.sort(["breadth", "members", "sector"], descending=[True, True, False])


def vol_ratios(model: Model, today: Today) -> tuple[pl.DataFrame | None, int]:
    """The members with all 5 returns ending T by their 5-day stdev / the index's (ddof=1),
    largest first (ties by ticker); the mean over all of them is the dispersion ratio."""
    state, bench = model.internals, model.panel.benchmark
    window = np.vstack([state.recent_returns[-(DISPERSION_WINDOW - 1) :], today.r_today])
    if bench is None or np.isnan(window[:, bench]).any():
        return None, 0
    index_std = float(np.std(window[:, bench], ddof=1))
    columns = np.flatnonzero(today.eligible & ~np.isnan(window).any(axis=0))
    if index_std == 0 or not len(columns):
        return None, 0
    vol = np.std(window[:, columns], axis=0, ddof=1)
    ratio = vol / index_std
    top = np.lexsort((columns, -ratio))[:LISTED]
    chosen = columns[top]
    frame = pl.DataFrame(
        {
            **named(model.attribution, model.panel.tickers, chosen),
            "ret": today.r_today[chosen],
            "vol_5d": vol[top],
            "vol_ratio": ratio[top],
        }
    )
    return frame, len(columns)


def reversal_detail(model: Model, today: Today) -> tuple[tuple, pl.DataFrame, int]:
    """The scatter (mom at d, ret on T) of the members reversal_corr ranks, and the most
    reversed of them: a return against the momentum's sign, largest |return| first."""
    mom, r = model.signals_at_d["mom"], today.r_today
    ranked = today.eligible & ~np.isnan(mom)
    columns = np.flatnonzero(ranked & (r * mom < 0))
    top = columns[np.lexsort((columns, -np.abs(r[columns])))[:LISTED]]
    frame = pl.DataFrame(
        {**named(model.attribution, model.panel.tickers, top), "ret": r[top], "mom": mom[top]},
        schema={"ticker": pl.String, "name": pl.String, "sector": pl.String,
                "ret": pl.Float64, "mom": pl.Float64},
    )  # fmt: skip
    return (mom[ranked], r[ranked]), frame, int(ranked.sum())


def letf_detail(model: Model, today: Today) -> tuple[dict, dict]:
    """Per underlying and per fund: T's flow, its |flow| percentile and the daily history."""
    state, letf = model.letf, today.letf
    flows: dict[str, InternalHistory] = {}
    for k, name in enumerate(state.underlyings):
        value = letf.by_underlying.get(name)
        flows[name] = flow_history(model, name, state.underlying_history[:, k],
                                   state.underlying_ranked[k], today, value)  # fmt: skip
    fund_flows = letf.funds.get_column("flow_usd").to_list()
    for j, fund in enumerate(state.funds):
        key = f"fund:{fund.ticker}"
        flows[key] = flow_history(model, fund.ticker, state.fund_history[:, j],
                                  state.fund_ranked[j], today, fund_flows[j])  # fmt: skip
    percentile = {key: h.percentile for key, h in flows.items()}
    underlyings = pl.DataFrame(
        {
            "underlying": list(state.underlyings),
            "funds": [sum(f.underlying == u for f in state.funds) for u in state.underlyings],
            "flow_usd": [flows[u].today for u in state.underlyings],
            "percentile": [percentile[u] for u in state.underlyings],
        },
        schema={"underlying": pl.String, "funds": pl.Int64, "flow_usd": pl.Float64,
                "percentile": pl.Float64},
    )  # fmt: skip
    funds = letf.funds.with_columns(
        pl.Series("percentile", [percentile[f"fund:{f.ticker}"] for f in state.funds],
                  dtype=pl.Float64)
    )  # fmt: skip
    return {
        "underlyings": by_size(underlyings, "underlying"),
        "funds": by_size(funds, "ticker"),
    }, flows


def by_size(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Largest |flow| first, no flow last, ties by name."""
    size = pl.col("flow_usd").abs()
    return frame.sort([size.is_null(), size, name], descending=[False, True, False])


def flow_history(
    model: Model, name: str, prior: np.ndarray, ranked: np.ndarray, today: Today, value
) -> InternalHistory:
    """`ranked`: the prior days' |flow|, sorted (LetfState): the percentile is a search."""
    size = None if value is None else abs(value)
    percentile = None
    if size is not None and len(ranked):
        percentile = float(np.searchsorted(ranked, size, side="right")) / len(ranked)
    return history(model, name, prior, today, value, absolute=True, percentile=percentile)


def drill_down(model: Model, key: str, today: Today) -> InternalDrillDown:
    """The drill-down of one internal (INTERNAL_KEYS)."""
    i, features = today.internals, model.lens.features
    bench = model.panel.benchmark
    if key == "index":
        index = model.panel.returns[:, bench] if bench is not None else model.lens.index_returns
        return InternalDrillDown(key, history(model, "index return", index, today, i.index_ret))
    if key == "breadth":
        prior = features[:, FEATURES.index("breadth")]
        table = by_sector(today, model.attribution)
        return InternalDrillDown(
            key,
            history(model, "breadth", prior, today, i.breadth),
            tables={"by_sector": table} if table is not None else {},
            count=int(today.eligible.sum()) if i.breadth is not None else 0,
        )
    if key == "dispersion":
        since = years_before(today.day, model.config.settings.dispersion_since_years)
        line = history(model, "dispersion ratio", model.internals.dispersion, today,
                       i.dispersion_ratio, percentile=i.dispersion_percentile, since=since)  # fmt: skip
        table, count = vol_ratios(model, today)
        tables = {"vol_ratios": table} if table is not None else {}
        return InternalDrillDown(key, line, tables=tables, count=count)
    if key == "reversal":
        prior = features[:, FEATURES.index("reversal_corr")]
        scatter, table, count = reversal_detail(model, today)
        line = history(model, "reversal corr", prior, today, i.reversal_corr)
        return InternalDrillDown(key, line, {"most_reversed": table}, scatter=scatter, count=count)
    if key == "realized":
        line = history(model, "realized corr", model.internals.realized, today, i.realized_corr)
        return InternalDrillDown(key, line)
    if key == "letf":
        line = history(model, "LETF flow", model.letf.history, today, i.letf_flow_usd,
                       percentile=i.letf_flow_percentile, absolute=True)  # fmt: skip
        tables, flows = letf_detail(model, today)
        return InternalDrillDown(key, line, tables=tables, flows=flows)
    raise KeyError(key)


class InternalDrillDowns(Mapping[str, InternalDrillDown]):
    """Internal key -> its drill-down, built on first read (one is open at a time)."""

    def __init__(self, model: Model, today: Today) -> None:
        self._model, self._today = model, today
        self._built: dict[str, InternalDrillDown] = {}

    def __getitem__(self, key: str) -> InternalDrillDown:
        if key not in INTERNAL_KEYS:
            raise KeyError(key)
        if key not in self._built:
            self._built[key] = drill_down(self._model, key, self._today)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(INTERNAL_KEYS)

    def __len__(self) -> int:
        return len(INTERNAL_KEYS)
