"""`crowdwatch watch` and `crowdwatch alerts backtest` end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from crowdwatch.tui.cli import main

from .test_cli import folders, small_market  # noqa: F401 - the shared files folder fixture

ALERT_KEYS = ["ts", "rule", "series", "field", "value", "message"]
CRASH_RULES = (
    "rules:\n"
    "  - {name: crash, series: momentum_pair, field: sigma, op: '<=', value: -0.5}\n"
    "  - {name: up, series: momentum_pair, field: sigma, op: '>', value: -0.5}\n"
    "  - {name: themes, series: 'themes.*', field: ret, op: '>', value: -1}\n"
)


def test_watch_json_on_the_demo_replays_the_unwind_once(capsys, tmp_path: Path) -> None:
    code = main(["watch", "--json", "--speed", "30"])
    out, err = capsys.readouterr()
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert all(list(record) == ALERT_KEYS for record in records)
    keys = [(r["rule"], r["series"]) for r in records]
    assert len(keys) == len(set(keys)), "nothing fires twice in a session"
    stamps = [datetime.fromisoformat(r["ts"].replace("Z", "+00:00")) for r in records]
    assert stamps == sorted(stamps) and all(r["ts"].endswith("Z") for r in records)
    expected = {
        ("momentum crash", "momentum_pair"),
        ("theme unwind", "themes.AI beneficiaries"),
        ("theme unwind", "themes.Memory"),
        ("theme unwind", "themes.AI power"),
    }
    assert expected <= set(keys)
    crash = records[keys.index(("momentum crash", "momentum_pair"))]
    assert crash["field"] == "sigma" and crash["value"] <= -3
    # the same alerts went to the (simulated) log of the session day
    log = tmp_path / "user-logs" / "alerts-2026-02-04-simulated.jsonl"
    assert [json.loads(line) for line in log.read_text().splitlines()] == records


def test_watch_once_prints_one_line_per_alert(capsys, folders) -> None:  # noqa: F811
    data, config = folders
    (config / "alerts.yaml").write_text(CRASH_RULES)
    code = main(["watch", "--once", "--source", "files", "--data", str(data),
                 "--config", str(config)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3  # one of crash / up, and each of the two themes
    for line in lines:
        clock, rule, series, value, message = line.split("  ")
        assert clock == "16:00:00 ET"  # a close-mode snapshot is stamped at the close
        assert rule in ("crash", "up", "themes") and "=" in value and message.startswith(series)


def test_watch_with_a_bad_alerts_file_exits_2(capsys, folders) -> None:  # noqa: F811
    data, config = folders
    (config / "alerts.yaml").write_text(
        "rules:\n  - {name: x, series: themes.Alpah, field: ret, op: '<', value: 0}\n"
    )
    code = main(["watch", "--source", "files", "--data", str(data), "--config", str(config)])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"{config / 'alerts.yaml'}:2: key 'series'" in err and "'themes.Alpha'" in err


def test_watch_on_a_live_source_stops_cleanly_on_sigterm(folders, tmp_path: Path) -> None:  # noqa: F811
    data, config = folders
    prices = pl.read_csv(data / "prices.csv", try_parse_dates=True)
    last = prices.filter(pl.col("date") == pl.col("date").max())
    day = last.get_column("date").max()
    quotes = last.select("ticker", last=pl.col("close") * 0.99).with_columns(
        ts=pl.lit(f"{day.replace(day=day.day)}T15:00:00Z")
    )
    # the quotes are for the next weekday after the last close
    next_day = pl.select(pl.lit(day).dt.add_business_days(1)).item()
    quotes = quotes.with_columns(ts=pl.lit(f"{next_day}T15:00:00Z"))
    quotes.write_csv(data / "quotes.csv")
    (config / "alerts.yaml").write_text(CRASH_RULES)
    env = {**os.environ, "CROWDWATCH_LOG_DIR": str(tmp_path / "logs")}
    child = subprocess.Popen(
        [sys.executable, "-m", "crowdwatch.tui.cli", "watch", "--json", "--source", "files",
         "--data", str(data), "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        first = child.stdout.readline()  # the first evaluation has printed: it is running
        assert json.loads(first)["ts"] == f"{next_day}T15:00:00Z"
        time.sleep(0.5)
        assert child.poll() is None, "a live source runs until a signal"
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    logged = (tmp_path / "logs" / f"alerts-{next_day}.jsonl").read_text().splitlines()
    assert len(logged) == 3


def test_backtest_text_and_json(capsys) -> None:
    code = main(["alerts", "backtest", "--json", "--since", "2022-01-01"])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    rules = {rule["rule"]: rule for rule in doc["rules"]}
    crash = rules["momentum crash"]
    assert crash["testable"] and crash["count"] == len(crash["fires"]) >= 1
    assert all(fire["date"] >= "2022-01-01" and fire["value"] <= -3 for fire in crash["fires"])
    assert set(crash["median"]) == {"pair_fwd_5d", "pair_fwd_21d", "index_fwd_5d", "index_fwd_21d"}
    code = main(["alerts", "backtest"])
    out, _ = capsys.readouterr()
    assert code == 0 and "momentum crash: fired" in out


@pytest.mark.parametrize("argv", [["alerts"], ["alerts", "backtest", "--since", "2022-13-01"]])
def test_backtest_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
