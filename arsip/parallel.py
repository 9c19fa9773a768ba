"""An order-keeping, memory-bounded map over worker processes.

`ordered_map(func, items, jobs)` yields ``func(item)`` for every item, in
the order of *items*, like the built-in ``map``. With ``jobs > 1`` the calls
run in a pool of *jobs* worker processes; items are sent in batches, and at
most ``2 * jobs`` batches are in flight, so a stream of large items (WARC
captures with their bodies) is never read ahead further than that: memory
stays flat however long the stream is. (``multiprocessing.Pool.imap`` reads
its whole input ahead on a feeder thread, which would hold a whole archive
in memory.)

The results are the same, in the same order, as with ``jobs == 1``, which
runs *func* in this process (the mode for debugging and for one core).

Workers start by *forkserver*: a fork of a small clean server process, never
of this one (which holds SQLite connections and threads); *preload* names
modules the server imports once, so each worker starts with them loaded.
*func* must be a module-level function and the items and results picklable.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Items sent to a worker at a time: large enough that pickling and the
#: round trip are small next to the work, small enough to spread evenly.
BATCH = 16


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


def _run_batch(func: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    return [func(item) for item in batch]


def ordered_map(
    func: Callable[[T], R],
    items: Iterable[T],
    jobs: int,
    *,
    batch: int = BATCH,
    preload: Sequence[str] = (),
) -> Iterator[R]:
    """``func(item)`` for each of *items*, in order, on *jobs* processes (see module doc)."""
    if jobs <= 1:
        yield from map(func, items)
        return
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    source = iter(items)
    pending: deque[Future[list[R]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        try:
            while True:
                while len(pending) < 2 * jobs:
                    chunk = list(islice(source, batch))
                    if not chunk:
                        break
                    pending.append(pool.submit(_run_batch, func, chunk))
                if not pending:
                    return
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
