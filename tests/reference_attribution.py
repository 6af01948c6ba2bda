"""Reference attribution (DESIGN.md "Attribution: what drove a move"), the plain way.

Each series' members on T become a pandas frame (ticker, ret, weight, contribution, side);
legs, top contributors and the sector split are read off it with groupby and sort_values.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

UNKNOWN = "Unknown"


def sector_lookup(universe: pd.DataFrame | None):
    """ticker -> sector label, or None when the source has no sectors."""
    if universe is None or "sector" not in universe.columns:
        return None
    labels = {}
    for ticker, sector in zip(universe["ticker"], universe["sector"], strict=True):
        if ticker in labels:
            continue  # choice: the first row of a ticker wins, like the universe reader
        text = (
            ""
            if sector is None or (isinstance(sector, float) and math.isnan(sector))
            else str(sector)
        )
        labels[ticker] = text.strip() or UNKNOWN
    # choice: a sector column with no value at all counts as no sector column
    if all(v == UNKNOWN for v in labels.values()):
        return None
    return lambda ticker: labels.get(ticker, UNKNOWN)


def _leg_rows(m, t: int, cols: list[int], weights: dict[int, float], sign: float, side):
    rows = []
    for j in cols:
        r = float(m.ret[t, j])
        rows.append(
            {"ticker": m.tickers[j], "ret": r, "weight": weights[j],
             "contribution": sign * weights[j] * r, "side": side}
        )  # fmt: skip
    return rows


def leg_weights(m, t: int, cols: list[int], cap_weighted: bool) -> dict[int, float]:
    """1/n, or market cap at d over the leg's total; choice: a member without a cap stays
    a member (it is in M's members) with weight 0."""
    if not cap_weighted:
        return {j: 1.0 / len(cols) for j in cols}
    caps = {j: m.signals["size"][t - 1, j] for j in cols}
    caps = {j: 0.0 if np.isnan(c) else float(c) for j, c in caps.items()}
    total = sum(caps.values())
    return {j: c / total for j, c in caps.items()}


def basket_frame(m, t: int, cols: list[int], cap_weighted: bool) -> pd.DataFrame:
    return pd.DataFrame(_leg_rows(m, t, cols, leg_weights(m, t, cols, cap_weighted), 1.0, None))


def pair_frame(
    m, t: int, long: list[int], short: list[int], cap_weighted: bool, scale: float = 1.0
) -> pd.DataFrame:
    """L - S; the short members' contributions times `scale` (bW/bL for beta-neutral)."""
    rows = _leg_rows(m, t, long, leg_weights(m, t, long, cap_weighted), 1.0, "long")
    rows += _leg_rows(m, t, short, leg_weights(m, t, short, cap_weighted), -scale, "short")
    return pd.DataFrame(rows)


def theme_frame(m, t: int, theme) -> pd.DataFrame:
    tickers = [x for x in dict.fromkeys(theme.tickers) if x in m.col]
    with_ret = [x for x in tickers if not np.isnan(m.ret[t, m.col[x]])]
    total = sum(theme.weight(x) for x in with_ret)
    rows = []
    for x in with_ret:
        r = float(m.ret[t, m.col[x]])
        w = theme.weight(x) / total
        rows.append({"ticker": x, "ret": r, "weight": w, "contribution": w * r, "side": None})
    return pd.DataFrame(rows)


def explain(block: dict, members: pd.DataFrame, pair: bool, sector_of) -> dict:
    """Add legs, top_contributors and by_sector to a reference M dict (null with its ret)."""
    if block["ret"] is None:
        return {**block, "legs": None, "top_contributors": None, "by_sector": None}
    frame = members.copy()
    legs = None
    if pair:
        long = float(frame.loc[frame["side"] == "long", "contribution"].sum())
        short = float(frame.loc[frame["side"] == "short", "contribution"].sum())
        gross = abs(long) + abs(short)
        legs = {"long": long, "short": short, "long_share": abs(long) / gross if gross else None}
    frame["size"] = frame["contribution"].abs()
    top = frame.sort_values(["size", "ticker"], ascending=[False, True], kind="mergesort")
    top_list = [
        {"ticker": row.ticker, "ret": row.ret, "weight": row.weight,
         "contribution": row.contribution, "side": row.side if pair else None}
        for row in top.head(10).itertuples()
    ]  # fmt: skip
    by_sector = None
    if sector_of is not None:
        frame["sector"] = [sector_of(x) for x in frame["ticker"]]
        by_sector = {k: float(v) for k, v in frame.groupby("sector")["contribution"].sum().items()}
    return {**block, "legs": legs, "top_contributors": top_list, "by_sector": by_sector}
