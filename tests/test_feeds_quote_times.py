"""Quote times: a bare date means that session's close in New York, not midnight UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from crowdwatch.feeds.frames import clean_quotes


def test_a_bare_date_is_the_close_of_that_session_in_new_york() -> None:
    raw = pl.DataFrame(
        {
            "ticker": ["A", "B", "C", "D"],
            "last": [1.0, 2.0, 3.0, 4.0],
            "ts": ["2026-02-04", "2026-02-04T15:30:00Z", "2026-02-04T10:31:00-05:00",
                   "2026-07-01"],
        }
    )  # fmt: skip
    quotes, warning = clean_quotes(raw, "quotes.csv")
    assert warning is None
    assert quotes.get_column("ts").to_list() == [
        datetime(2026, 2, 4, 21, 0, tzinfo=UTC),  # 16:00 EST
        datetime(2026, 2, 4, 15, 30, tzinfo=UTC),
        datetime(2026, 2, 4, 15, 31, tzinfo=UTC),
        datetime(2026, 7, 1, 20, 0, tzinfo=UTC),  # 16:00 EDT
    ]


def test_a_date_column_in_parquet_means_the_same() -> None:
    raw = pl.DataFrame({"ticker": ["A"], "last": [1.0], "ts": [date(2026, 2, 4)]})
    quotes, _ = clean_quotes(raw, "quotes.parquet")
    assert quotes.get_column("ts").to_list() == [datetime(2026, 2, 4, 21, 0, tzinfo=UTC)]
