"""The refresh loop's pure parts: the intraday trail and the STALE rule."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.snapshot_data import BASKETS, QUOTES_TS, make_snapshot  # noqa: E402

from crowdwatch.tui.refresh import Freshness, IntradayTrail, after_close  # noqa: E402
from crowdwatch.tui.screens.dashboard import event_summary  # noqa: E402


def test_trail_accumulates_live_snapshots_and_skips_repeats() -> None:
    trail = IntradayTrail()
    first = make_snapshot()
    later = make_snapshot(
        quotes_ts=QUOTES_TS + timedelta(minutes=1),
        baskets={**BASKETS, "winners": replace(BASKETS["winners"], ret=-0.05)},
    )
    for snap in (first, first, later):
        trail.add(snap)
    assert [v for _, v in trail.points["winners"]] == [-0.0412, -0.05]
    assert len(trail.points["momentum_pair"]) == 2
    assert "momentum_beta_neutral" not in trail.points


def test_trail_ignores_close_mode_and_resets_on_a_new_session() -> None:
    trail = IntradayTrail()
    trail.add(make_snapshot(mode="close"))
    assert trail.points["winners"] == []
    trail.add(make_snapshot())
    trail.add(make_snapshot(as_of=date(2026, 2, 5), quotes_ts=QUOTES_TS + timedelta(days=1)))
    assert len(trail.points["winners"]) == 1


def test_stale_after_three_refreshes_for_a_real_feed() -> None:
    now = [QUOTES_TS]
    fresh = Freshness(lambda: now[0], refresh_seconds=2.0, simulated=False)
    fresh.observe(make_snapshot())
    now[0] = QUOTES_TS + timedelta(seconds=6)
    assert not fresh.stale(live=True)
    now[0] = QUOTES_TS + timedelta(seconds=6.5)
    assert fresh.stale(live=True)
    assert not fresh.stale(live=False)  # --as-of: a static day is never stale


def test_simulated_age_counts_from_when_the_quote_time_moved() -> None:
    now = [QUOTES_TS + timedelta(days=300)]  # the demo replays a past day
    fresh = Freshness(lambda: now[0], refresh_seconds=2.0, simulated=True)
    fresh.observe(make_snapshot())
    assert fresh.age_seconds() == 0
    now[0] += timedelta(seconds=7)
    assert fresh.stale(live=True)
    fresh.observe(make_snapshot(quotes_ts=QUOTES_TS + timedelta(minutes=1)))
    assert not fresh.stale(live=True)


def test_errors_are_stale_until_the_next_good_snapshot() -> None:
    fresh = Freshness(lambda: QUOTES_TS, refresh_seconds=2.0, simulated=False)
    fresh.observe(make_snapshot())
    fresh.failed = True
    assert fresh.stale(live=True)
    fresh.observe(make_snapshot())
    assert not fresh.stale(live=True)


def test_quotes_after_the_close_are_not_stale() -> None:
    close = QUOTES_TS.replace(hour=21, minute=0)  # 16:00 New York
    assert after_close(close) and not after_close(QUOTES_TS)
    fresh = Freshness(lambda: close + timedelta(hours=3), refresh_seconds=2.0, simulated=False)
    fresh.observe(make_snapshot(quotes_ts=close))
    assert not fresh.stale(live=True)


def test_event_summary_median_of_known_forwards() -> None:
    snap = make_snapshot()
    count, median = event_summary(snap.events)
    assert count == 3 and abs(median - 0.041) < 1e-12
    assert event_summary(()) == (0, None)
