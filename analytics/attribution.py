"""What drove a move: member contributions, legs, top contributors and sectors on T."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from crowdwatch.analytics.baskets import basket_mean
from crowdwatch.analytics.kept import Kept
from crowdwatch.analytics.member_layouts import Layout, Members, ThemeLayout, renormalised

if TYPE_CHECKING:
    from crowdwatch.analytics.model import Model

TOP = 10
SIDES = {True: "long", False: "short"}
UNKNOWN_SECTOR = "Unknown"
Side = Literal["long", "short"] | None
TABLE_SCHEMA = {
    "ticker": pl.String, "side": pl.String, "ret": pl.Float64, "weight": pl.Float64,
    "contribution": pl.Float64, "sigma": pl.Float64, "mom": pl.Float64, "beta": pl.Float64,
    "name": pl.String, "sector": pl.String,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Contributor:
    """One member's part of a move: contribution = its share of the series' return on T."""

    ticker: str
    ret: float
    weight: float  # its weight in its leg (1/n, cap share, or the renormalised theme weight)
    contribution: float
    side: Side = None  # "long"/"short" for pairs and factors, None otherwise


@dataclass(frozen=True, slots=True)
class Legs:
    """A pair's or factor's return split into its long and short side (long + short = ret)."""

    long: float
    short: float
    long_share: float | None  # |long| / (|long| + |short|); None when both are 0


@dataclass(frozen=True, slots=True)
class AttributionBasis:
    """What attribution needs from the history side, prepared once: name and sector per
    panel column (universe.csv) and each theme's member columns and YAML weights."""

    names: np.ndarray  # object array, None where unknown
    sector_codes: np.ndarray | None = None  # int per column into sector_names; None: no sectors
    sector_names: tuple[str, ...] = ()
    theme_columns: tuple[np.ndarray, ...] = ()  # per config theme, ascending panel columns
    theme_weights: tuple[np.ndarray, ...] = ()  # the YAML weights of those columns
    # the tick's members laid out for today's selection (member_layouts), while it lasts
    kept: Kept = field(default_factory=Kept, compare=False, repr=False)

    def sectors(self, columns: np.ndarray) -> list[str | None]:
        if self.sector_codes is None:
            return [None] * len(columns)
        return [self.sector_names[code] for code in self.sector_codes[columns].tolist()]


def attribution_basis(
    tickers: tuple[str, ...], universe: pl.DataFrame | None, theme_matrix: np.ndarray
) -> AttributionBasis:
    """Names and sectors for the panel columns (no sectors when the source has none) and
    the themes' member columns (theme_matrix: (tickers, themes) weights).

    A universe read without a sector column carries an all-null one (feeds.frames), so an
    all-null column counts as "no sector column". Tickers outside universe.csv or with a
    blank sector are "Unknown".
    """
    columns = tuple(np.flatnonzero(theme_matrix[:, k]) for k in range(theme_matrix.shape[1]))
    themes = {
        "theme_columns": columns,
        "theme_weights": tuple(theme_matrix[c, k] for k, c in enumerate(columns)),
    }
    none = np.full(len(tickers), None, dtype=object)
    if universe is None or "ticker" not in universe.columns:
        return AttributionBasis(names=none, **themes)
    listed = universe.unique(subset=["ticker"], keep="first", maintain_order=True)
    order = pl.DataFrame({"ticker": list(tickers)}, schema={"ticker": pl.String})
    joined = order.join(listed, on="ticker", how="left", maintain_order="left")
    names = (
        np.array(joined.get_column("name").cast(pl.String).to_list(), dtype=object)
        if "name" in joined.columns
        else none
    )
    if "sector" not in listed.columns or not listed.get_column("sector").drop_nulls().len():
        return AttributionBasis(names=names, **themes)
    sector = pl.col("sector").cast(pl.String).str.strip_chars()
    labelled = joined.select(
        pl.when(sector.is_null() | (sector == "")).then(pl.lit(UNKNOWN_SECTOR)).otherwise(sector)
    ).to_series()
    sector_names = tuple(sorted(set(labelled.to_list())))
    code = {name: k for k, name in enumerate(sector_names)}
    codes = np.array([code[name] for name in labelled.to_list()], dtype=np.int64)
    return AttributionBasis(names=names, sector_codes=codes, sector_names=sector_names, **themes)


def leg_weights(columns: np.ndarray, caps: np.ndarray | None) -> np.ndarray:
    """Weights within a leg: 1/n, or cap shares (a member without a cap weighs 0) like
    baskets.basket_return."""
    if caps is None:
        return np.full(len(columns), 1.0 / len(columns)) if len(columns) else np.zeros(0)
    raw = np.nan_to_num(caps[columns])
    total = raw.sum()
    return raw / total if total > 0 else np.full(len(columns), np.nan)


