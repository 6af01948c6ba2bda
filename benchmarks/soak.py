"""Soak: headless Engine ticks on the demo with changing quotes; RSS at tick 1,000 and 10,000.

    python benchmarks/soak.py [--ticks 10000] [--json]

Every tick is a new quotes frame: the demo session's minute bars, cycled, each price moved
by a fresh random factor (so no two ticks are equal), and the Engine recomputes the live
snapshot as the dashboard's refresh worker does. RSS is the resident set of this process
(psutil), read after a garbage collection at the first tick, at 1,000 and at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from market import bundled_config  # noqa: E402

from crowdwatch.feeds.base import QUOTES_SCHEMA  # noqa: E402
from crowdwatch.feeds.demo import DemoFeed  # noqa: E402
from crowdwatch.feeds.demo_calendar import session_times  # noqa: E402
from crowdwatch.session.engine import Engine  # noqa: E402

CHECKPOINTS = (1, 1_000, 10_000)


class ChangingQuotes(DemoFeed):
    """The demo feed whose quotes change on every poll (a market that never stops)."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.polls = 0
        self.rng = np.random.default_rng(15)

    def quotes(self) -> pl.DataFrame:
        names, prices = self.ticks()
        step = self.polls % prices.shape[0]
        self.polls += 1
        moved = prices[step] * (1.0 + self.rng.normal(0.0, 0.001, prices.shape[1]))
        ts = session_times()[step]
        return pl.DataFrame(
            {"ticker": list(names), "last": moved, "ts": [ts] * len(names)},
            schema=QUOTES_SCHEMA,
        )


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def soak(ticks: int) -> dict:
    config = bundled_config()
    engine = Engine(ChangingQuotes(config), config)
    engine.start()
    rss: dict[str, float] = {}
    tick_ms: list[float] = []
    for tick in range(1, ticks + 1):
        started = time.perf_counter()
        snapshot = engine.tick()
        tick_ms.append((time.perf_counter() - started) * 1000)
        if tick in CHECKPOINTS or tick == ticks:
            rss[str(tick)] = round(rss_mb(), 1)
    assert snapshot.mode == "live"
    first, last = rss["1"], rss[str(ticks)]
    return {
        "ticks": ticks,
        "rss_mb": rss,
        "growth_pct_from_tick_1": round(100 * (last - first) / first, 2),
        "growth_pct_from_tick_1000": (
            round(100 * (last - rss["1000"]) / rss["1000"], 2) if "1000" in rss else None
        ),
        "tick_ms_median": round(float(np.median(tick_ms)), 2),
        "tick_ms_p99": round(float(np.percentile(tick_ms, 99)), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = soak(args.ticks)
    if args.json:
        print(json.dumps(result))
        return 0
    for tick, mb in result["rss_mb"].items():
        print(f"RSS at tick {int(tick):>6,}: {mb:8.1f} MB")
    print(f"growth from tick 1: {result['growth_pct_from_tick_1']} %, "
          f"from tick 1,000: {result['growth_pct_from_tick_1000']} %")  # fmt: skip
    print(f"tick: median {result['tick_ms_median']} ms, p99 {result['tick_ms_p99']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
