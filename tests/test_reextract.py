"""`arsip reextract`: the dataset rebuilt from WARC files alone equals the live crawl's.

The collection is crawled three times (replica epoch 0, epoch 0 again, so
that unchanged pages come back as 304s archived as revisit records, then
epoch 1), its ``json/`` and ``arsip.sqlite`` are moved away, and
``arsip reextract`` rebuilds them from ``warc/``.
"""

from __future__ import annotations

import gzip
import importlib
import io
import shutil
import sqlite3
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.reader import read_record_at
from arsip.core.lock import CrawlLock
from crawler.extract.model import EXTRACTED_FIELDS
from pipelines.db.stemming import stem_text
from tests.conftest import CORPUS, read_jsonl, run_arsip, run_python
from tests.test_history import crawl_epochs

#: Tables compared row for row (every column; SQLite's rowids are not columns).
TABLES = ("articles", "article_versions", "observations")


def table(db: Path, name: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)


def jsonl_lines(folder: Path) -> dict[str, Counter[str]]:
    return {
        path.name: Counter(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(folder.glob("*.jsonl"))
    }


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the collection rebuilt by reextract, a copy of what the live crawls wrote)."""
    tmp = tmp_path_factory.mktemp("reextract")
    out = tmp / "anri"
    crawl_epochs(tmp, out, (0, 0, 1))
    live = tmp / "live"
    live.mkdir()
    shutil.move(out / "json", live / "json")
    shutil.move(out / "arsip.sqlite", live / "arsip.sqlite")
    result = run_arsip("reextract", str(out / "warc"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "unusable   0" in result.stdout
    return out, live


def test_the_crawls_archived_unchanged_articles_as_revisits(
    collection: tuple[Path, Path],
) -> None:
    out, _ = collection
    revisits = 0
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                revisits += record.rec_type == "revisit" and "/publikasi/berita/" in uri
    assert revisits >= 30, "the second crawl of epoch 0 gets 304s for unchanged articles"


def test_rebuilt_json_lines_equal_the_live_crawls(collection: tuple[Path, Path]) -> None:
    out, live = collection
    rebuilt, original = jsonl_lines(out / "json"), jsonl_lines(live / "json")
    assert list(rebuilt) == list(original) and len(original) == 3
    for name, lines in original.items():
        # The live crawl writes items as they are scraped (concurrency decides the
        # order); the rebuild writes them in capture order: compared as multisets.
        assert rebuilt[name] == lines, name
    for path in sorted((live / "json").glob("*.jsonl")):
        items = {item["id"]: item for item in read_jsonl(path)}
        again = {item["id"]: item for item in read_jsonl(out / "json" / path.name)}
        assert again == items  # every field of every item


def test_rebuilt_database_holds_the_same_rows(collection: tuple[Path, Path]) -> None:
    out, live = collection
    for name in TABLES:
        rows = table(live / "arsip.sqlite", name)
        assert rows, name
        assert table(out / "arsip.sqlite", name) == rows, name
    with sqlite3.connect(out / "arsip.sqlite") as conn:
        crawls = conn.execute("SELECT collection, profile FROM crawls").fetchall()
    assert crawls == [("anri", "anri")] * 3


def test_one_job_and_two_jobs_rebuild_the_same_bytes(
    collection: tuple[Path, Path], tmp_path: Path
) -> None:
    """--jobs 2 spreads extraction over two processes; the output does not change."""
    out, _ = collection
    results = {}
    for jobs in ("1", "2"):
        target = tmp_path / f"jobs-{jobs}"
        result = run_arsip("reextract", str(out / "warc"), "--out", str(target), "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        results[jobs] = target
    one, two = results["1"], results["2"]
    names = sorted(p.name for p in (one / "json").glob("*.jsonl"))
    assert len(names) == 3
    for name in names:  # the same lines in the same order, byte for byte
        assert (one / "json" / name).read_bytes() == (two / "json" / name).read_bytes(), name
    for name in (*TABLES, "crawls", "articles_fts_stem"):
        rows_one, rows_two = table(one / "arsip.sqlite", name), table(two / "arsip.sqlite", name)
        assert rows_one and rows_one == rows_two, name
    # The workers stemmed the text for the full-text index: the stems are the text's.
    with sqlite3.connect(two / "arsip.sqlite") as conn:
        pairs = conn.execute(
            "SELECT a.title, a.body, f.title, f.body FROM articles a"
            " JOIN articles_fts_stem f ON f.rowid = a.rowid"
        ).fetchall()
    assert pairs
    assert all((stem_text(t), stem_text(b)) == (st, sb) for t, b, st, sb in pairs)


def test_with_two_jobs_the_reading_process_never_loads_the_extractor(
    collection: tuple[Path, Path], tmp_path: Path
) -> None:
    """Only the workers import extraction (arsip.reextract_work): the process that
    reads and writes starts without it, and still writes every item."""
    out, _ = collection
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from arsip.reextract import reextract\n"
        f"stats = reextract([Path({str(out / 'warc')!r})], Path({str(tmp_path / 'o')!r}),"
        " jobs=2, report=print)\n"
        "print(stats.items, stats.unusable)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('crawler.extract.extractor',"
        " 'arsip.reextract_work', 'lxml'))))\n"
    )
    said = run_python(script)
    counts, modules = said.splitlines()[-2:]
    items = sum(len(read_jsonl(p)) for p in (out / "json").glob("*.jsonl"))
    assert counts == f"{items} 0" and items > 0, said
    assert modules == "[]", said


def test_jobs_must_be_a_count_of_processes(tmp_path: Path) -> None:
    result = run_arsip("reextract", str(tmp_path), "--out", str(tmp_path / "o"), "--jobs", "x")
    assert result.returncode == 2
    assert "'x' is not a number of processes" in result.stderr
    assert not (tmp_path / "o").exists()


def test_rebuilt_dataset_comes_with_datasette_metadata(collection: tuple[Path, Path]) -> None:
    out, _ = collection
    assert (out / "arsip.metadata.json").is_file()
    assert not list(out.glob(".reextract-*")), "the build folder is removed"


def test_an_existing_dataset_is_kept_unless_force_is_given(
    collection: tuple[Path, Path], tmp_path: Path
) -> None:
    out, live = collection
    target = tmp_path / "copy"
    shutil.copytree(live, target)
    before = (target / "arsip.sqlite").read_bytes()
    refused = run_arsip("reextract", str(out / "warc"), "--out", str(target))
    assert refused.returncode == 5
    assert "--force" in refused.stderr and refused.stderr.count("\n") == 1
    assert (target / "arsip.sqlite").read_bytes() == before
    (target / "json" / "stale.jsonl").write_text("{}\n", encoding="utf-8")
    forced = run_arsip("reextract", str(out), "--out", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert jsonl_lines(target / "json") == jsonl_lines(live / "json")
    for name in TABLES:
        assert table(target / "arsip.sqlite", name) == table(live / "arsip.sqlite", name)


def test_revisits_without_their_originals_are_reported_one_line_each(
    collection: tuple[Path, Path], tmp_path: Path
) -> None:
    out, _ = collection
    second = sorted((out / "warc").glob("*.warc.gz"))[1]
    result = run_arsip("reextract", str(second), "--out", str(tmp_path / "partial"))
    assert result.returncode == 6
    lines = result.stderr.splitlines()
    assert lines and all("original response is not in the WARC files" in line for line in lines)
    assert f"unusable   {len(lines)}" in result.stdout


def article_page(out: Path) -> tuple[dict[str, Any], bytes]:
    """A live item and the decoded HTML of its response record."""
    item = read_jsonl(sorted((out / "json").glob("*.jsonl"))[0])[0]
    stored = read_record_at(out / "warc" / item["warc"]["filename"], item["warc"]["offset"])
    headers = dict((k.lower(), v) for k, v in stored.http_headers())
    payload = stored.payload
    if headers.get(b"content-encoding") == b"gzip":
        payload = gzip.decompress(payload)
    return item, payload


def write_warc(path: Path, pages: dict[str, tuple[bytes, str]]) -> None:
    """A WARC with a warcinfo and one 200 text/html response per URL: (body, coding)."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        info = {"isPartOf": "anri", "crawl-id": "20240101T000000Z-abcdef"}
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        for url, (body, coding) in pages.items():
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if coding:
                headers.append(("Content-Encoding", coding))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http
            )
            writer.write_record(record)


