"""What every measure shares: the result table, the run context, timing helpers.

A measure is a function ``measure(ctx: Context) -> Table``. A `Table` holds
rows (one figure per column: arsip's, the peer's, their ratio), the target
and whether it is met, plus notes (how it was measured) and, for missed
targets, what bounds them (`Table.bounds`: profiles, top functions).
"""

from __future__ import annotations

import importlib.util
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
NOT_INSTALLED = "peer not installed"


@dataclass(slots=True)
class Row:
    """One line of a table: the metric, one string per column, the target and its verdict."""

    metric: str
    values: dict[str, str]
    target: str = ""
    met: bool | None = None  # None: no target, or it could not be judged


@dataclass(slots=True)
class Table:
    """The result of one measure."""

    name: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)  # what bounds a missed target
    seconds: float = 0.0  # how long the measure took
    data: dict[str, Any] = field(default_factory=dict)  # raw figures (for other measures, JSON)
    ratio_column: str = ""  # the column the summary shows as the ratio (default: the last)

    def add(self, metric: str, target: str = "", met: bool | None = None, **values: str) -> Row:
        row = Row(metric, {k.replace("_", " "): v for k, v in values.items()}, target, met)
        self.rows.append(row)
        return row

    def row(
        self, metric: str, values: Sequence[str], target: str = "", met: bool | None = None
    ) -> Row:
        """A row with *values* in column order."""
        row = Row(metric, dict(zip(self.columns, values, strict=True)), target, met)
        self.rows.append(row)
        return row

    @property
    def missed(self) -> list[Row]:
        return [r for r in self.rows if r.met is False]


@dataclass(slots=True)
class Context:
    """How big, how often, and where: shared by every measure of one run."""

    quick: bool
    work: Path  # a temporary directory, removed after the run
    profile: bool = True  # profile missed targets (py-spy, -X importtime)
    budget: float = 570.0  # seconds the whole run may take (make bench: 10 minutes)
    aeb: Path | None = None  # a checkout of scrapinghub/article-extraction-benchmark (measure 8)
    results: dict[str, Table] = field(default_factory=dict)  # tables measured so far
    started: float = field(default_factory=time.monotonic)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    @property
    def repeats(self) -> int:
        return 1 if self.quick else 3

    def remaining(self) -> float:
        """Seconds left of the run's budget."""
        return self.budget - (time.monotonic() - self.started)

    def log(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[bench {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)

    def dir(self, name: str) -> Path:
        path = self.work / name
        path.mkdir(parents=True, exist_ok=True)
        return path


# -- numbers -------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def fmt_ratio(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000
    if ms < 1:
        return f"{ms * 1000:.1f} µs"
    return f"{ms:.2f} ms" if ms < 100 else f"{ms:.0f} ms"


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1%}"


def fmt_bytes(n_bytes: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}"
    return f"{n_bytes:.0f} B"


def cpu_timed(fn: Callable[[], object], repeats: int) -> list[float]:
    """CPU seconds of this process (all threads) for each of *repeats* calls of *fn*.

    CPU time rather than wall time: the machine is shared, and another
    process taking a core does not make our code slower.
    """
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return times


def installed(module: str) -> bool:
    """Whether *module* can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


# -- child processes -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildRun:
    """A finished child process: exit code, wall time and its own rusage."""

    returncode: int
    wall: float
    cpu: float  # user + system seconds of the child (and the children it waited for)
    maxrss_kb: int  # peak resident set size (Linux: KiB)
    stdout: str
    stderr: str
    rss: tuple[tuple[float, int], ...] = ()  # (seconds since start, RSS KiB), if sampled


def _rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _sample_rss(
    pid: int, started: float, every: float, out: list[tuple[float, int]], done: threading.Event
) -> None:
    while not done.wait(every):
        kb = _rss_kb(pid)
        if kb is not None:
            out.append((time.monotonic() - started, kb))


def run_child(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600.0,
    out_dir: Path,
    name: str = "child",
    rss_every: float = 0.0,
) -> ChildRun:
    """Run *argv* to completion and return its wall time and rusage (os.wait4 on its pid).

    Output goes to files (no pipe to fill up); ``ru_maxrss`` and the CPU
    times are those of this child alone, not of every child of the harness.
    With *rss_every* > 0, the child's RSS is also sampled that often (a timeline).
    """
    out_path, err_path = out_dir / f"{name}.out", out_dir / f"{name}.err"
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd or ROOT,
            env=full_env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        killer = threading.Timer(timeout, proc.kill)  # a hung child must not hang the run
        killer.start()
        timeline: list[tuple[float, int]] = []
        done = threading.Event()
        if rss_every > 0:
            sampler = threading.Thread(
                target=_sample_rss,
                args=(proc.pid, started, rss_every, timeline, done),
                daemon=True,
            )
            sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            done.set()
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        returncode=proc.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        maxrss_kb=usage.ru_maxrss,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        rss=tuple(timeline),
    )


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (/proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
