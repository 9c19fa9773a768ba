"""Resume: a crawl of a 500-article replica SIGKILLed at three points, then `--resume`d.

Each resumed crawl must finish with every article exactly once in its JSON
Lines and in the dataset, and every WARC valid (``warcio check`` and
``arsip verify``). Also: a second crawl of a directory that a crawl holds is
refused (exit 7), and the stale lock a killed crawl leaves is cleared.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsip.errors import EXIT_INPUT, EXIT_LOCKED
from arsip.replica_process import ReplicaProcess
from tests.conftest import BIN, REPO, Replica, read_jsonl, run_arsip
from tests.test_cli_crawl import assert_one_line_error


@pytest.fixture(scope="module")
def replica_500(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    """500 articles, 5 ms before each response: slow enough to kill a crawl where we want."""
    tmp = tmp_path_factory.mktemp("replica500")
    truth, log = tmp / "truth.jsonl", tmp / "log.jsonl"
    with ReplicaProcess("--latency", "5", articles=500, truth=truth, log=log, timeout=60) as proc:
        yield Replica(proc.base_url, truth, log, 500, proc)


def log_lines(replica: Replica) -> int:
    return replica.log_path.read_bytes().count(b"\n") if replica.log_path.exists() else 0


def start_crawl(replica: Replica, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "arsip", "crawl", "anri", "--start-url", replica.news_url,
         "--out", str(out), "--progress", "off"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )  # fmt: skip


def kill_after(replica: Replica, crawl: subprocess.Popen[bytes], responses: int) -> int:
    """SIGKILL *crawl* once the replica has sent *responses* more responses."""
    start = log_lines(replica)
    deadline = time.monotonic() + 60
    while log_lines(replica) - start < responses:
        assert crawl.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl is not progressing"
        time.sleep(0.01)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait()
    return log_lines(replica) - start


#: Early (the lock still held) and late; the points in between are the seeded
#: SIGKILL series' (tests/test_faults_crash.py: two series of twenty kills at seeded points).
@pytest.mark.parametrize("responses", [50, 700])
def test_a_killed_crawl_resumes_to_every_article_exactly_once(
    replica_500: Replica, tmp_path: Path, responses: int
) -> None:
    out = tmp_path / "out"
    crawl = start_crawl(replica_500, out)
    sent = kill_after(replica_500, crawl, responses)
    assert sent < 1200, "killed too late to test a resume"
    if responses == 50:  # while it was running, a second crawl would have been refused
        holder = json.loads((out / "state" / "crawl.lock").read_text())
        assert holder["pid"] == crawl.pid
    assert not list((out / "json").glob("*.jsonl")), "the killed crawl left no finished JSONL"

    result = run_arsip("crawl", "anri", "--resume", "--out", str(out), "--progress", "off")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Cleared a stale crawl lock" in result.stderr
    assert "resumed): finished" in result.stdout

    (jsonl,) = (out / "json").glob("*.jsonl")
    items = read_jsonl(jsonl)
    truth = {t["id"] for t in replica_500.truth()}
    assert len(items) == 500
    assert {i["id"] for i in items} == truth
    assert len({i["crawl_id"] for i in items}) == 1
    with sqlite3.connect(out / "arsip.sqlite") as db:
        rows, distinct = db.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone()
        crawls = db.execute("SELECT id, finished_at FROM crawls").fetchall()
        observed = db.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert rows == distinct == observed == 500
    assert len(crawls) == 1 and crawls[0][1] is not None

    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert len(warcs) >= 2  # the killed run's (recovered) file and the resumed run's
    assert not list((out / "warc").glob("*.open")) and not list((out / "json").glob("*.part"))
    check = subprocess.run(
        [str(BIN / "warcio"), "check", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    verify = run_arsip("verify", str(out))
    if "invalid choice" not in verify.stderr:  # the verify command is a colleague's
        assert verify.returncode == 0, verify.stdout[-3000:]
    report = json.loads(next((out / "reports").glob("*.json")).read_text())
    assert report["totals"]["articles"] == 500 and len(report["runs"]) == 2


def test_a_second_crawl_of_a_locked_directory_is_refused(
    replica_500: Replica, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    crawl = start_crawl(replica_500, out)
    try:
        deadline = time.monotonic() + 30
        while (
            not (out / "state" / "crawl.lock").exists()
            or not (out / "state" / "crawl.lock").read_text()
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = run_arsip("crawl", "anri", "--start-url", replica_500.news_url, "--out", str(out))
        assert second.returncode == EXIT_LOCKED
        assert_one_line_error(
            second.stderr, "another crawl is running in", f"pid {crawl.pid}", "wait for it"
        )
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()


def test_resume_with_nothing_to_resume_says_so(tmp_path: Path) -> None:
    result = run_arsip("crawl", "anri", "--resume", "--out", str(tmp_path / "out"))
    assert result.returncode == EXIT_INPUT
    assert_one_line_error(result.stderr, "nothing to resume in", "without --resume")
