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


def explained_snapshot():
    """make_snapshot() with the pair's legs and the first flagged theme's contributors."""
    from dataclasses import replace

    from crowdwatch.analytics.attribution import Contributor, Legs

    snapshot = make_snapshot()
    pair = replace(
        snapshot.baskets["momentum_pair"], ret=-0.05, legs=Legs(-0.039, -0.011, 0.039 / 0.05)
    )
    name = next(n for n, t in snapshot.themes.items() if t.flag == "UNWIND")
    theme = snapshot.themes[name]
    top = (
        Contributor("NVDA", -0.128, 1.5 / 16, -0.0200),
        Contributor("AVGO", -0.096, 1.5 / 16, -0.0180),
        Contributor("AMD", -0.2224, 1 / 16, -0.0139),
        Contributor("TSM", -0.05, 1 / 16, -0.0031),
    )
    stats = replace(theme.stats, ret=-0.085, top_contributors=top)
    return name, replace(
        snapshot,
        baskets={**snapshot.baskets, "momentum_pair": pair},
        themes={**snapshot.themes, name: replace(theme, stats=stats)},
    )


def test_what_drove_it_names_the_side_and_the_largest_contributors() -> None:
    name, snapshot = explained_snapshot()
    for text in (text_report(snapshot, None), to_markdown(snapshot)):
        section = text.split("What drove it")[1]
        # |long| / (|long| + |short|) = 0.039 / 0.05
        assert "long side 78% of the move" in section
        assert "long -3.90%, short -1.10%" in section
        line = next(x for x in section.splitlines() if x.lstrip("| ").startswith(name))
        assert "NVDA -200bp, AVGO -180bp, AMD -139bp" in line and "TSM" not in line
        assert "61% of the move" in line  # (0.0200 + 0.0180 + 0.0139) / 0.085
        assert "(UNWIND)" in line
    unflagged = [n for n, t in snapshot.themes.items() if t.flag is None]
    section = text_report(snapshot, None).split("What drove it")[1]
    assert not any(line.startswith(n) for n in unflagged for line in section.splitlines())


@pytest.mark.parametrize("width", [60, 80])
def test_what_drove_it_fits_the_terminal(width: int) -> None:
    _, snapshot = explained_snapshot()
    section = text_report(snapshot, width).split("What drove it")[1]
    assert all(len(line) <= width for line in section.splitlines())
    assert "long side 78% of the move" in section


def test_legs_in_words() -> None:
    assert fmt.legs_words(0.78) == "long side 78% of the move"
    assert fmt.legs_words(0.25) == "short side 75% of the move"
    assert fmt.legs_words(None) == "no move on either side"
    assert fmt.bp(-0.01034) == "-103bp" and fmt.bp(0.00004) == "0bp"
