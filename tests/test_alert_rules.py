"""Alert rules on hand-written snapshots: edges, wildcards, nulls, cooldown, restart, report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crowdwatch.analytics.alerts import Alert, snapshot_time, true_now, with_alerts
from crowdwatch.analytics.results import Internals, MoveStats, Snapshot, ThemeMove
from crowdwatch.config.schema import AlertRule, AlertsConfig, Condition
from crowdwatch.session.alerts import AlertBook, AlertLog

DAY = date(2026, 2, 4)
OPEN = datetime(2026, 2, 4, 14, 30, tzinfo=UTC)  # 09:30 New York

CRASH = AlertRule("crash", Condition("momentum_pair", "sigma", "<=", -3), severity="error")
UNWIND = AlertRule("unwind", Condition("themes.*", "flag", "==", "UNWIND"))
NOT_UNWIND = AlertRule("calm", Condition("themes.*", "flag", "!=", "UNWIND"))
SELLOFF = AlertRule(
    "narrow selloff",
    Condition("internals.breadth", "value", ">=", 0.75),
    (Condition("internals.index_ret", "value", "<", 0),),
)
FACTOR_SIGMA = AlertRule("factor 2s", Condition("factors.*", "sigma", ">=", 2))
DESK = AlertRule("gross", Condition("series.prime_gross", "value", ">", 2.5))


@dataclass(frozen=True)
class UserSeries:  # the positioning helper's type, as far as alerts read it
    value: float | None


def snap(
    minute: int = 0,
    *,
    pair_sigma: float | None = -1.0,
    flags: dict[str, str | None] | None = None,
    breadth: float | None = 0.5,
    index_ret: float | None = 0.001,
    factor_sigma: dict[str, float | None] | None = None,
    day: date = DAY,
    mode: str = "live",
    user: dict | None = None,
) -> Snapshot:
    flags = flags if flags is not None else {"Memory": None, "AI power": None}
    factor_sigma = factor_sigma or {"momentum": pair_sigma, "beta": 0.5}
    snapshot = Snapshot(
        as_of=day,
        mode=mode,  # type: ignore[arg-type]
        source="test",
        simulated=False,
        benchmark="SPY",
        universe_size=10,
        baskets={"momentum_pair": MoveStats("momentum_pair", ret=-0.04, sigma=pair_sigma)},
        factors={name: MoveStats(name, sigma=s) for name, s in factor_sigma.items()},
        themes={name: ThemeMove(MoveStats(name), flag=f) for name, f in flags.items()},  # type: ignore[arg-type]
        internals=Internals(index_ret=index_ret, breadth=breadth),
        events=(),
        quotes_ts=OPEN + timedelta(minutes=minute) if mode == "live" else None,
    )
    if user is not None:
        snapshot = _WithUser(snapshot, user)
    return snapshot


class _WithUser:
    """A snapshot with user_series (the positioning helper adds the real field)."""

    def __init__(self, snapshot: Snapshot, user: dict) -> None:
        self._snapshot = snapshot
        self.user_series = user

    def __getattr__(self, name: str):
        return getattr(self._snapshot, name)


def fired(book: AlertBook, snapshot) -> list[tuple[str, str]]:
    return [(alert.rule, alert.series) for alert in book.evaluate(snapshot)]


def test_a_rule_fires_on_the_rising_edge_only() -> None:
    book = AlertBook(AlertsConfig(cooldown_minutes=0, rules=(CRASH,)))
    assert fired(book, snap(0, pair_sigma=-2.0)) == []
    assert fired(book, snap(1, pair_sigma=-3.0)) == [("crash", "momentum_pair")]  # <= holds at -3
    assert fired(book, snap(2, pair_sigma=-3.5)) == []  # still true: no new edge
    assert fired(book, snap(3, pair_sigma=-2.9)) == []
    assert fired(book, snap(4, pair_sigma=-3.1)) == [("crash", "momentum_pair")]
    assert [a.ts for a in book.tape] == [OPEN + timedelta(minutes=1), OPEN + timedelta(minutes=4)]


def test_the_first_evaluation_counts_as_not_true_before() -> None:
    book = AlertBook(AlertsConfig(rules=(CRASH,)))
    (alert,) = book.evaluate(snap(0, pair_sigma=-4.0))
    assert alert == Alert(
        OPEN,
        "crash",
        "momentum_pair",
        "sigma",
        -4.0,
        "momentum_pair sigma -4.00 (<= -3.00)",
        "error",
    )
    assert alert.record() == {
        "ts": "2026-02-04T14:30:00Z", "rule": "crash", "series": "momentum_pair",
        "field": "sigma", "value": -4.0, "message": "momentum_pair sigma -4.00 (<= -3.00)",
    }  # fmt: skip


def test_a_wildcard_is_one_series_per_match() -> None:
    book = AlertBook(AlertsConfig(cooldown_minutes=0, rules=(UNWIND, FACTOR_SIGMA)))
    both = {"Memory": "UNWIND", "AI power": "UNWIND"}
    assert fired(book, snap(0, flags={"Memory": "UNWIND", "AI power": None})) == [
        ("unwind", "themes.Memory")
    ]
    # Memory stays flagged (no new edge); AI power rises on its own
    assert fired(book, snap(1, flags=both)) == [("unwind", "themes.AI power")]
    assert fired(book, snap(2, factor_sigma={"momentum": 2.0, "beta": 2.5})) == [
        ("factor 2s", "momentum"),
        ("factor 2s", "beta"),
    ]


def test_nulls_never_fire_whatever_the_op() -> None:
    rules = (CRASH, NOT_UNWIND, SELLOFF, AlertRule("not -3", Condition("momentum_pair",
             "sigma", "!=", -3)))  # fmt: skip
    holding = true_now(rules, snap(0, pair_sigma=None, flags={"Memory": None}, breadth=None))
    assert holding == []  # a null flag is not "!= UNWIND": it is unknown
    nan = true_now(rules, snap(0, pair_sigma=float("nan"), flags={}))
    assert nan == []


def test_and_conditions_read_the_same_snapshot() -> None:
    book = AlertBook(AlertsConfig(cooldown_minutes=0, rules=(SELLOFF,)))
    assert fired(book, snap(0, breadth=0.8, index_ret=0.002)) == []  # the index is up
    (alert,) = book.evaluate(snap(1, breadth=0.8, index_ret=-0.008))
    assert alert.series == "internals.breadth" and alert.value == 0.8
    assert alert.message == (
        "internals.breadth value 0.80 (>= 0.75), internals.index_ret value -0.80% (< +0.00%)"
    )
    assert fired(book, snap(2, breadth=0.8, index_ret=None)) == []  # unknown: not true
    assert fired(book, snap(3, breadth=0.8, index_ret=-0.01)) == [
        ("narrow selloff", "internals.breadth")
    ]


def test_cooldown_counts_quote_time() -> None:
    book = AlertBook(AlertsConfig(cooldown_minutes=30, rules=(CRASH,)))
    assert fired(book, snap(0, pair_sigma=-3.2)) == [("crash", "momentum_pair")]
    assert fired(book, snap(10, pair_sigma=-1.0)) == []
    assert fired(book, snap(29, pair_sigma=-3.2)) == []  # a new edge, but within 30 minutes
    assert fired(book, snap(31, pair_sigma=-1.0)) == []
    assert fired(book, snap(45, pair_sigma=-3.3)) == [("crash", "momentum_pair")]  # 45 >= 30
    assert len(book.tape) == 2


def test_a_restart_reads_the_log_and_fires_nothing_twice(tmp_path: Path) -> None:
    config = AlertsConfig(cooldown_minutes=30, rules=(CRASH, UNWIND))
    log = AlertLog(tmp_path)
    first = AlertBook(config, log)
    for alert in first.evaluate(snap(0, pair_sigma=-3.5, flags={"Memory": "UNWIND"})):
        log.append(DAY, alert.record())
    log.append(DAY, {"ts": "2026-02-04T14:31:00Z", "event": "apprise failed", "error": "x"})
    with log.path(DAY).open("a", encoding="utf-8") as torn:
        torn.write('{"ts": "2026-02-04T14:3')  # a line cut short by a crash
    assert len(log.path(DAY).read_text(encoding="utf-8").splitlines()) == 4

    again = AlertBook(config, AlertLog(tmp_path))
    # still true after the restart: both were fired already
    assert fired(again, snap(5, pair_sigma=-3.6, flags={"Memory": "UNWIND"})) == []
    assert fired(again, snap(6, pair_sigma=-1.0, flags={"Memory": None})) == []
    assert fired(again, snap(20, pair_sigma=-3.6)) == []  # an edge inside the logged cooldown
    assert fired(again, snap(21, pair_sigma=-1.0)) == []
    assert fired(again, snap(40, pair_sigma=-3.6)) == [("crash", "momentum_pair")]
    assert again.log is not None and any("not JSON" in p for p in again.log.problems)

    other_day = AlertBook(config, AlertLog(tmp_path))  # another session: a fresh start
    assert fired(other_day, snap(0, pair_sigma=-3.5, day=date(2026, 2, 5))) == [
        ("crash", "momentum_pair")
    ]


def test_a_simulated_replay_is_not_read_back(tmp_path: Path) -> None:
    log = AlertLog(tmp_path, simulated=True)
    assert log.path(DAY).name == "alerts-2026-02-04-simulated.jsonl"
    assert AlertLog(tmp_path).path(DAY).name == "alerts-2026-02-04.jsonl"
    book = AlertBook(AlertsConfig(rules=(CRASH,)), log)
    for alert in book.evaluate(snap(0, pair_sigma=-3.5)):
        log.append(DAY, alert.record())
    replay = AlertBook(AlertsConfig(rules=(CRASH,)), AlertLog(tmp_path, simulated=True))
    assert fired(replay, snap(0, pair_sigma=-3.5)) == [("crash", "momentum_pair")]


def test_log_lines_are_whole_json_records(tmp_path: Path) -> None:
    log = AlertLog(tmp_path / "new" / "folder")
    book = AlertBook(AlertsConfig(rules=(CRASH, UNWIND)), log)
    for alert in book.evaluate(snap(0, pair_sigma=-3.5, flags={"Memory": "UNWIND"})):
        log.append(DAY, alert.record())
    lines = log.path(DAY).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["series"] for line in lines] == ["momentum_pair", "themes.Memory"]
    assert list(log.alerts(DAY)) == [json.loads(line) for line in lines]


def test_close_mode_alerts_are_stamped_1600_new_york() -> None:
    close = snap(mode="close", pair_sigma=-3.5)
    assert snapshot_time(close) == datetime(2026, 2, 4, 21, 0, tzinfo=UTC)  # EST: UTC-5
    summer = snap(mode="close", day=date(2025, 7, 1))
    assert snapshot_time(summer) == datetime(2025, 7, 1, 20, 0, tzinfo=UTC)  # EDT: UTC-4
    (alert,) = with_alerts(close, (CRASH, UNWIND)).alerts
    assert alert.record()["ts"] == "2026-02-04T21:00:00Z"


def test_user_series_are_read_by_value() -> None:
    holding = true_now((DESK,), snap(user={"prime_gross": UserSeries(2.6)}))
    assert [(a.series, a.value) for a in holding] == [("series.prime_gross", 2.6)]
    assert true_now((DESK,), snap(user={"prime_gross": UserSeries(None)})) == []
    assert true_now((DESK,), snap()) == []  # no user series on the snapshot at all
