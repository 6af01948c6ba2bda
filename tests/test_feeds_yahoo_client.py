"""The yfinance adapter, driven through the real yf.download over recorded per-ticker frames.

Only `yfinance.Ticker.history` (one chart request per symbol) and `YfData.get_raw_json` (the
batch quote request) are replaced, so yfinance's own batching, concatenation and error
logging run for real, with no network.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
import yfinance as yf  # noqa: E402  (the test extra installs it)

from crowdwatch.feeds.base import QUOTES_SCHEMA, FeedError
from crowdwatch.feeds.yahoo_client import (
    LONG_SCHEMA,
    YahooRateLimited,
    YahooUnavailable,
    YFinanceClient,
    parse_quote_response,
)

FIXTURES = Path(__file__).parent / "fixtures" / "yahoo"
RECORDED = pd.read_csv(FIXTURES / "history.csv")
INTRADAY = pd.read_csv(FIXTURES / "intraday_1m.csv")


def recorded_history(
    self: Any,
    period: Any = None,
    interval: str = "1d",
    start: Any = None,
    end: Any = None,
    **_: Any,
) -> pd.DataFrame:
    """What Ticker.history returns for the recorded symbols (exchange-tz index)."""
    if interval == "1m":
        rows = INTRADAY[INTRADAY["Ticker"] == self.ticker]
        index = pd.DatetimeIndex(pd.to_datetime(rows["Datetime"]), name="Datetime")
        index = index.tz_convert("America/New_York")
    else:
        rows = RECORDED[RECORDED["Ticker"] == self.ticker]
        rows = rows[(rows["Date"] >= start) & (rows["Date"] < end)]
        index = pd.DatetimeIndex(pd.to_datetime(rows["Date"]), name="Date")
        index = index.tz_localize("America/New_York")
    if rows.empty:
        raise yf.exceptions.YFPricesMissingError(self.ticker, f" ({interval} {start} -> {end})")
    columns = [c for c in ("Open", "High", "Low", "Close", "Volume") if c in rows.columns]
    return pd.DataFrame(rows[columns].to_numpy(), index=index, columns=columns).astype(float)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yf.Ticker, "history", recorded_history)


def raising(exc: Exception):
    def history(self: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        raise exc

    return history


def test_history_over_real_download(recorded: None) -> None:
    batch = YFinanceClient().history(["AAPL", "SPY"], date(2026, 1, 26), date(2026, 2, 4))
    assert batch.frame.schema == pl.Schema(LONG_SCHEMA)
    assert batch.missing == {}
    expected = RECORDED[
        RECORDED["Ticker"].isin(["AAPL", "SPY"])
        & (RECORDED["Date"] >= "2026-01-26")
        & (RECORDED["Date"] < "2026-02-04")
    ]
    got = batch.frame.sort("ticker", "date")
    assert got.height == len(expected) == 14
    assert got["close"].to_list() == expected.sort_values(["Ticker", "Date"])["Close"].tolist()
    assert got["date"].min() == date(2026, 1, 26) and got["date"].max() == date(2026, 2, 3)
    assert got["volume"].null_count() == 0


def test_vanished_symbol_is_missing_not_a_failure(recorded: None) -> None:
    batch = YFinanceClient().history(["AAPL", "GONE"], date(2026, 1, 28), date(2026, 2, 4))
    assert set(batch.frame["ticker"].to_list()) == {"AAPL"}
    assert list(batch.missing) == ["GONE"]
    assert "delisted" in batch.missing["GONE"] or "no price data" in batch.missing["GONE"]


def test_no_data_in_range_for_every_symbol_is_not_a_failure(recorded: None) -> None:
    # a holiday: an incremental request that finds no new day for anyone
    batch = YFinanceClient().history(["AAPL", "SPY"], date(2026, 2, 5), date(2026, 2, 6))
    assert batch.frame.is_empty()
    assert set(batch.missing) == {"AAPL", "SPY"}


def test_network_error_for_every_symbol_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yf.Ticker, "history", raising(ConnectionError("Could not resolve host")))
    with pytest.raises(YahooUnavailable, match="Could not resolve host"):
        YFinanceClient().history(["AAPL", "SPY"], date(2026, 1, 26), date(2026, 2, 4))


class NoTzCache:
    def lookup(self, symbol: str) -> None:
        return None

    def store(self, symbol: str, tz: object) -> None:
        pass


def test_unreachable_host_through_real_ticker_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """One layer lower: every HTTP request fails, yfinance's own Ticker.history runs.

    yfinance hides such exceptions by default and reports "possibly delisted", which would
    read as a holiday; the client must still see a failure.
    """
    from yfinance.data import YfData

    def offline(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Could not resolve host: query2.finance.yahoo.com")

    monkeypatch.setattr(YfData, "get", offline)
    monkeypatch.setattr(yf.cache, "get_tz_cache", NoTzCache)
    client = YFinanceClient()
    with pytest.raises(YahooUnavailable, match="^ConnectionError: Could not resolve host"):
        client.history(["ZZQA", "ZZQB"], date(2026, 1, 26), date(2026, 2, 4))
    with pytest.raises(YahooUnavailable, match="Could not resolve host"):
        client.quotes(["ZZQA", "ZZQB"])


def test_rate_limit_is_its_own_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yf.Ticker, "history", raising(yf.exceptions.YFRateLimitError()))
    with pytest.raises(YahooRateLimited):
        YFinanceClient().history(["AAPL"], date(2026, 1, 26), date(2026, 2, 4))


def test_yfinance_logs_stay_off_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], recorded: None
) -> None:
    YFinanceClient().history(["AAPL", "GONE"], date(2026, 1, 28), date(2026, 2, 4))
    captured = capsys.readouterr()
    assert "Failed download" not in captured.err + captured.out


def test_quote_response_parsing() -> None:
    payload = json.loads((FIXTURES / "quote_v7.json").read_text())
    quotes = parse_quote_response(payload)
    assert quotes.schema == pl.Schema(QUOTES_SCHEMA)
    # GONE has no price; MSFT's numbers come wrapped as {"raw": ...}
    assert quotes["ticker"].to_list() == ["AAPL", "MSFT", "NVDA", "SPY", "QQQ"]
    assert quotes["last"].to_list() == [251.12, 455.5, 171.9, 684.2, 604.75]
    assert quotes["ts"][0] == datetime(2026, 2, 4, 15, 30, tzinfo=UTC)
    assert quotes["ts"][1] == datetime(2026, 2, 4, 15, 29, 58, tzinfo=UTC)


def test_quote_response_errors() -> None:
    with pytest.raises(YahooUnavailable, match="no quoteResponse"):
        parse_quote_response({"finance": {"error": "Unauthorized"}})
    with pytest.raises(YahooRateLimited):
        parse_quote_response({"quoteResponse": {"result": [], "error": "Too Many Requests"}})


def test_quotes_via_batch_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from yfinance.data import YfData

    payload = json.loads((FIXTURES / "quote_v7.json").read_text())
    calls: list[dict[str, str]] = []

    def get_raw_json(self: Any, url: str, params: dict[str, str], timeout: float) -> Any:
        calls.append(params)
        return payload

    monkeypatch.setattr(YfData, "get_raw_json", get_raw_json)
    quotes = YFinanceClient().quotes(["AAPL", "MSFT", "NVDA", "SPY", "QQQ", "GONE"])
    assert calls == [
        {
            "symbols": "AAPL,MSFT,NVDA,SPY,QQQ,GONE",
            "formatted": "false",
            "fields": "symbol,regularMarketPrice,regularMarketTime",
        }
    ]
    assert quotes.height == 5


def test_quotes_fall_back_to_minute_bars(monkeypatch: pytest.MonkeyPatch, recorded: None) -> None:
    from yfinance.data import YfData

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("404 Client Error: Not Found")

    monkeypatch.setattr(YfData, "get_raw_json", broken)
    client = YFinanceClient()
    quotes = client.quotes(["AAPL", "SPY", "NVDA"])
    assert quotes.schema == pl.Schema(QUOTES_SCHEMA)
    assert quotes.sort("ticker").rows() == [
        ("AAPL", 251.10, datetime(2026, 2, 4, 15, 29, tzinfo=UTC)),
        # NVDA's last minute has no trade: its previous bar is its last price
        ("NVDA", 171.90, datetime(2026, 2, 4, 15, 28, tzinfo=UTC)),
        ("SPY", 684.20, datetime(2026, 2, 4, 15, 29, tzinfo=UTC)),
    ]


def test_quotes_fail_when_both_paths_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from yfinance.data import YfData

    def offline(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Could not resolve host")

    monkeypatch.setattr(YfData, "get_raw_json", offline)
    monkeypatch.setattr(yf.Ticker, "history", raising(ConnectionError("Could not resolve host")))
    with pytest.raises(YahooUnavailable, match="Could not resolve host"):
        YFinanceClient().quotes(["AAPL", "SPY"])


def test_missing_yfinance_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yfinance", None)
    with pytest.raises(FeedError, match=r"pip install 'yfinance>=0.2.50'"):
        YFinanceClient()
