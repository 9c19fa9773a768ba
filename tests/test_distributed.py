"""Distributed crawling: two workers, one real ``redis-server``, a 300-article replica.

The replica's ground truth and its log of every response it sent are the
oracles: together the workers capture every page exactly once (robots.txt
included: it is shared through Redis), ``arsip ingest`` merges their
directories into a collection whose dataset equals the ground truth and
which ``arsip verify`` passes; a worker SIGKILLed mid-crawl loses nothing
(its leases go back to the queue and the other worker finishes the crawl).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from arsip.core.lock import CrawlLock
from arsip.errors import EXIT_CONFIG, EXIT_INPUT, EXIT_LOCKED, EXIT_USAGE
from crawler.distributed import connect
from crawler.distributed.politeness import HostSlots
from crawler.extract.model import EXTRACTED_FIELDS
from pipelines.db import Dataset
from tests.conftest import REPO, Replica, read_jsonl, run_arsip, start_replica
from tests.servers import REDIS_MISSING, REDIS_SERVER, RedisServer, redis_server
from tests.test_cli_crawl import assert_one_line_error
from tests.test_e2e_crawl import warc_responses

pytestmark = [
    pytest.mark.skipif(REDIS_SERVER is None, reason=REDIS_MISSING),
    pytest.mark.skipif(
        importlib.util.find_spec("scrapy_redis") is None,
        reason="SCRAPY-REDIS IS NOT INSTALLED: pip install 'arsip[distributed]'; "
        "distributed crawling was NOT tested",
    ),
]

ARTICLES = 300


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def replica_300(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    yield from start_replica(tmp_path_factory.mktemp("replica300"), ARTICLES)


def worker(replica: Replica, out: Path, redis_url: str) -> subprocess.Popen[str]:
    """`arsip crawl anri --redis URL` as a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "arsip", "crawl", "anri", "--start-url", replica.news_url,
         "--out", str(out), "--redis", redis_url, "--progress", "off", "--log-level", "INFO"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )  # fmt: skip


def scrapy_worker(
    replica: Replica, out: Path, redis_url: str, lease_ttl: float, log: Path
) -> subprocess.Popen[bytes]:
    """The same worker the Scrapy way (``scrapy crawl news -s REDIS_URL=...``), logging to *log*."""
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "scrapy"), "crawl", "news",
             "-a", "profile=anri", "-a", f"start_url={replica.news_url}",
             "-s", f"ARSIP_OUT_DIR={out}", "-s", f"REDIS_URL={redis_url}",
             "-s", f"DISTRIBUTED_LEASE_TTL={lease_ttl}", "-s", "ARSIP_PROGRESS=off",
             "-s", "LOG_LEVEL=INFO"],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )  # fmt: skip


def finish(proc: subprocess.Popen[str], timeout: float = 180) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def log_lines(replica: Replica) -> int:
    return replica.log_path.read_bytes().count(b"\n") if replica.log_path.exists() else 0


def responses_in(out: Path) -> int:
    """Responses a worker has recorded so far (its state file; 0 before it has one)."""
    for path in (out / "state").glob("2*.sqlite"):
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
                return int(conn.execute("SELECT count(*) FROM responses").fetchone()[0])
        except sqlite3.Error:
            return 0
    return 0


def redis_client(server: RedisServer, db: int) -> Any:
    return connect(server.url(db))


@dataclass
class Run:
    workers: list[Path]
    collection: Path
    codes: list[int]
    outputs: list[str]
    log: list[dict[str, Any]]
    ingest: subprocess.CompletedProcess[str]
    seconds: float


def articles_of(collection: Path) -> dict[str, dict[str, Any]]:
    with Dataset(collection / "arsip.sqlite") as dataset:
        ids = [row[0] for row in dataset.conn.execute("SELECT id FROM articles")]
        found = {i: dataset.get(i) for i in ids}
    return {i: item for i, item in found.items() if item is not None}


def assert_equals_truth(collection: Path, replica: Replica) -> None:
    truth = {t["id"]: t for t in replica.truth()}
    assert len(truth) == ARTICLES
    articles = articles_of(collection)
    assert set(articles) == set(truth)
    wrong = [
        f"{item['url']} {name}: got {item[name]!r}, want {truth[i][name]!r}"
        for i, item in articles.items()
        for name in EXTRACTED_FIELDS
        if item[name] != truth[i][name]
    ]
    assert not wrong, f"{len(wrong)} wrong fields, e.g.:\n" + "\n".join(wrong[:10])


# -- two workers ------------------------------------------------------------


