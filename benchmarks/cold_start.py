"""Start-up timings: a cold `crowdwatch report` and the TUI's first paint on the demo.

    python benchmarks/cold_start.py [--runs 5]

report: process start to exit of `crowdwatch report --source files --data DIR` on a
500-name x 1,260-day (5-year) synthetic prices.parquet. TUI: the demo in a 160x48 tmux
window, polled every 10 ms: "titles" when the four pane titles are on screen, "data" when
the first snapshot has landed (the theme and basket rows are drawn). Needs tmux.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

CROWDWATCH = Path(sys.executable).with_name("crowdwatch")
TITLES = ("Factor sigma moves", "Crowded themes", "Momentum baskets", "Market internals")
DATA = ("AI beneficiaries", "Momentum pair", "Breadth")
BUDGETS = {"report_s": 2.5, "tui_data_s": 2.0}


def files_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "crowdwatch-bench" / "files500x1260"
    if not (folder / "prices.parquet").exists():
        from market import synthetic_market

        folder.mkdir(parents=True, exist_ok=True)
        history, _ = synthetic_market(500, 1260)
        history.write_parquet(folder / "prices.parquet")
    return folder


def clean_env() -> dict[str, str]:
    """No user config: the bundled defaults, as on a fresh install."""
    return {**os.environ, "CROWDWATCH_CONFIG_DIR": tempfile.mkdtemp(prefix="cw-bench-")}


def report_once(folder: Path) -> float:
    command = [str(CROWDWATCH), "report", "--source", "files", "--data", str(folder)]
    start = time.perf_counter()
    subprocess.run(command, env=clean_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def tui_once(timeout: float = 20.0) -> tuple[float | None, float | None]:
    """Seconds from launch to the pane titles, and to the first data, in a tmux pane."""
    session = f"cw-bench-{os.getpid()}"
    env = clean_env()
    command = f"CROWDWATCH_CONFIG_DIR={env['CROWDWATCH_CONFIG_DIR']} {CROWDWATCH}"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", command],
        check=True,
        env={**env, "TERM": "xterm-256color"},
    )
    titles = data = None
    try:
        while time.perf_counter() - start < timeout and data is None:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            now = time.perf_counter() - start
            if titles is None and all(t in screen for t in TITLES):
                titles = now
            if titles is not None and all(t in screen for t in DATA):
                data = now
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return titles, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = files_folder()
    report_once(folder)  # the first run after an install compiles .pyc files; not "cold"
    reports = [report_once(folder) for _ in range(args.runs)]
    print(f"cold report  median {statistics.median(reports):.2f} s  "
          f"(spread {min(reports):.2f}..{max(reports):.2f}, budget {BUDGETS['report_s']} s)")  # fmt: skip
    if shutil.which("tmux") is None:
        print("tmux not found: TUI first paint not measured")
        return 0
    runs = [tui_once() for _ in range(args.runs)]
    titles = [t for t, _ in runs if t is not None]
    data = [d for _, d in runs if d is not None]
    if titles:
        print(f"TUI titles   median {statistics.median(titles):.2f} s  "
              f"(spread {min(titles):.2f}..{max(titles):.2f})")  # fmt: skip
    if data:
        print(f"TUI data     median {statistics.median(data):.2f} s  "
              f"(spread {min(data):.2f}..{max(data):.2f}, budget {BUDGETS['tui_data_s']} s)")  # fmt: skip
    if len(data) < len(runs):
        print(f"{len(runs) - len(data)} TUI run(s) never showed data within the timeout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
