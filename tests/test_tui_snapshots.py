"""Snapshot tests of the dashboard and every drill-down on the fixed Snapshot (FakeEngine)."""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.lens_data import LENS  # noqa: E402
from fixtures.snapshot_data import BASKETS, NOW, QUOTES_TS  # noqa: E402
from fixtures.snapshot_data import make_snapshot as plain_snapshot  # noqa: E402

from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402


def make_snapshot(**changes):
    """The fixed snapshot with the History lens (the internals pane's regime line)."""
    return plain_snapshot(**{**LENS, **changes})


def ticking_snapshots(count: int = 4) -> list:
    """Successive live snapshots a minute apart, so the intraday chart has a path."""
    snaps = []
    for i in range(count):
        baskets = {k: replace(v, ret=(v.ret or 0.0) * (i + 1) / count) for k, v in BASKETS.items()}
        snaps.append(make_snapshot(quotes_ts=QUOTES_TS + timedelta(minutes=i), baskets=baskets))
    return snaps


def make_app(**engine_kw) -> CrowdwatchApp:
    snaps = engine_kw.pop("snapshots", None) or [make_snapshot()]
    last_ts = getattr(snaps[-1], "quotes_ts", None) or QUOTES_TS
    return CrowdwatchApp(FakeEngine(snaps, **engine_kw), clock=lambda: last_ts + (NOW - QUOTES_TS))


async def ready(pilot) -> None:
    """Wait until no engine call runs and its result has been shown."""
    for _ in range(500):
        if not pilot.app.busy:
            break
        await pilot.pause(0.01)
    await pilot.pause()


async def ticked(pilot) -> None:
    """Start, then three ticks (each `r`), so the intraday chart has four points."""
    await ready(pilot)
    for _ in range(3):
        await pilot.press("r")
        await ready(pilot)


@pytest.mark.parametrize(
    "size", [(80, 24), (100, 30), (120, 32), (160, 48)], ids=["80x24", "100x30", "120x32", "160x48"]
)
def test_dashboard(snap_compare, size) -> None:
    app = make_app(snapshots=ticking_snapshots())
    assert snap_compare(app, terminal_size=size, run_before=ticked)


@pytest.mark.parametrize("tab", ["themes", "baskets", "internals"])
def test_dashboard_narrow_tabs(snap_compare, tab) -> None:
    presses = {"themes": ["tab"], "baskets": ["tab", "tab"], "internals": ["tab"] * 3}[tab]

    async def go(pilot) -> None:
        await ticked(pilot)
        for key in presses:
            await pilot.press(key)
        await pilot.pause()

    assert snap_compare(make_app(snapshots=ticking_snapshots()), terminal_size=(80, 24),
                        run_before=go)  # fmt: skip


class GatedApp(CrowdwatchApp):
    """Opens the engine's gate when the app closes, so the blocked start() can end."""

    def on_unmount(self) -> None:
        self.engine.gate.set()


def test_dashboard_loading(snap_compare) -> None:
    gate = threading.Event()
    app = GatedApp(FakeEngine([make_snapshot()], gate=gate), clock=lambda: NOW)
    try:
        assert snap_compare(app, terminal_size=(80, 24))
    finally:
        gate.set()


def test_dashboard_start_failed(snap_compare) -> None:
    app = make_app(snapshots=[RuntimeError("prices.csv: no such file")])
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_dashboard_light_scheme(snap_compare) -> None:
    async def go(pilot) -> None:
        await ready(pilot)
        await pilot.press("c")
        await pilot.app.workers.wait_for_complete()  # the scheme is saved to settings.yaml
        await pilot.pause()
        await ready(pilot)
        pilot.app.clear_notifications()  # the toast names a temporary folder
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(160, 48), run_before=go)


def test_dashboard_no_color(snap_compare, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(160, 48), run_before=ready)


def test_dashboard_too_small(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(50, 16), run_before=ready)


def test_help(snap_compare) -> None:
    async def go(pilot) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=go)


