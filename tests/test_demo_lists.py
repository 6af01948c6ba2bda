"""The bundled market lists: universe.csv, themes.yaml and letfs.yaml."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from crowdwatch.feeds.demo_market import UNIVERSE_CSV, load_universe

from .demo_support import bundled_config

GICS = {
    "Communication Services", "Consumer Discretionary", "Consumer Staples", "Energy",
    "Financials", "Health Care", "Industrials", "Information Technology", "Materials",
    "Real Estate", "Utilities",
}  # fmt: skip
CROWDED = ("AI beneficiaries", "AI power", "Memory", "National security", "Bitcoin miners",
           "Rare earths", "Unprofitable tech", "Software")  # fmt: skip
LAGGARDS = ("Early cyclicals", "Chemicals", "Regional banks", "Large-cap defensives")


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return bundled_config(tmp_path_factory.mktemp("empty-config"))


def test_universe_csv_is_pure_csv_with_the_contract_columns():
    text = UNIVERSE_CSV.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "ticker,name,sector,market_cap"
    assert not any(line.startswith("#") for line in text.splitlines())
    universe = load_universe()
    assert universe.schema["market_cap"] == pl.Float64
    assert universe.height >= 450
    assert universe.get_column("ticker").is_unique().all()
    assert set(universe.get_column("sector")) == GICS
    assert universe.null_count().sum_horizontal().item() == 0
    assert (universe.get_column("market_cap") > 1e8).all()


def test_themes_cover_the_article(config):
    names = [theme.name for theme in config.themes]
    assert set(CROWDED + LAGGARDS) == set(names)
    universe = set(load_universe().get_column("ticker"))
    for theme in config.themes:
        assert 6 <= len(theme.tickers) <= 20, theme.name
        assert theme.note, theme.name
        assert set(theme.tickers) <= universe, theme.name


def test_letfs_list_the_big_funds(config):
    assert config.letfs_as_of == date(2026, 6, 1)
    funds = {fund.ticker: fund for fund in config.letfs}
    assert len(funds) >= 30
    assert funds["TQQQ"].underlying == "QQQ" and funds["TQQQ"].aum_usd == pytest.approx(3.9e10)
    assert funds["SQQQ"].leverage == -3 and funds["SQQQ"].aum_usd == pytest.approx(2.3e9)
    assert funds["SOXL"].aum_usd == pytest.approx(2.6e10)
    for single in ("NVDA", "TSLA", "AMD", "MU", "PLTR", "MSTR", "COIN", "AAPL", "AMZN", "META"):
        assert any(f.underlying == single for f in config.letfs), single
    # one underlying per fund family: every semiconductor fund tracks the same ETF
    assert {funds[t].underlying for t in ("SOXL", "SOXS", "USD")} == {"SOXX"}
