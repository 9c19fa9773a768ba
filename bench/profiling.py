"""Profile what bounds a missed target: py-spy on a child process, summarised as text.

`pyspy(argv, ...)` runs *argv* under ``py-spy record --format raw`` (folded
stacks, idle threads left out, so samples approximate CPU time) and returns
a `Samples`; `Samples.top_self` lists the functions where the time is spent,
`Samples.shares` splits it between the project's components and the
libraries under them.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import ROOT, ChildRun, run_child
from bench.sites import find_binary

_FRAME_RE = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")

#: Components of a crawl, matched on the frame's file path (first match wins).
CRAWL_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("extraction", "/crawler/extract/"),
    ("WARC writing (capture middleware, archive/, warcio)", "/crawler/middlewares/warc_capture"),
    ("WARC writing (capture middleware, archive/, warcio)", "/archive/"),
    ("WARC writing (capture middleware, archive/, warcio)", "/warcio/"),
    ("conditional requests", "/crawler/middlewares/conditional"),
    ("frontier, report, incremental", "/crawler/frontier"),
    ("frontier, report, incremental", "/crawler/scheduler"),
    ("frontier, report, incremental", "/crawler/extensions/"),
    ("frontier, report, incremental", "/crawler/incremental"),
    ("pipelines (validate, JSON Lines, dataset)", "/pipelines/"),
    ("pipelines (validate, JSON Lines, dataset)", "/jsonschema/"),
    ("spider (links, requisites)", "/crawler/spiders/"),
)
#: Project code (for "project functions by inclusive time").
PROJECT = ("/crawler/", "/pipelines/", "/archive/", "/arsip/")
#: Leaf frames of threads that wait (py-spy does not always see them as idle).
_IDLE_LEAVES = ("Condition.wait ", "Event.wait ", "Thread._wait_for_tstate_lock ")


@dataclass(slots=True)
class Samples:
    """Folded stacks from py-spy: (frames, root first) -> sample count."""

    stacks: Counter[tuple[str, ...]] = field(default_factory=Counter)
    run: ChildRun | None = None

    @property
    def total(self) -> int:
        return sum(self.stacks.values())

    def top_self(self, n: int = 12, *, include: str = "") -> list[tuple[str, float]]:
        """The *n* frames with the most self samples (share of all samples)."""
        counts: Counter[str] = Counter()
        for stack, count in self.stacks.items():
            if stack and include in stack[-1]:
                counts[_short(stack[-1])] += count
        total = self.total or 1
        return [(name, c / total) for name, c in counts.most_common(n)]

    def top_inclusive(
        self,
        n: int = 12,
        *,
        include: Sequence[str] = ("",),
        frame_prefix: str = "",
        project_only: bool = False,
    ) -> list[tuple[str, float]]:
        """The *n* frames present in most samples: frames whose text starts with
        *frame_prefix* and whose file path contains one of *include* (and, with
        *project_only*, is not in site-packages). Entry points found in nearly every
        sample (run_crawl, the reactor) are left out: they say nothing."""
        counts: Counter[str] = Counter()
        for stack, count in self.stacks.items():
            chosen = {
                _short(f)
                for f in stack
                if f.startswith(frame_prefix)
                and any(i in f for i in include)
                and not (project_only and "site-packages" in f)
            }
            for frame in chosen:
                counts[frame] += count
        total = self.total or 1
        return [(k, c / total) for k, c in counts.most_common() if c < 0.95 * total][:n]

    def without(self, needle: str) -> Samples:
        """These samples minus the stacks with a frame containing *needle*."""
        kept = Counter(
            {stack: c for stack, c in self.stacks.items() if not any(needle in f for f in stack)}
        )
        return Samples(kept, self.run)

    def share_with(self, needle: str) -> float:
        """Share of samples with a frame containing *needle*."""
        hits = sum(c for stack, c in self.stacks.items() if any(needle in f for f in stack))
        return hits / (self.total or 1)

    def shares(self, components: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
        """Share of samples per component: a sample counts for the innermost component
        frame on its stack (so extraction calling lxml counts as extraction)."""
        counts: Counter[str] = Counter()
        for stack, count in self.stacks.items():
            label = "Scrapy, Twisted and the rest"
            for frame in reversed(stack):
                found = next((name for name, needle in components if needle in frame), None)
                if found:
                    label = found
                    break
            counts[label] += count
        total = self.total or 1
        return [(name, c / total) for name, c in counts.most_common()]


def _short(frame: str) -> str:
    """``func (path/to/site-packages/pkg/mod.py:12)`` -> ``func (pkg/mod.py:12)``."""
    m = _FRAME_RE.match(frame)
    if not m:
        return frame
    path = m["file"]
    for marker in ("site-packages/", f"{ROOT}/", "python3.11/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    line = f":{m['line']}" if m["line"] else ""
    return f"{m['func']} ({path}{line})"


def parse_raw(text: str) -> Counter[tuple[str, ...]]:
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in text.splitlines():
        head, _, count = line.rpartition(" ")
        if not head or not count.isdigit():
            continue
        frames = tuple(head.split(";"))
        if frames[-1].startswith(_IDLE_LEAVES):
            continue
        stacks[frames] += int(count)
    return stacks


def available() -> bool:
    return _pyspy() is not None


def _pyspy() -> str | None:
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else find_binary("py-spy")


def pyspy(
    argv: Sequence[str], out_dir: Path, name: str, *, rate: int = 250, by_function: bool = True
) -> Samples:
    """Run *argv* under py-spy; raise RuntimeError when py-spy is missing or fails."""
    binary = _pyspy()
    if binary is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    raw = out_dir / f"{name}.pyspy.txt"
    options = ["--nolineno"] if by_function else []
    run = run_child(
        [binary, "record", "--format", "raw", "--full-filenames", "--rate", str(rate),
         *options, "--output", str(raw), "--", *argv],
        out_dir=out_dir, name=f"{name}-pyspy",
    )  # fmt: skip
    if not raw.exists():
        raise RuntimeError(f"py-spy wrote nothing: {run.stderr.strip()[-200:]}")
    return Samples(parse_raw(raw.read_text(encoding="utf-8", errors="replace")), run)


def describe(
    samples: Samples,
    *,
    components: Sequence[tuple[str, str]] = (),
    n: int = 10,
    cpu_seconds: float | None = None,
) -> list[str]:
    """Markdown lines: component shares (in CPU seconds when *cpu_seconds* is given)
    and the top self-time functions."""
    lines = [f"py-spy, {samples.total} samples (≈ CPU time; waiting threads left out):"]
    if components:
        parts = ", ".join(
            f"{name} {share:.0%}" + (f" ≈ {share * cpu_seconds:.1f} s" if cpu_seconds else "")
            for name, share in samples.shares(components)
        )
        lines.append(f"- where the time goes: {parts}")
    lines.append("- top functions by self time: " + "; ".join(
        f"`{name}` {share:.1%}" for name, share in samples.top_self(n)
    ))  # fmt: skip
    return lines
