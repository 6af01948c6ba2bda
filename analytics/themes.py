"""Crowded themes: weighted member returns, theme momentum, crowding and flags.

History part: theme_history (every day's theme return and, at the previous close d, each
theme's momentum and crowding). Today part: theme_values_today (today's theme returns) and
theme_moves (move statistics + flags). The member tables are attribution's (Snapshot.members).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from crowdwatch.analytics.crowding import comovements, crowding
from crowdwatch.analytics.moves import SIGMA_MIN, SIGMA_WINDOW, finite
from crowdwatch.analytics.panel import Panel
from crowdwatch.analytics.results import MoveStats, ThemeMove
from crowdwatch.analytics.windows import row_blocks
from crowdwatch.config.schema import Theme


def theme_weights(themes: tuple[Theme, ...], column: dict[str, int], n: int) -> np.ndarray:
    """(tickers, themes) weight matrix; tickers missing from the data get no row."""
    weights = np.zeros((n, len(themes)))
    for k, theme in enumerate(themes):
        for ticker in theme.tickers:
            if ticker in column:
                weights[column[ticker], k] = theme.weight(ticker)
    return weights


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean per row and theme, renormalised over members with a value."""
    have = ~np.isnan(values)
    total = have.astype(float) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.where(have, values, 0.0) @ weights) / total
    return np.where(total > 0, out, np.nan)


def by_blocks(function, values: np.ndarray, *args) -> np.ndarray:
    """function(values, *args) for a row-wise function, a block of rows at a time (small
    temporaries instead of several full-size ones)."""
    parts = [function(values[start:stop], *args) for start, stop in row_blocks(*values.shape)]
    return np.concatenate(parts) if parts else function(values, *args)


def trailing_rms(returns: np.ndarray) -> np.ndarray:
    """Per column: stdev (ddof=1, not demeaned) of its last 252 returns; NaN under 63."""
    window = returns[-SIGMA_WINDOW:]
    squares = np.where(np.isnan(window), 0.0, window**2).sum(axis=0)
    counts = (~np.isnan(window)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= SIGMA_MIN, np.sqrt(squares / (counts - 1)), np.nan)


FLAG_SIGMA = 2.0


def momentum_thirds(momentum: dict[str, float | None]) -> dict[str, tuple[str, ...]]:
    """Each theme's third(s) by momentum at d: the first ceil(n/3) of the themes sorted by
    momentum descending (ties by name) are the top third, the last ceil(n/3) the bottom;
    a theme with no momentum is in none."""
    ranked = sorted(
        (name for name, m in momentum.items() if m is not None),
        key=lambda name: (-momentum[name], name),  # type: ignore[operator]
    )
    third = math.ceil(len(ranked) / 3)
    top, bottom = set(ranked[:third]), set(ranked[len(ranked) - third :])
    out: dict[str, tuple[str, ...]] = {}
    for name in momentum:
        if momentum[name] is None:
            out[name] = ()
            continue
        where = tuple(label for label, group in (("top", top), ("bottom", bottom)) if name in group)
        out[name] = where or ("middle",)
    return out


def flags(
    momentum: dict[str, float | None], sigma: dict[str, float | None]
) -> dict[str, str | None]:
    """UNWIND: top third by momentum and sigma <= -2; SQUEEZE: bottom third, sigma >= 2."""
    thirds = momentum_thirds(momentum)
    out: dict[str, str | None] = {}
    for name in momentum:
        s = sigma.get(name)
        if "top" in thirds[name] and s is not None and s <= -FLAG_SIGMA:
            out[name] = "UNWIND"
        elif "bottom" in thirds[name] and s is not None and s >= FLAG_SIGMA:
            out[name] = "SQUEEZE"
        else:
            out[name] = None
    return out


def flag_reason(thirds: tuple[str, ...], sigma: float | None, flag: str | None) -> str:
    """Why a theme is or is not flagged, in the rule's own terms."""
    shown = "no σ" if sigma is None else f"σ {sigma:+.2f}"
    rule = (
        f"UNWIND needs the top third and σ ≤ -{FLAG_SIGMA:g}; "
        f"SQUEEZE the bottom third and σ ≥ +{FLAG_SIGMA:g}"
    )
    if flag == "UNWIND":
        return f"UNWIND: momentum in the top third and {shown} ≤ -{FLAG_SIGMA:g}"
    if flag == "SQUEEZE":
        return f"SQUEEZE: momentum in the bottom third and {shown} ≥ +{FLAG_SIGMA:g}"
    if not thirds:
        return f"Not flagged: no theme momentum at the previous close ({rule})"
    return f"Not flagged: momentum in the {' and '.join(thirds)} third, {shown} ({rule})"


