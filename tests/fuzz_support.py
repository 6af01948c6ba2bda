"""Shared pieces of the fuzz tests: example budgets, a strict JSON parse, a quiet CLI run."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import polars as pl
from hypothesis import HealthCheck, settings

from crowdwatch.tui.cli import main

HYPOTHESIS_DEFAULT_EXAMPLES = 100


def fuzz_settings(examples: int) -> settings:
    """`examples` per test by default; the loaded profile's count when it asks for more
    (`--hypothesis-profile=fuzz`)."""
    wanted = settings.default.max_examples
    return settings(
        max_examples=wanted if wanted > HYPOTHESIS_DEFAULT_EXAMPLES else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN and Infinity (Python's parser accepts them by default)."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def run_cli(*argv: str) -> tuple[int, str, str, list[str]]:
    """(exit code, stdout, stderr, warnings raised) of the CLI run in this process.

    Any exception escaping main() is a traceback the user would see: it propagates.
    """
    out, err = io.StringIO(), io.StringIO()
    with (
        warnings.catch_warnings(record=True) as caught,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.simplefilter("always")
        code = main(list(argv))
    raised = [f"{w.category.__name__}: {w.message}" for w in caught]
    return code, out.getvalue(), err.getvalue(), raised


def assert_clean_cli_answer(code: int, out: str, err: str, raised: list[str]) -> None:
    """The CLI contract: exit 0 with strict JSON, or 2 with our own message; no warnings."""
    assert not raised, raised
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    assert "not JSON compliant" not in err, err  # the writer refused a NaN: an analytics bug
    if code == 0:
        document = strict_json(out)
        assert document["schema"] == 1
    else:
        assert out == "" and err.startswith("crowdwatch:"), (out, err)


@cache
def small_market() -> pl.DataFrame:
    """30 stocks, SPY and QQQ over 300 weekdays from 2024-01-01: enough history for every
    statistic (signals need 253 closes), small enough for a report in ~0.1 s."""
    rng = np.random.default_rng(15)
    dates = pl.date_range(date(2024, 1, 1), date(2025, 6, 30), "1d", eager=True)
    dates = dates.filter(dates.dt.weekday() <= 5)[:300]
    names = [*(f"S{i:02d}" for i in range(30)), "SPY", "QQQ"]
    market = rng.normal(0, 0.01, len(dates))
    returns = market[:, None] + rng.normal(0, 0.02, (len(dates), len(names)))
    returns[:, -2], returns[:, -1] = market, 1.2 * market
    closes = 100 * np.cumprod(1 + returns, axis=0)
    return pl.DataFrame(
        {
            "date": np.repeat(dates.to_numpy(), len(names)),
            "ticker": names * len(dates),
            "close": closes.ravel(),
        }
    )


@cache
def small_market_csv() -> str:
    return small_market().write_csv()
