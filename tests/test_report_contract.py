"""The `report --json` contract of DESIGN.md: every key, every time, JSON-serialisable."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from crowdwatch.analytics.model import close_snapshot
from crowdwatch.analytics.positioning import series_book
from crowdwatch.analytics.report import to_json
from crowdwatch.config.schema import AlertRule, AlertsConfig, Condition, FactorSpec, SeriesSpec

from .markets import random_market

TOP_KEYS = {"schema", "as_of", "mode", "source", "simulated", "benchmark", "universe_size",
            "baskets", "factors", "themes", "internals", "events", "series",
            "net_gamma_usd_per_pct", "alerts"}  # fmt: skip
MOVE_KEYS = {"ret", "sigma", "percentile", "ret_1w", "ret_1m", "ret_ytd", "drawdown",
             "worst_since", "best_since", "members", "legs", "top_contributors",
             "by_sector"}  # fmt: skip
LEGS_KEYS = {"long", "short", "long_share"}
CONTRIBUTOR_KEYS = {"ticker", "ret", "weight", "contribution", "side"}
THEME_EXTRA = {"missing", "crowding", "crowding_parts", "flag"}
INTERNAL_KEYS = {"index_ret", "breadth", "dispersion_ratio", "dispersion_percentile",
                 "reversal_corr", "realized_corr", "letf_flow_usd", "letf_flow_percentile",
                 "letf_gamma_usd_per_pct", "letf_by_underlying"}  # fmt: skip
EVENT_KEYS = {"date", "sigma", "fwd_5d", "fwd_21d", "fwd_63d"}
SERIES_KEYS = {"value", "date", "change", "percentile_1y", "stale", "label", "unit", "role"}
ALERT_KEYS = {"ts", "rule", "series", "field", "value", "message"}


def report_for(seed: int, **kwargs) -> dict:
    history, config = random_market(seed, **kwargs)
    doc = to_json(close_snapshot(history, config))
    return json.loads(json.dumps(doc))  # must survive a JSON round trip unchanged


def test_every_key_of_the_contract_is_present() -> None:
    doc = report_for(3, with_caps=True, shock_last=True)
    assert set(doc) == TOP_KEYS and doc["schema"] == 1
    assert set(doc["baskets"]) == {"winners", "short_momentum", "momentum_pair",
                                   "momentum_beta_neutral"}  # fmt: skip
    for stats in [*doc["baskets"].values(), *doc["factors"].values()]:
        assert set(stats) == MOVE_KEYS
        assert isinstance(stats["members"], list)
    assert {"momentum", "beta", "low_vol", "reversal", "size"} <= set(doc["factors"])
    for theme in doc["themes"].values():
        assert set(theme) == MOVE_KEYS | THEME_EXTRA
        assert isinstance(theme["members"], int)
        assert set(theme["crowding_parts"]) == {"momentum", "comovement", "momentum_beta"}
        assert theme["flag"] in (None, "UNWIND", "SQUEEZE")
    assert set(doc["internals"]) == INTERNAL_KEYS
    assert doc["events"], "the random market has momentum crashes"
    for event in doc["events"]:
        assert set(event) == EVENT_KEYS
    # without user series: an empty mapping and a null net gamma, never a missing key
    assert doc["series"] == {} and doc["net_gamma_usd_per_pct"] is None


def test_user_series_and_net_gamma_keys() -> None:
    history, config = random_market(3)
    last = history.get_column("date").max()
    frame = pl.DataFrame(
        {
            "date": [last - timedelta(days=30), last, last + timedelta(days=1)],
            "name": ["gamma", "gamma", "later"],
            "value": [5e9, 4e9, 1.0],
        }
    )
    specs = {"gamma": SeriesSpec("Dealer gamma", "usd", "dealer_gamma")}
    snapshot = close_snapshot(history, config, user_series=series_book(frame, specs))
    doc = json.loads(json.dumps(to_json(snapshot)))
    assert set(doc["series"]) == {"gamma", "later"}
    for entry in doc["series"].values():
        assert set(entry) == SERIES_KEYS
    assert doc["series"]["gamma"] == {
        "value": 4e9, "date": last.isoformat(), "change": -1e9, "percentile_1y": None,
        "stale": False, "label": "Dealer gamma", "unit": "usd", "role": "dealer_gamma",
    }  # fmt: skip
    # dated after T: listed, every figure null; label = its name without a settings entry
    assert doc["series"]["later"] == {
        "value": None, "date": None, "change": None, "percentile_1y": None, "stale": None,
        "label": "later", "unit": None, "role": None,
    }  # fmt: skip
    letf = doc["internals"]["letf_gamma_usd_per_pct"]
    assert doc["net_gamma_usd_per_pct"] == 4e9 - letf


def test_size_without_market_caps_is_kept_as_nulls() -> None:
    history, config = random_market(3, with_caps=False)
    assert "market_cap" not in history.columns
    config = replace(config, factors=(*config.factors, FactorSpec("size", "size", "bottom")))
    doc = json.loads(json.dumps(to_json(close_snapshot(history, config))))
    size = doc["factors"]["size"]
    assert set(size) == MOVE_KEYS
    assert all(size[key] is None for key in MOVE_KEYS - {"members"})
    assert size["members"] == []
    momentum = doc["factors"]["momentum"]
    assert momentum["ret"] == doc["baskets"]["momentum_pair"]["ret"]


def test_attribution_keys_in_every_move() -> None:
    doc = report_for(5, with_caps=True, shock_last=True)
    pairs = [*(doc["baskets"][k] for k in ("momentum_pair", "momentum_beta_neutral")),
             *doc["factors"].values()]  # fmt: skip
    singles = [doc["baskets"]["winners"], doc["baskets"]["short_momentum"],
               *doc["themes"].values()]  # fmt: skip
    for block in pairs + singles:
        if block["ret"] is None:
            assert (block["legs"], block["top_contributors"], block["by_sector"]) == (
                None, None, None
            )  # fmt: skip
            continue
        assert 1 <= len(block["top_contributors"]) <= 10
        for member in block["top_contributors"]:
            assert set(member) == CONTRIBUTOR_KEYS
            assert member["side"] in (("long", "short") if block in pairs else (None,))
        assert block["by_sector"] is None  # the random market has no universe.csv
    for block in pairs:
        if block["ret"] is not None:
            assert set(block["legs"]) == LEGS_KEYS
            assert abs(block["legs"]["long"] + block["legs"]["short"] - block["ret"]) < 1e-12
    assert all(block["legs"] is None for block in singles)


def test_alerts_are_the_rules_evaluated_once_on_the_report_snapshot() -> None:
    history, config = random_market(3, shock_last=True)
    rules = (
        AlertRule("pair moved", Condition("momentum_pair", "sigma", ">=", -1e9)),
        AlertRule("any theme", Condition("themes.*", "ret", ">=", -1.0)),
        AlertRule("never", Condition("internals.breadth", "value", ">", 1.0)),
    )
    config = replace(config, alerts=AlertsConfig(rules=rules))
    doc = json.loads(json.dumps(to_json(close_snapshot(history, config))))
    assert doc["alerts"], "always-true rules fire on the first evaluation"
    close = datetime.combine(
        date.fromisoformat(doc["as_of"]), time(16), ZoneInfo("America/New_York")
    )
    stamp = close.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for alert in doc["alerts"]:
        assert set(alert) == ALERT_KEYS
        assert alert["ts"] == stamp
    pair = [a for a in doc["alerts"] if a["rule"] == "pair moved"]
    assert [a["value"] for a in pair] == [doc["baskets"]["momentum_pair"]["sigma"]]
    themed = {a["series"]: a["value"] for a in doc["alerts"] if a["rule"] == "any theme"}
    expected = {f"themes.{n}": t["ret"] for n, t in doc["themes"].items() if t["ret"] is not None}
    assert themed == expected
    assert not [a for a in doc["alerts"] if a["rule"] == "never"]
    without = json.loads(json.dumps(to_json(close_snapshot(*random_market(3)))))
    assert without["alerts"] == []  # no rules configured: an empty list, never a missing key
