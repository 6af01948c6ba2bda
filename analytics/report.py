"""The `report` contract: Snapshot -> the versioned JSON dict, and a Markdown rendering."""

from __future__ import annotations

from datetime import date
from typing import Any

from crowdwatch.analytics.results import BASKET_KEYS, MoveStats, Snapshot, ThemeMove

SCHEMA_VERSION = 1
INTERNAL_KEYS = (
    "index_ret", "breadth", "dispersion_ratio", "dispersion_percentile", "reversal_corr",
    "realized_corr", "letf_flow_usd", "letf_flow_percentile", "letf_gamma_usd_per_pct",
)  # fmt: skip


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def move_json(stats: MoveStats) -> dict[str, Any]:
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
        "alerts": [alert.record() for alert in snapshot.alerts],
    }
