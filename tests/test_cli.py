"""The CLI end to end on a small files folder: report, export, --as-of and exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crowdwatch.tui.cli import main

TICKERS = [f"S{i:02d}" for i in range(30)]


def small_market(days: int = 320, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pl.date_range(date(2024, 1, 1), date(2026, 12, 31), "1d", eager=True)
    dates = dates.filter(dates.dt.weekday() <= 5)[:days]
    market = rng.normal(0, 0.01, days)
    names = [*TICKERS, "SPY", "QQQ"]
    returns = market[:, None] + rng.normal(0, 0.02, (days, len(names)))
    returns[:, -2], returns[:, -1] = market, 1.2 * market
    closes = 100 * np.cumprod(1 + returns, axis=0)
    return pl.DataFrame(
        {
            "date": np.repeat(dates.to_numpy(), len(names)),
            "ticker": names * days,
            "close": closes.ravel(),
        }
    ).sort("ticker", "date")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    small_market().write_csv(data / "prices.csv")
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "themes.yaml").write_text(
        "themes:\n"
        "  - name: Alpha\n    tickers: [S01, S02, S03, GONE]\n    note: test theme\n"
        "  - name: Beta\n    tickers: [S04, S05]\n    weights: {S04: 2.0}\n"
    )
    (config / "letfs.yaml").write_text(
        "as_of: 2026-06-01\nfunds:\n"
        "  - {ticker: TQQQ, underlying: QQQ, leverage: 3, aum_usd: 3.9e10}\n"
        "  - {ticker: SQQQ, underlying: QQQ, leverage: -3, aum_usd: 2.3e9}\n"
    )
    return data, config


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json_on_files_folder(folders, capsys) -> None:
    data, config = folders
    code, out, _ = run(capsys, "report", "--json", "--source", "files", "--data", str(data),
                       "--config", str(config))  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == 1 and doc["mode"] == "close" and doc["source"] == "files"
    assert doc["simulated"] is False
    assert doc["universe_size"] == 30  # SPY (benchmark) and QQQ (unthemed underlying) excluded
    assert set(doc["baskets"]) == {"winners", "short_momentum", "momentum_pair",
                                   "momentum_beta_neutral"}  # fmt: skip
    assert doc["themes"]["Alpha"]["missing"] == ["GONE"]
    assert doc["themes"]["Alpha"]["members"] == 3
    # 0.2 * 30 = 6 names a leg; the pair lists both legs
    assert len(doc["baskets"]["winners"]["members"]) == 6
    assert len(doc["baskets"]["momentum_pair"]["members"]) == 12
    gamma = (3.9e10 * 3 * 2 + 2.3e9 * -3 * -4) * 0.01
    assert doc["internals"]["letf_gamma_usd_per_pct"] == pytest.approx(gamma)


def test_as_of_equals_truncated_folder(folders, tmp_path, capsys) -> None:
    data, config = folders
    history = small_market()
    cut = sorted(history.get_column("date").unique().to_list())[-40]
    short = tmp_path / "short"
    short.mkdir()
    history.filter(pl.col("date") <= cut).write_parquet(short / "prices.parquet")
    common = ["--source", "files", "--config", str(config)]
    _, full_out, _ = run(capsys, "report", "--json", *common, "--data", str(data),
                         "--as-of", cut.isoformat())  # fmt: skip
    _, short_out, _ = run(capsys, "report", "--json", *common, "--data", str(short))
    assert json.loads(full_out)["as_of"] == cut.isoformat()
    assert json.loads(full_out) == json.loads(short_out)


def test_text_and_markdown_reports_name_every_pane(folders, capsys) -> None:
    data, config = folders
    common = ["--source", "files", "--data", str(data), "--config", str(config)]
    code, text, _ = run(capsys, "report", *common)
    assert code == 0
    for title in ("Factor sigma moves", "Crowded themes", "Market internals", "Alpha"):
        assert title in text
    code, markdown, _ = run(capsys, "report", "--markdown", *common)
    assert code == 0 and "### Crowded themes" in markdown and "| Alpha |" in markdown


def test_export_writes_series_and_never_overwrites(folders, tmp_path, capsys) -> None:
    data, config = folders
    common = ["--source", "files", "--data", str(data), "--config", str(config)]
    out = tmp_path / "series.csv"
    code, _, _ = run(capsys, "export", str(out), *common)
    assert code == 0
    frame = pl.read_csv(out)
    assert frame.height == 320
    for column in ("date", "winners", "momentum_pair", "momentum", "Alpha", "Beta"):
        assert column in frame.columns
    out.write_text("my precious notes\n")
    code, _, err = run(capsys, "export", str(out), *common)
    assert code == 2 and "--force" in err
    assert out.read_text() == "my precious notes\n"
    code, _, _ = run(capsys, "export", str(out), "--force", *common)
    assert code == 0 and pl.read_csv(out).height == 320
    parquet = tmp_path / "series.parquet"
    assert run(capsys, "export", str(parquet), *common)[0] == 0
    from_csv = pl.read_csv(out, try_parse_dates=True, infer_schema_length=None)
    from_parquet = pl.read_parquet(parquet)
    assert from_parquet.columns == from_csv.columns
    assert_frame_equal(from_parquet, from_csv, check_dtypes=False)


def test_bad_theme_config_exits_2_naming_file_line_and_key(folders, capsys) -> None:
    data, config = folders
    (config / "themes.yaml").write_text(
        "themes:\n  - name: Alpha\n    tickers: [S01]\n  - name: Alpha\n    tickerz: [S02]\n"
    )
    code, out, err = run(capsys, "report", "--source", "files", "--data", str(data),
                         "--config", str(config))  # fmt: skip
    assert code == 2 and out == ""
    assert "themes.yaml" in err and "Traceback" not in err
    assert "tickerz" in err and "did you mean 'tickers'" in err
    assert ":5" in err  # the line of `tickerz`
    assert ":4: key 'name'" in err and "defined twice" in err


def test_missing_benchmark_and_bad_inputs_exit_2(folders, tmp_path, capsys) -> None:
    data, config = folders
    (config / "settings.yaml").write_text("benchmark: NOPE\n")
    code, _, err = run(capsys, "report", "--source", "files", "--data", str(data),
                       "--config", str(config))  # fmt: skip
    assert code == 2 and "settings.yaml" in err and "benchmark" in err
    code, _, err = run(capsys, "export", str(tmp_path / "x.txt"), "--data", str(data))
    assert code == 2 and ".csv or .parquet" in err
    with pytest.raises(SystemExit) as exc:
        main(["report", "--as-of", "yesterday"])
    assert exc.value.code == 2


def test_files_source_without_data_fails_clearly(capsys) -> None:
    code, _, err = run(capsys, "report", "--source", "files")
    assert code == 2 and "--data DIR" in err


def test_an_unreachable_source_exits_1_and_bad_folders_exit_2(monkeypatch, tmp_path, capsys):
    from crowdwatch.feeds import factory
    from crowdwatch.feeds.base import SourceUnavailable

    class Offline:
        name, simulated = "yahoo", False

        def closing_quotes(self):
            raise SourceUnavailable("Yahoo Finance could not be reached (no answer within 25 s)")

        def history(self):
            raise SourceUnavailable("Yahoo Finance could not be reached (no answer within 25 s)")

    monkeypatch.setattr(factory, "open_feed", lambda *args, **kwargs: Offline())
    code, _, err = run(capsys, "report", "--source", "yahoo")
    assert code == 1 and "could not be reached" in err and "Traceback" not in err
    monkeypatch.undo()
    code, _, err = run(capsys, "report", "--source", "files", "--data", str(tmp_path / "nope"))
    assert code == 2 and "nope" in err


def test_export_to_a_folder_and_dropped_rows_are_reported(folders, tmp_path, capsys) -> None:
    data, config = folders
    common = ["--source", "files", "--data", str(data), "--config", str(config)]
    folder = tmp_path / "looks_like.csv"
    folder.mkdir()
    code, _, err = run(capsys, "export", str(folder), "--force", *common)
    assert code == 2 and "is a folder" in err and "Traceback" not in err
    prices = data / "prices.csv"
    prices.write_text(prices.read_text() + "2024-01-02,S01,-5\n")
    code, out, err = run(capsys, "report", "--json", *common)
    assert code == 0 and json.loads(out)["schema"] == 1
    assert "warning: prices.csv: dropped 1 row" in err


def test_report_json_refuses_a_non_finite_number_instead_of_printing_it(
    folders, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NaN and Infinity are not JSON: a slip in analytics must fail, not ship bad output."""
    import crowdwatch.analytics.report as report

    monkeypatch.setattr(report, "to_json", lambda snapshot: {"schema": 1, "x": float("nan")})
    data, config = folders
    code, out, err = run(capsys, "report", "--json", "--source", "files", "--data", str(data),
                         "--config", str(config))  # fmt: skip
    assert code != 0 and out == ""
    assert "not JSON compliant" in err


def test_data_alone_implies_the_files_source(folders, capsys) -> None:
    data, config = folders
    code, out, err = run(capsys, "report", "--json", "--data", str(data), "--config", str(config))
    assert code == 0, err
    document = json.loads(out)
    assert document["source"] == "files" and document["simulated"] is False


@pytest.mark.parametrize("source", ["demo", "yahoo"])
def test_data_with_another_explicit_source_exits_2_saying_so(folders, capsys, source) -> None:
    data, _ = folders
    code, out, err = run(capsys, "report", "--source", source, "--data", str(data))
    assert (code, out) == (2, "")
    assert f"--source is {source}" in err and "--source files" in err


def test_export_into_a_missing_folder_is_an_error_and_creates_nothing(
    folders, tmp_path, capsys
) -> None:
    data, config = folders
    out = tmp_path / "nonexistent" / "dir" / "x.csv"
    code, _, err = run(capsys, "export", str(out), "--data", str(data), "--config", str(config))
    assert code == 2
    assert f"the folder {out.parent} does not exist; nothing was written" in err
    assert not (tmp_path / "nonexistent").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    code, _, err = run(capsys, "export", str(a_file / "x.csv"), "--data", str(data))
    assert code == 2 and "is not a folder" in err
