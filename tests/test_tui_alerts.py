"""Alerts in the TUI: the demo replayed at speed rings, toasts, notifies and fills the tape."""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures.fake_engine import FakeEngine  # noqa: E402
from fixtures.pilot_support import settle, sync  # noqa: E402
from fixtures.snapshot_data import NOW, make_snapshot  # noqa: E402

from crowdwatch.analytics.alerts import Alert  # noqa: E402
from crowdwatch.config.schema import AlertRule, AlertsConfig, Condition  # noqa: E402
from crowdwatch.session.alerts import AlertLog  # noqa: E402
from crowdwatch.session.channels import AlertSession  # noqa: E402
from crowdwatch.tui.alert_delivery import MAX_SHOWN, osc_text, toasts_for  # noqa: E402
from crowdwatch.tui.app import CrowdwatchApp  # noqa: E402
from crowdwatch.tui.screens.internals_detail import InternalsDetail  # noqa: E402
from crowdwatch.tui.screens.series_detail import SeriesDetail  # noqa: E402
from crowdwatch.tui.screens.tape import TapeScreen, detail_target  # noqa: E402
from crowdwatch.tui.screens.theme_detail import ThemeDetail  # noqa: E402
from crowdwatch.widgets.status_bar import render_status  # noqa: E402

KITTY = {"TERM": "xterm-kitty"}  # a terminal known to show OSC 9


class ReplayClock:
    """The demo feed's clock: seconds of replay (0 at the open, 180 the close)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


class Recorder:
    """Counts the calls of the app's bell and toasts, and what reaches the driver."""

    def __init__(self, app: CrowdwatchApp) -> None:
        self.bells = 0
        self.toasts: list[dict] = []
        self.written: list[str] = []
        self.step_threads: set[str] = set()
        notify = app.notify

        def bell() -> None:
            self.bells += 1

        def toast(message: str, **kw) -> None:
            self.toasts.append({"message": message, **kw})
            notify(message, **kw)

        app.bell = bell  # type: ignore[method-assign]
        app.notify = toast  # type: ignore[method-assign]

    def attach_driver(self, app: CrowdwatchApp) -> None:
        app._driver.write = self.written.append  # the fake: what a real driver would send


def demo_app(replay: ReplayClock) -> CrowdwatchApp:
    from crowdwatch.config.loader import load_config
    from crowdwatch.feeds.demo import DemoFeed
    from crowdwatch.session.engine import Engine

    config = load_config(None)  # the bundled alerts.yaml: screen, bell, osc and log
    engine = Engine(DemoFeed(config, clock=replay), config)
    return CrowdwatchApp(engine, clock=lambda: NOW, env=KITTY)


