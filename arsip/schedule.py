"""Start each profile's crawl at its cron times: the engine behind ``arsip schedule``.

`CrawlScheduler` evaluates each profile's ``schedule`` (a cron expression,
read by croniter, in the machine's local time) against an injectable
`Clock`, and starts each due crawl as a child process (``arsip crawl
PROFILE --out DATA/PROFILE``; with ``--resume`` when the output directory
holds an interrupted crawl). Rules:

- **no overlap**: a run that falls due while the profile's previous crawl
  is still running (here, or any process holding the directory's lock) is
  skipped and recorded as ``skipped`` with the reason;
- **catch up once**: the last due time of each profile is stored; after
  downtime, the missed times become one run (``catch-up``) and one
  ``missed`` record naming how many were missed;
- on the very first start nothing is run retroactively.

Every decision is a row of ``DATA/schedule.sqlite`` (table ``runs``:
profile, due time, status started/ok/failed/skipped/missed, exit code,
pid, command, log file); each run's output goes to
``DATA/PROFILE/logs/schedule-DUE.log``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

from croniter import croniter

from arsip.core.lock import read_lock
from arsip.crawling import find_interrupted
from crawler.profiles import Profile

logger = logging.getLogger(__name__)

RUNS_FILE = "schedule.sqlite"
#: Longest sleep between two looks at the clock (seconds).
MAX_SLEEP = 30.0
#: How often running children are checked while some run (seconds).
POLL = 1.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, profile TEXT NOT NULL,"
    " due TEXT NOT NULL, status TEXT NOT NULL, recorded_at TEXT NOT NULL,"
    " finished_at TEXT, exit_code INTEGER, pid INTEGER, command TEXT, log TEXT, note TEXT)",
    "CREATE TABLE IF NOT EXISTS jobs (profile TEXT PRIMARY KEY, last_due TEXT NOT NULL)",
)


class Clock(Protocol):
    """Where the scheduler gets the time and waits: tests pass a controllable one."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Local wall-clock time (naive), real sleeping."""

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


@dataclass(slots=True)
class Job:
    """One scheduled profile and its running child, if any."""

    profile: Profile
    out_dir: Path
    process: subprocess.Popen[bytes] | None = None
    run_id: int = 0
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.profile.name

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


Launcher = Callable[[Sequence[str], IO[bytes]], "subprocess.Popen[bytes]"]


