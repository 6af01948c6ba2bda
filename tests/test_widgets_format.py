"""Formatting rules every pane relies on: signs, sigma, $bn, ordinals, ISO dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.internals_panel import top_underlyings
from crowdwatch.widgets.sparkline import sparkline
from crowdwatch.widgets.theme_table import sort_themes


def test_returns_sigmas_and_billions_carry_their_sign() -> None:
    assert fmt.pct(0.0123) == "+1.23%"
    assert fmt.pct(-0.085) == "-8.50%"
    assert fmt.sigma(-3.42) == "-3.4σ"
    assert fmt.sigma(2.0) == "+2.0σ"
    assert fmt.billions(-1.82e10) == "-18.2bn"
    assert fmt.pct(None) == fmt.sigma(None) == fmt.billions(None) == fmt.DASH


def test_ordinals() -> None:
    cases = {0.99: "99th", 0.991: "99th", 0.01: "1st", 0.02: "2nd", 0.03: "3rd", 0.11: "11th",
             0.12: "12th", 0.21: "21st", 1.0: "100th", 0.0: "0th"}  # fmt: skip
    for value, text in cases.items():
        assert fmt.ordinal(value) == text


def test_dates_times_and_ages() -> None:
    assert fmt.iso(date(2026, 2, 4)) == "2026-02-04"
    assert fmt.ny_time(datetime(2026, 2, 4, 15, 30, tzinfo=UTC)) == "10:30:00 ET"
    assert fmt.ny_time(datetime(2026, 7, 1, 15, 30, tzinfo=UTC)) == "11:30:00 ET"  # EDT
    assert [fmt.age(s) for s in (4, 185, 7800, 90000)] == ["4s", "3m05s", "2h10m", "1d"]


def test_alert_sigma_is_marked_without_colour() -> None:
    assert fmt.sigma_cell(-3.6, 3.0).plain == "!-3.6σ"
    assert fmt.sigma_cell(-2.9, 3.0).plain == " -2.9σ"


def test_since_picks_the_side_from_the_sign() -> None:
    assert fmt.since(date(2022, 5, 9), None, -0.04, False) == "w 2022-05-09"
    assert fmt.since(None, date(2026, 1, 8), 0.01, False) == "b 2026-01-08"
    assert fmt.since(None, None, -0.04, True) == "worst ever"


def test_sparkline_fits_its_width_and_keeps_extremes() -> None:
    values = [0.001] * 59 + [-0.05]
    line = sparkline(values, 10)
    assert len(line.plain) == 10
    assert line.plain[-1] == "▁"  # the crash day survives bucketing
    assert sparkline([None, None], 5).plain == "     "


def test_top_underlyings_by_size() -> None:
    flows = {"QQQ": -8.1e9, "NVDA": -3.9e9, "MU": 0.5e9, "SOXX": -2.2e9}
    assert top_underlyings(flows) == "QQQ -8.1 NVDA -3.9 SOXX -2.2"


def test_sort_puts_unknowns_last_both_ways() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from fixtures.snapshot_data import THEMES

    themes = list(THEMES.values())
    for descending in (False, True):
        ordered = sort_themes(themes, "crowding", descending)
        assert ordered[-1].stats.name == "Large-cap defensives"  # crowding None
    ordered = sort_themes(themes, "crowding", True)
    assert [t.crowding for t in ordered[:2]] == [92.0, 90.1]
