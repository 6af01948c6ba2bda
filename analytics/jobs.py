"""Row-block work on a shared thread pool: submit the blocks now, combine them when needed.

prepare() owns one pool (a worker per core, two at least). A builder with independent row
blocks (the basket selection with the reversal ranks, the panel's placements) submits them
and returns a Pending; prepare() starts the next family while they run and only then asks
for the result. One pool, not one per builder: no more busy threads than cores, and fewer
malloc arenas holding freed blocks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Part = TypeVar("Part")
Result = TypeVar("Result")
Other = TypeVar("Other")

MAX_THREADS = 8  # past this, the row blocks (~30 per family) leave workers idle


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class Pending(Generic[Result]):
    """The parts of a job (futures) and how to combine them into its result."""

    def __init__(self, parts: list[Future], combine: Callable[[list], Result]) -> None:
        self._parts = parts
        self._combine = combine

    def result(self) -> Result:
        return self._combine([part.result() for part in self._parts])

    def then(self, after: Callable[[Result], Other]) -> Pending[Other]:
        """The same parts, with `after` applied to the combined result."""
        return Pending(self._parts, lambda parts: after(self._combine(parts)))


def done(value: Part) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def submit(pool: Executor | None, function: Callable[..., Part], *args) -> Future:
    """function(*args) on the pool, or here and now without one."""
    return pool.submit(function, *args) if pool is not None else done(function(*args))


def map_blocks(
    pool: Executor | None,
    function: Callable[[Item], Part],
    items: Iterable[Item],
    combine: Callable[[list[Part]], Result],
) -> Pending[Result]:
    """function over items on the pool (or here, in order, without one), then combine."""
    return Pending([submit(pool, function, item) for item in items], combine)


def shared_pool() -> ThreadPoolExecutor:
    """One worker per usable core (numpy's sorts and array arithmetic release the GIL);
    two at least, so that one family's wait on memory overlaps another's arithmetic."""
    workers = max(2, min(MAX_THREADS, usable_cores()))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crowdwatch-prepare")
