"""Guard for optimisations: dump snapshots of fixed markets, then check they do not change.

    python benchmarks/check_same.py --baseline   # write /tmp/perf_baseline/*.json
    python benchmarks/check_same.py              # compare the current code with it

Compares the report JSON plus the drill-down data (series, theme members, dispersion
history, LETF funds, recent values, and each series' cumulative path, sigma days and worst
days) with a relative tolerance of 1e-12; prints the largest deviation. Write the baseline
from the untouched code, e.g. a copy of main on PYTHONPATH:

    git archive main | tar x -C /tmp/base/crowdwatch
    PYTHONPATH=/tmp/base python /tmp/base/crowdwatch/benchmarks/check_same.py --baseline
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

from market import live_quotes, synthetic_market  # noqa: E402
from markets import random_market  # noqa: E402

from crowdwatch.analytics.model import close_snapshot, live, prepare  # noqa: E402
from crowdwatch.analytics.report import to_json  # noqa: E402

BASELINE = Path("/tmp/perf_baseline")
TOLERANCE = 1e-12


def frame_json(frame: pl.DataFrame | None):
    if frame is None:
        return None
    return {name: frame.get_column(name).cast(pl.String).to_list()
            if frame.schema[name] in (pl.Date, pl.String)
            else frame.get_column(name).to_list() for name in frame.columns}  # fmt: skip


def snapshot_json(snapshot) -> dict:
    doc = to_json(snapshot)
    doc["_series"] = frame_json(snapshot.series)
    # every theme's member rows, in ticker order (the drill-downs' tables, Snapshot.members)
    doc["_theme_members"] = {
        name: frame_json(
            snapshot.members[name].select("ticker", "ret", "sigma", "mom", "beta").sort("ticker")
        )
        for name in snapshot.themes
        if name in snapshot.members
    }
    doc["_dispersion_history"] = frame_json(snapshot.dispersion_history)
    doc["_letf_funds"] = frame_json(snapshot.letf_funds)
    doc["_recent"] = {
        k: list(v.recent) for k, v in {**snapshot.baskets, **snapshot.factors}.items()
    }
    doc["_drill"] = {name: drill_json(detail) for name, detail in snapshot.drill_downs.items()}
    return doc


def drill_json(detail) -> dict:
    """A drill-down: cumulative path, the sigma days (histogram) and the worst days."""
    sigmas = detail.sigmas
    have = [day for day, sigma in zip(detail.dates.tolist(), all_sigmas(detail), strict=True)
            if not math.isnan(sigma)]  # fmt: skip
    return {
        "cumulative": [[day.isoformat(), value] for day, value in detail.cumulative],
        "sigmas": list(sigmas),
        "sigma_dates": [day.isoformat() for day in have],
        "worst_days": [[w.date.isoformat(), w.ret, w.sigma] for w in detail.worst_days],
    }


def all_sigmas(detail) -> list[float]:
    if detail.today is None:
        return detail.prior_sigma.tolist()
    return [*detail.prior_sigma.tolist(), detail.today_sigma]


def cases():
    """(name, thunk) pairs: random test markets in close mode, synthetic ones live and close."""
    for seed in range(10):
        yield f"random_{seed}", lambda seed=seed: close_snapshot(*random_market(seed))
    for seed in (20, 21):
        yield (
            f"random_big_{seed}",
            lambda seed=seed: close_snapshot(*random_market(seed, n_stocks=40, n_days=700)),
        )
    for seed, caps in ((3, True), (4, False)):
        history, config = synthetic_market(150, 800, seed=seed, with_caps=caps)
        yield f"synthetic_close_{seed}", lambda h=history, c=config: close_snapshot(h, c)
        yield (
            f"synthetic_live_{seed}",
            lambda h=history, c=config: live(prepare(h, c), live_quotes(h, 0)),
        )


def differences(actual, expected, path="", out=None, worst=None):
    """Collect mismatches; numbers compare within TOLERANCE relative (NaN/None equal)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(actual) | set(expected)):
            if key not in actual or key not in expected:
                out.append(f"{path}/{key}: missing on one side")
            else:
                differences(actual[key], expected[key], f"{path}/{key}", out, worst)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            out.append(f"{path}: length {len(actual)} != {len(expected)}")
        else:
            for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
                differences(a, e, f"{path}[{i}]", out, worst)
    elif isinstance(expected, float) and isinstance(actual, float | int):
        if math.isnan(expected) and math.isnan(actual):
            return
        scale = max(abs(expected), abs(actual), 1e-300)
        deviation = abs(actual - expected) / scale
        worst[0] = max(worst[0], deviation)
        if not deviation <= TOLERANCE and abs(actual - expected) > 1e-15:
            out.append(f"{path}: {actual!r} != {expected!r} (rel {deviation:.2e})")
    elif actual != expected:
        out.append(f"{path}: {actual!r} != {expected!r}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", action="store_true", help="write the baseline")
    parser.add_argument("--dir", type=Path, default=BASELINE)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    worst_all = 0.0
    for name, thunk in cases():
        doc = json.loads(json.dumps(snapshot_json(thunk())))
        path = args.dir / f"{name}.json"
        if args.baseline:
            path.write_text(json.dumps(doc))
            print(f"wrote {path}")
            continue
        worst = [0.0]
        out = differences(doc, json.loads(path.read_text()), "", [], worst)
        worst_all = max(worst_all, worst[0])
        status = "same" if not out else f"{len(out)} DIFFERENCES"
        print(f"{name}: {status} (max rel deviation {worst[0]:.1e})")
        for line in out[:10]:
            print("   ", line)
        failed += bool(out)
    if not args.baseline:
        print(f"max rel deviation overall {worst_all:.1e}; {failed} case(s) differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