def laid_members(found: Layout, returns: np.ndarray, short_scale: float = 1.0) -> Members:
    """A basket's or pair's Members on T from its Layout: long c_i = w_i r_i, short
    c_i = -short_scale w_i r_i (bW/bL for the beta-neutral pair)."""
    ret, contribution = found.contributions(returns, short_scale)
    return Members(found.columns, ret, found.weight, contribution, found.long)


def theme_members(columns: np.ndarray, weights: np.ndarray, returns: np.ndarray) -> Members:
    """c_i = w_i r_i / (sum of w_j over members with a return on T)."""
    ret = returns[columns]
    have = ~np.isnan(ret)
    weight = renormalised(weights[have])
    return Members(
        columns=columns[have],
        ret=ret[have],
        weight=weight,
        contribution=weight * ret[have],
        absent=columns[~have],
    )


def legs_of(members: Members) -> Legs | None:
    if members.long is None:
        return None
    long = float(members.contribution[members.long].sum())
    short = float(members.contribution[~members.long].sum())
    gross = abs(long) + abs(short)
    return Legs(long=long, short=short, long_share=abs(long) / gross if gross > 0 else None)


def ranked(members: Members, limit: int | None = None) -> np.ndarray:
    """Member positions by |c_i| descending, ties by ticker (= panel column) ascending;
    the first `limit` only (an O(n) cut before the sort) when given."""
    size = np.abs(members.contribution)
    candidates = np.arange(len(size))
    if limit is not None and len(size) > limit:
        cut = np.partition(size, len(size) - limit)[len(size) - limit]
        candidates = np.flatnonzero(size >= cut)  # ties at the cut stay in, then the sort
    order = candidates[np.lexsort((members.columns[candidates], -size[candidates]))]
    return order[:limit] if limit is not None else order


def top_contributors(members: Members, tickers: tuple[str, ...]) -> tuple[Contributor, ...]:
    top = ranked(members, TOP)
    if members.long is None:
        sides = [None] * len(top)
    else:
        sides = [SIDES[is_long] for is_long in members.long[top].tolist()]
    # positional, through map: ~40% cheaper than keywords in a generator (210 per tick)
    return tuple(
        map(
            Contributor,
            [tickers[column] for column in members.columns[top].tolist()],
            members.ret[top].tolist(),
            members.weight[top].tolist(),
            members.contribution[top].tolist(),
            sides,
        )
    )


def by_sector(members: Members, basis: AttributionBasis | None) -> dict[str, float] | None:
    """Sum of c_i per sector the members have (largest |sum| first, ties by sector)."""
    if basis is None or basis.sector_codes is None:
        return None
    codes = basis.sector_codes[members.columns]
    size = len(basis.sector_names)
    totals = np.bincount(codes, weights=members.contribution, minlength=size).tolist()
    present = np.flatnonzero(np.bincount(codes, minlength=size)).tolist()
    order = sorted(present, key=lambda k: (-abs(totals[k]), basis.sector_names[k]))
    return {basis.sector_names[k]: totals[k] for k in order}


@dataclass(frozen=True, slots=True)
class Explanation:
    """What drove one series' move on T: the MoveStats fields attribution fills."""

    legs: Legs | None
    top_contributors: tuple[Contributor, ...]
    by_sector: dict[str, float] | None


def explanation(members: Members, tickers: tuple[str, ...], basis) -> Explanation:
    return Explanation(
        legs=legs_of(members),
        top_contributors=top_contributors(members, tickers),
        by_sector=by_sector(members, basis),
    )


