"""The WARC files replay in pywb: a crawl of the replica, indexed by pywb's own tools.

pywb (``pip install pywb``; 2.10 on Python 3.11) is a test dependency: the
collection is made with ``wb-manager init`` / ``wb-manager add`` and served
by ``wayback`` on 127.0.0.1. pywb cannot listen on port 0 and report the
port, so the test picks a free port and hands it over (pywb's limitation);
it runs in its own process group and is stopped with it.

What id_ mode returns, precisely: the archived payload. When the client
accepts gzip, pywb sends the stored bytes unchanged (``Content-Encoding:
gzip``): byte for byte what the replica sent (its log's SHA-1). When the
client does not, pywb removes the content coding: the bytes are the gzip
member decoded, i.e. the page the replica rendered.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive.reader import StoredRecord, iter_records, read_record_at
from tests.conftest import BIN, Replica, read_jsonl, run_arsip, start_replica

WB_MANAGER = BIN / "wb-manager"
WAYBACK = BIN / "wayback"
COLLECTION = "arsip"

pytestmark = pytest.mark.skipif(
    not (WB_MANAGER.exists() and WAYBACK.exists()),
    reason="PYWB IS NOT INSTALLED: `.venv/bin/pip install pywb` (2.10 works on Python 3.11); "
    "the WARC files were NOT checked for replay",
)

#: No proxy from the environment: everything here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes


def fetch(url: str, **headers: str) -> Fetched:
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=10) as answer:
            return Fetched(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Archive:
    replica: Replica
    out: Path
    wayback: str  # http://127.0.0.1:PORT/COLLECTION
    items: list[dict[str, Any]]
    responses: dict[str, StoredRecord]  # response records by target URI
    sent: dict[str, dict[str, Any]]  # the replica's log by path

    def timestamp(self, uri: str) -> str:
        """The 14-digit capture time of `uri` in the collection."""
        date = self.responses[uri].header("WARC-Date") or ""
        return re.sub(r"\D", "", date)[:14]


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    yield from start_replica(tmp_path_factory.mktemp("pywb-replica"), 20)


@pytest.fixture(scope="module")
def archive(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    work = tmp_path_factory.mktemp("pywb")
    out = work / "out"
    crawl = run_arsip(
        "crawl", "anri", "--start-url", replica.news_url, "--out", str(out), "--progress", "off"
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    responses = {}
    for path in warcs:
        for entry in iter_records(path):
            if entry.rec_type == "response" and entry.target_uri:
                responses[entry.target_uri] = read_record_at(path, entry.offset, entry.length)
    root = work / "pywb"
    root.mkdir()
    for args in (["init", COLLECTION], ["add", COLLECTION, *map(str, warcs)]):
        made = subprocess.run(
            [str(WB_MANAGER), *args], cwd=root, capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen(
        [str(WAYBACK), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: stopped with all it started
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(base + "/").status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode(errors="replace") if server.stderr else ""
                pytest.fail(f"wayback did not start on port {port}: {err[-2000:]}")
            time.sleep(0.2)
        items = read_jsonl(next((out / "json").glob("*.jsonl")))
        sent = {e["path"]: e for e in replica.log() if e["method"] == "GET"}
        yield Archive(replica, out, f"{base}/{COLLECTION}", items, responses, sent)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if server.stderr is not None:
            server.stderr.close()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_article_in_id_mode_is_the_payload_the_replica_sent(archive: Archive) -> None:
    item = archive.items[0]
    url = item["url"]
    sent = archive.sent[_path(url)]
    assert sent["encoding"] == "gzip"  # the replica gzips pages for Scrapy
    where = f"{archive.wayback}/{archive.timestamp(url)}id_/{url}"

    as_sent = fetch(where, **{"Accept-Encoding": "gzip"})
    assert as_sent.status == 200
    assert as_sent.headers["Content-Encoding"] == "gzip"
    assert hashlib.sha1(as_sent.body).hexdigest() == sent["sha1"]  # byte for byte

    decoded = fetch(where, **{"Accept-Encoding": "identity"})
    assert decoded.status == 200
    assert decoded.headers["Content-Encoding"] is None
    assert decoded.body == gzip.decompress(as_sent.body)
    assert item["title"] is not None and item["title"].encode() in decoded.body
    assert decoded.headers["Memento-Datetime"]  # replayed from the archive


def test_normal_replay_serves_the_page_and_its_images_and_css_from_the_archive(
    archive: Archive,
) -> None:
    item = next(i for i in archive.items if i["images"])
    url = item["url"]
    stamp = archive.timestamp(url)
    top = fetch(f"{archive.wayback}/{stamp}/{url}")
    assert top.status == 200  # pywb's frame around the page
    page = fetch(f"{archive.wayback}/{stamp}mp_/{url}")  # the page itself, rewritten
    assert page.status == 200
    html = page.body.decode("utf-8")
    assert item["title"] in html
    prefix = f"/{COLLECTION}/{stamp}"
    images = re.findall(r'<img src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="(/[^"]+)"', html)
    # every image and stylesheet of the page is rewritten into the archive
    original = archive.responses[url].payload
    page_html = gzip.decompress(original).decode("utf-8")
    assert len(images) == len(re.findall(r"<img ", page_html))
    assert len(styles) == 1
    base = archive.wayback.rsplit("/", 1)[0]
    for link in images + styles:
        assert link.startswith(prefix), link
        target = link.split("_/", 1)[1]
        assert target.startswith(archive.replica.base_url.rstrip("/"))
        got = fetch(base + link)
        assert got.status == 200, link
        assert got.headers["Memento-Datetime"], link
        stored = archive.responses[target]
        sent = archive.sent[_path(target)]
        if sent["encoding"] == "gzip":  # the stylesheet: pywb decodes it for us
            assert got.body == gzip.decompress(stored.payload), link
        else:  # images: the very bytes the replica sent
            assert hashlib.sha1(got.body).hexdigest() == sent["sha1"], link
    assert item["images"][0].split("/")[-1] in " ".join(images)


def test_wb_manager_unpacks_our_wacz_into_a_collection(archive: Archive, tmp_path: Path) -> None:
    """`arsip package --wacz` output is accepted by `wb-manager add --unpack-wacz`:
    pywb takes its WARCs and index and can list the archived article."""
    wacz = tmp_path / "crawl.wacz"
    packed = run_arsip("package", str(archive.out), "--wacz", "--out", str(wacz))
    assert packed.returncode == 0, packed.stderr[-2000:]
    root = tmp_path / "pywb"
    root.mkdir()
    for args in (["init", "fromwacz"], ["add", "--unpack-wacz", "fromwacz", str(wacz)]):
        made = subprocess.run(
            [str(WB_MANAGER), *args], cwd=root, capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    # pywb renames what it unpacks (crawl-0.warc.gz, ...): compare the bytes.
    unpacked = (root / "collections" / "fromwacz" / "archive").rglob("*.warc.gz")
    archived = {hashlib.sha256(p.read_bytes()).hexdigest() for p in unpacked}
    ours = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (archive.out / "warc").glob("*.warc.gz")
    }
    assert ours and ours == archived
