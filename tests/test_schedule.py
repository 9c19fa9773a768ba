"""`arsip schedule`'s engine with a controllable clock and stub crawls as real child processes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from arsip.core.lock import CrawlLock
from arsip.schedule import CrawlScheduler, Job, crawl_command, due_times
from crawler.profiles import load_profile


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def set(self, when: str) -> None:
        self.current = datetime.fromisoformat(when)


def stub_command(tmp: Path) -> Callable[[Job], list[str]]:
    """A crawl stand-in: appends its start to runs.txt, then waits while hold.txt exists."""
    script = (
        "import pathlib, sys, time\n"
        f"tmp = pathlib.Path({str(tmp)!r})\n"
        "with (tmp / 'runs.txt').open('a') as fh: fh.write(sys.argv[1] + '\\n')\n"
        "while (tmp / 'hold.txt').exists(): time.sleep(0.02)\n"
    )

    def command(job: Job) -> list[str]:
        return [sys.executable, "-c", script, job.name]

    return command


def wait_done(scheduler: CrawlScheduler) -> None:
    deadline = time.monotonic() + 20
    while any(j.running() for j in scheduler.jobs):
        assert time.monotonic() < deadline, "stub crawl did not finish"
        time.sleep(0.02)
    scheduler.reap()


def statuses(scheduler: CrawlScheduler) -> list[tuple[str, str]]:
    return [(str(r["due"]), str(r["status"])) for r in scheduler.runlog.runs("anri")]


def make(tmp_path: Path, clock: FakeClock) -> CrawlScheduler:
    profile = replace(load_profile("anri"), schedule="*/5 * * * *")
    job = Job(profile, tmp_path / "data" / "anri")
    return CrawlScheduler(
        [job],
        tmp_path / "data",
        clock=clock,
        command=stub_command(tmp_path),
    )


def test_due_times_come_from_croniter() -> None:
    after = datetime(2024, 1, 1, 10, 0, 30)
    assert due_times("*/5 * * * *", after, datetime(2024, 1, 1, 10, 11)) == [
        datetime(2024, 1, 1, 10, 5),
        datetime(2024, 1, 1, 10, 10),
    ]


def test_two_ticks_launch_two_crawls_an_overlap_is_skipped_and_a_miss_runs_once(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2024, 1, 1, 10, 0, 30))
    runs = tmp_path / "runs.txt"
    scheduler = make(tmp_path, clock)
    scheduler.tick()  # first start: nothing retroactive
    assert not runs.exists() and statuses(scheduler) == []

    clock.set("2024-01-01T10:05:00")
    scheduler.tick()
    wait_done(scheduler)
    clock.set("2024-01-01T10:10:01")
    (tmp_path / "hold.txt").write_text("x")  # this one keeps running
    scheduler.tick()
    deadline = time.monotonic() + 20
    while len(runs.read_text().splitlines()) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert runs.read_text().splitlines() == ["anri", "anri"]

    clock.set("2024-01-01T10:15:00")
    scheduler.tick()  # the 10:10 run still runs: skipped, recorded
    (tmp_path / "hold.txt").unlink()
    wait_done(scheduler)
    assert statuses(scheduler) == [
        ("2024-01-01T10:05:00", "ok"),
        ("2024-01-01T10:10:00", "ok"),
        ("2024-01-01T10:15:00", "skipped"),
    ]
    skipped = scheduler.runlog.runs("anri")[2]
    assert "overlap" in str(skipped["note"]) and "still running" in str(skipped["note"])
    scheduler.runlog.close()

    # Down from 10:15 to 10:41: a new scheduler catches up once, not five times.
    clock.set("2024-01-01T10:41:00")
    restarted = make(tmp_path, clock)
    restarted.tick()
    wait_done(restarted)
    assert runs.read_text().splitlines() == ["anri"] * 3
    rows = restarted.runlog.runs("anri")[3:]
    assert [(r["due"], r["status"]) for r in rows] == [
        ("2024-01-01T10:35:00", "missed"),
        ("2024-01-01T10:40:00", "ok"),
    ]
    assert "4 run(s) missed" in str(rows[0]["note"]) and rows[1]["note"] == "catch-up"
    assert rows[1]["exit_code"] == 0 and Path(str(rows[1]["log"])).exists()
    restarted.tick()  # nothing more is due
    assert len(restarted.runlog.runs("anri")) == 5
    restarted.runlog.close()


def test_a_crawl_holding_the_collection_lock_elsewhere_also_skips_the_run(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2024, 1, 1, 10, 0, 30))
    scheduler = make(tmp_path, clock)
    with CrawlLock(tmp_path / "data" / "anri", "manual-crawl"):
        clock.set("2024-01-01T10:05:00")
        scheduler.tick()
    assert statuses(scheduler) == [("2024-01-01T10:05:00", "skipped")]
    assert "another crawl holds the lock" in str(scheduler.runlog.runs()[0]["note"])
    assert not (tmp_path / "runs.txt").exists()
    scheduler.runlog.close()


def test_the_real_command_crawls_the_profile_into_its_directory(tmp_path: Path) -> None:
    job = Job(load_profile("anri"), tmp_path / "anri")
    argv = crawl_command(job)
    assert argv[1:5] == ["-m", "arsip", "crawl", load_profile("anri").path]
    assert argv[5:7] == ["--out", str(tmp_path / "anri")]
    assert "--resume" not in argv