def series_members(
    model: Model, r_today: np.ndarray, masks: dict, weights: np.ndarray | None
) -> dict[str, Members]:
    """Members of every basket, pair, factor and theme on T, keyed like the report."""
    caps = weights[0] if weights is not None else None
    basis = model.attribution or attribution_basis(model.panel.tickers, None, model.themes.matrix)
    kept = basis.kept

    def legs(signal: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """(columns, weights) of a signal's top and bottom."""

        def build():
            columns = [np.flatnonzero(mask) for mask in masks[signal]]
            return tuple((c, leg_weights(c, caps)) for c in columns)

        return kept.get(f"legs {signal}", (masks[signal], weights), build)

    def layout(name: str, signal: str, build) -> Layout:
        return kept.get(name, (masks[signal], weights), build)

    def members(found: Layout, short_scale: float = 1.0) -> Members:
        return laid_members(found, r_today, short_scale)

    out: dict[str, Members] = {}
    if "mom" in masks:
        top, bottom = legs("mom")
        beta = model.signals_at_d["beta"]
        scale = kept.get("scale", (masks["mom"], beta), partial(beta_scale, beta, masks["mom"]))
        out["winners"] = members(layout("top mom", "mom", partial(Layout.of, *top)))
        out["short_momentum"] = members(layout("bottom mom", "mom", partial(Layout.of, *bottom)))
        pair = layout("long top mom", "mom", partial(Layout.of, *top, bottom))
        out["momentum_pair"] = members(pair)
        out["momentum_beta_neutral"] = members(pair, scale)
    for name, (signal, long_top) in model.baskets.factor_legs.items():
        if signal == "mom" and long_top and "momentum_pair" in out:
            out[name] = out["momentum_pair"]  # the momentum factor is the pair
        elif signal in masks:
            top, bottom = legs(signal)
            long, short = (top, bottom) if long_top else (bottom, top)
            side = "top" if long_top else "bottom"
            build = partial(Layout.of, *long, short)
            out[name] = members(layout(f"long {side} {signal}", signal, build))
    sources = (basis.theme_columns, basis.theme_weights)
    themes = kept.get("themes", sources, partial(ThemeLayout.of, *sources))
    for theme, columns, theme_weights, laid in zip(
        model.config.themes, basis.theme_columns, basis.theme_weights, themes.today(r_today),
        strict=True,
    ):  # fmt: skip
        # the plain way for a theme with a member without a return on T
        out[theme.name] = theme_members(columns, theme_weights, r_today) if laid is None else laid
    return out


def beta_scale(beta: np.ndarray, masks: tuple[np.ndarray, np.ndarray]) -> float:
    """The beta-neutral pair's bW/bL: the mean beta at d of the top over the bottom's."""
    winners, losers = (basket_mean(beta[None, :], mask)[0] for mask in masks)
    return float(winners / losers if losers > 0 else np.nan)


def attribution_today(
    model: Model,
    r_today: np.ndarray,
    masks: dict,
    weights: np.ndarray | None,
    values: dict[str, float],
) -> tuple[dict[str, Explanation], MemberTables]:
    """The live() hook: the explanation of every series with a (finite) value today, for
    its MoveStats, and the member tables, built lazily."""
    members = series_members(model, r_today, masks, weights)
    tickers, basis = model.panel.tickers, model.attribution
    found: dict[str, Explanation] = {}
    by_members: dict[int, Explanation] = {}  # the momentum factor's members are the pair's
    for name, value in values.items():
        if name in members and value is not None and math.isfinite(value):
            same = by_members.get(id(members[name]))
            found[name] = same or explanation(members[name], tickers, basis)
            by_members[id(members[name])] = found[name]
    return found, MemberTables(model, r_today, members)


def member_table(model: Model, r_today: np.ndarray, members: Members) -> pl.DataFrame:
    """ticker, side, ret, weight, contribution, sigma, mom, beta (at d), name, sector; by
    |contribution| descending (ties by ticker), theme members without a return last."""
    order = ranked(members)
    absent = members.absent if members.absent is not None else np.zeros(0, dtype=int)
    columns = np.concatenate([members.columns[order], absent])
    gap = np.full(len(absent), np.nan)
    side = None
    if members.long is not None:
        side = np.where(members.long[order], "long", "short").tolist()
    basis = model.attribution
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = r_today[columns] / model.ticker_rms[columns]
    frame = pl.DataFrame(
        {
            "ticker": [model.panel.tickers[j] for j in columns.tolist()],
            "side": side if side is not None else [None] * len(columns),
            "ret": r_today[columns],
            "weight": np.concatenate([members.weight[order], gap]),
            "contribution": np.concatenate([members.contribution[order], gap]),
            "sigma": sigma,
            "mom": model.signals_at_d["mom"][columns],
            "beta": model.signals_at_d["beta"][columns],
            "name": basis.names[columns].tolist() if basis else [None] * len(columns),
            "sector": basis.sectors(columns) if basis else [None] * len(columns),
        },
        schema=TABLE_SCHEMA,
    )
    return frame.with_columns(pl.col(pl.Float64).fill_nan(None))


class MemberTables(Mapping[str, pl.DataFrame]):
    """Series key -> its member table, built on first access (a drill-down reads one or
    two; building all of them every tick would cost more than the attribution itself)."""

    def __init__(self, model: Model, r_today: np.ndarray, members: dict[str, Members]):
        self._model, self._r_today, self._members = model, r_today, members
        self._built: dict[str, pl.DataFrame] = {}

    def __getitem__(self, key: str) -> pl.DataFrame:
        if key not in self._built:
            self._built[key] = member_table(self._model, self._r_today, self._members[key])
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)
