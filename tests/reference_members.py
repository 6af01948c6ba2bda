"""Plain members of a basket or pair on T (DESIGN.md attribution: c_i = w_i r(i,T), the
short side negated and scaled): what the tick's layouts (member_layouts.Layout) must equal."""

from __future__ import annotations

import numpy as np

from crowdwatch.analytics.member_layouts import Members


def weights_within(columns: np.ndarray, caps: np.ndarray | None) -> np.ndarray:
    """1/n per member, or cap shares (a member without a cap weighs 0; NaN without caps)."""
    if caps is None:
        return np.full(len(columns), 1.0 / len(columns)) if len(columns) else np.zeros(0)
    raw = np.nan_to_num(caps[columns])
    total = raw.sum()
    return raw / total if total > 0 else np.full(len(columns), np.nan)


def basket_members(columns: np.ndarray, returns: np.ndarray, caps=None) -> Members:
    """Equal-weighted (or cap-weighted) long-only basket: c_i = w_i * r(i,T)."""
    weight = weights_within(columns, caps)
    ret = returns[columns]
    return Members(columns=columns, ret=ret, weight=weight, contribution=weight * ret)


def pair_members(
    long_columns: np.ndarray,
    short_columns: np.ndarray,
    returns: np.ndarray,
    caps: np.ndarray | None = None,
    short_scale: float = 1.0,
) -> Members:
    """L - S: long c_i = w_i r_i, short c_i = -short_scale * w_i r_i (bW/bL for beta-neutral)."""
    long_weight = weights_within(long_columns, caps)
    short_weight = weights_within(short_columns, caps)
    long_ret, short_ret = returns[long_columns], returns[short_columns]
    return Members(
        columns=np.concatenate([long_columns, short_columns]),
        ret=np.concatenate([long_ret, short_ret]),
        weight=np.concatenate([long_weight, short_weight]),
        contribution=np.concatenate(
            [long_weight * long_ret, -short_scale * (short_weight * short_ret)]
        ),
        long=np.concatenate(
            [np.ones(len(long_columns), dtype=bool), np.zeros(len(short_columns), dtype=bool)]
        ),
    )
