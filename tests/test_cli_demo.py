"""`crowdwatch report` on the built-in demo: the replayed close, and --as-of on the demo."""

from __future__ import annotations

import json

import pytest

from crowdwatch.tui.cli import main


def report(capsys, *args: str) -> dict:
    assert main(["report", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def demo_close(tmp_path_factory) -> dict:
    capture = pytest.MonkeyPatch()
    capture.setenv("CROWDWATCH_CONFIG_DIR", str(tmp_path_factory.mktemp("cfg")))
    try:
        from crowdwatch.analytics.report import to_json
        from crowdwatch.config.loader import load_config
        from crowdwatch.feeds.demo import DemoFeed
        from crowdwatch.session.engine import Engine

        config = load_config()
        return to_json(Engine(DemoFeed(config), config).report_snapshot())
    finally:
        capture.undo()


def test_report_on_the_demo_answers_at_the_replayed_close(capsys, demo_close) -> None:
    doc = report(capsys)  # no data options: the demo
    assert doc == demo_close
    assert doc["source"] == "demo" and doc["simulated"] is True
    assert doc["as_of"] == "2026-02-04" and doc["mode"] == "live"
    assert doc["baskets"]["momentum_pair"]["sigma"] <= -3
    assert doc["themes"]["AI beneficiaries"]["flag"] == "UNWIND"


def test_as_of_the_replayed_day_is_the_same_day_in_close_mode(capsys, demo_close) -> None:
    doc = report(capsys, "--as-of", "2026-02-04")
    assert doc["mode"] == "close"
    live_doc = dict(demo_close, mode="close")
    assert doc == live_doc  # live quotes at the close == close mode with that day appended


def test_as_of_an_earlier_day_is_a_quiet_simulated_close(capsys) -> None:
    doc = report(capsys, "--as-of", "2025-06-13")  # a Friday
    assert doc["as_of"] == "2025-06-13" and doc["mode"] == "close"
    assert doc["simulated"] is True
    assert doc["baskets"]["momentum_pair"]["sigma"] > -3
