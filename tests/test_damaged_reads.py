"""No reader passes on a damaged byte, and every reader reads on after the damage.

One crawl of the replica, then three damaged copies of its WARC file, each
with one defect planted in an article's record in the middle of the file:

- **flipped**: one byte of the stored payload changed, the gzip member
  rebuilt around it (so its CRC is right: only the digests can tell);
- **corrupt**: one byte of the compressed data changed (the gzip member
  itself is broken);
- **truncated**: the file cut in the middle of that record's member.

``arsip extract``, ``arsip reextract``, ``arsip index`` and ``arsip verify``
each report the damaged record (file, offset, record id when it can be
read), make no item or index line of it, exit with their "partial" (or
"errors found") code, print no raw binary bytes, and (except after the cut)
still read the records after it.
"""

from __future__ import annotations

import gzip
import json
import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.recovery import GzipMember, iter_gzip_members
from tests.conftest import Replica, read_jsonl, run_arsip, start_replica

EXIT_PARTIAL = 6
EXIT_ERRORS = 8


@dataclass
class Crawl:
    out: Path
    warc: Path
    items: list[dict[str, object]]


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    yield from start_replica(tmp_path_factory.mktemp("damage-replica"), 6)


@pytest.fixture(scope="module")
def crawl(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    out = tmp_path_factory.mktemp("damage") / "out"
    done = run_arsip(
        "crawl", "anri", "--start-url", replica.news_url, "--out", str(out), "--progress", "off"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (warc,) = sorted((out / "warc").glob("*.warc.gz"))
    items = read_jsonl(next((out / "json").glob("*.jsonl")))
    assert len(items) == 6
    return Crawl(out, warc, items)


@dataclass
class Damaged:
    kind: str
    path: Path  # DIR/warc/NAME.warc.gz
    member: GzipMember  # the member of the damaged record
    url: str  # the article whose record is damaged
    record_id: str | None  # None when its header cannot be read
    before: set[str]  # article URLs whose records come before it
    after: set[str]  # ... and after it


def _article_members(crawl: Crawl) -> list[tuple[GzipMember, str, str]]:
    """(member, url, record id) of every article response record, in file order."""
    urls = {str(item["url"]) for item in crawl.items}
    found = []
    with crawl.warc.open("rb") as fh:
        for member in iter_gzip_members(fh):
            head = member.head.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            fields = dict(line.split(": ", 1) for line in head.splitlines()[1:])
            if fields.get("WARC-Type") == "response" and fields.get("WARC-Target-URI") in urls:
                found.append((member, fields["WARC-Target-URI"], fields["WARC-Record-ID"]))
    return found


@pytest.fixture(scope="module", params=["flipped", "corrupt", "truncated"])
def damaged(
    request: pytest.FixtureRequest, crawl: Crawl, tmp_path_factory: pytest.TempPathFactory
) -> Damaged:
    kind = str(request.param)
    articles = _article_members(crawl)
    member, url, record_id = articles[len(articles) // 2]
    data = crawl.warc.read_bytes()
    start, end = member.offset, member.offset + member.length
    if kind == "flipped":
        record = zlib.decompress(data[start:end], wbits=31)
        at = record.index(b"\r\n\r\n", record.index(b"\r\n\r\n") + 4) + 10  # in the payload
        record = record[:at] + bytes([record[at] ^ 0x01]) + record[at + 1 :]
        broken = data[:start] + gzip.compress(record, mtime=0) + data[end:]
    elif kind == "corrupt":
        at = start + member.length // 2
        broken = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    else:
        broken = data[: start + member.length // 2]
    folder = tmp_path_factory.mktemp(kind) / "coll"
    (folder / "warc").mkdir(parents=True)
    path = folder / "warc" / crawl.warc.name
    path.write_bytes(broken)
    index = [u for _, u, _ in articles].index(url)
    before = {u for _, u, _ in articles[:index]}
    after = {u for _, u, _ in articles[index + 1 :]} if kind != "truncated" else set()
    return Damaged(kind, path, member, url, record_id if kind == "flipped" else None, before, after)


def _expected_report(damaged: Damaged) -> str:
    where = f"{damaged.path.name}: offset {damaged.member.offset}: "
    if damaged.kind == "flipped":
        return where + f"record {damaged.record_id}: WARC-Block-Digest does not match the block"
    if damaged.kind == "corrupt":
        return where + "gzip member is damaged"
    return where + "the file ends inside this gzip member (truncated)"


def _printable(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


def test_extract_reports_the_damaged_record_and_reads_on(damaged: Damaged) -> None:
    done = run_arsip("extract", str(damaged.path))
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert _expected_report(damaged) in done.stderr
    assert _printable(done.stderr)
    urls = {json.loads(line)["url"] for line in done.stdout.splitlines()}
    assert damaged.url not in urls
    assert damaged.before | damaged.after <= urls
    assert "original response is not in the WARC" not in done.stderr


def test_reextract_makes_no_item_of_the_damaged_record(damaged: Damaged, tmp_path: Path) -> None:
    done = run_arsip("reextract", str(damaged.path), "--out", str(tmp_path / "re"))
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert _expected_report(damaged) in done.stderr
    assert _printable(done.stderr)
    items = read_jsonl(next((tmp_path / "re" / "json").glob("*.jsonl")))
    urls = {str(item["url"]) for item in items}
    assert damaged.url not in urls
    assert damaged.before | damaged.after <= urls


def test_index_gives_no_line_for_the_damaged_record(damaged: Damaged) -> None:
    collection = damaged.path.parent.parent
    done = run_arsip("index", str(collection))
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert _expected_report(damaged) in done.stderr
    assert _printable(done.stderr)
    lines = (collection / "indexes" / "index.cdxj").read_text("utf-8").splitlines()
    offsets = {json.loads(line.split(" ", 2)[2])["offset"] for line in lines}
    assert str(damaged.member.offset) not in offsets
    urls = {json.loads(line.split(" ", 2)[2])["url"] for line in lines}
    assert damaged.url not in urls
    assert damaged.before | damaged.after <= urls


def test_verify_reports_the_damage_and_checks_the_records_after_it(
    damaged: Damaged, crawl: Crawl
) -> None:
    done = run_arsip("verify", str(damaged.path))
    assert done.returncode == EXIT_ERRORS, done.stdout + done.stderr
    assert f"offset {damaged.member.offset}" in done.stdout
    assert _printable(done.stdout)
    if damaged.kind == "flipped":
        assert f"record {damaged.record_id}: error: block digest mismatch" in done.stdout
    elif damaged.kind == "corrupt":
        assert "verifying on from the next record" in done.stdout
    else:
        assert "truncated" in done.stdout
    whole = run_arsip("verify", "--json", str(crawl.warc))
    total = json.loads(whole.stdout)["records"]
    counted = json.loads(run_arsip("verify", "--json", str(damaged.path)).stdout)["records"]
    if damaged.kind == "truncated":
        assert counted < total
    else:  # every record but the damaged one's member is read
        assert counted >= total - 1


def test_the_undamaged_file_reads_clean(crawl: Crawl, tmp_path: Path) -> None:
    collection = tmp_path / "coll"
    (collection / "warc").mkdir(parents=True)
    shutil.copy(crawl.warc, collection / "warc")
    assert run_arsip("extract", str(crawl.warc)).returncode == 0
    assert run_arsip("index", str(collection)).returncode == 0
    assert run_arsip("verify", str(crawl.warc)).returncode == 0