@pytest.fixture(scope="module")
def two(replica_300: Replica, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("two")
    dirs = [tmp / "worker-a", tmp / "worker-b"]
    before = log_lines(replica_300)
    started = time.monotonic()
    procs = [worker(replica_300, out, redis.url(0)) for out in dirs]
    results = [finish(p) for p in procs]
    seconds = time.monotonic() - started
    log = replica_300.log()[before:]
    collection = tmp / "collection"
    ingest = run_arsip("ingest", *map(str, dirs), "--out", str(collection))
    return Run(
        dirs,
        collection,
        [code for code, _, _ in results],
        [out + err[-3000:] for _, out, err in results],
        log,
        ingest,
        seconds,
    )


def test_two_workers_finish_cleanly_and_share_the_work(two: Run) -> None:
    assert two.codes == [0, 0], "\n".join(two.outputs)
    for out in two.workers:
        lines = read_jsonl(next((out / "json").glob("*.jsonl")))
        assert len(lines) > 10, f"{out} did almost nothing: the work was not shared"
    crawl_ids = {next((out / "json").glob("*.jsonl")).stem for out in two.workers}
    assert len(crawl_ids) == 1, "both workers must work on the same crawl"


def test_no_url_is_fetched_twice_and_every_page_is_captured(two: Run, replica_300: Replica) -> None:
    sent = Counter((e["method"], e["path"]) for e in two.log)
    twice = [key for key, n in sent.items() if n > 1]
    assert not twice, f"fetched more than once: {twice[:10]}"
    assert sent[("GET", "/robots.txt")] == 1, "robots.txt is fetched once for all workers"
    base = replica_300.base_url.rstrip("/")

    archived = Counter((r["uri"], r["status"], r["sha1"]) for r in warc_responses(two.collection))
    wanted = Counter((base + e["path"], e["status"], e["sha1"]) for e in two.log)
    assert archived == wanted, (
        f"missing from the WARCs: {list(wanted - archived)[:5]}; "
        f"not sent by the replica: {list(archived - wanted)[:5]}"
    )


def test_merged_dataset_equals_the_ground_truth(two: Run, replica_300: Replica) -> None:
    assert two.ingest.returncode == 0, two.ingest.stderr
    assert f"{ARTICLES} articles from 2 worker(s)" in two.ingest.stdout, two.ingest.stdout
    assert_equals_truth(two.collection, replica_300)
    merged = read_jsonl(next((two.collection / "json").glob("*.jsonl")))
    assert len(merged) == ARTICLES == len({i["id"] for i in merged})


def test_merged_collection_passes_verify(two: Run) -> None:
    result = run_arsip("verify", str(two.collection))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "OK" in result.stdout.splitlines()[-1]


def test_ingesting_again_changes_nothing(two: Run) -> None:
    index = (two.collection / "indexes" / "index.cdxj").read_bytes()
    again = run_arsip("ingest", *map(str, two.workers), "--out", str(two.collection))
    assert again.returncode == 0, again.stderr
    assert "WARC files  0 added" in again.stdout, again.stdout
    assert f"{ARTICLES} unchanged" in again.stdout, again.stdout
    assert (two.collection / "indexes" / "index.cdxj").read_bytes() == index


def test_the_finished_crawl_leaves_only_its_record_in_redis(two: Run, redis: RedisServer) -> None:
    client = redis_client(redis, 0)
    info = {k.decode(): v.decode() for k, v in client.hgetall("arsip:anri:crawl").items()}
    assert info["status"] == "finished"
    crawl_id = info["id"]
    leftovers = sorted(
        k.decode() for k in client.keys(f"arsip:anri:{crawl_id}:*") if not k.endswith(b":stats")
    )
    assert leftovers == [], leftovers
    assert client.keys("arsip:host:*:slot:*") == [], "every politeness slot was given back"
    stats = {k.decode(): int(v) for k, v in client.hgetall(f"arsip:anri:{crawl_id}:stats").items()}
    assert stats["popped"] == stats["done"], stats
    assert stats.get("reaped", 0) == 0


# -- a worker killed --------------------------------------------------------


@pytest.fixture(scope="module")
def killed(
    replica_300: Replica, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Run:
    tmp = tmp_path_factory.mktemp("killed")
    victim_dir, survivor_dir = tmp / "victim", tmp / "survivor"
    url = redis.url(1)
    before = log_lines(replica_300)
    started = time.monotonic()
    victim_log = tmp / "victim.log"
    victim = scrapy_worker(replica_300, victim_dir, url, lease_ttl=2.0, log=victim_log)
    survivor = worker(replica_300, survivor_dir, url)
    deadline = time.monotonic() + 90
    while responses_in(victim_dir) < 60:
        assert victim.poll() is None, f"the victim ended early: {victim_log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "the victim is not progressing"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    code, out, err = finish(survivor)
    seconds = time.monotonic() - started
    log = replica_300.log()[before:]
    collection = tmp / "collection"
    ingest = run_arsip("ingest", str(victim_dir), str(survivor_dir), "--out", str(collection))
    return Run(
        [victim_dir, survivor_dir],
        collection,
        [-signal.SIGKILL, code],
        [out + err[-3000:]],
        log,
        ingest,
        seconds,
    )


def test_the_survivor_finishes_the_frontier_of_a_killed_worker(
    killed: Run, redis: RedisServer
) -> None:
    assert killed.codes[1] == 0, killed.outputs[0]
    victim = killed.workers[0]
    assert list((victim / "warc").glob("*.open")), "the victim was killed while writing"
    client = redis_client(redis, 1)
    info = {k.decode(): v.decode() for k, v in client.hgetall("arsip:anri:crawl").items()}
    assert info["status"] == "finished"
    stats = {
        k.decode(): int(v) for k, v in client.hgetall(f"arsip:anri:{info['id']}:stats").items()
    }
    assert stats.get("reaped", 0) >= 1, f"the victim's in-flight requests were re-queued: {stats}"


def test_nothing_is_lost_and_nothing_doubled_after_a_kill(
    killed: Run, replica_300: Replica
) -> None:
    assert killed.ingest.returncode == 0, killed.ingest.stderr
    assert "0 recovered from .open" not in killed.ingest.stdout, killed.ingest.stdout
    assert_equals_truth(killed.collection, replica_300)
    crawl_file = next((killed.collection / "json").glob("*.jsonl"))
    merged = read_jsonl(crawl_file)
    assert len(merged) == ARTICLES == len({i["id"] for i in merged})
    with sqlite3.connect(killed.collection / "arsip.sqlite") as conn:
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT article_id) FROM observations WHERE crawl_id = ?",
            (crawl_file.stem,),
        ).fetchone()
    assert tuple(rows) == (ARTICLES, ARTICLES)
    result = run_arsip("verify", str(killed.collection))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


