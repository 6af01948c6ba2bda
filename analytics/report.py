"""The `report` contract: Snapshot -> the versioned JSON dict, and a Markdown rendering."""

from __future__ import annotations

from datetime import date
from typing import Any

from crowdwatch.analytics.attribution import Contributor, Legs
from crowdwatch.analytics.positioning import UserSeries
from crowdwatch.analytics.results import BASKET_KEYS, MoveStats, Snapshot, ThemeMove

SCHEMA_VERSION = 1
INTERNAL_KEYS = (
    "index_ret", "breadth", "dispersion_ratio", "dispersion_percentile", "reversal_corr",
    "realized_corr", "letf_flow_usd", "letf_flow_percentile", "letf_gamma_usd_per_pct",
)  # fmt: skip


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def legs_json(legs: Legs | None) -> dict[str, Any] | None:
    if legs is None:
        return None
    return {"long": legs.long, "short": legs.short, "long_share": legs.long_share}


def contributor_json(member: Contributor) -> dict[str, Any]:
    return {
        "ticker": member.ticker,
        "ret": member.ret,
        "weight": member.weight,
        "contribution": member.contribution,
        "side": member.side,
    }


def move_json(stats: MoveStats) -> dict[str, Any]:
    explained = stats.ret is not None  # a null ret has null attribution (DESIGN.md)
    return {
        "ret": stats.ret,
        "sigma": stats.sigma,
        "percentile": stats.percentile,
        "ret_1w": stats.ret_1w,
        "ret_1m": stats.ret_1m,
        "ret_ytd": stats.ret_ytd,
        "drawdown": stats.drawdown,
        "worst_since": iso(stats.worst_since),
        "best_since": iso(stats.best_since),
        "members": list(stats.members),
        "legs": legs_json(stats.legs) if explained else None,
        "top_contributors": (
            [contributor_json(member) for member in stats.top_contributors] if explained else None
        ),
        "by_sector": dict(stats.by_sector) if explained and stats.by_sector is not None else None,
    }


def theme_json(theme: ThemeMove) -> dict[str, Any]:
    return {
        **move_json(theme.stats),
        "members": theme.member_count,
        "missing": list(theme.missing),
        "crowding": theme.crowding,
        "crowding_parts": dict(theme.crowding_parts),
        "flag": theme.flag,
    }


def user_series_json(series: UserSeries) -> dict[str, Any]:
    return {
        "value": series.value,
        "date": iso(series.date),
        "change": series.change,
        "percentile_1y": series.percentile_1y,
        "stale": series.stale,
        "label": series.label,
        "unit": series.unit,
        "role": series.role,
    }


def to_json(snapshot: Snapshot) -> dict[str, Any]:
    """The `crowdwatch report --json` document (schema 1): no key is ever dropped."""
    internals = snapshot.internals
    return {
        "schema": SCHEMA_VERSION,
        "as_of": snapshot.as_of.isoformat(),
        "mode": snapshot.mode,
        "source": snapshot.source,
        "simulated": snapshot.simulated,
        "benchmark": snapshot.benchmark,
        "universe_size": snapshot.universe_size,
        "baskets": {key: move_json(snapshot.baskets[key]) for key in BASKET_KEYS},
        "factors": {name: move_json(stats) for name, stats in snapshot.factors.items()},
        "themes": {name: theme_json(theme) for name, theme in snapshot.themes.items()},
        "internals": {
            **{key: getattr(internals, key) for key in INTERNAL_KEYS},
            "letf_by_underlying": dict(internals.letf_by_underlying),
        },
        "events": [
            {
                "date": event.date.isoformat(),
                "sigma": event.sigma,
                "fwd_5d": event.fwd_5d,
                "fwd_21d": event.fwd_21d,
                "fwd_63d": event.fwd_63d,
            }
            for event in snapshot.events
        ],
        "series": {name: user_series_json(s) for name, s in snapshot.user_series.items()},
        "net_gamma_usd_per_pct": snapshot.net_gamma_usd_per_pct,
        "alerts": [alert.record() for alert in snapshot.alerts],
    }
