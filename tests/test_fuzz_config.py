"""Fuzz the config loader: arbitrary text and bytes, and mutations of the bundled defaults.

The contract: a Config, or a ConfigError whose every problem names a file of the folder
(printable, UTF-8 encodable); `config validate` agrees with the loader; a config that
loads gives a `report --json` that a strict parser accepts.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_support import assert_clean_cli_answer, fuzz_settings, run_cli, small_market_csv  # noqa: E402

from crowdwatch.config.commands import validate_config  # noqa: E402
from crowdwatch.config.errors import ConfigError  # noqa: E402
from crowdwatch.config.loader import CONFIG_FILES, bundled_path, load_config  # noqa: E402
from crowdwatch.config.schema import Config  # noqa: E402

# pieces of YAML that reach the corners the fuzzing of issue 15 found
TOKENS = [
    "themes:", "factors:", "funds:", "as_of:", "benchmark:", "quantile:", "refresh_seconds:",
    "dispersion_since_years:", "alerts:", "sigma:", "weighting:", "name:", "tickers:",
    "weights:", "note:", "ticker:", "underlying:", "leverage:", "aum_usd:", "signal:", "long:",
    "\n", "\n  - ", "\n    ", " ", ": ", "- ", "[", "]", "{", "}", ",", "'", '"', "#", "&a ",
    "*a", "<<: ", "? ", "|", ">", "!!bool ", "!!int ", "!!float ", "!!timestamp ", "!!str ",
    "!!binary ", "!!set ", "!!omap ", "!foo ", "%YAML 1.1\n", "---\n", "...\n",
    '"\\uD800"', '"\\x06"', '"\\0"', "\x00", "\x06", "\x1b", "\t", "\ufeff", "\u2028",
    "1e308", "-1e200", "1e-300", ".inf", "-.inf", ".nan", "10000000000", "2026", "0", "-1",
    "0.2", "3", "yes", "null", "~", "2026-02-30", "SPY", "NVDA", "date", "winners",
    "momentum", "mom", "top", "bottom", "cap", "X" * 30, "n" * 90,
]  # fmt: skip

yaml_ish = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=60).map("".join)
any_text = st.text(st.characters(codec=None, categories=None), max_size=200)


def load_and_validate(folder: Path) -> Config | None:
    """The loader and `config validate` on one folder: they must agree."""
    ok, summary = validate_config(folder)
    summary.encode("utf-8")  # printable: no lone surrogate reaches the terminal
    try:
        config = load_config(folder)
    except ConfigError as error:
        assert not ok, summary
        assert summary.splitlines()[-1].endswith("problem(s) in 1 file.") or "files." in summary
        for problem in error.problems:
            assert problem.path.parent == folder, problem
            assert problem.line is None or problem.line >= 1
            str(problem).encode("utf-8")
            assert str(problem) in summary
        return None
    assert ok, summary
    return config


def check(name: str, content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "cfg"
        folder.mkdir()
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        config = load_and_validate(folder)
        if config is None:
            return
        data = Path(scratch) / "data"
        data.mkdir()
        (data / "prices.csv").write_text(small_market_csv())
        answer = run_cli("report", "--json", "--config", str(folder), "--source", "files",
                         "--data", str(data))  # fmt: skip
        assert_clean_cli_answer(*answer)


@fuzz_settings(30)
@given(name=st.sampled_from(CONFIG_FILES), text=yaml_ish | any_text)
def test_arbitrary_text(name: str, text: str) -> None:
    check(name, text)


@fuzz_settings(15)
@given(name=st.sampled_from(CONFIG_FILES), data=st.binary(max_size=300))
def test_arbitrary_bytes(name: str, data: bytes) -> None:
    check(name, data)


@st.composite
def mutated_default(draw: st.DrawFn) -> tuple[str, str]:
    """A bundled file with a few edits: cut, insert a token, duplicate or drop a line."""
    name = draw(st.sampled_from(CONFIG_FILES))
    text = bundled_path(name).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "cut", "duplicate", "replace"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif edit == "duplicate":
            lines = text.splitlines(keepends=True) or [""]
            row = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: row + 1] + lines[row:])
        else:
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at + draw(st.integers(1, 8)) :]
    return name, text


@fuzz_settings(25)
@given(case=mutated_default())
def test_mutations_of_the_bundled_defaults(case: tuple[str, str]) -> None:
    check(*case)
