"""A crawl and its unchanged-site recrawl: foreign tools accept both, and pywb replays the latest.

The replica is crawled, then crawled again with ``--full`` (every page asked
for again with its validators): the server answers 304 to each, and the
recrawl's WARC holds ``server-not-modified`` revisits (the 304 heads as
received), not the pages again. Each crawl ends by rebuilding the
collection's CDXJ index (``indexes/index.cdxj``), in which a 304 revisit's
line replays as the response it refers to (`archive.cdxj.NotModifiedResolver`,
docs/warc.md).

Checked here: ``warcio check``, ``cdxj-indexer``, ``wacz validate``,
``fastwarc check`` and ``warcat verify`` (the dev extra installs them all)
pass on the output of both crawls; ``arsip verify`` passes on the collection
with no "no index" warning; files get the user's umask; and pywb 2.10,
serving the collection with that index, returns the **latest** capture of an
article (the recrawl's) in id_ mode byte for byte as the replica sent it,
and in normal mode headless Chromium renders it with its stylesheet and
images, every one of them answered by pywb from the archive (its access
log), none by the replica (its log does not grow).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.reader import StoredRecord, iter_records, read_record_at
from tests.conftest import Replica, read_jsonl, run_arsip, start_replica
from tests.test_pywb_replay import COLLECTION, WAYBACK, WB_MANAGER, fetch, free_port

BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium")


@dataclass
class Recrawl:
    replica: Replica
    out: Path
    first: Path  # the first crawl's WARC file
    second: Path  # the recrawl's
    items: list[dict[str, Any]]  # the first crawl's articles


def _records(path: Path) -> list[StoredRecord]:
    return [read_record_at(path, e.offset, e.length) for e in iter_records(path)]


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    yield from start_replica(tmp_path_factory.mktemp("recrawl-replica"), 6)


@pytest.fixture(scope="module")
def recrawl(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Recrawl:
    out = tmp_path_factory.mktemp("recrawl") / "out"
    args = ["crawl", "anri", "--start-url", replica.news_url, "--out", str(out), "--progress"]
    first = run_arsip(*args, "off")
    assert first.returncode == 0, first.stderr[-3000:]
    second = run_arsip(*args, "off", "--full")
    assert second.returncode == 0, second.stderr[-3000:]
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    items = read_jsonl(sorted((out / "json").glob("*.jsonl"))[0])
    return Recrawl(replica, out, warcs[0], warcs[1], items)


def test_the_recrawl_stores_304_revisits_with_the_heads_received(recrawl: Recrawl) -> None:
    revisits = [r for r in _records(recrawl.second) if r.rec_type == "revisit"]
    # every article (and whatever else has validators) came back as a 304
    assert {str(i["url"]) for i in recrawl.items} <= {r.header("WARC-Target-URI") for r in revisits}
    for record in revisits:
        assert record.header(
            "WARC-Profile",
        ).endswith("/server-not-modified")  # type: ignore[union-attr]
        assert record.http_start_line == b"HTTP/1.1 304 Not Modified"
        # the replica sends no Content-Length with a 304: none is invented
        assert not any(k.lower() == b"content-length" for k, _ in record.http_headers())
        assert record.header("WARC-IP-Address") == "127.0.0.1"


def test_the_crawl_leaves_an_index_and_verify_passes_without_warnings(recrawl: Recrawl) -> None:
    index = recrawl.out / "indexes" / "index.cdxj"
    lines = index.read_text("utf-8").splitlines()
    assert sum('"revisit_offset"' in line for line in lines) >= len(recrawl.items)
    done = run_arsip("verify", str(recrawl.out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout, done.stdout


def test_the_index_the_recrawl_extended_equals_a_rebuilt_one(
    recrawl: Recrawl, tmp_path: Path
) -> None:
    rebuilt = tmp_path / "index.cdxj"
    done = run_arsip("index", str(recrawl.out), "--out", str(rebuilt))
    assert done.returncode == 0, done.stderr
    kept = (recrawl.out / "indexes" / "index.cdxj").read_text("utf-8")
    assert kept == rebuilt.read_text("utf-8")


def test_output_files_get_the_users_umask(recrawl: Recrawl, tmp_path: Path) -> None:
    wacz = tmp_path / "crawl.wacz"
    packed = run_arsip("package", str(recrawl.out), "--wacz", "--out", str(wacz))
    assert packed.returncode == 0, packed.stderr
    mask = os.umask(0o022)
    os.umask(mask)
    expected = 0o666 & ~mask
    made = [wacz, recrawl.out / "indexes" / "index.cdxj", recrawl.first, recrawl.second]
    made += list((recrawl.out / "reports").glob("*.html"))
    for path in made:
        assert path.stat().st_mode & 0o777 == expected, path


def _tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed: `pip install -e '.[dev]'` installs it")
    return path


@pytest.mark.parametrize("which", ["first", "second"])
def test_foreign_tools_accept_the_crawl_and_the_recrawl(
    recrawl: Recrawl, which: str, tmp_path: Path
) -> None:
    warc = recrawl.first if which == "first" else recrawl.second
    runs = {
        "warcio check": [str(_tool("warcio")), "check", str(warc)],
        # -p also hashes a revisit's (absent) payload against the original's digest, which
        # WARC 1.1 6.7.2 puts there: payloads are checked where there are no revisits
        "fastwarc check": [str(_tool("fastwarc")), "check", "-q"]
        + (["-p"] if which == "first" else [])
        + [str(warc)],
        # the recrawl's revisits refer to the first crawl's records: warcat reads both
        "warcat verify": [sys.executable, "-m", "warcat", "verify"]
        + ([str(recrawl.first)] if which == "second" else [])
        + [str(warc)],
        "cdxj-indexer": [str(_tool("cdxj-indexer")), str(warc)],
    }
    for name, argv in runs.items():
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{name}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, name
        if name == "cdxj-indexer":
            assert done.stdout.count("\n") >= len(recrawl.items)
        if name == "warcat verify":  # warcat exits 0 on digest errors: read what it says
            assert "failed" not in done.stderr.replace("(0 failed)", ""), done.stderr[-2000:]
    wacz = tmp_path / f"{which}.wacz"
    collection = tmp_path / "coll"
    (collection / "warc").mkdir(parents=True)
    shutil.copy(warc, collection / "warc")
    packed = run_arsip("package", str(collection), "--wacz", "--out", str(wacz))
    assert packed.returncode == 0, packed.stderr
    valid = subprocess.run(
        [str(_tool("wacz")), "validate", "-f", str(wacz)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert valid.returncode == 0, valid.stdout[-2000:] + valid.stderr[-2000:]


# -- pywb ------------------------------------------------------------------------------


@dataclass
class Wayback:
    base: str  # http://127.0.0.1:PORT
    log: Path  # its access log (gevent's, on stderr)


@pytest.fixture(scope="module")
def wayback(recrawl: Recrawl, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wayback]:
    if not (WB_MANAGER.exists() and WAYBACK.exists()):
        pytest.skip("PYWB IS NOT INSTALLED: `.venv/bin/pip install pywb`; replay NOT checked")
    root = tmp_path_factory.mktemp("pywb-recrawl")
    made = subprocess.run(
        [str(WB_MANAGER), "init", COLLECTION], cwd=root, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr[-2000:]
    # the collection as arsip keeps it: its WARC files and the index the crawl wrote
    collection = root / "collections" / COLLECTION
    for path in (recrawl.first, recrawl.second):
        (collection / "archive" / path.name).symlink_to(path)
    shutil.copy(recrawl.out / "indexes" / "index.cdxj", collection / "indexes" / "index.cdxj")
    port = free_port()
    log = root / "wayback.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(WAYBACK), "-p", str(port), "-b", "127.0.0.1"],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=sink,
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
                pytest.fail(f"wayback did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield Wayback(base, log)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _stamp(record: StoredRecord) -> str:
    return re.sub(r"\D", "", record.header("WARC-Date") or "")[:14]


def _latest(recrawl: Recrawl, url: str) -> StoredRecord:
    (record,) = [
        r
        for r in _records(recrawl.second)
        if r.rec_type == "revisit" and r.header("WARC-Target-URI") == url
    ]
    return record


def _sent(recrawl: Recrawl, url: str) -> dict[str, Any]:
    path = "/" + url.split("/", 3)[3]
    return next(e for e in recrawl.replica.log() if e["path"] == path and e.get("status") == 200)


def test_pywb_serves_the_latest_capture_of_an_article_in_id_mode(
    recrawl: Recrawl, wayback: Wayback
) -> None:
    url = str(recrawl.items[0]["url"])
    stamp = _stamp(_latest(recrawl, url))
    got = fetch(f"{wayback.base}/{COLLECTION}/{stamp}id_/{url}", **{"Accept-Encoding": "gzip"})
    assert got.status == 200
    assert hashlib.sha1(got.body).hexdigest() == _sent(recrawl, url)["sha1"]
    latest = fetch(f"{wayback.base}/{COLLECTION}/id_/{url}", **{"Accept-Encoding": "identity"})
    assert latest.status == 200
    assert latest.body == gzip.decompress(got.body)
    # the CDX API lists the recrawl's capture as the newest, answered with a 200
    cdx = fetch(f"{wayback.base}/{COLLECTION}/cdx?url={url}&output=json")
    rows = [json.loads(line) for line in cdx.body.decode().splitlines()]
    assert rows[-1]["timestamp"] == stamp and rows[-1]["status"] == "200"


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)
def test_chromium_renders_the_latest_capture_with_css_and_images_from_the_archive(
    recrawl: Recrawl, wayback: Wayback, tmp_path: Path
) -> None:
    item = next(i for i in recrawl.items if i["images"])
    url = str(item["url"])
    stamp = _stamp(_latest(recrawl, url))
    asked_before = len(recrawl.replica.log())
    png = tmp_path / "latest.png"
    with tempfile.TemporaryDirectory() as profile:
        shot = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars",
             "--window-size=1280,1600", "--virtual-time-budget=5000", f"--screenshot={png}",
             f"{wayback.base}/{COLLECTION}/{stamp}mp_/{url}"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000, "a blank page compresses to a few KB"
    assert len(recrawl.replica.log()) == asked_before  # nothing came from the live site
    answered = re.findall(
        rf'"GET /{COLLECTION}/(\d{{14}})(im_|cs_)/(\S+) HTTP/1.1" (\d{{3}})',
        wayback.log.read_text(errors="replace"),
    )
    images = {target for _, mode, target, status in answered if mode == "im_" and status == "200"}
    styles = {target for _, mode, target, status in answered if mode == "cs_" and status == "200"}
    assert styles, answered
    assert {u.split("/")[-1] for u in item["images"]} <= {u.split("/")[-1] for u in images}
    assert all(status == "200" for *_, status in answered), answered


def test_extract_resolves_the_recrawls_revisits_in_one_file_without_a_profile(
    recrawl: Recrawl, tmp_path: Path
) -> None:
    """A crawl and its recrawl in one WARC: every 304 revisit of a page, an image or a
    stylesheet finds its original earlier in the same file; no false "not found" line."""
    both = tmp_path / "both.warc.gz"
    both.write_bytes(recrawl.first.read_bytes() + recrawl.second.read_bytes())
    done = run_arsip("extract", str(both))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == ""
    urls = [json.loads(line)["url"] for line in done.stdout.splitlines()]
    articles = {str(i["url"]) for i in recrawl.items}
    assert articles <= set(urls)
    assert sum(u in articles for u in urls) == 2 * len(articles)  # once per crawl


def test_verify_catches_an_index_line_that_replays_the_wrong_record(
    recrawl: Recrawl, tmp_path: Path
) -> None:
    copy = tmp_path / "coll"
    (copy / "warc").mkdir(parents=True)
    (copy / "indexes").mkdir()
    for path in (recrawl.first, recrawl.second):
        (copy / "warc" / path.name).symlink_to(path)
    lines = (recrawl.out / "indexes" / "index.cdxj").read_text("utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if '"revisit_offset"' in line)
    key, stamp, blob = lines[number].split(" ", 2)
    fields = json.loads(blob)
    fields["revisit_offset"] = "0"  # the warcinfo record, not the revisit
    lines[number] = f"{key} {stamp} {json.dumps(fields)}"
    (copy / "indexes" / "index.cdxj").write_text("\n".join(lines) + "\n", "utf-8")
    done = run_arsip("verify", str(copy))
    assert done.returncode == 8, done.stdout
    assert f"index line {number + 1}: revisit_offset 0 of " in done.stdout
    assert "has no index line" in done.stdout  # the real revisit lost its line
