"""The demo's replayed close tells the article's story (DESIGN.md "The demo" targets)."""

from __future__ import annotations

from datetime import date

import pytest

from crowdwatch.analytics.model import close_snapshot, live, prepare
from crowdwatch.analytics.positioning import series_book
from crowdwatch.analytics.report import to_json
from crowdwatch.feeds.demo import DemoFeed

from .demo_support import bundled_config

CROWDED = ("AI beneficiaries", "Memory", "AI power")
LAGGARDS = ("Early cyclicals", "Chemicals", "Regional banks")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    config = bundled_config(tmp_path_factory.mktemp("empty-config"))
    return config, DemoFeed(config)


@pytest.fixture(scope="module")
def report(setup):
    config, feed = setup
    model = prepare(feed.history(), config, feed.universe())
    own = feed.series_source()
    book = series_book(own.frame(), own.specs)
    return to_json(
        live(model, feed.closing_quotes(), source="demo", simulated=True, user_series=book)
    )


def test_report_is_for_the_replayed_session(report):
    assert report["as_of"] == "2026-02-04"
    assert report["simulated"] is True
    assert report["universe_size"] >= 400


def test_momentum_pair_has_a_multi_sigma_record_loss(report):
    pair = report["baskets"]["momentum_pair"]
    assert pair["sigma"] <= -3
    assert pair["worst_since"] is None or pair["worst_since"] < "2023-01-01"


def test_the_short_momentum_basket_rallies_modestly(report):
    assert 0.003 <= report["baskets"]["short_momentum"]["ret"] <= 0.015


@pytest.mark.parametrize(
    ("theme", "target"), [("AI beneficiaries", -0.085), ("Memory", -0.06), ("AI power", -0.08)]
)
def test_crowded_themes_unwind(report, theme, target):
    move = report["themes"][theme]
    assert move["ret"] == pytest.approx(target, abs=0.01)
    assert move["flag"] == "UNWIND"


@pytest.mark.parametrize("theme", ["Early cyclicals", "Chemicals", "Regional banks"])
def test_laggard_themes_rally(report, theme):
    assert report["themes"][theme]["ret"] > 0


def test_market_internals(report):
    internals = report["internals"]
    assert internals["index_ret"] < 0
    assert 0.70 <= internals["breadth"] <= 0.80
    assert 6 <= internals["dispersion_ratio"] <= 8
    assert internals["dispersion_percentile"] >= 0.97
    assert -22e9 <= internals["letf_flow_usd"] <= -14e9
    assert internals["letf_flow_percentile"] >= 0.99
    assert internals["reversal_corr"] < -0.2


@pytest.mark.parametrize("theme", CROWDED)
def test_the_unwound_themes_read_crowded_going_in(report, theme):
    # the article: crowded longs, prime-book net exposure at the 89th percentile
    move = report["themes"][theme]
    assert move["crowding"] >= 75
    assert all(part >= 50 for part in move["crowding_parts"].values()), move["crowding_parts"]


@pytest.mark.parametrize("theme", LAGGARDS)
def test_the_laggard_themes_are_not_crowded(report, theme):
    assert report["themes"][theme]["crowding"] <= 40


def test_the_crowd_builds_in_the_months_before_the_unwind(setup, report):
    config, feed = setup
    before = close_snapshot(
        feed.history(), config, feed.universe(), as_of=date(2025, 9, 30), simulated=True
    )
    earlier = {name: theme.crowding for name, theme in before.themes.items()}
    for theme in CROWDED:
        assert earlier[theme] is not None
        assert report["themes"][theme]["crowding"] >= earlier[theme] + 10, theme


def test_prime_book_net_exposure_is_near_the_89th_percentile_of_its_year(report):
    # SEED.md "Positioning": the prime book's net exposure at the 89th percentile
    exposure = report["series"]["prime_net_exposure"]
    assert exposure["role"] == "exposure" and exposure["stale"] is False
    assert 0.85 <= exposure["percentile_1y"] <= 0.93
    assert exposure["date"] == "2026-01-30"  # the last weekly report before the day


def test_the_market_is_net_short_gamma_on_the_day(report):
    # SEED.md "Gamma": dealers still long, but less than the LETFs are short
    gamma = report["series"]["dealer_gamma"]
    assert gamma["date"] == "2026-02-04" and gamma["value"] > 0
    assert gamma["change"] < 0  # falling into the day
    assert report["net_gamma_usd_per_pct"] < 0
    letf = report["internals"]["letf_gamma_usd_per_pct"]
    assert report["net_gamma_usd_per_pct"] == pytest.approx(gamma["value"] - letf)
