"""The Positioning section of `report` (text and Markdown) and its value formats."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from crowdwatch.analytics.positioning import UserSeries
from crowdwatch.analytics.positioning_format import dollars, gamma_line, series_value
from crowdwatch.session.report_text import text_report, to_markdown
from tests.fixtures.snapshot_data import make_snapshot

T = date(2026, 2, 4)
SERIES = {
    "prime_net_exposure": UserSeries(
        "prime_net_exposure", "Prime-book net exposure", "ratio", "exposure",
        value=0.642, date=date(2026, 1, 30), change=0.011, percentile_1y=0.885, stale=False,
    ),
    "dealer_gamma": UserSeries(
        "dealer_gamma", "Dealer gamma", "usd", "dealer_gamma",
        value=4.6e9, date=date(2026, 1, 20), change=-3.0e8, percentile_1y=0.05, stale=True,
    ),
    "later": UserSeries("later", "later"),
}  # fmt: skip


def positioned(net: float | None = -2.1e9):
    snapshot = make_snapshot()
    internals = replace(snapshot.internals, letf_gamma_usd_per_pct=6.7e9)
    return replace(snapshot, internals=internals, user_series=SERIES, net_gamma_usd_per_pct=net)


def test_the_gamma_line_spells_the_sign_out() -> None:
    assert gamma_line(positioned()) == (
        "net gamma -$2.1bn per 1% (dealers +$4.6bn, LETFs -$6.7bn): net SHORT"
    )
    long = replace(positioned(1.0e9), user_series={**SERIES, "dealer_gamma": replace(
        SERIES["dealer_gamma"], value=7.7e9)})  # fmt: skip
    assert gamma_line(long).endswith("(dealers +$7.7bn, LETFs -$6.7bn): net LONG")
    none = replace(positioned(None), user_series={"later": SERIES["later"]})
    assert gamma_line(none) == "net gamma – per 1% (no dealer_gamma series; LETFs -$6.7bn)"


def test_text_report_has_a_positioning_section() -> None:
    text = text_report(positioned(), None)
    section = text[text.index("Positioning") :].splitlines()
    assert section[1].split() == ["series", "value", "date", "change", "1y", "pctile", "stale"]
    exposure = next(line for line in section if line.startswith("Prime-book"))
    assert exposure.split()[-4:] == ["0.642", "2026-01-30", "+0.011", "88th"]
    gamma = next(line for line in section if line.startswith("Dealer gamma"))
    assert gamma.split()[-5:] == ["$4.6bn", "2026-01-20", "-$300m", "5th", "STALE"]
    later = next(line for line in section if line.startswith("later"))
    assert later.split()[1:] == ["–"] * 4
    assert section[-1] == "net gamma -$2.1bn per 1% (dealers +$4.6bn, LETFs -$6.7bn): net SHORT"


def test_markdown_has_the_section_and_the_gamma_line() -> None:
    markdown = to_markdown(positioned())
    assert "### Positioning" in markdown
    assert "| Dealer gamma | $4.6bn | 2026-01-20 | -$300m | 5th | STALE |" in markdown
    assert "\nnet gamma -$2.1bn per 1% (dealers +$4.6bn, LETFs -$6.7bn): net SHORT\n" in markdown


def test_without_series_the_section_says_how_to_add_one() -> None:
    text = text_report(make_snapshot(), 80)
    assert "no user series (series.csv in the data folder, or --series PATH)" in text


@pytest.mark.parametrize(
    ("value", "unit", "signed", "text"),
    [
        (4.6e9, "usd", False, "$4.6bn"), (-2.5e8, "usd", True, "-$250m"),
        (1234.0, "usd", True, "+$1,234"), (0.1, "usd", True, "$0"),
        (0.553, "pct", False, "55.3%"), (-0.004, "pct", True, "-0.4%"),
        (0.6425, "ratio", False, "0.642"), (12345.0, None, False, "12,345"),
        (-0.01234, "number", True, "-0.01234"),
        (None, "usd", False, "–"),
    ],
)  # fmt: skip
def test_values_in_their_units(value, unit, signed, text) -> None:
    assert series_value(value, unit, signed) == text


def test_dollars_round_to_zero_without_a_sign() -> None:
    assert dollars(-0.2) == "$0" and dollars(-4e9) == "-$4.0bn" and dollars(4e9) == "+$4.0bn"
