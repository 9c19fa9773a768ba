"""Shared fixtures: paths, the replica site as a real child process, CLI runs.

Nothing here touches the internet: the replica listens on 127.0.0.1, port 0.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from arsip.demosite.flavors import flavor_names, heldout_names
from arsip.replica_process import ReplicaProcess

REPO = Path(__file__).resolve().parents[1]
#: The real-world corpus (third-party pages, dates, WARC/ARC files), copied
#: unchanged into the repository with its SOURCES.md and licences.
CORPUS = REPO / "tests" / "corpus"
#: The real-world development set (pages collected for issue 14, split into a
#: development and a held-out half by site; see its SOURCES.md).
CORPUS_DEV = REPO / "tests" / "corpus_dev"
#: Where the development set's page.html files are: they are third-party pages
#: fetched from public repositories, which stay out of commits until they are
#: placed in the steering repository's shared corpus (tests/corpus_dev/SOURCES.md
#: lists each one); ARSIP_CORPUS_DEV_PAGES names a folder holding them
#: (FOLDER/<page>/page.html), else tests/corpus_dev itself.
CORPUS_DEV_PAGES = Path(os.environ.get("ARSIP_CORPUS_DEV_PAGES") or CORPUS_DEV)


def corpus_dev_pages_missing() -> str | None:
    """Why the development set's pages cannot be scored here, or None when they can."""
    split = json.loads((CORPUS_DEV / "split.json").read_text(encoding="utf-8"))
    missing = [f for f in split if not (CORPUS_DEV_PAGES / f / "page.html").is_file()]
    if not missing:
        return None
    return (
        f"{len(missing)} of {len(split)} development-set pages are not in {CORPUS_DEV_PAGES} "
        "(fetched third-party pages stay out of commits; set ARSIP_CORPUS_DEV_PAGES to a "
        "folder holding them, see tests/corpus_dev/SOURCES.md)"
    )


FIXTURES = REPO / "tests" / "fixtures"
BIN = Path(sys.executable).parent
#: Every replica flavor but the default ANRI one (`arsip demo-site --flavor NAME`).
FLAVORS: tuple[str, ...] = tuple(flavor_names()[1:])
#: Held-out flavors: never in FLAVORS, so no rule is tuned on them (test_zero_config_heldout.py).
HELDOUT_FLAVORS: tuple[str, ...] = tuple(heldout_names())
#: Hand-written profiles of the flavors (tests/data/flavors/NAME.toml).
FLAVOR_PROFILES = REPO / "tests" / "data" / "flavors"

#: Lines of the quality gate, printed at the end of the run (see pytest_terminal_summary).
QUALITY_LINES: list[str] = []


def report_quality(line: str) -> None:
    """Record a quality-gate score line so the run prints it, whatever the verbosity."""
    QUALITY_LINES.append(line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Close the run with the quality gate, then every skipped test by name.

    A skipped test is a behaviour not proved (a real component such as
    redis-server or chromium was missing): the run says so in its last lines
    instead of passing silently.
    """
    if QUALITY_LINES:
        terminalreporter.section("quality gate")
        for line in QUALITY_LINES:
            terminalreporter.write_line(line)
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.section(f"{len(skipped)} tests NOT run (what they prove was not tested)")
        for report in skipped:
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {reason}")


def run_arsip(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real `arsip` command in a child process."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "arsip", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=timeout,
        check=False,
    )


def run_python(script: str) -> str:
    """Run *script* in a fresh interpreter in the repository; its stdout (it must exit 0)."""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Replica:
    """A running replica site with its ground truth and response log."""

    base_url: str
    truth_path: Path
    log_path: Path
    articles: int
    process: ReplicaProcess = field(repr=False)

    @property
    def news_url(self) -> str:
        return self.base_url.rstrip("/") + "/publikasi/berita"

    def truth(self) -> list[dict[str, Any]]:
        return read_jsonl(self.truth_path)

    def log(self) -> list[dict[str, Any]]:
        return read_jsonl(self.log_path) if self.log_path.exists() else []


def start_replica(tmp: Path, articles: int, **kwargs: Any) -> Iterator[Replica]:
    truth = tmp / "truth.jsonl"
    log = tmp / "replica-log.jsonl"
    with ReplicaProcess(articles=articles, truth=truth, log=log, **kwargs) as proc:
        yield Replica(proc.base_url, truth, log, articles, proc)


@pytest.fixture(scope="session")
def replica_120(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    """The 120-article replica of the spine issue, shared by the end-to-end tests."""
    yield from start_replica(tmp_path_factory.mktemp("replica120"), 120)


@dataclass
class FlavorSite:
    """A running replica flavor: its truth, page map (``--pages``) and response log.

    The log is shared by every test that uses the same flavor in a session:
    take ``len(site.log())`` before a crawl and look at what came after.
    """

    flavor: str
    base_url: str
    truth_path: Path
    pages_path: Path
    log_path: Path
    articles: int
    process: ReplicaProcess = field(repr=False)

    def page_map(self) -> dict[str, Any]:
        """section, start_url, listings, articles, other_pages, traps (absolute URLs)."""
        with self.pages_path.open(encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
        return data

    @property
    def start_url(self) -> str:
        """The news section's first listing page."""
        return str(self.page_map()["start_url"])

    @property
    def section(self) -> str:
        return str(self.page_map()["section"])

    @property
    def profile(self) -> Path:
        """The hand-written profile of this flavor (listing / article URL patterns)."""
        return FLAVOR_PROFILES / f"{self.flavor}.toml"

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def truth(self) -> list[dict[str, Any]]:
        return read_jsonl(self.truth_path)

    def log(self) -> list[dict[str, Any]]:
        return read_jsonl(self.log_path) if self.log_path.exists() else []


@pytest.fixture(scope="session")
def flavor_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., FlavorSite]]:
    """``flavor_site(name, articles=35, epoch=0, seed=1)``: that flavor of the replica,
    running as a real `arsip demo-site --flavor NAME` child on 127.0.0.1 port 0.

    Started on first use and shared for the session (one process per argument set).
    """
    started: dict[tuple[str, int, int, int], FlavorSite] = {}
    with contextlib.ExitStack() as stack:

        def start(name: str, articles: int = 35, epoch: int = 0, seed: int = 1) -> FlavorSite:
            key = (name, articles, epoch, seed)
            if key not in started:
                tmp = tmp_path_factory.mktemp(f"flavor-{name}")
                paths = (tmp / "truth.jsonl", tmp / "pages.json", tmp / "replica-log.jsonl")
                process = ReplicaProcess(
                    articles=articles,
                    epoch=epoch,
                    seed=seed,
                    truth=paths[0],
                    pages=paths[1],
                    log=paths[2],
                    flavor=name,
                )
                stack.enter_context(process)
                started[key] = FlavorSite(name, process.base_url, *paths, articles, process)
            return started[key]

        yield start