# -- pieces and errors ------------------------------------------------------


def test_host_slots_hold_the_limit_across_clients_and_free_on_release(
    redis: RedisServer,
) -> None:
    first, second = (HostSlots(redis_client(redis, 2), "test:host", 10_000) for _ in range(2))
    a, _ = first.try_acquire("example.org", "a", 2, 0.0)
    b, _ = second.try_acquire("example.org", "b", 2, 0.0)
    c, _ = second.try_acquire("example.org", "c", 2, 0.0)
    assert a is not None and b is not None and a != b
    assert c is None, "a third download to a host limited to 2 must wait"
    assert not second.release(a, "b"), "only the holder's token frees a slot"
    assert first.release(a, "a")
    c, _ = second.try_acquire("example.org", "c", 2, 0.0)
    assert c == a
    other, _ = first.try_acquire("other.example", "d", 2, 0.0)
    assert other is not None, "slots are per host"


def test_host_delay_gate_spaces_downloads_across_clients(redis: RedisServer) -> None:
    first, second = (HostSlots(redis_client(redis, 3), "test:host", 10_000) for _ in range(2))
    slot, _ = first.try_acquire("slow.example", "a", 4, 0.5)
    assert slot is not None
    first.release(slot, "a")
    blocked, wait = second.try_acquire("slow.example", "b", 4, 0.5)
    assert blocked is None and 0.3 < wait <= 0.5
    time.sleep(wait + 0.05)
    slot, _ = second.try_acquire("slow.example", "b", 4, 0.5)
    assert slot is not None


def test_unreachable_redis_is_one_line_and_exit_3(tmp_path: Path) -> None:
    result = run_arsip(
        "crawl", "anri", "--start-url", "http://127.0.0.1:9/publikasi/berita",
        "--out", str(tmp_path / "w"), "--redis", "redis://127.0.0.1:1/0",
    )  # fmt: skip
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, "cannot reach Redis at redis://127.0.0.1:1/0")
    assert not (tmp_path / "w").exists()


def test_without_scrapy_redis_the_error_says_which_extra_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['scrapy_redis'] = None; from arsip.cli import main; "
        f"sys.exit(main(['crawl', 'anri', '--out', {str(tmp_path / 'w')!r}, "
        "'--redis', 'redis://127.0.0.1:1/0']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, "needs scrapy-redis", "pip install 'arsip[distributed]'")
    assert not (tmp_path / "w").exists()


def test_a_redis_url_that_is_not_one_is_refused(tmp_path: Path) -> None:
    result = run_arsip("crawl", "anri", "--out", str(tmp_path / "w"), "--redis", "127.0.0.1:6379")
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, "is not a Redis URL", "redis://")
    assert not (tmp_path / "w").exists()


def test_resume_and_redis_cannot_be_combined(tmp_path: Path, redis: RedisServer) -> None:
    result = run_arsip(
        "crawl", "anri", "--out", str(tmp_path / "w"), "--redis", redis.url(4), "--resume"
    )
    assert result.returncode == EXIT_USAGE
    assert_one_line_error(result.stderr, "--resume cannot be combined with --redis")


def test_ingest_refuses_a_worker_that_is_still_crawling(two: Run, tmp_path: Path) -> None:
    with CrawlLock(two.workers[0], "still-running"):
        result = run_arsip("ingest", str(two.workers[0]), "--out", str(tmp_path / "c"))
    assert result.returncode == EXIT_LOCKED
    assert_one_line_error(result.stderr, "a crawl is still running there")


def test_ingest_refuses_a_warc_name_that_clashes_with_other_bytes(two: Run, tmp_path: Path) -> None:
    warc = next((two.workers[0] / "warc").glob("*.warc.gz"))
    clash = tmp_path / "c" / "warc" / warc.name
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"not the same file")
    result = run_arsip("ingest", str(two.workers[0]), "--out", str(tmp_path / "c"))
    assert result.returncode == EXIT_INPUT
    assert_one_line_error(result.stderr, "exists with other content")
    assert clash.read_bytes() == b"not the same file"
