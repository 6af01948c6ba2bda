"""The user series file: cleaning with counted drops, bad files, the watch and a fuzz."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from crowdwatch.feeds.base import FeedError
from crowdwatch.feeds.user_series import (
    SERIES_SCHEMA,
    SeriesFileError,
    SeriesWatch,
    read_series,
)

GOOD_CSV = "date,name,value\n2026-01-30,exposure,0.61\n2026-02-04,gamma,4.6e9\n"


def replace_atomically(path: Path, payload: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)


def test_bad_rows_are_dropped_and_counted_in_the_house_wording(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_text(
        "date,name,value\n"
        "2026-01-02,a,1\n"
        "2026-13-01,a,2\n"  # no 13th month
        "2026-01-03,a,lots\n"
        "2026-01-05,b,3\n"
    )
    frame, drops = read_series(path)
    assert drops == "series.csv: dropped 2 rows (1 bad date, 1 non-numeric value)"
    expected = pl.DataFrame(
        {"date": [date(2026, 1, 2), date(2026, 1, 5)], "name": ["a", "b"], "value": [1.0, 3.0]},
        schema=SERIES_SCHEMA,
    )
    assert_frame_equal(frame, expected)


def test_every_drop_reason_and_the_last_duplicate_wins(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_text(
        "date,name,value\n"
        "2026-01-02,a,1\n"
        ",a,1\n"  # missing date
        "2026-01-03,,1\n"  # missing name
        "2026-01-04,a,\n"  # missing value
        "2026-01-05,a,NaN\n"  # NaN is a missing value
        "2026-01-06,a,inf\n"
        "2026-01-02,a,7\n"  # duplicate: the later row wins
        " 2026-01-09T10:00:00Z , b , -2.5e9 \n"  # spaces stripped, timestamp -> its date
    )
    frame, drops = read_series(path)
    assert drops == (
        "series.csv: dropped 6 rows (1 bad date, 1 missing name, 2 missing value, "
        "1 infinite value, 1 duplicate date/name)"
    )
    assert frame.rows() == [(date(2026, 1, 2), "a", 7.0), (date(2026, 1, 9), "b", -2.5e9)]


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "series.parquet"
    pl.DataFrame(
        {
            "date": [datetime(2026, 2, 4, 9), datetime(2026, 2, 3, 9)],
            "name": pl.Series(["g", "g"], dtype=pl.Categorical),
            "value": pl.Series([4, 5], dtype=pl.Int32),
            "extra": ["x", "y"],
        }
    ).write_parquet(path)
    frame, drops = read_series(path)
    assert drops is None
    assert frame.schema == pl.Schema(SERIES_SCHEMA)
    assert frame.rows() == [(date(2026, 2, 3), "g", 5.0), (date(2026, 2, 4), "g", 4.0)]


def parquet_bytes(tmp_path: Path, frame: pl.DataFrame) -> bytes:
    out = tmp_path / "frame.parquet"
    frame.write_parquet(out)
    return out.read_bytes()


# name -> (suffix, payload or a frame for Parquet, fragment of the message)
BAD_FILES = {
    "empty": (".csv", b"", "series.csv: empty file"),
    "header only": (".csv", b"date,name,value\n", "series.csv: no rows"),
    "missing column": (".csv", b"date,name\n2026-01-02,a\n", "missing column 'value'"),
    "all rows bad": (
        ".csv",
        b"date,name,value\n2026-02-30,a,1\n2026-01-02,a,x\n",
        "series.csv: no valid rows (1 bad date, 1 non-numeric value)",
    ),
    "not utf-8": (".csv", b"date,name,value\n2026-01-02,\xff\xfe,1\n", "series.csv: unreadable"),
    "garbage parquet": (".parquet", b"\x89PNG\x00\xff garbage", "series.parquet: unreadable"),
    "integer dates": (
        ".parquet",
        pl.DataFrame({"date": [20260102], "name": ["a"], "value": [1.0]}),
        "series.parquet: column 'date' has type Int64; expected ISO dates",
    ),
    "numeric names": (
        ".parquet",
        pl.DataFrame({"date": [date(2026, 1, 2)], "name": [7], "value": [1.0]}),
        "series.parquet: column 'name' has type Int64; expected text",
    ),
    "boolean values": (
        ".parquet",
        pl.DataFrame({"date": [date(2026, 1, 2)], "name": ["a"], "value": [True]}),
        "series.parquet: column 'value' has type Boolean; expected numbers",
    ),
    "list values": (
        ".parquet",
        pl.DataFrame({"date": [date(2026, 1, 2)], "name": ["a"], "value": [[1.0]]}),
        "series.parquet: column 'value' has type List(Float64); expected numbers",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_a_typed_error_naming_the_file(tmp_path: Path, case: str) -> None:
    suffix, payload, fragment = BAD_FILES[case]
    if isinstance(payload, pl.DataFrame):
        payload = parquet_bytes(tmp_path, payload)
    path = tmp_path / f"series{suffix}"
    path.write_bytes(payload)
    with pytest.raises(SeriesFileError) as caught:
        read_series(path)
    assert fragment in str(caught.value)


def test_truncated_parquet_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "series.parquet"
    whole = parquet_bytes(tmp_path, pl.DataFrame({"date": ["2026-01-02"] * 50, "name": ["a"] * 50,
                                                  "value": [1.0] * 50}))  # fmt: skip
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SeriesFileError, match=r"^series\.parquet: unreadable"):
        read_series(path)


# -- the watch ---------------------------------------------------------------------------


def test_folder_watch_picks_up_a_new_observation_and_keeps_the_frame_otherwise(
    tmp_path: Path,
) -> None:
    watch = SeriesWatch(folder=tmp_path)
    assert watch.frame() is None and watch.warnings() == []  # no file: no series, no noise
    path = tmp_path / "series.csv"
    replace_atomically(path, GOOD_CSV.encode())
    first = watch.frame()
    assert first is not None and first.height == 2
    assert watch.frame() is first  # unchanged file: the same object, not re-read
    replace_atomically(path, (GOOD_CSV + "2026-02-05,gamma,4.1e9\n").encode())
    second = watch.frame()
    assert second is not None and second.height == 3
    assert second.filter(pl.col("date") == date(2026, 2, 5))["value"].item() == 4.1e9


def test_parquet_wins_over_csv_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "series.csv").write_text(GOOD_CSV)
    pl.DataFrame({"date": ["2026-01-02"], "name": ["p"], "value": [1.0]}).write_parquet(
        tmp_path / "series.parquet"
    )
    frame = SeriesWatch(folder=tmp_path).frame()
    assert frame is not None and frame["name"].to_list() == ["p"]


@pytest.mark.parametrize("case", ["empty", "garbage parquet", "all rows bad", "integer dates"])
def test_a_corrupt_file_keeps_the_last_good_series_then_recovers(tmp_path: Path, case: str) -> None:
    suffix, payload, fragment = BAD_FILES[case]
    if isinstance(payload, pl.DataFrame):
        payload = parquet_bytes(tmp_path, payload)
    path = tmp_path / f"series{suffix}"
    good_payload = (
        parquet_bytes(tmp_path, pl.read_csv(GOOD_CSV.encode(), infer_schema=False))
        if suffix == ".parquet"
        else GOOD_CSV.encode()
    )
    replace_atomically(path, good_payload)
    watch = SeriesWatch(path=path)
    good = watch.frame()
    assert good is not None and watch.warnings() == []
    replace_atomically(path, payload)
    assert watch.frame() is good
    [warning] = watch.warnings()
    assert fragment in warning and warning.endswith("keeping the last good series, retrying")
    assert watch.frame() is good  # still bad: read again, still kept
    replace_atomically(path, good_payload)
    assert_frame_equal(watch.frame(), good)
    assert watch.warnings() == []


def test_a_bad_file_before_any_good_one_warns_without_a_series(tmp_path: Path) -> None:
    (tmp_path / "series.csv").write_bytes(b"")
    watch = SeriesWatch(folder=tmp_path)
    assert watch.frame() is None
    assert watch.warnings() == ["series.csv: empty file; no series yet, retrying"]


def test_a_vanished_file_keeps_the_last_good_series(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_text(GOOD_CSV)
    watch = SeriesWatch(folder=tmp_path)
    good = watch.frame()
    path.unlink()
    assert watch.frame() is good
    assert watch.warnings() == ["series.csv: file is gone; keeping the last good series, retrying"]


def test_dropped_rows_are_a_warning_until_the_file_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_text(GOOD_CSV + "bad,gamma,1\n")
    watch = SeriesWatch(path=path)
    watch.frame()
    assert watch.warnings() == ["series.csv: dropped 1 row (1 bad date)"]
    replace_atomically(path, GOOD_CSV.encode())
    watch.frame()
    assert watch.warnings() == []


def rewrite_in_place(path: Path, text: str, mtime_ns: int) -> None:
    """A writer that truncates and rewrites the same file (same inode), then a set clock."""
    with path.open("w") as handle:
        handle.write(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_an_in_place_rewrite_is_taken_only_once_it_held_still_for_a_refresh(
    tmp_path: Path,
) -> None:
    path = tmp_path / "series.csv"
    path.write_text(GOOD_CSV)
    inode = path.stat().st_ino
    watch = SeriesWatch(path=path)
    good = watch.frame()
    assert good is not None and good.height == 2
    base = path.stat().st_mtime_ns
    # cut mid-number: "4.1e9" written as "4." still parses, as a wrong value
    half = GOOD_CSV + "2026-02-05,gamma,4."
    rewrite_in_place(path, half, base + 10**9)
    assert watch.frame() is good  # changed since the last poll: not read as final yet
    rewrite_in_place(path, GOOD_CSV + "2026-02-05,gamma,4.1e9\n", base + 2 * 10**9)
    assert watch.frame() is good  # changed again: the writer was not done
    assert path.stat().st_ino == inode  # the rewrites were in place, not renamed over
    settled = watch.frame()  # the same stamp as the last poll: taken
    assert settled is not None and settled is not good
    assert settled.filter(pl.col("date") == date(2026, 2, 5))["value"].to_list() == [4.1e9]
    assert watch.warnings() == []


def test_a_half_written_file_never_replaces_the_last_good_series(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_text(GOOD_CSV)
    watch = SeriesWatch(folder=tmp_path)
    good = watch.frame()
    base = path.stat().st_mtime_ns
    # a slow writer: each poll sees a longer prefix of the new file, with a new stamp
    whole = GOOD_CSV + "2026-02-05,gamma,4.1e9\n2026-02-06,gamma,3.9e9\n"
    for step, cut in enumerate(range(len(GOOD_CSV) + 5, len(whole), 7), start=1):
        rewrite_in_place(path, whole[:cut], base + step * 10**9)
        assert watch.frame() is good
    rewrite_in_place(path, whole, base + 100 * 10**9)
    assert watch.frame() is good
    final = watch.frame()
    assert final is not None and final.height == 4


def test_a_series_file_that_changes_while_it_is_read_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crowdwatch.feeds.user_series as series_module

    path = tmp_path / "series.csv"
    replace_atomically(path, GOOD_CSV.encode())
    watch = SeriesWatch(path=path)
    good = watch.frame()
    real_read = series_module.read_series

    def read_then_append(target: Path) -> tuple[pl.DataFrame, str | None]:
        result = real_read(target)
        with target.open("a") as handle:  # the writer appends while we parse
            handle.write("2026-02-06,gamma,3.9e9\n")
        return result

    replace_atomically(path, (GOOD_CSV + "2026-02-05,gamma,4.1e9\n").encode())
    monkeypatch.setattr(series_module, "read_series", read_then_append)
    assert watch.frame() is good  # the stamp moved during the read: not taken
    monkeypatch.setattr(series_module, "read_series", real_read)
    assert watch.frame() is good  # the append was in place: one poll to hold still
    final = watch.frame()
    assert final is not None and final.height == 4


def test_a_missing_series_path_is_a_feed_error(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="--series .*nope.csv: no such file"):
        SeriesWatch(path=tmp_path / "nope.csv")
    with pytest.raises(FeedError, match="is a folder"):
        SeriesWatch(path=tmp_path)


# -- fuzz: a typed error naming the file, or a clean result ------------------------------

CELL = st.one_of(
    st.sampled_from(
        [
            "2026-01-02",
            "2026-02-30",
            "1e9",
            "-0.5",
            "nan",
            "inf",
            "",
            " a ",
            '"',
            "x,y",
            "2026-01-02T10:00:00Z",
            "NULL",
            "\t",
        ]
    ),  # fmt: skip
    st.text(max_size=8),
)
LINE = st.lists(CELL, min_size=0, max_size=4).map(",".join)
CSV_TEXT = st.tuples(
    st.sampled_from(["date,name,value", "date,name", "value,name,date", "", "date,name,value,x"]),
    st.lists(LINE, max_size=6),
).map(lambda parts: "\n".join([parts[0], *parts[1]]))


def assert_clean(frame: pl.DataFrame) -> None:
    assert frame.schema == pl.Schema(SERIES_SCHEMA)
    assert frame.height > 0
    assert frame.null_count().sum_horizontal().item() == 0
    assert frame["value"].is_finite().all()
    assert not frame.select(pl.struct("date", "name").is_duplicated().any()).item()
    assert frame.select("name", "date").rows() == sorted(frame.select("name", "date").rows())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=CSV_TEXT)
def test_fuzz_csv_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    try:
        frame, drops = read_series(path)
    except SeriesFileError as exc:
        assert str(exc).startswith("series.csv: ")
        return
    assert_clean(frame)
    assert drops is None or drops.startswith("series.csv: dropped ")


COLUMN_VALUES = {
    "int": pl.Series([1, 2, None], dtype=pl.Int64),
    "float": pl.Series([1.5, float("nan"), float("inf")]),
    "text dates": pl.Series(["2026-01-02", "bad", None]),
    "dates": pl.Series([date(2026, 1, 2), None, date(2026, 1, 3)]),
    "datetimes": pl.Series([datetime(2026, 1, 2, 5), None, datetime(2026, 1, 2, 6)]),
    "text": pl.Series(["a", "", None]),
    "categorical": pl.Series(["a", "b", "a"], dtype=pl.Categorical),
    "bool": pl.Series([True, False, None]),
    "null": pl.Series([None, None, None], dtype=pl.Null),
    "list": pl.Series([[1], [2], None]),
    "decimal": pl.Series(["1.5", "2", None]).cast(pl.Decimal(10, 2)),
    "struct": pl.Series([{"a": 1}, {"a": 2}, None]),
}
KINDS = sorted(COLUMN_VALUES)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(date_kind=st.sampled_from(KINDS), name_kind=st.sampled_from(KINDS),
       value_kind=st.sampled_from(KINDS))  # fmt: skip
def test_fuzz_parquet_column_types(
    tmp_path: Path, date_kind: str, name_kind: str, value_kind: str
) -> None:
    path = tmp_path / "series.parquet"
    pl.DataFrame(
        {
            "date": COLUMN_VALUES[date_kind],
            "name": COLUMN_VALUES[name_kind],
            "value": COLUMN_VALUES[value_kind],
        }
    ).write_parquet(path)
    try:
        frame, _drops = read_series(path)
    except SeriesFileError as exc:
        assert str(exc).startswith("series.parquet: ")
        return
    assert_clean(frame)
