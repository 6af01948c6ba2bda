"""The performance benchmark of issue 6: prepare, live tick, peak RSS, speed-up over pandas.

    python benchmarks/run.py            # a table, the spread of every timing and the budgets
    python benchmarks/run.py --json     # {"prepare_s": {"500": x, "3000": y}, "live_ms": ...,
                                        #  "speedup_vs_pandas": ..., "peak_rss_mb": ...}
    python benchmarks/run.py --global   # adds the 10,000-name row (a global universe; heavy:
                                        # ~4 GB of RAM, no pandas run at that size)

Synthetic markets (benchmarks/market.py, fixed seed) of 500 and 3,000 names x 2,520 days
are written to Parquet once (cached in the temp folder); each size is then measured in a
fresh process that reads the file like the app does, so peak RSS is the process's own:
history + prepare + live ticks, measured before the pandas version runs in that process.
Not part of the test suite: nothing here asserts on wall-clock time.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

SIZES = (500, 3000)
GLOBAL_SIZE = 10_000  # a global universe: --global adds it (--sizes also takes it)
DAYS = 2520
PREPARE_RUNS = 3
TICKS = 60
# per size: what each figure must stay within (speed-up: at least)
BUDGETS = {
    3000: {"prepare_s": 1.5, "live_ms": 5.0, "speedup_vs_pandas": 3.0, "peak_rss_mb": 1536.0},
    GLOBAL_SIZE: {"prepare_s": 5.0, "live_ms": 15.0, "peak_rss_mb": 3584.0},  # targets
}
FIGURES = ("prepare_s", "live_ms", "speedup_vs_pandas", "peak_rss_mb")
CACHE = Path(tempfile.gettempdir()) / "crowdwatch-bench"


def market_file(names: int, days: int = DAYS) -> Path:
    """The synthetic market as prices.parquet (generated once, then reused)."""
    folder = CACHE / f"{names}x{days}"
    path = folder / "prices.parquet"
    if not path.exists():
        from market import synthetic_market

        folder.mkdir(parents=True, exist_ok=True)
        history, _ = synthetic_market(names, days)
        history.write_parquet(folder / "prices.tmp.parquet")
        (folder / "prices.tmp.parquet").rename(path)
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def measure(path: Path, pandas_runs: int) -> dict:
    """One size, in this process: crowdwatch first (peak RSS), then the pandas version."""
    import polars as pl
    from market import bundled_config, last_closes, live_quotes
    from pandas_reference import prepare_pandas

    from crowdwatch.analytics.model import live, prepare

    config = bundled_config()
    history = pl.read_parquet(path)
    prepare_s, model = [], None
    for _ in range(PREPARE_RUNS):
        model = None  # peak RSS is one model's, not two side by side
        start = time.perf_counter()
        model = prepare(history, config)
        prepare_s.append(time.perf_counter() - start)
    last = last_closes(history)
    ticks = [live_quotes(history, tick, last=last) for tick in range(TICKS + 3)]
    live_ms, snapshots = [], []
    for quotes in ticks:
        start = time.perf_counter()
        snapshots.append(live(model, quotes))
        live_ms.append((time.perf_counter() - start) * 1000.0)
    live_ms = live_ms[3:]  # the first ticks warm caches; a desk session runs for hours
    alerts_ms = alert_timings(config, snapshots[3:])
    del snapshots
    rss = peak_rss_mb()
    del model
    pandas_s = []
    for _ in range(pandas_runs):
        start = time.perf_counter()
        prepare_pandas(history, config)
        pandas_s.append(time.perf_counter() - start)
    return {"prepare_s": prepare_s, "live_ms": live_ms, "peak_rss_mb": rss, "pandas_s": pandas_s,
            "alerts_ms": alerts_ms}  # fmt: skip


def alert_timings(config, snapshots: list) -> list[float]:
    """The alert runtime alone per tick (default rules, edges, cooldown; no log)."""
    from crowdwatch.session.alerts import AlertBook

    book = AlertBook(config.alerts)
    out = []
    for snapshot in snapshots:
        start = time.perf_counter()
        book.evaluate(snapshot)
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def run_size(names: int, pandas_runs: int) -> dict:
    path = market_file(names)
    command = [sys.executable, __file__, "--worker", str(path), "--pandas-runs", str(pandas_runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker for {names} names failed:\n{done.stderr}")
    return json.loads(done.stdout)


def summary(raw: dict[int, dict]) -> dict:
    out: dict[str, dict[str, float | None]] = {key: {} for key in FIGURES}
    for names, r in raw.items():
        prepare_s = statistics.median(r["prepare_s"])
        out["prepare_s"][str(names)] = round(prepare_s, 3)
        out["live_ms"][str(names)] = round(statistics.median(r["live_ms"]), 2)
        out["speedup_vs_pandas"][str(names)] = (
            round(statistics.median(r["pandas_s"]) / prepare_s, 1) if r["pandas_s"] else None
        )
        out["peak_rss_mb"][str(names)] = round(r["peak_rss_mb"], 1)
        out.setdefault("alerts_ms", {})[str(names)] = round(statistics.median(r["alerts_ms"]), 3)
    return out


def spread(values: list[float]) -> str:
    return f"{min(values):.3g}..{max(values):.3g}"


def print_table(raw: dict[int, dict], result: dict) -> None:
    print(f"{'names':>6} {'prepare s':>10} {'(spread)':>14} {'live ms':>8} {'(p10..p90)':>14} "
          f"{'pandas s':>9} {'speed-up':>9} {'peak RSS MB':>12}")  # fmt: skip
    for names, r in raw.items():
        key = str(names)
        ticks = sorted(r["live_ms"])
        p10, p90 = ticks[len(ticks) // 10], ticks[len(ticks) * 9 // 10]
        pandas_s = f"{statistics.median(r['pandas_s']):>9.2f}" if r["pandas_s"] else f"{'-':>9}"
        speedup = result["speedup_vs_pandas"][key]
        speedup = f"{speedup:>8.1f}x" if speedup is not None else f"{'-':>9}"
        print(f"{names:>6} {result['prepare_s'][key]:>10.2f} {spread(r['prepare_s']):>14} "
              f"{result['live_ms'][key]:>8.1f} {f'{p10:.1f}..{p90:.1f}':>14} "
              f"{pandas_s} {speedup} {result['peak_rss_mb'][key]:>12.0f}")  # fmt: skip
    print(
        "\nalert rules per tick (median, AlertBook.evaluate alone; live() evaluates them once more "
        "for Snapshot.alerts): "
        + ", ".join(f"{n} names {ms:.3f} ms" for n, ms in result["alerts_ms"].items())
    )
    for names in sorted(set(raw) & set(BUDGETS)):
        print(f"\nbudgets at {names} names x {DAYS} days:")
        for key, limit in BUDGETS[names].items():
            value = result[key][str(names)]
            if value is None:
                continue
            ok = value >= limit if key == "speedup_vs_pandas" else value <= limit
            sign = ">=" if key == "speedup_vs_pandas" else "<="
            print(f"  {key:18s} {value:>8} {sign} {limit:<8} {'ok' if ok else 'OVER BUDGET'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the JSON summary only")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--global",
        dest="global_size",
        action="store_true",
        help=f"add the {GLOBAL_SIZE:,}-name row (no pandas run at that size)",
    )
    parser.add_argument("--pandas-runs", type=int, default=1, help="pandas timings per size")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.pandas_runs)))
        return 0
    sizes = [*args.sizes, GLOBAL_SIZE] if args.global_size else args.sizes
    # the pandas version at 10,000 names would take minutes and ~10 GB: crowdwatch only
    raw = {
        names: run_size(names, args.pandas_runs if names < GLOBAL_SIZE else 0)
        for names in dict.fromkeys(sizes)
    }
    result = summary(raw)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(raw, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
