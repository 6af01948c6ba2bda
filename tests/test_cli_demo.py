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
    # the demo's own series come with it: the day is net short gamma
    assert set(doc["series"]) == {"prime_net_exposure", "dealer_gamma"}
    assert doc["net_gamma_usd_per_pct"] < 0


def test_attribution_at_the_replayed_close(demo_close) -> None:
    pair = demo_close["baskets"]["momentum_pair"]
    # the seed's day: the pair's fall came from the long side (past winners de-grossed)
    assert pair["ret"] < 0 and pair["legs"]["long"] < 0
    assert pair["legs"]["long_share"] > 0.5
    assert abs(pair["legs"]["long"] + pair["legs"]["short"] - pair["ret"]) < 1e-12
    assert "Information Technology" in pair["by_sector"]  # the demo universe has sectors
    ai = demo_close["themes"]["AI beneficiaries"]
    theme_tickers = {"NVDA", "AVGO", "AMD", "TSM", "MRVL", "ANET", "ORCL", "SMCI", "DELL",
                     "CLS", "COHR", "CRDO", "ALAB", "ARM", "APP"}  # fmt: skip
    top = ai["top_contributors"]
    assert len(top) == 10 and {member["ticker"] for member in top} <= theme_tickers
    sizes = [abs(member["contribution"]) for member in top]
    assert sizes == sorted(sizes, reverse=True)
    assert all(member["contribution"] < 0 and member["side"] is None for member in top[:3])
    # 15 members with a return, NVDA and AVGO weigh 1.5: total weight 16
    weights = {member["ticker"]: member["weight"] for member in top}
    assert all(abs(w - (1.5 if t in ("NVDA", "AVGO") else 1.0) / 16) < 1e-12
               for t, w in weights.items())  # fmt: skip


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