def test_bodies_are_decoded_from_every_content_coding(
    collection: tuple[Path, Path], tmp_path: Path
) -> None:
    out, _ = collection
    item, html = article_page(out)
    base = item["url"].rsplit("/", 1)[0]
    raw_deflate = zlib.compressobj(wbits=-15)
    pages = {
        f"{base}/gzip-page": (gzip.compress(html), "gzip"),
        f"{base}/deflate-page": (zlib.compress(html), "deflate"),
        f"{base}/raw-deflate-page": (raw_deflate.compress(html) + raw_deflate.flush(), "deflate"),
        f"{base}/br-page": (importlib.import_module("brotli").compress(html), "br"),
        f"{base}/identity-page": (html, ""),
        f"{base}/broken-page": (b"\x1f\x8b\x08\x00 not gzip at all", "gzip"),
    }
    warc = tmp_path / "warc" / "coded.warc.gz"
    warc.parent.mkdir()
    write_warc(warc, pages)
    result = run_arsip("reextract", str(warc.parent), "--out", str(tmp_path / "coded"))
    assert result.returncode == 6, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"arsip: reextract: coded.warc.gz: {base}/broken-page: cannot decode"
    )
    assert "unusable   1" in result.stdout
    items = read_jsonl(tmp_path / "coded" / "json" / "20240101T000000Z-abcdef.jsonl")
    assert [i["url"] for i in items] == list(pages)[:5]
    for rebuilt in items:
        for name in EXTRACTED_FIELDS:
            if name not in ("id", "url"):
                assert rebuilt[name] == item[name], (rebuilt["url"], name)
        assert rebuilt["crawl_id"] == "20240101T000000Z-abcdef"
        # warcio wrote WARC-Date to the second: fetched_at keeps the item's format
        assert rebuilt["fetched_at"].endswith(".000Z")
        assert rebuilt["warc"]["filename"] == "coded.warc.gz"