def _drill(keys: list[str]):
    async def go(pilot) -> None:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        await pilot.pause()

    return go


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_drill_factor(snap_compare, size) -> None:
    # the cursor starts on Winners; down twice is the momentum pair
    go = _drill(["down", "down", "enter"])
    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_drill_theme(snap_compare, size) -> None:
    go = _drill(["tab", "enter"])  # themes sorted by sigma: AI beneficiaries first
    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_drill_internals(snap_compare, size) -> None:
    go = _drill(["tab", "tab", "tab", "enter"])
    assert snap_compare(make_app(), terminal_size=size, run_before=go)


def test_drill_basket(snap_compare) -> None:
    go = _drill(["tab", "tab", "down", "enter"])  # short-momentum basket
    assert snap_compare(make_app(), terminal_size=(160, 48), run_before=go)


class ReplayClock:
    """The demo feed's clock: seconds of replay we set by hand (0 at the open, 180 the close)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_dashboard_on_the_demo(snap_compare, size) -> None:
    """The real Engine on the demo feed, replayed to a fixed moment by an injected clock."""
    from crowdwatch.config.loader import load_config
    from crowdwatch.feeds.demo import DemoFeed
    from crowdwatch.session.engine import Engine

    config = load_config(None)
    replay = ReplayClock()
    engine = Engine(DemoFeed(config, clock=replay), config)
    app = CrowdwatchApp(engine, clock=lambda: NOW)

    async def go(pilot) -> None:
        await ready(pilot)
        for seconds in (30.0, 60.0, 90.0, 120.0):
            replay.seconds = seconds
            await pilot.press("r")
            await ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=go)


class FixedAlerts:
    """An alert session that hands back a fixed tape on the first snapshot (no rules run)."""

    def __init__(self) -> None:
        from crowdwatch.analytics.alerts import Alert
        from crowdwatch.config.schema import AlertsConfig

        def at(minutes: int):
            return QUOTES_TS - timedelta(minutes=minutes)

        self.config = AlertsConfig(notify=("log",))  # no toast on the screen
        self.tape = (
            Alert(at(60), "dispersion extreme", "internals.dispersion_percentile", "value",
                  0.98, "internals.dispersion_percentile value 0.98 (>= 0.97)"),
            Alert(at(41), "narrow selloff", "internals.breadth", "value", 0.78,
                  "internals.breadth value 0.78 (>= 0.75), internals.index_ret value -0.42% "
                  "(< +0.00%)"),
            Alert(at(23), "theme unwind", "themes.AI beneficiaries", "flag", "UNWIND",
                  "themes.AI beneficiaries flag UNWIND", "error"),
            Alert(at(23), "theme unwind", "themes.Memory", "flag", "UNWIND",
                  "themes.Memory flag UNWIND", "error"),
            Alert(at(9), "desk gross", "series.prime_gross", "value", 2.61,
                  "series.prime_gross value 2.61 (> 2.5)", "information"),
            Alert(at(2), "momentum crash", "momentum_pair", "sigma", -3.62,
                  "momentum_pair sigma -3.62 (<= -3.00)", "error"),
        )  # fmt: skip

    def step(self, snapshot) -> list:
        return []

    def reconfigure(self, config) -> None: ...
    def warnings(self) -> list[str]:
        return []

    def close(self, timeout: float = 0.0) -> None: ...


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_alert_tape(snap_compare, size) -> None:
    app = CrowdwatchApp(FakeEngine([make_snapshot()]), clock=lambda: NOW, alerts=FixedAlerts())

    async def go(pilot) -> None:
        await ready(pilot)
        await pilot.press("a", "down")  # the cursor on the second newest: its message below
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_analog_days(snap_compare, size) -> None:
    """The analog days (h) with fixed lens data; today's path is the intraday trail."""

    async def go(pilot) -> None:
        await ticked(pilot)
        await pilot.press("h")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(snapshots=ticking_snapshots()), terminal_size=size,
                        run_before=go)  # fmt: skip
