"""An order-keeping, memory-bounded map over worker processes.

`Workers(jobs)` is a pool of *jobs* worker processes, started when it is
made; ``workers.map(func, items)`` yields ``func(item)`` for every item, in
the order of *items*, like the built-in ``map``, and may be called again
(one pool serves a whole run: a rebuild of many WARC files starts its
workers once). Items are sent in batches (of `BATCH` items, or fewer when
*weigh* says they reach `BATCH_WEIGHT`), and at most ``2 * jobs`` batches
are in flight, so a stream of large items (WARC captures with their bodies)
is never read ahead further than that: memory stays flat however long the
stream is. (``multiprocessing.Pool.imap`` reads its whole input ahead on a
feeder thread, which would hold a whole archive in memory.)

The results are the same, in the same order, as with ``jobs == 1``, which
runs *func* in this process (the mode for debugging and for one core).

How workers start: by *fork* when this process has a single thread (a
forked worker starts at once, with every module this process imported;
make the pool before opening databases, so none is inherited), else by
*forkserver* (a fork of a small clean server process, never of a process
whose other threads may hold locks). *preload* names modules each worker
imports as it starts (the forkserver imports them once, for all workers):
while a forked worker imports them, this process goes on with its own work,
so modules only the workers need cost this process nothing. *func* must be
a module-level function, or a `Named` one (``Named("pkg.mod", "func")``:
pickled as its name, so this process never imports ``pkg.mod`` unless it
runs it itself, with ``jobs == 1``), and the items and results picklable.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Items sent to a worker at a time: large enough that pickling and the
#: round trip are small next to the work, small enough to spread evenly
#: (reextract of 1,000 articles on 2 cores, --jobs 2 vs 1: 1.77x with 16,
#: 1.80x with 32, 1.86x with 64).
BATCH = 64
#: A batch is closed early when its items weigh this much (`Workers.map`'s
#: *weigh*: bytes of the WARC captures' bodies), so large pages never pile up.
BATCH_WEIGHT = 4 << 20


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """*jobs* as a worker count: None or 0 means every available core."""
    if not jobs:
        return available_cores()
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (all cores) or more, not {jobs}")
    return jobs


@dataclass(frozen=True, slots=True)
class Named:
    """The function *name* of module *module*, imported where it is first called."""

    module: str
    name: str

    def __call__(self, item: Any) -> Any:
        return getattr(importlib.import_module(self.module), self.name)(item)


def _run_batch(func: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    return [func(item) for item in batch]


def _ready() -> None:
    """A task that only makes a worker start (see `Workers`)."""


def _preload(modules: Sequence[str]) -> None:
    """Import *modules* in a worker as it starts (see the module doc)."""
    for module in modules:
        importlib.import_module(module)


def _context(preload: Sequence[str]) -> BaseContext:
    """How workers start (see the module doc): fork when safe, else forkserver."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    return context


class Workers:
    """*jobs* worker processes, started now, for `map` calls (see the module doc)."""

    def __init__(self, jobs: int, *, preload: Sequence[str] = (), batch: int = BATCH) -> None:
        self.jobs = jobs
        self.batch = batch
        self._pool: ProcessPoolExecutor | None = None
        if jobs > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=_context(preload),
                initializer=_preload,
                initargs=(tuple(preload),),
            )
            for _ in range(jobs):  # start every worker now, not at the first batch
                self._pool.submit(_ready)

    def map(
        self,
        func: Callable[[T], R],
        items: Iterable[T],
        weigh: Callable[[T], int] | None = None,
    ) -> Iterator[R]:
        """``func(item)`` for each of *items*, in order, on the workers; *weigh*
        gives an item's size (see the module doc)."""
        pool = self._pool
        if pool is None:
            yield from map(func, items)
            return
        source = iter(items)
        pending: deque[Future[list[R]]] = deque()
        try:
            while True:
                while len(pending) < 2 * self.jobs:
                    chunk = self._chunk(source, weigh)
                    if not chunk:
                        break
                    pending.append(pool.submit(_run_batch, func, chunk))
                if not pending:
                    return
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def _chunk(self, source: Iterator[T], weigh: Callable[[T], int] | None) -> list[T]:
        if weigh is None:
            return list(islice(source, self.batch))
        chunk: list[T] = []
        weight = 0
        for item in source:
            chunk.append(item)
            weight += weigh(item)
            if len(chunk) >= self.batch or weight >= BATCH_WEIGHT:
                break
        return chunk

    def close(self) -> None:
        """Stop the workers (waiting for what they are doing)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
