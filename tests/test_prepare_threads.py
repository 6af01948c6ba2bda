"""prepare() on its thread pool gives the numbers of a one-thread run, bit for bit; the
row-block jobs (analytics/jobs.py) combine their parts in order and fail loudly."""

from __future__ import annotations

from concurrent.futures import Executor, Future, ThreadPoolExecutor

import numpy as np
import polars as pl
import pytest
from markets import random_market

import crowdwatch.analytics.model as model_module
from crowdwatch.analytics.jobs import Pending, submit
from crowdwatch.analytics.model import Model, prepare


class Inline(Executor):
    """Runs every task at once, in the submitting thread, in submission order."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def numbers(model: Model) -> dict[str, np.ndarray]:
    """Every history array the tick and the screens read from a Model."""
    out = {f"series.{name}": values for name, values in model.series.values.items()}
    out.update({f"signal.{name}": row for name, row in model.signals_at_d.items()})
    out.update(
        features=model.lens.features,
        dispersion=model.internals.dispersion,
        realized=model.internals.realized,
        theme_momentum=model.themes.momentum,
        letf=model.letf.history,
        ticker_rms=model.ticker_rms,
    )
    crowding = [
        [np.nan if v is None else v for v in (score, *parts.values())]
        for score, parts in model.themes.crowding.values()
    ]
    out["crowding"] = np.array(crowding, dtype=float)
    return out


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_threaded_prepare_equals_one_thread(monkeypatch, seed):
    history, config = random_market(seed)
    history = history.filter(pl.col("date") < history.get_column("date").max())
    threaded = numbers(prepare(history, config))
    monkeypatch.setattr(model_module, "shared_pool", Inline)
    inline = numbers(prepare(history, config))
    assert threaded.keys() == inline.keys()
    assert any(np.isfinite(v).any() for v in threaded.values())
    for key, values in threaded.items():
        assert np.array_equal(values, inline[key], equal_nan=True), key


def test_pending_combines_its_parts_in_order_with_and_without_a_pool():
    items = list(range(40))
    expected = [i * i for i in items]
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = [submit(pool, lambda i: i * i, item) for item in items]
        assert Pending(parts, list).result() == expected
    assert (
        Pending([submit(None, lambda i: i * i, item) for item in items], list).result() == expected
    )
    assert Pending([], lambda parts: len(parts)).result() == 0


def test_a_failing_part_raises_when_the_result_is_asked_for():
    def block(i: int) -> int:
        if i == 2:
            raise ValueError("bad block")
        return i

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = Pending([submit(pool, block, i) for i in range(4)], list)
        with pytest.raises(ValueError, match="bad block"):
            pending.result()