@sync
async def test_the_demo_replayed_rings_toasts_notifies_and_fills_the_tape(tmp_path) -> None:
    replay = ReplayClock()
    app = demo_app(replay)
    seen = Recorder(app)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        seen.attach_driver(app)
        await settle(pilot)
        bells_per_refresh = [seen.bells]
        for seconds in range(10, 181, 10):  # the session in 18 refreshes
            replay.seconds = float(seconds)
            before = len(app.alert_tape)
            await pilot.press("r")
            await settle(pilot)
            fired_now = len(app.alert_tape) - before
            bells_per_refresh.append(seen.bells)
            # one bell per refresh that fired something, however many fired
            assert seen.bells - bells_per_refresh[-2] == (1 if fired_now else 0)
        tape = app.alert_tape
        keys = [(a.rule, a.series) for a in tape]
        assert len(keys) == len(set(keys)), "nothing fires twice in a session"
        assert [a.ts for a in tape] == sorted(a.ts for a in tape)
        expected = {
            ("momentum crash", "momentum_pair"),
            ("theme unwind", "themes.AI beneficiaries"),
            ("theme unwind", "themes.Memory"),
            ("theme unwind", "themes.AI power"),
        }
        assert expected <= set(keys)
        crash = tape[keys.index(("momentum crash", "momentum_pair"))]
        assert crash.value <= -3 and crash.severity == "error"

        # screen: one toast per alert (at most MAX_SHOWN a refresh), severity by rule
        toast = next(t for t in seen.toasts if t.get("title") == "momentum crash")
        assert toast["message"] == crash.message and toast["severity"] == "error"
        assert len(seen.toasts) == len(tape)  # never more than MAX_SHOWN at once on the demo
        # on screen: the last refresh's alerts only (they replace older toasts)
        await pilot.pause(0.05)
        shown = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert fired_now and len(shown) == min(fired_now, MAX_SHOWN)
        for alert, text in zip(tape[-fired_now:], shown, strict=False):
            assert alert.rule in text and alert.message in text

        # osc: the kitty terminal gets OSC 9, byte for byte, through the driver
        body = f"crowdwatch: momentum crash: {crash.message}"
        assert "\x1b]9;" + body + "\x07" in seen.written
        assert sum(w.startswith("\x1b]9;") for w in seen.written) == len(tape)

        # the status line counts today's alerts
        assert f"│ {len(tape)} alerts" in render_status(app.status).plain

        # the tape: newest first, New York time, rule, series, value
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TapeScreen)
        table = screen.query_one("#tape-table")
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert len(rows) == len(tape)
        assert rows[-1][:2] == ["09:30:00", tape[0].rule]  # the open's alert, at the bottom
        crash_row = next(r for r in rows if r[1] == "momentum crash")
        local = crash.ts.astimezone(UTC).hour - 5  # February: New York is UTC-5
        assert crash_row[0] == f"{local:02d}:{crash.ts.minute:02d}:00"
        assert crash_row[2:4] == ["momentum_pair", f"{crash.value:+.2f}"]
        times = [r[0] for r in rows]
        assert times == sorted(times, reverse=True)

    # the log channel: the simulated day's log holds the tape, as watch writes it
    log = tmp_path / "user-logs" / "alerts-2026-02-04-simulated.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["rule"], r["series"]) for r in records] == keys


@sync
async def test_enter_on_a_tape_line_opens_its_series() -> None:
    replay = ReplayClock()
    app = demo_app(replay)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        replay.seconds = 180.0
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        newest_first = list(reversed(app.alert_tape))
        wanted = {
            "momentum_pair": (SeriesDetail, "momentum_pair"),
            "themes.Memory": (ThemeDetail, "Memory"),
            "internals.breadth": (InternalsDetail, None),
        }
        for series, (kind, name) in wanted.items():
            row = next(i for i, a in enumerate(newest_first) if a.series == series)
            table = app.screen.query_one("#tape-table")
            table.move_cursor(row=row)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, kind), series
            if kind is SeriesDetail:
                assert (app.screen.kind, app.screen.series_name) == ("basket", name)
            if kind is ThemeDetail:
                assert app.screen.theme_name == name
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, TapeScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id == "dashboard"


def test_each_series_opens_the_right_drill_down() -> None:
    assert detail_target("momentum_pair") == ("basket", "momentum_pair")
    assert detail_target("baskets.winners") == ("basket", "winners")
    assert detail_target("momentum") == ("factor", "momentum")
    assert detail_target("factors.beta") == ("factor", "beta")
    assert detail_target("themes.AI power") == ("theme", "AI power")
    assert detail_target("internals.letf_flow_percentile") == (
        "internals",
        "letf_flow_percentile",
    )
    assert detail_target("series.prime_gross") == ("positioning", "prime_gross")


ALERTS = [
    Alert(datetime(2026, 2, 4, 15, 30, tzinfo=UTC), f"rule {i}", f"themes.T{i}", "flag",
          "UNWIND", f"themes.T{i} flag UNWIND")
    for i in range(MAX_SHOWN + 2)
]  # fmt: skip


