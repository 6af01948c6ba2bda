"""`crowdwatch report` as text: fitted to the terminal, every column for a pipe, no cut numbers."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from crowdwatch.analytics import formatting as fmt
from crowdwatch.session.report_text import MOVE_HEADERS, THEME_HEADERS, text_report, to_markdown
from tests.fixtures.snapshot_data import make_snapshot

NUMBER = re.compile(r"[+-]?\d+\.\d+(%|σ|bn)?")


@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_each_line_fits_the_terminal(width: int) -> None:
    text = text_report(make_snapshot(), width)
    too_long = [line for line in text.splitlines()[1:] if len(line) > width]
    assert too_long == []


def test_a_pipe_gets_every_column() -> None:
    text = text_report(make_snapshot(), None)
    header_lines = text.splitlines()
    for headers, marker in ((MOVE_HEADERS, "drawdown"), (THEME_HEADERS, "crowding")):
        line = next(x for x in header_lines if marker in x)
        assert all(h in line for h in headers if h)


@pytest.mark.parametrize("width", [60, 80])
def test_a_narrow_terminal_drops_columns_never_cuts_numbers(width: int) -> None:
    snapshot = make_snapshot()
    wide, narrow = text_report(snapshot, None), text_report(snapshot, width)
    # today's return of every basket survives whole, with its sign
    for stats in snapshot.baskets.values():
        assert fmt.pct(stats.ret) in narrow
    # every number on the narrow report is a number the full report shows
    assert set(m.group(0) for m in NUMBER.finditer(narrow)) <= set(
        m.group(0) for m in NUMBER.finditer(wide)
    )
    assert "drawdown" in wide and "drawdown" not in narrow


def test_markdown_has_every_section() -> None:
    markdown = to_markdown(make_snapshot())
    for title in ("Factor sigma moves", "Crowded themes", "Market internals"):
        assert f"### {title}" in markdown


def test_values_that_round_to_zero_carry_no_sign() -> None:
    assert fmt.pct(-0.000001) == "0.00%"
    assert fmt.sigma(-0.04) == "0.0σ"
    assert fmt.signed(-0.001) == "0.00"
    assert fmt.billions(-1e6) == "0.0bn"
    assert fmt.pct(-0.0001) == "-0.01%"  # still a loss at two decimals


def test_report_into_a_closed_pipe_exits_0(tmp_path) -> None:
    """`crowdwatch report | head -1`: the reader leaving early is not a failure."""
    script = (
        "import sys; from crowdwatch.tui.cli import main; "
        "sys.exit(main(['report', '--as-of', '2025-06-02']))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert first.startswith(b"crowdwatch 2025-06-02")
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