def test_bad_inputs_are_one_line_with_their_exit_codes(tmp_path: Path) -> None:
    missing = run_arsip("reextract", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 4 and "no such WARC file or folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = run_arsip("reextract", str(tmp_path / "empty"), "--out", str(tmp_path / "o"))
    assert empty.returncode == 4 and "no WARC files" in empty.stderr
    profile = run_arsip(
        "reextract", str(tmp_path / "empty"), "--out", str(tmp_path / "o"), "--profile", "nope"
    )
    assert profile.returncode == 3 and "unknown profile" in profile.stderr
    for result in (missing, empty, profile):
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_foreign_and_broken_warcs_give_one_line_per_problem(tmp_path: Path) -> None:
    """warcio's own test files: ARC, chunked, truncated, non-chunked gzip, bad URIs."""
    corpus = CORPUS / "warc" / "warcio"
    result = run_arsip("reextract", str(corpus), "--out", str(tmp_path), "--profile", "generic")
    assert result.returncode == 6, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("arsip: reextract: ") for line in lines)
    assert "Traceback" not in result.stderr
    problems = [line for line in lines if not line.startswith("arsip: reextract: warning: ")]
    assert f"unusable   {len(problems)}" in result.stdout
    assert any("cut short" in line for line in problems)
    assert read_jsonl(tmp_path / "json" / "reextract-example.warc.gz.jsonl")


def test_a_collection_being_crawled_is_not_rebuilt(
    collection: tuple[Path, Path], tmp_path: Path
) -> None:
    out, _ = collection
    with CrawlLock(tmp_path, "a-running-crawl"):
        result = run_arsip("reextract", str(out), "--out", str(tmp_path))
    assert result.returncode == 7, result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "arsip.sqlite").exists()
