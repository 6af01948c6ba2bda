"""The only code that talks to yfinance: daily history and last prices for batches of symbols.

YahooFeed depends on the small `YahooClient` protocol below, so tests inject a fake that
answers from recorded frames; `YFinanceClient` is the real one (yfinance imported lazily).
"""

from __future__ import annotations

import ast
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import polars as pl

from crowdwatch.feeds.base import QUOTES_SCHEMA, FeedError
from crowdwatch.feeds.frames import short_error

# the README's Yahoo heading says the same command (tests/test_docs.py)
INSTALL_COMMAND = "pip install 'yfinance>=0.2.50'"
INSTALL_HINT = f"Yahoo Finance needs yfinance: {INSTALL_COMMAND}"
QUOTE_URL = "https://query1.finance.yahoo.com/v7/finance/quote"
LONG_SCHEMA = {"date": pl.Date, "ticker": pl.String, "close": pl.Float64, "volume": pl.Float64}
# yfinance's words for "this symbol has no data" (delisted, renamed, no rows in the range),
# as opposed to "the request failed"
_NO_DATA = re.compile(
    r"delisted|no price data|no data found|PricesMissing|TzMissing|TickerMissing|"
    r"symbol may be delisted",
    re.IGNORECASE,
)
_RATE_LIMIT = re.compile(r"rate ?limit|too many requests|\b429\b", re.IGNORECASE)


class YahooUnavailable(Exception):
    """A whole request failed: no network, an HTTP error, a timeout, an unexpected answer."""


class YahooRateLimited(YahooUnavailable):
    """Yahoo answered 429 / Too Many Requests."""


@dataclass(slots=True)
class HistoryBatch:
    frame: pl.DataFrame  # LONG_SCHEMA, Yahoo symbols
    missing: dict[str, str] = field(default_factory=dict)  # symbol -> why it has no data


class YahooClient(Protocol):
    def history(self, symbols: list[str], start: date, end: date) -> HistoryBatch:
        """Adjusted daily closes for start <= date < end; raises YahooUnavailable."""
        ...

    def quotes(self, symbols: list[str]) -> pl.DataFrame:
        """QUOTES_SCHEMA rows (Yahoo symbols) for those that have a price; raises YahooUnavailable."""
        ...


def _unrepr(message: str) -> str:
    """yf.download logs repr(exception); show it as 'ConnectionError: curl: (7) ...'."""
    match = re.fullmatch(r"(\w+)\((['\"])(.*)\2\)", message.strip(), re.DOTALL)
    return f"{match.group(1)}: {match.group(3)}" if match else message.strip()


def classify_failure(messages: list[str]) -> YahooUnavailable:
    """The exception a batch raises when none of its symbols answered."""
    text = _unrepr(messages[0]) if messages else "no answer"
    if any(_RATE_LIMIT.search(m) for m in messages):
        return YahooRateLimited(f"rate limited ({text})")
    return YahooUnavailable(text)