@dataclass(frozen=True, slots=True)
class ThemeState:
    """Each theme's weights and its state at the previous close d."""

    themes: tuple[Theme, ...]
    matrix: np.ndarray  # (tickers, themes) weights
    momentum: np.ndarray  # (days, themes) theme momentum at each close up to d
    momentum_at_d: dict[str, float | None]
    crowding: dict[str, tuple[float | None, dict[str, float | None]]]
    missing: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ThemePaths:
    """Every day's return and momentum of each theme, and the weights behind them."""

    matrix: np.ndarray  # (tickers, themes) weights
    returns: np.ndarray  # (days, themes)
    momentum: np.ndarray  # (days, themes)

    @classmethod
    def of(cls, themes: tuple[Theme, ...], panel: Panel, mom: np.ndarray) -> ThemePaths:
        matrix = theme_weights(themes, panel.column, len(panel.tickers))
        return cls(
            matrix=matrix,
            returns=by_blocks(weighted_mean, panel.returns, matrix),
            momentum=by_blocks(weighted_mean, mom, matrix),
        )


def theme_columns(theme: Theme, column: dict[str, int]) -> np.ndarray:
    """The Panel columns of a theme's tickers that the history has, ascending."""
    return np.array(sorted(column[t] for t in theme.tickers if t in column), dtype=int)


def theme_comovements(
    themes: tuple[Theme, ...], panel: Panel, beta: np.ndarray, index_returns: np.ndarray
) -> dict[str, list[float | None]]:
    """Each theme's comovement samples, crowding's costly part: it needs beta but not the
    basket pass, so the pool takes it while the basket pass finishes."""
    d = len(panel.dates) - 1
    return {
        theme.name: comovements(
            panel.returns, index_returns, beta, theme_columns(theme, panel.column), d
        )
        for theme in themes
    }


def theme_history(
    themes: tuple[Theme, ...],
    panel: Panel,
    paths: ThemePaths,
    comovement_samples: dict[str, list[float | None]],
    momentum_pair: np.ndarray,
) -> tuple[dict[str, np.ndarray], ThemeState]:
    """Every day's theme returns, and each theme's state at d (crowding needs the pair,
    and each theme's theme_comovements)."""
    column = panel.column
    d = len(panel.dates) - 1
    theme_returns, theme_mom = paths.returns, paths.momentum
    crowd = {
        theme.name: crowding(
            k, theme_mom, theme_returns, momentum_pair, comovement_samples[theme.name], d
        )
        for k, theme in enumerate(themes)
    }
    state = ThemeState(
        themes=themes,
        matrix=paths.matrix,
        momentum=theme_mom,
        momentum_at_d={t.name: finite(theme_mom[d, k]) for k, t in enumerate(themes)},
        crowding=crowd,
        missing={t.name: tuple(x for x in t.tickers if x not in column) for t in themes},
    )
    return {t.name: theme_returns[:, k] for k, t in enumerate(themes)}, state


def theme_values_today(
    state: ThemeState, r_today: np.ndarray
) -> tuple[dict[str, float], dict[str, int]]:
    """Today's return of each theme (NaN: none) and how many members have a return."""
    values = weighted_mean(r_today[None, :], state.matrix)[0]
    # a count by matrix product (0/1 floats: exact), ~3x faster than a column-wise bool sum
    counts = (~np.isnan(r_today)).astype(float) @ (state.matrix > 0).astype(float)
    return (
        {t.name: float(values[k]) for k, t in enumerate(state.themes)},
        {t.name: int(counts[k]) for k, t in enumerate(state.themes)},
    )


def theme_moves(
    state: ThemeState, stats: dict[str, MoveStats], member_counts: dict[str, int]
) -> dict[str, ThemeMove]:
    """Each theme's move statistics, crowding and flag."""
    flag = flags(state.momentum_at_d, {t.name: stats[t.name].sigma for t in state.themes})
    thirds = momentum_thirds(state.momentum_at_d)
    out = {}
    for theme in state.themes:
        score, parts = state.crowding[theme.name]
        out[theme.name] = ThemeMove(
            stats=stats[theme.name],
            member_count=member_counts[theme.name],
            missing=state.missing[theme.name],
            crowding=score,
            crowding_parts=parts,
            flag=flag[theme.name],  # type: ignore[arg-type]
            momentum=state.momentum_at_d[theme.name],
            note=theme.note,
            tickers=theme.tickers,
            momentum_thirds=thirds[theme.name],
            flag_reason=flag_reason(thirds[theme.name], stats[theme.name].sigma, flag[theme.name]),
        )
    return out
