"""The worker pool of ``reextract --jobs N`` (arsip.parallel)."""

from __future__ import annotations

import os

import pytest

from arsip import parallel
from arsip.parallel import Named, Workers
from tests.conftest import run_python


def square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_come_in_order_from_other_processes_and_the_pool_serves_many_streams() -> None:
    with Workers(2) as workers:
        first = list(workers.map(square_and_pid, range(100)))
        second = list(workers.map(square_and_pid, range(100, 150)))
    assert [r for r, _ in first] == [n * n for n in range(100)]
    assert [r for r, _ in second] == [n * n for n in range(100, 150)]
    pids = {pid for _, pid in first + second}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2  # the same two workers served both streams


def test_one_job_runs_in_this_process() -> None:
    with Workers(1) as workers:
        results = list(workers.map(square_and_pid, range(5)))
    assert results == [(n * n, os.getpid()) for n in range(5)]


def test_workers_fork_only_from_a_single_threaded_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    assert parallel._context(()).get_start_method() == "fork"
    # another thread may hold a lock that a forked child would inherit locked
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert parallel._context(()).get_start_method() == "forkserver"


def test_a_named_function_is_imported_by_the_workers_only() -> None:
    """With jobs > 1, `Named` and *preload* keep the work's module out of this process."""
    script = (
        "import os, sys\n"
        "from arsip.parallel import Named, Workers\n"
        "work = Named('tests.parallel_work', 'times_ten_and_pid')\n"
        "with Workers(2, preload=['tests.parallel_work']) as workers:\n"
        "    results = list(workers.map(work, range(40)))\n"
        "print([r for r, _ in results] == [n * 10 for n in range(40)])\n"
        "print(os.getpid() in {pid for _, pid in results})\n"
        "print('tests.parallel_work' in sys.modules)\n"
    )
    said = run_python(script)
    assert said.split() == ["True", "False", "False"], said


def test_with_one_job_a_named_function_runs_here() -> None:
    work = Named("tests.parallel_work", "times_ten_and_pid")
    with Workers(1) as workers:
        assert list(workers.map(work, [1, 2])) == [(10, os.getpid()), (20, os.getpid())]


def test_a_batch_closes_at_its_count_or_its_weight() -> None:
    """Large items (captures with big bodies) go a few at a time, small ones `BATCH` at a time."""
    workers = Workers(1, batch=5)
    items = iter(range(12))
    assert workers._chunk(items, None) == [0, 1, 2, 3, 4]
    third = parallel.BATCH_WEIGHT // 3 + 1
    assert workers._chunk(items, lambda _: third) == [5, 6, 7]
    assert workers._chunk(items, lambda _: 1) == [8, 9, 10, 11]
    assert workers._chunk(items, lambda _: 1) == []
    with Workers(2, batch=3) as pool:  # in order, whatever the batches
        got = list(pool.map(square_and_pid, range(20), weigh=lambda n: third * (n % 2)))
    assert [r for r, _ in got] == [n * n for n in range(20)]