def download_to_long(raw: Any, symbols: list[str]) -> pl.DataFrame:
    """yf.download's wide pandas frame (columns Price x Ticker) -> LONG_SCHEMA rows with a close."""
    if raw is None or len(raw) == 0 or len(raw.columns) == 0:
        return pl.DataFrame(schema=LONG_SCHEMA)
    columns = raw.columns
    if getattr(columns, "nlevels", 1) == 2:
        if "Close" not in columns.get_level_values(0):
            raise YahooUnavailable("unexpected answer: no Close column")
        close = raw["Close"]
        volume = raw["Volume"] if "Volume" in columns.get_level_values(0) else None
    elif "Close" in columns and len(symbols) == 1:  # single symbol, flat columns
        close = raw[["Close"]].set_axis(symbols, axis=1)
        volume = raw[["Volume"]].set_axis(symbols, axis=1) if "Volume" in columns else None
    else:
        raise YahooUnavailable("unexpected answer: no Close column")
    index = close.index
    if getattr(index, "tz", None) is not None:
        index = index.tz_localize(None)
    dates = index.to_numpy().astype("datetime64[D]")
    tickers = [str(t) for t in close.columns]
    n_dates, n_tickers = len(dates), len(tickers)
    volume_values = (
        volume.reindex(columns=close.columns).to_numpy(dtype=float).ravel()
        if volume is not None
        else np.full(n_dates * n_tickers, np.nan)
    )
    # row-major ravel: date i, then every ticker, matching repeat/tile below
    frame = pl.DataFrame(
        {
            "date": np.repeat(dates, n_tickers),
            "ticker": np.tile(np.array(tickers, dtype=object), n_dates),
            "close": close.to_numpy(dtype=float).ravel(),
            "volume": volume_values,
        },
        schema_overrides={"ticker": pl.String},
    )
    return (
        frame.with_columns(pl.col("date").cast(pl.Date), pl.col("volume").fill_nan(None))
        .filter(pl.col("close").is_not_nan() & (pl.col("close") > 0))
        .cast(LONG_SCHEMA)
    )


def intraday_to_quotes(raw: Any, symbols: list[str]) -> pl.DataFrame:
    """yf.download(period='1d', interval='1m') -> the last bar's close per symbol, ts in UTC."""
    long = download_to_long(raw, symbols) if raw is not None else None
    if long is None or long.is_empty():
        return pl.DataFrame(schema=QUOTES_SCHEMA)
    index = raw.index
    index = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
    stamps = index.tz_localize(None).to_numpy().astype("datetime64[us]")
    close = raw["Close"] if raw.columns.nlevels == 2 else raw[["Close"]].set_axis(symbols, axis=1)
    tickers = [str(t) for t in close.columns]
    frame = pl.DataFrame(
        {
            "ticker": np.tile(np.array(tickers, dtype=object), len(stamps)),
            "last": close.to_numpy(dtype=float).ravel(),
            "ts": np.repeat(stamps, len(tickers)),
        },
        schema_overrides={"ticker": pl.String},
    )
    return (
        frame.filter(pl.col("last").is_not_nan() & (pl.col("last") > 0))
        .with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
        .sort("ts")
        .group_by("ticker")
        .agg(pl.all().last())
        .sort("ticker")
        .cast(QUOTES_SCHEMA)
    )


def parse_quote_response(payload: dict[str, Any]) -> pl.DataFrame:
    """Yahoo's v7 quote JSON -> QUOTES_SCHEMA rows for the symbols that have a price."""
    response = payload.get("quoteResponse") if isinstance(payload, dict) else None
    if not isinstance(response, dict):
        raise YahooUnavailable("unexpected answer: no quoteResponse")
    if response.get("error"):
        raise classify_failure([str(response["error"])])

    def raw_value(value: Any) -> Any:  # formatted answers wrap numbers as {"raw": ..}
        return value.get("raw") if isinstance(value, dict) else value

    rows = [
        (
            q.get("symbol"),
            raw_value(q.get("regularMarketPrice")),
            raw_value(q.get("regularMarketTime")),
        )
        for q in response.get("result") or []
        if isinstance(q, dict)
    ]
    frame = pl.DataFrame(
        rows, schema={"ticker": pl.String, "last": pl.Float64, "epoch": pl.Int64}, orient="row"
    )
    return (
        frame.filter(
            pl.col("ticker").is_not_null() & (pl.col("last") > 0) & pl.col("epoch").is_not_null()
        )
        .select(
            "ticker",
            "last",
            pl.from_epoch("epoch", time_unit="s").dt.replace_time_zone("UTC").alias("ts"),
        )
        .cast(QUOTES_SCHEMA)
    )


class _ErrorCapture(logging.Handler):
    """Collects the per-symbol errors yf.download logs (it never raises them)."""

    _line = re.compile(r"^(\[.*?\]): (.*)$", re.DOTALL)

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        match = self._line.match(record.getMessage())
        if not match:
            return
        try:
            symbols = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            return
        for symbol in symbols:
            self.errors[str(symbol)] = match.group(2)