def default_launcher(argv: Sequence[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start *argv* in its own process group, output to *log*."""
    return subprocess.Popen(
        list(argv),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


class RunLog:
    """``DATA/schedule.sqlite``: every run decision, and each profile's last due time."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode = WAL").fetchall()
        for statement in _SCHEMA:
            self.conn.execute(statement)

    def record(
        self, profile: str, due: datetime, status: str, now: datetime, **fields: object
    ) -> int:
        names = ["profile", "due", "status", "recorded_at", *fields]
        values = [profile, due.isoformat(), status, now.isoformat(), *fields.values()]
        cursor = self.conn.execute(
            f"INSERT INTO runs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            values,
        )
        return int(cursor.lastrowid or 0)

    def finish(self, run_id: int, code: int, now: datetime) -> None:
        status = "ok" if code == 0 else "failed"
        self.conn.execute(
            "UPDATE runs SET status = ?, exit_code = ?, finished_at = ? WHERE id = ?",
            (status, code, now.isoformat(), run_id),
        )

    def last_due(self, profile: str) -> datetime | None:
        row = self.conn.execute(
            "SELECT last_due FROM jobs WHERE profile = ?", (profile,)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def set_last_due(self, profile: str, due: datetime) -> None:
        self.conn.execute(
            "INSERT INTO jobs (profile, last_due) VALUES (?, ?) ON CONFLICT (profile)"
            " DO UPDATE SET last_due = excluded.last_due",
            (profile, due.isoformat()),
        )

    def runs(self, profile: str | None = None) -> list[dict[str, object]]:
        sql = "SELECT * FROM runs" + (" WHERE profile = ?" if profile else "") + " ORDER BY id"
        return [dict(r) for r in self.conn.execute(sql, (profile,) if profile else ())]

    def close(self) -> None:
        self.conn.close()


def due_times(expression: str, after: datetime, until: datetime) -> list[datetime]:
    """Cron times of *expression* in ``(after, until]``, oldest first."""
    found: list[datetime] = []
    it = croniter(expression, after)
    while True:
        nxt: datetime = it.get_next(datetime)
        if nxt > until:
            return found
        found.append(nxt)


class CrawlScheduler:
    """Starts crawls at their profiles' cron times (see the module docstring)."""

    def __init__(
        self,
        jobs: Sequence[Job],
        data_dir: Path,
        *,
        clock: Clock | None = None,
        launcher: Launcher = default_launcher,
        command: Callable[[Job], list[str]] | None = None,
    ) -> None:
        self.jobs = list(jobs)
        self.data_dir = data_dir
        self.clock: Clock = clock or SystemClock()
        self.launcher = launcher
        self.command = command or crawl_command
        self.runlog = RunLog(data_dir / RUNS_FILE)
        self.stopping = False
        now = self.clock.now()
        for job in self.jobs:
            if self.runlog.last_due(job.name) is None:
                self.runlog.set_last_due(job.name, now)  # first start: nothing retroactive

    def reap(self) -> None:
        """Record the end of every child that has exited."""
        for job in self.jobs:
            if job.process is None or job.process.poll() is None:
                continue
            code = int(job.process.returncode)
            self.runlog.finish(job.run_id, code, self.clock.now())
            logger.info("%s: crawl finished with exit code %d", job.name, code)
            if job.log is not None:
                job.log.close()
            job.process, job.log = None, None

    def tick(self) -> None:
        """Reap finished children, then start (or skip) every run that is due now."""
        self.reap()
        now = self.clock.now()
        for job in self.jobs:
            last = self.runlog.last_due(job.name) or now
            due = due_times(job.profile.schedule, last, now)
            if not due:
                continue
            self.runlog.set_last_due(job.name, due[-1])
            if len(due) > 1:
                self.runlog.record(
                    job.name,
                    due[-2],
                    "missed",
                    now,
                    note=f"{len(due) - 1} run(s) missed while the scheduler was not running "
                    f"({due[0].isoformat()} .. {due[-2].isoformat()}); caught up once",
                )
            self._start(job, due[-1], now, catch_up=len(due) > 1)

    def _start(self, job: Job, due: datetime, now: datetime, *, catch_up: bool) -> None:
        holder = read_lock(job.out_dir)
        if job.running() or holder is not None:
            why = (
                f"the previous run (pid {job.process.pid}) is still running"
                if job.running() and job.process is not None
                else f"another crawl holds the lock (pid {holder.get('pid') if holder else '?'})"
            )
            self.runlog.record(job.name, due, "skipped", now, note=f"overlap: {why}")
            logger.warning("%s: run due %s skipped: %s", job.name, due, why)
            return
        argv = self.command(job)
        logs = job.out_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"schedule-{due:%Y%m%dT%H%M}.log"
        job.log = log_path.open("ab")
        job.process = self.launcher(argv, job.log)
        job.run_id = self.runlog.record(
            job.name,
            due,
            "started",
            now,
            pid=job.process.pid,
            command=" ".join(argv),
            log=str(log_path),
            note="catch-up" if catch_up else None,
        )
        logger.info("%s: started crawl (pid %d) due %s", job.name, job.process.pid, due)

    def next_due(self) -> datetime | None:
        now = self.clock.now()
        times = [croniter(j.profile.schedule, now).get_next(datetime) for j in self.jobs]
        return min(times) if times else None

    def run_forever(self) -> None:
        """Tick at every due time until `stop` (SIGTERM / SIGINT in the CLI)."""
        while not self.stopping:
            self.tick()
            nxt = self.next_due()
            wait = MAX_SLEEP if nxt is None else (nxt - self.clock.now()).total_seconds()
            if any(j.running() for j in self.jobs):
                wait = min(wait, POLL)
            self.clock.sleep(min(max(wait, 0.05), MAX_SLEEP))
        self.shutdown()

    def stop(self) -> None:
        self.stopping = True

    def shutdown(self, grace: float = 60.0, *, terminate: bool = True) -> None:
        """Stop running crawls cleanly (SIGTERM: they can be resumed) or, with
        *terminate* False, wait for them; record how they ended."""
        if terminate:
            for job in self.jobs:
                if job.running() and job.process is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(job.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for job in self.jobs:
            if job.process is not None:
                try:
                    job.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    job.process.kill()
                    job.process.wait()
        self.reap()
        self.runlog.close()


def crawl_command(job: Job) -> list[str]:
    """``arsip crawl PROFILE --out DIR`` (``--resume`` when an interrupted crawl is there)."""
    argv = [sys.executable, "-m", "arsip", "crawl", job.profile.path or job.name]
    argv += ["--out", str(job.out_dir), "--progress", "log"]
    if job.out_dir.exists() and find_interrupted(job.out_dir) is not None:
        argv.append("--resume")
    return argv


def jobs_for(profiles: Sequence[Profile], data_dir: Path) -> list[Job]:
    """One job per profile that has a ``schedule``."""
    return [Job(p, data_dir / p.name) for p in profiles if p.schedule]


__all__ = [
    "Clock",
    "CrawlScheduler",
    "Job",
    "RunLog",
    "SystemClock",
    "crawl_command",
    "due_times",
    "jobs_for",
]
