"""The report's History lens sections: "Days like today" and "Regime", text and Markdown."""

from __future__ import annotations

from datetime import date

import pytest

from crowdwatch.analytics.history_lens import Analog, Features, Regime
from crowdwatch.session.report_text import text_report, to_markdown
from tests.fixtures.snapshot_data import make_snapshot

TODAY = Features(-5.1, -3.9, 1.2, -1.4, 0.74, 1.9, -0.31)
ANALOGS = (
    Analog(date(2025, 1, 27), 1.25, Features(-4.2, -3.2, 1.4, -1.9, 0.67, 0.46, -0.61),
           pair_fwd_5d=0.01, pair_fwd_21d=0.02, pair_fwd_63d=None,
           index_fwd_5d=-0.01, index_fwd_21d=0.03, index_fwd_63d=None),
    Analog(date(2022, 8, 3), 2.5, Features(-3.1, -1.0, 0.9, -0.2, 0.54, 0.9, -0.5),
           pair_fwd_5d=0.03, pair_fwd_21d=0.06, pair_fwd_63d=0.25,
           index_fwd_5d=-0.02, index_fwd_21d=-0.01, index_fwd_63d=-0.09),
)  # fmt: skip
REGIME = Regime(-0.08, True, 0.31, 0.92, 0.12 / 0.31, "panic")


def lens_snapshot(**changes):
    return make_snapshot(
        **{"analogs": ANALOGS, "regime": REGIME, "today_features": TODAY, **changes}
    )


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start + 1, len(lines)) if lines[i] == ""), len(lines))
    return lines[start:end]


def test_days_like_today_lists_today_each_analog_and_the_median() -> None:
    rows = section(text_report(lens_snapshot()), "Days like today")
    assert rows[1].split()[:3] == ["day", "distance", "pair"]
    today, first, second, median = rows[3:]
    assert today.split()[:3] == ["today", "-5.1σ", "-3.9σ"]
    assert first.split()[:3] == ["2025-01-27", "1.25", "-4.2σ"]
    assert second.split()[:2] == ["2022-08-03", "2.50"]
    # medians of what followed: (1% + 3%) / 2, (2% + 6%) / 2, the one 63d value, ...
    assert median.split() == ["median", "+2.0%", "+4.0%", "+25.0%", "-1.5%", "+1.0%", "-9.0%"]
    assert first.split()[-6:] == ["+1.0%", "+2.0%", "–", "-1.0%", "+3.0%", "–"]


def test_regime_section_reads_like_a_desk_note() -> None:
    rows = section(text_report(lens_snapshot()), "Regime")
    text = "\n".join(rows)
    assert rows[3].split()[-1] == "panic"
    assert "-8.0%  (bear market)" in text
    assert "31%  (92nd pctile)" in text
    assert "0.39x" in text


def test_without_analogs_the_section_says_why() -> None:
    missing = text_report(lens_snapshot(analogs=None, today_features=None))
    assert "today lacks a feature" in "\n".join(section(missing, "Days like today"))
    empty = text_report(lens_snapshot(analogs=()))
    assert "no earlier day" in "\n".join(section(empty, "Days like today"))
    unknown = section(text_report(lens_snapshot(regime=Regime())), "Regime")
    assert unknown[3].split()[-1] == "–"
    assert section(text_report(make_snapshot()), "Regime")  # an old snapshot: no regime


@pytest.mark.parametrize("width", [60, 80, 100])
def test_lens_sections_fit_the_terminal_and_keep_what_followed(width: int) -> None:
    text = text_report(lens_snapshot(), width)
    assert all(len(line) <= width for line in text.splitlines()[1:])
    rows = section(text, "Days like today")
    assert "pair 21d" in rows[1] and "index 21d" in rows[1]
    assert "2025-01-27" in rows[4]


def test_markdown_has_the_lens_sections() -> None:
    markdown = to_markdown(lens_snapshot())
    assert "### Days like today" in markdown and "### Regime" in markdown
    assert "| 2022-08-03 | 2.50 |" in markdown


def test_regime_line_for_the_internals_pane() -> None:
    from crowdwatch.analytics.lens_format import regime_line

    bear = Regime(-0.08, True, 0.31, 0.92, 0.12 / 0.31, "bear")
    assert (
        regime_line(bear) == "regime: bear, momentum vol 31% (92nd pctile), scaled exposure 0.39x"
    )
    assert regime_line(None) == "regime: –"
    assert regime_line(Regime()) == "regime: –"
    # no index history for the label, but the vol is known: say what is known
    assert regime_line(Regime(None, None, 0.126, 0.41, 0.95, None)).startswith(
        "regime: –, momentum vol 13% (41st pctile)"
    )
    widest = Regime(-0.5, True, 1.234, 1.0, 0.097, "high-vol")
    assert len(regime_line(widest)) <= 78  # the pane's border and padding in 80 columns