@contextmanager
def _quiet_yfinance() -> Iterator[_ErrorCapture]:
    """Capture yfinance's error log, keep its logs and warnings off the terminal (the TUI)."""
    logger = logging.getLogger("yfinance")
    capture = _ErrorCapture()
    logger.addHandler(capture)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield capture
    finally:
        logger.removeHandler(capture)


class YFinanceClient:
    """YahooClient over yfinance: yf.download for history, the v7 batch quote for quotes."""

    def __init__(self, request_timeout: float = 10.0) -> None:
        try:
            import yfinance
        except ImportError as exc:
            raise FeedError(INSTALL_HINT) from exc
        from yfinance.config import YfConfig

        self._yf = yfinance
        self.request_timeout = request_timeout
        # yfinance 1.7 hides per-symbol request exceptions by default, so an unreachable
        # host reads "possibly delisted; no price data found", the same words as a symbol
        # with no new day (a holiday). Raised, download() records them as what they are.
        YfConfig.debug.hide_exceptions = False
        self._quote_via_download = False
        logger = logging.getLogger("yfinance")
        logger.addHandler(logging.NullHandler())
        logger.propagate = False  # its stderr lines would tear the TUI

    def history(self, symbols: list[str], start: date, end: date) -> HistoryBatch:
        with _quiet_yfinance() as capture:
            raw = self._yf.download(
                symbols,
                start=start.isoformat(),
                end=end.isoformat(),
                interval="1d",
                auto_adjust=True,
                actions=False,
                progress=False,
                threads=True,
                group_by="column",
                multi_level_index=True,
                timeout=self.request_timeout,
            )
        return self._batch(download_to_long(raw, symbols), symbols, capture.errors)

    def quotes(self, symbols: list[str]) -> pl.DataFrame:
        if not self._quote_via_download:
            try:
                return self._quotes_v7(symbols)
            except YahooRateLimited:
                raise
            except Exception as first:
                # the v7 endpoint is yfinance-internal; if it moved, per-symbol 1m bars still work
                try:
                    quotes = self._quotes_1m(symbols)
                except YahooUnavailable:
                    raise YahooUnavailable(short_error(first)) from first
                self._quote_via_download = True
                return quotes
        return self._quotes_1m(symbols)

    def _quotes_v7(self, symbols: list[str]) -> pl.DataFrame:
        from yfinance.data import YfData

        params = {
            "symbols": ",".join(symbols),
            "formatted": "false",
            "fields": "symbol,regularMarketPrice,regularMarketTime",
        }
        with _quiet_yfinance():
            try:
                payload = YfData().get_raw_json(
                    QUOTE_URL, params=params, timeout=self.request_timeout
                )
            except Exception as exc:
                raise classify_failure([f"{type(exc).__name__}: {short_error(exc)}"]) from exc
        return parse_quote_response(payload)

    def _quotes_1m(self, symbols: list[str]) -> pl.DataFrame:
        with _quiet_yfinance() as capture:
            raw = self._yf.download(
                symbols,
                period="1d",
                interval="1m",
                auto_adjust=True,
                progress=False,
                threads=True,
                group_by="column",
                multi_level_index=True,
                timeout=self.request_timeout,
            )
        quotes = intraday_to_quotes(raw, symbols)
        self._batch(quotes.rename({"last": "close"}), symbols, capture.errors)
        return quotes

    @staticmethod
    def _batch(frame: pl.DataFrame, symbols: list[str], errors: dict[str, str]) -> HistoryBatch:
        failed = {s: e for s, e in errors.items() if not _NO_DATA.search(e)}
        answered = set(frame["ticker"].unique().to_list())
        if failed and not answered and set(failed) | set(errors) >= set(symbols):
            raise classify_failure(list(failed.values()))
        missing = {s: errors.get(s, "no data") for s in symbols if s not in answered}
        return HistoryBatch(frame, missing)
