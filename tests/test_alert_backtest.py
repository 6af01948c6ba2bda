"""The backtest: daily field histories agree with close snapshots; pair fires vs events."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from crowdwatch.analytics.alert_history import SEP, alert_field_history, expanding_percentile
from crowdwatch.analytics.events import EVENT_SPACING
from crowdwatch.analytics.model import close_snapshot, prepare
from crowdwatch.config.schema import AlertRule, AlertsConfig, Condition
from crowdwatch.session.backtest import backtest

from .markets import random_market

CRASH = AlertRule("crash", Condition("momentum_pair", "sigma", "<=", -3))
CROWDING = AlertRule("crowded", Condition("themes.*", "crowding", ">=", 80))
USER = AlertRule("desk", Condition("series.prime_gross", "value", ">", 2))
BREADTH = AlertRule(
    "narrow selloff",
    Condition("internals.breadth", "value", ">=", 0.6),
    (Condition("internals.index_ret", "value", "<", 0),),
)


def test_expanding_percentile_by_hand() -> None:
    values = np.array([0.01, np.nan, -0.02, 0.01, 0.03, -0.05])
    # earlier non-null values <= x, over how many earlier non-null values there are
    expected = [np.nan, np.nan, 0 / 1, 2 / 2, 3 / 3, 0 / 4]
    np.testing.assert_allclose(expanding_percentile(values), expected)


@pytest.mark.parametrize("seed", [3, 11])
def test_each_daily_value_is_what_a_close_snapshot_shows(seed: int) -> None:
    history, config = random_market(seed, theme_shock=-0.08)
    frame = alert_field_history(prepare(history, config))
    dates = frame.get_column("date").to_list()
    for day in (dates[-1], dates[-40], dates[300]):
        snapshot = close_snapshot(history, config, as_of=day)
        row = frame.row(dates.index(day), named=True)
        for name, stats in {**snapshot.baskets, **snapshot.factors}.items():
            for field in ("ret", "sigma", "percentile"):
                assert close(row[f"{name}{SEP}{field}"], getattr(stats, field)), (day, name, field)
        for name, theme in snapshot.themes.items():
            assert row[f"{name}{SEP}flag"] == theme.flag, (day, name)
            assert close(row[f"{name}{SEP}sigma"], theme.stats.sigma)
        for key in ("index_ret", "breadth", "dispersion_ratio", "dispersion_percentile",
                    "letf_flow_usd", "letf_flow_percentile"):  # fmt: skip
            expected = getattr(snapshot.internals, key)
            assert close(row[f"internals.{key}{SEP}value"], expected), (day, key)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("seed", [3, 5, 11])
def test_pair_rule_days_match_the_events(seed: int) -> None:
    history, config = random_market(seed)
    config = replace(config, alerts=AlertsConfig(rules=(CRASH, CROWDING, USER, BREADTH)))
    last = history.get_column("date").max()
    events = close_snapshot(history, config).events  # days before the last with sigma <= -3
    model = prepare(history.filter(pl.col("date") < last), config)
    results = {r.rule: r for r in backtest(model, config.alerts)}
    fires = results["crash"].fires
    assert events, "the random market has momentum crashes"
    dates = list(model.panel.dates.astype(object))
    sigma = dict(zip(dates, alert_field_history(model)[f"momentum_pair{SEP}sigma"], strict=True))
    fired = [f.date for f in fires]
    assert fired and set(fired) & {e.date for e in events}
    for fire in fires:
        assert fire.value == sigma[fire.date] and fire.value <= -3
    for event in events:
        row = dates.index(event.date)
        # an event is a fire, or sits inside a run of <= -3 days that began with a fire
        assert event.date in fired or (sigma[dates[row - 1]] or 0) <= -3
    event_rows = [dates.index(e.date) for e in events]
    for day in fired:
        # a fire that is not an event came within the 21-day spacing of a kept event
        row = dates.index(day)
        assert any(0 <= row - e < EVENT_SPACING for e in event_rows), day
    for fire, event in ((f, e) for f in fires for e in events if f.date == e.date):
        assert fire.forward["pair_fwd_5d"] == pytest.approx(event.fwd_5d)
        assert fire.forward["pair_fwd_21d"] == pytest.approx(event.fwd_21d)
    assert not results["crowded"].testable and "crowding" in results["crowded"].reason
    assert not results["desk"].testable
    assert results["narrow selloff"].testable


def test_since_keeps_the_edges_but_lists_later_fires() -> None:
    history, config = random_market(5)
    model = prepare(history, config)
    everything = backtest(model, AlertsConfig(rules=(BREADTH,)))[0].fires
    assert len(everything) >= 2
    cut = everything[len(everything) // 2].date
    later = backtest(model, AlertsConfig(rules=(BREADTH,)), since=cut)[0].fires
    assert later == [f for f in everything if f.date >= cut]
    medians = backtest(model, AlertsConfig(rules=(BREADTH,)))[0].medians()
    values = [
        f.forward["index_fwd_5d"] for f in everything if f.forward["index_fwd_5d"] is not None
    ]
    assert medians["index_fwd_5d"] == pytest.approx(float(np.median(values)))
