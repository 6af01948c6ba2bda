"""Work on a shared thread pool: submit the jobs now, combine their results when needed.

prepare() owns one pool (a worker per core, two at least) and queues its jobs in the order
they should run (the workers take them first in, first out): long single jobs first, then
the basket pass's small row blocks. A builder with independent parts (the basket pass's
blocks, the internals' two histories) submits them and returns a Pending. A job may wait
on the future of a job queued before it (a basket block on its signals), never on a later
one: with first-in-first-out workers that cannot deadlock. One pool, not one per builder:
no more busy threads than cores, and fewer malloc arenas holding freed blocks."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Generic, TypeVar

Part = TypeVar("Part")
Result = TypeVar("Result")

MAX_THREADS = 8  # past this, the row blocks (~60 per basket half) leave workers idle


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


def done(value: Part) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def submit(pool: Executor | None, function: Callable[..., Part], *args) -> Future:
    """function(*args) on the pool, or here and now without one."""
    return pool.submit(function, *args) if pool is not None else done(function(*args))


def shared_pool() -> ThreadPoolExecutor:
    """One worker per usable core (numpy's sorts and array arithmetic release the GIL);
    two at least, so that one family's wait on memory overlaps another's arithmetic."""
    workers = max(2, min(MAX_THREADS, usable_cores()))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crowdwatch-prepare")
