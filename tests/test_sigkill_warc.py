"""Killing a crawl with SIGKILL leaves no WARC that fails verification after the next crawl starts.

A real ``arsip crawl`` of a slow replica (``--latency 20``) is killed with
SIGKILL once its ``.open`` WARC file holds some records. Wherever the kill
landed, the test then tears the file's tail the way a kill in the middle of
a write does (half of a gzip member), so that the repair is exercised on
every run. A second crawl into the same directory must repair the file at
start (cut back to its last whole record, renamed to its final name),
revisit what the dead crawl had captured, and leave only WARC files that
``warcio check`` accepts and that read to the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.digests import RevisitResolver
from archive.naming import WarcName
from archive.recovery import complete_prefix, iter_gzip_members
from arsip.replica_process import ReplicaProcess
from tests.conftest import BIN, REPO, Replica, read_jsonl, run_arsip

#: Whole records the killed crawl must have written before it is killed.
RECORDS_BEFORE_KILL = 12


@dataclass
class Killed:
    out: Path
    pid: int
    open_name: str
    snapshot: bytes  # the .open file as the kill left it
    kept_records: int
    kept_bytes: int  # where its last whole record ends


@pytest.fixture(scope="module")
def slow_replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    work = tmp_path_factory.mktemp("slow-replica")
    truth, log = work / "truth.jsonl", work / "replica-log.jsonl"
    with ReplicaProcess("--latency", "20", articles=20, truth=truth, log=log) as proc:
        yield Replica(proc.base_url, truth, log, 20, proc)


@pytest.fixture(scope="module")
def killed(slow_replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Killed:
    out = tmp_path_factory.mktemp("killed") / "out"
    command = ["crawl", "anri", "--start-url", slow_replica.news_url, "--out", str(out)]
    crawl = subprocess.Popen(
        [sys.executable, "-m", "arsip", *command, "--progress", "off"],
        cwd=REPO,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            opened = list((out / "warc").glob("*.warc.gz.open")) if (out / "warc").exists() else []
            if opened and complete_prefix(opened[0])[0] >= RECORDS_BEFORE_KILL:
                break
            if crawl.poll() is not None:
                err = crawl.stderr.read().decode(errors="replace") if crawl.stderr else ""
                pytest.fail(f"the crawl ended before it could be killed: {err[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("the crawl wrote too few records in 60 s")
            time.sleep(0.02)
        crawl.kill()  # SIGKILL: no signal handler, no close, no rename
        crawl.wait(timeout=10)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
        if crawl.stderr is not None:
            crawl.stderr.close()
    assert crawl.returncode == -9
    (open_path,) = (out / "warc").glob("*.warc.gz.open")
    snapshot = open_path.read_bytes()
    kept_records, kept_bytes = complete_prefix(open_path)
    # tear the tail as a kill in mid-write does: half of a copy of the last member
    with open_path.open("rb") as fh:
        members = list(iter_gzip_members(fh))
    last = next(m for m in reversed(members) if m.complete)
    torn = snapshot[last.offset : last.offset + last.length // 2]
    with open_path.open("ab") as fh:
        fh.write(torn)
    return Killed(out, crawl.pid, open_path.name, snapshot, kept_records, kept_bytes)


@pytest.fixture(scope="module")
def next_crawl(killed: Killed, slow_replica: Replica) -> list[dict[str, object]]:
    before = set((killed.out / "json").glob("*.jsonl"))
    command = ["crawl", "anri", "--start-url", slow_replica.news_url, "--out", str(killed.out)]
    result = run_arsip(*command, "--progress", "off")
    assert result.returncode == 0, result.stderr[-3000:]
    (made,) = set((killed.out / "json").glob("*.jsonl")) - before
    return read_jsonl(made)


def test_the_kill_left_an_open_file_named_for_the_dead_process(killed: Killed) -> None:
    name = WarcName.parse(killed.open_name)
    assert name is not None and name.pid == killed.pid
    assert killed.kept_records >= RECORDS_BEFORE_KILL


def test_next_crawl_leaves_no_open_file_and_finishes(
    killed: Killed, next_crawl: list[dict[str, object]]
) -> None:
    assert not list((killed.out / "warc").glob("*.open"))
    assert len(next_crawl) == 20  # every article, complete, in the new crawl's items


def test_the_killed_file_keeps_exactly_its_whole_records(
    killed: Killed, next_crawl: list[dict[str, object]]
) -> None:
    final = killed.out / "warc" / killed.open_name.removesuffix(".open")
    data = final.read_bytes()
    assert data == killed.snapshot[: killed.kept_bytes]  # nothing rewritten, torn tail cut
    assert complete_prefix(final) == (killed.kept_records, len(data))
    with final.open("rb") as fh:
        first = next(iter(ArchiveIterator(fh)))
        assert first.rec_type == "warcinfo"


def test_every_warc_passes_warcio_check_and_reads_to_the_end(
    killed: Killed, next_crawl: list[dict[str, object]]
) -> None:
    warcs = sorted((killed.out / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    check = subprocess.run(
        [str(BIN / "warcio"), "check", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    for path in warcs:
        with path.open("rb") as fh:
            members = sum(1 for _ in iter_gzip_members(fh))
        records = 0
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):  # the block as stored
                declared = int(record.rec_headers.get_header("Content-Length"))
                assert len(record.raw_stream.read()) == declared
                records += 1
        assert records == members == complete_prefix(path)[0]
        assert os.path.getsize(path) == complete_prefix(path)[1]


def test_what_the_killed_crawl_captured_is_revisited_not_fetched_again(
    killed: Killed, next_crawl: list[dict[str, object]]
) -> None:
    warcs = sorted((killed.out / "warc").glob("*.warc.gz"))
    resolver = RevisitResolver(warcs)
    dead_file = killed.open_name.removesuffix(".open")
    revisits = 0
    for path in warcs:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "revisit":
                    continue
                revisits += 1
                headers = record.rec_headers
                original = resolver.resolve(
                    refers_to=headers.get_header("WARC-Refers-To"),
                    target_uri=headers.get_header("WARC-Target-URI"),
                    payload_digest=headers.get_header("WARC-Payload-Digest"),
                )
                assert original is not None, headers.get_header("WARC-Target-URI")
                assert original["filename"] == dead_file
    assert revisits >= 1  # the digest index survived the kill and named kept records
