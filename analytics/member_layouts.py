"""Members of a series on T, and the parts of them only the selection fixes, kept while it is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Members:
    """One series' contributors on T (panel columns, ascending within each side)."""

    columns: np.ndarray  # int panel columns
    ret: np.ndarray
    weight: np.ndarray
    contribution: np.ndarray
    long: np.ndarray | None = None  # bool per member for pairs and factors, None otherwise
    absent: np.ndarray | None = None  # theme members in the data without a return on T


@dataclass(frozen=True, slots=True)
class Layout:
    """A basket's or pair's member columns and weights in the order of its Members (the long
    side first); contributions() adds what today's returns give."""

    columns: np.ndarray  # read-only, like the other arrays: every tick's Members share them
    weight: np.ndarray
    long: np.ndarray | None  # bool per member for pairs, None for a basket
    short_from: int  # where the short side starts (len(columns) for a basket)

    @classmethod
    def of(cls, long_columns: np.ndarray, long_weight: np.ndarray, short=None) -> Layout:
        """short: (columns, weights) of a pair's short side; None for a basket."""
        if short is None:
            columns, weight, long = long_columns, long_weight, None
        else:
            columns = np.concatenate([long_columns, short[0]])
            weight = np.concatenate([long_weight, short[1]])
            long = np.arange(len(columns)) < len(long_columns)
        for array in (columns, weight, long):
            if array is not None:
                array.flags.writeable = False
        return cls(columns=columns, weight=weight, long=long, short_from=len(long_columns))

    def contributions(
        self, returns: np.ndarray, short_scale: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """ret and c_i: w_i r_i on the long side (a basket's only side), -short_scale w_i r_i
        on the short side (the same product, then scaled: the same numbers bit for bit)."""
        ret = returns[self.columns]
        contribution = self.weight * ret
        if self.long is not None:
            short = contribution[self.short_from :]
            np.multiply(short, -short_scale, out=short)
        return ret, contribution


def renormalised(raw: np.ndarray) -> np.ndarray:
    """Weights over their sum (NaN when it is not positive)."""
    total = raw.sum()
    return raw / total if total > 0 else np.full(len(raw), np.nan)


@dataclass(frozen=True, slots=True)
class ThemeLayout:
    """Every theme's member columns end to end, and its weights renormalised over all its
    members: attribution.theme_members when every member has a return on T, as usual."""

    columns: np.ndarray  # the themes' columns, concatenated
    bounds: tuple[int, ...]  # theme k's members are columns[bounds[k] : bounds[k + 1]]
    theme_columns: tuple[np.ndarray, ...]  # read-only, like the weights: ticks share them
    full_weights: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, theme_columns, theme_weights) -> ThemeLayout:
        columns = tuple(np.array(c) for c in theme_columns)
        full = tuple(renormalised(np.array(w)) for w in theme_weights)
        for array in (*columns, *full):
            array.flags.writeable = False
        return cls(
            columns=np.concatenate(columns) if columns else np.zeros(0, dtype=np.intp),
            bounds=(0, *np.cumsum([len(c) for c in columns], dtype=np.intp).tolist()),
            theme_columns=columns,
            full_weights=full,
        )

    def today(self, returns: np.ndarray) -> list[Members | None]:
        """Per theme: its Members (columns, ret, weight, contribution, absent: none) from one
        gather for all themes, or None when a member has no return (the caller's case)."""
        ret = returns[self.columns]
        gaps = set(np.searchsorted(self.bounds, np.flatnonzero(np.isnan(ret)), "right").tolist())
        out: list[Members | None] = []
        for k, (columns, weight) in enumerate(
            zip(self.theme_columns, self.full_weights, strict=True)
        ):
            if k + 1 in gaps:
                out.append(None)
                continue
            mine = ret[self.bounds[k] : self.bounds[k + 1]]
            out.append(Members(columns, mine, weight, weight * mine, absent=NO_COLUMNS))
        return out


NO_COLUMNS = np.zeros(0, dtype=np.intp)  # no member of the theme lacks a return on T
NO_COLUMNS.flags.writeable = False
