"""`export --what internals|members|intraday` and `export --as-files DIR` (read back by
`--source files` to the same report)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from .test_cli import folders, run, small_market  # noqa: F401 - the fixture is used by name
from .test_engine import write_quotes


@pytest.fixture
def live_folder(folders):  # noqa: F811
    data, config = folders
    history = pl.read_csv(data / "prices.csv", try_parse_dates=True)
    write_quotes(data, history, 1.0, "2030-01-02T15:00:00")  # every name flat, then tweak
    quotes = pl.read_parquet(data / "quotes.parquet")
    bump = pl.when(pl.col("ticker") == "QQQ").then(1.02).otherwise(0.99)
    quotes.with_columns(pl.col("last") * bump).write_parquet(data / "quotes.parquet")
    return data, config


def common(data: Path, config: Path) -> list[str]:
    return ["--source", "files", "--data", str(data), "--config", str(config)]


def test_internals_export_is_the_daily_dispersion_and_letf_flow(live_folder, tmp_path, capsys):
    data, config = live_folder
    out = tmp_path / "internals.csv"
    code, said, _ = run(capsys, "export", str(out), "--what", "internals", *common(data, config))
    assert code == 0 and "rows of internals" in said
    frame = pl.read_csv(out, try_parse_dates=True)
    assert frame.columns == ["date", "dispersion_ratio", "letf_flow_usd"]
    # today's LETF flow by hand: QQQ +2%, TQQQ 3.9e10*3*2, SQQQ 2.3e9*(-3)*(-4)
    assert frame["letf_flow_usd"][-1] == pytest.approx((3.9e10 * 6 + 2.3e9 * 12) * 0.02)
    # an earlier day from the prices alone
    closes = small_market().filter(pl.col("ticker") == "QQQ").get_column("close").to_numpy()
    r = closes[100] / closes[99] - 1
    assert frame["letf_flow_usd"][100] == pytest.approx((3.9e10 * 6 + 2.3e9 * 12) * r)
    _, report, _ = run(capsys, "report", "--json", *common(data, config))
    assert frame["dispersion_ratio"][-1] == pytest.approx(
        json.loads(report)["internals"]["dispersion_ratio"]
    )


def test_members_export_contributions_add_up_to_the_theme(live_folder, tmp_path, capsys):
    data, config = live_folder
    out = tmp_path / "members.parquet"
    assert run(capsys, "export", str(out), "--what", "members", *common(data, config))[0] == 0
    frame = pl.read_parquet(out)
    _, report, _ = run(capsys, "report", "--json", *common(data, config))
    doc = json.loads(report)
    every = {**doc["baskets"], **doc["factors"], **doc["themes"]}
    assert set(frame["series"].unique()) == {k for k, m in every.items() if m["ret"] is not None}
    for name, part in frame.group_by("series"):
        assert part["contribution"].sum() == pytest.approx(every[name[0]]["ret"], abs=1e-12)
    beta = frame.filter(pl.col("series") == "Beta").sort("ticker")
    assert beta["weight"].to_list() == pytest.approx([2 / 3, 1 / 3])  # weights {S04: 2.0}
    assert beta["ret"].to_list() == pytest.approx([-0.01, -0.01])


def test_intraday_export_of_files_is_the_latest_quotes(live_folder, tmp_path, capsys):
    data, config = live_folder
    out = tmp_path / "intraday.csv"
    assert run(capsys, "export", str(out), "--what", "intraday", *common(data, config))[0] == 0
    frame = pl.read_csv(out)
    assert frame.columns == ["ts", "winners", "short_momentum", "momentum_pair"]
    assert frame.height == 1 and frame["winners"][0] == pytest.approx(-0.01)


def test_intraday_export_of_a_close_is_empty(folders, tmp_path, capsys):  # noqa: F811
    data, config = folders
    out = tmp_path / "intraday.csv"
    assert run(capsys, "export", str(out), "--what", "intraday", *common(data, config))[0] == 0
    assert pl.read_csv(out).height == 0


def test_as_files_round_trip_gives_the_same_report(live_folder, tmp_path, capsys):
    data, config = live_folder
    frozen = tmp_path / "frozen"
    code, said, _ = run(capsys, "export", "--as-files", str(frozen), *common(data, config))
    assert code == 0 and "--source files --data" in said
    assert sorted(p.name for p in frozen.iterdir()) == ["prices.csv", "quotes.csv"]
    _, original, _ = run(capsys, "report", "--json", *common(data, config))
    _, again, _ = run(capsys, "report", "--json", *common(frozen, config))
    assert json.loads(again) == json.loads(original)
    # a second export into it refuses without --force, then overwrites with it
    assert run(capsys, "export", "--as-files", str(frozen), *common(data, config))[0] == 2
    assert run(capsys, "export", "--as-files", str(frozen), "--force",
               *common(data, config))[0] == 0  # fmt: skip


def test_the_demo_frozen_into_a_folder_reads_back_to_the_same_report(tmp_path, capsys):
    frozen = tmp_path / "demo"
    assert run(capsys, "export", "--as-files", str(frozen))[0] == 0
    assert sorted(p.name for p in frozen.iterdir()) == [
        "prices.csv", "quotes.csv", "series.csv", "universe.csv",
    ]  # fmt: skip
    _, demo, _ = run(capsys, "report", "--json")
    _, files, _ = run(capsys, "report", "--json", "--source", "files", "--data", str(frozen))
    demo_doc, files_doc = json.loads(demo), json.loads(files)
    assert (demo_doc.pop("source"), demo_doc.pop("simulated")) == ("demo", True)
    assert (files_doc.pop("source"), files_doc.pop("simulated")) == ("files", False)
    # the series' numbers come back; their labels and roles live in settings.yaml, which the
    # folder does not carry, so net gamma (it needs the dealer_gamma role) is unknown there
    numbers = ("value", "date", "change", "percentile_1y", "stale")
    demo_series, files_series = demo_doc.pop("series"), files_doc.pop("series")
    assert demo_series.keys() == files_series.keys() and demo_series
    for name, entry in demo_series.items():
        assert {k: entry[k] for k in numbers} == {k: files_series[name][k] for k in numbers}
    assert demo_doc.pop("net_gamma_usd_per_pct") < 0
    assert files_doc.pop("net_gamma_usd_per_pct") is None
    assert files_doc == demo_doc
    # and the demo's intraday trail: every minute from 09:30 to 16:00 New York
    out = tmp_path / "intraday.csv"
    assert run(capsys, "export", str(out), "--what", "intraday")[0] == 0
    trail = pl.read_csv(out, try_parse_dates=True)
    assert trail.height == 391 and trail["ts"].is_sorted()
    assert trail["ts"][-1].replace(tzinfo=UTC) == datetime(2026, 2, 4, 21, 0, tzinfo=UTC)
    pair = demo_doc["baskets"]["momentum_pair"]["ret"]
    assert np.isclose(trail["momentum_pair"][-1], pair, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export"], "needs OUT"),
        (["export", "x.csv", "--as-files", "d"], "not both"),
    ],
)
def test_export_argument_mistakes_exit_2(args, says, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2 and says in err