def test_osc_follows_the_terminal_and_sums_up_a_burst() -> None:
    notify = ("osc",)
    assert osc_text(ALERTS[:1], ("screen", "bell"), KITTY) == ""  # osc not asked for
    assert osc_text(ALERTS[:1], notify, {"TERM": "xterm-256color"}) == ""  # unknown terminal
    one = osc_text(ALERTS[:1], notify, {"TERM": "foot"})
    assert one == "\x1b]777;notify;crowdwatch;rule 0: themes.T0 flag UNWIND\x07"
    burst = osc_text(ALERTS, notify, KITTY)
    assert burst.count("\x1b]9;") == MAX_SHOWN + 1
    assert burst.endswith(
        "\x1b]9;crowdwatch: more alerts: +2 more alerts: press a for the tape\x07"
    )
    tmux = osc_text(ALERTS[:1], notify, {**KITTY, "TMUX": "/tmp/tmux"})
    assert tmux == "\x1bPtmux;\x1b\x1b]9;crowdwatch: rule 0: themes.T0 flag UNWIND\x07\x1b\\"


RULE = AlertRule("pair", Condition("momentum_pair", "sigma", "<=", -3), severity="error")


class ConfiguredEngine(FakeEngine):
    def __init__(self, *args, alerts: AlertsConfig, **kw) -> None:
        super().__init__(*args, **kw)
        self.config = type("Config", (), {"alerts": alerts})()


@sync
async def test_rules_run_in_the_refresh_worker_and_log_problems_reach_the_status_line(
    tmp_path, monkeypatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the log folder should be")
    monkeypatch.setenv("CROWDWATCH_LOG_DIR", str(blocked))
    config = AlertsConfig(notify=("screen", "log"), rules=(RULE,))
    engine = ConfiguredEngine([make_snapshot()], alerts=config, simulated=False)
    app = CrowdwatchApp(engine, clock=lambda: NOW, env=KITTY)
    threads: list[str] = []
    step = AlertSession.step

    def spy(self, snapshot):
        threads.append(threading.current_thread().name)
        return step(self, snapshot)

    monkeypatch.setattr(AlertSession, "step", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        ui_thread = threading.current_thread().name
        await settle(pilot)
        assert threads and ui_thread not in threads  # evaluated off the UI thread
        assert [a.rule for a in app.alert_tape] == ["pair"]  # the fixture's pair is -3.6σ
        status = render_status(app.status).plain
        # the count first, then the latest problem (reading the log failed too: +1 more)
        assert "│ 1 alert │ " in status and "cannot write" in status


@sync
async def test_no_rules_means_no_count_and_an_empty_tape() -> None:
    engine = ConfiguredEngine([make_snapshot()], alerts=AlertsConfig())
    app = CrowdwatchApp(engine, clock=lambda: NOW, alerts=AlertSession(AlertsConfig(), AlertLog()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "alert" not in render_status(app.status).plain
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TapeScreen)
        assert "none yet" in str(app.screen.query_one("#detail-header").render())
        await pilot.press("q")
        await pilot.pause()
        assert app.screen.id == "dashboard"


def test_a_small_screen_gets_fewer_toasts() -> None:
    assert [toasts_for(h) for h in (24, 29, 30, 39, 40, 48)] == [1, 1, 2, 2, 3, 3]
    assert toasts_for(200) == MAX_SHOWN


@sync
@pytest.mark.parametrize(("size", "toasts"), [((80, 24), 1), ((100, 30), 2), ((160, 48), 3)])
async def test_a_burst_at_the_close_leaves_the_dashboard_readable(size, toasts) -> None:
    """Nine alerts at the demo's close on an 80x24 terminal covered most of the dashboard
    with four toasts; now the screen's height decides, and one toast sums up the rest."""
    engine = ConfiguredEngine([make_snapshot()], alerts=AlertsConfig())
    app = CrowdwatchApp(engine, clock=lambda: NOW, alerts=AlertSession(AlertsConfig(), AlertLog()))
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        app.deliver_alerts(ALERTS, ("screen",))
        await pilot.pause(0.05)
        shown = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert len(shown) == toasts + 1
        assert all(a.message in text for a, text in zip(ALERTS, shown[:toasts], strict=False))
        extra = len(ALERTS) - toasts
        assert f"+{extra} more alert" in shown[-1] and "press a for the tape" in shown[-1]
