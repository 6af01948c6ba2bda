"""Positioning and gamma: hand-worked cases and the pandas reference on random series."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import polars as pl
import pytest

from crowdwatch.analytics.positioning import positioning_at, series_book
from crowdwatch.analytics.report import user_series_json
from crowdwatch.config.schema import SeriesSpec

from .reference_positioning import reference_band, reference_series

DAY = date(2026, 1, 2)


def frame_of(rows: list[tuple[date, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"date": pl.Date, "name": pl.String, "value": pl.Float64}, orient="row"
    )


def weekly_case(with_boundary: bool = True) -> pl.DataFrame:
    """An observation of 5.0 on DAY; its past year is DAY-365 .. DAY-1."""
    rows = [(DAY - timedelta(days=366), "x", 0.0)]  # one day too old: outside the window
    if with_boundary:
        rows.append((DAY - timedelta(days=365), "x", 10.0))  # exactly 365 days: inside
    rows += [(date(2025, 6, 6) + timedelta(weeks=k), "x", float(k + 1)) for k in range(9)]
    rows.append((DAY, "x", 5.0))
    return frame_of(rows)


def test_weekly_observations_and_the_365_day_window() -> None:
    # window = {10 (day-365), 1..9 (weekly)}: 10 observations, 5 of them <= 5.0
    found = positioning_at(series_book(weekly_case()), DAY, None).series["x"]
    assert found.value == 5.0 and found.date == DAY
    assert found.percentile_1y == 0.5
    assert found.change == 5.0 - 9.0  # vs the observation before it
    assert found.stale is False
    # between weekly observations the last one dated <= T holds
    later = positioning_at(series_book(weekly_case()), DAY + timedelta(days=3), None)
    assert later.series["x"].date == DAY and later.series["x"].percentile_1y == 0.5


def test_fewer_than_ten_observations_in_the_year_is_null() -> None:
    found = positioning_at(series_book(weekly_case(with_boundary=False)), DAY, None)
    assert found.series["x"].percentile_1y is None  # 9 observations
    assert found.series["x"].change == -4.0


def test_change_is_against_the_observation_before_however_old() -> None:
    frame = frame_of([(date(2020, 3, 2), "x", 7.0), (DAY, "x", 4.5)])
    found = positioning_at(series_book(frame), DAY, None).series["x"]
    assert found.change == -2.5 and found.percentile_1y is None
    first = positioning_at(series_book(frame), date(2020, 3, 2), None).series["x"]
    assert first.value == 7.0 and first.change is None


@pytest.mark.parametrize(("days_after", "stale"), [(0, False), (7, False), (8, True)])
def test_stale_is_more_than_seven_calendar_days(days_after: int, stale: bool) -> None:
    frame = frame_of([(DAY, "x", 1.0)])
    found = positioning_at(series_book(frame), DAY + timedelta(days=days_after), None)
    assert found.series["x"].stale is stale


def test_observations_after_t_do_not_count_and_a_later_name_is_listed_with_nulls() -> None:
    frame = frame_of(
        [
            (DAY - timedelta(days=1), "x", 1.0),
            (DAY + timedelta(days=1), "x", 9.0),
            (DAY + timedelta(days=5), "later", 3.0),
        ]  # fmt: skip
    )
    found = positioning_at(series_book(frame), DAY, None).series
    assert found["x"].value == 1.0 and found["x"].history.height == 1
    assert user_series_json(found["later"]) == {
        "value": None, "date": None, "change": None, "percentile_1y": None, "stale": None,
        "label": "later", "unit": None, "role": None,
    }  # fmt: skip
    assert found["later"].history.is_empty()


def test_net_gamma_is_dealer_gamma_minus_letf_gamma() -> None:
    frame = frame_of([(DAY, "g", 4.6e9), (DAY, "x", 1.0)])
    specs = {"g": SeriesSpec("Dealer gamma", "usd", "dealer_gamma")}
    found = positioning_at(series_book(frame, specs), DAY, 6.7e9)
    assert found.net_gamma_usd_per_pct == pytest.approx(-2.1e9)
    assert found.series["g"].label == "Dealer gamma" and found.series["x"].label == "x"
    assert list(found.series) == ["g", "x"]  # settings order first, then by name
    # no dealer_gamma role, nothing dated <= T, or no LETF gamma: null
    assert positioning_at(series_book(frame), DAY, 6.7e9).net_gamma_usd_per_pct is None
    early = positioning_at(series_book(frame, specs), DAY - timedelta(days=1), 6.7e9)
    assert early.net_gamma_usd_per_pct is None
    assert positioning_at(series_book(frame, specs), DAY, None).net_gamma_usd_per_pct is None


def test_no_series_is_an_empty_mapping() -> None:
    assert positioning_at(series_book(None), DAY, 1.0).series == {}
    assert positioning_at(series_book(frame_of([])), DAY, 1.0).net_gamma_usd_per_pct is None


# -- against the pandas reference --------------------------------------------------------


def random_series(rng: np.random.Generator) -> pl.DataFrame:
    """A few names: daily, weekly and irregular, with gaps, ties and a late start."""
    start = date(2023, 1, 2)
    rows = []
    for name, step in (("daily", 1), ("weekly", 7), ("ragged", 0)):
        day = start + timedelta(days=int(rng.integers(0, 200)))
        while day < date(2026, 3, 1):
            # rounded values make ties (<= must count them)
            rows.append((day, name, float(np.round(rng.normal(0, 1), 1))))
            day += timedelta(days=step or int(rng.integers(1, 40)))
    return frame_of(rows)


@pytest.mark.parametrize("seed", range(12))
def test_matches_the_pandas_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame = random_series(rng)
    specs = {"weekly": SeriesSpec("W", "usd", "dealer_gamma")}
    ref_specs = {"weekly": {"label": "W", "unit": "usd", "role": "dealer_gamma"}}
    book = series_book(frame, specs)
    pandas_frame = frame.to_pandas()
    pandas_frame["date"] = [pd.Timestamp(d).date() for d in pandas_frame["date"]]
    for today in [date(2022, 12, 1), date(2023, 3, 1), *(
        date(2023, 6, 1) + timedelta(days=int(k)) for k in rng.integers(0, 1100, 8)
    )]:  # fmt: skip
        found = positioning_at(book, today, 3e9)
        expected, net = reference_series(pandas_frame, today, ref_specs, 3e9)
        got = {name: user_series_json(s) for name, s in found.series.items()}
        for entry in expected.values():
            entry["date"] = entry["date"].isoformat() if entry["date"] else None
        assert set(got) == set(expected)
        for name in expected:
            for key, value in expected[name].items():
                assert got[name][key] == pytest.approx(value), (today, name, key)
        assert found.net_gamma_usd_per_pct == pytest.approx(net)


@pytest.mark.parametrize("seed", range(3))
def test_drill_down_history_matches_the_reference(seed: int) -> None:
    frame = random_series(np.random.default_rng(seed))
    pandas_frame = frame.to_pandas()
    pandas_frame["date"] = [pd.Timestamp(d).date() for d in pandas_frame["date"]]
    today = date(2026, 1, 15)
    found = positioning_at(series_book(frame), today, None).series
    for name, series in found.items():
        history = series.history
        assert history["date"].max() <= today
        n = history.height
        for column, q in (("band_low", 0.1), ("band_median", 0.5), ("band_high", 0.9)):
            expected = reference_band(pandas_frame, name, q)[:n]
            assert history[column].to_list() == pytest.approx(expected), (name, column)
        # each row's percentile_1y is what the series showed on that date
        for k in (n // 3, n - 1):
            day = history["date"][k]
            ref, _ = reference_series(pandas_frame[pandas_frame["name"] == name], day, {}, None)
            assert history["percentile_1y"][k] == pytest.approx(ref[name]["percentile_1y"])
