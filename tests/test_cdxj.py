"""CDXJ indexing: our lines equal `cdxj-indexer`'s; `arsip index DIR`; incremental merges."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import CdxjEntry, CdxjIndex, entry_for_record, index_file, sorted_unique
from archive.verify import verify_paths
from tests.conftest import BIN, CORPUS
from tests.test_verify import CAPTURES, Capture, build_warc
from tests.test_verify_cli import arsip

WARC_DIR = CORPUS / "warc"
MANIFEST = json.loads((WARC_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
#: Corpus files warcio reads to the end (so cdxj-indexer can index them).
READABLE = sorted(e["file"] for e in MANIFEST if not e.get("iterator_error"))


def cdxj_indexer(*paths: Path) -> list[str]:
    """The sorted output of the reference `cdxj-indexer -s`."""
    result = subprocess.run(
        [str(BIN / "cdxj-indexer"), "-s", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [line for line in result.stdout.splitlines() if line]


def make_collection(root: Path, *names: str) -> Path:
    """A crawl directory with one small WARC per name."""
    (root / "warc").mkdir(parents=True)
    for n, name in enumerate(names):
        caps = [
            Capture(f"http://127.0.0.1:8000/{name}/{i}", body=f"<p>{name} {i}</p>".encode())
            for i in range(3)
        ]
        build_warc(root / "warc" / f"{name}.warc.gz", [*CAPTURES[n:], *caps])
    return root


def test_lines_equal_cdxj_indexer_on_our_warc(tmp_path: Path) -> None:
    built = build_warc(tmp_path / "ours.warc.gz", CAPTURES)
    ours = sorted_unique(index_file(built.path))
    assert ours == cdxj_indexer(built.path)
    first = CdxjEntry.parse(ours[0])
    assert set(first.fields) == {"url", "mime", "status", "digest", "length", "offset", "filename"}
    assert len(first.timestamp) == 14


def test_lines_equal_cdxj_indexer_on_the_whole_readable_corpus() -> None:
    paths = [WARC_DIR / name for name in READABLE]
    assert len(paths) == 70
    ours = sorted_unique(line for p in paths for line in index_file(p))
    assert ours == cdxj_indexer(*paths)


def test_entry_for_record_matches_the_file_index(tmp_path: Path) -> None:
    built = build_warc(tmp_path / "inc.warc.gz", CAPTURES)
    with built.path.open("rb") as fh:
        records = ArchiveIterator(fh)
        places = [(records.get_record_offset(), records.get_record_length()) for _ in records]
    incremental = []
    with built.path.open("rb") as fh:
        for record, (offset, length) in zip(ArchiveIterator(fh), places, strict=True):
            entry = entry_for_record(record, built.path.name, offset, length)
            if entry is not None:
                incremental.append(entry.line())
    assert incremental == index_file(built.path)
    assert len(incremental) == 3  # the responses; warcinfo and requests are not indexed


def test_append_records_merges_sorted_without_duplicates(tmp_path: Path) -> None:
    index = CdxjIndex(tmp_path / "indexes" / "index.cdxj")
    a = build_warc(tmp_path / "a.warc.gz", CAPTURES[:2]).path
    b = build_warc(tmp_path / "b.warc.gz", CAPTURES[1:]).path
    assert index.append_warc(b) == 2
    assert index.append_warc(a) == 4
    assert index.append_warc(a) == 4  # idempotent
    lines = list(index.read_lines())
    assert lines == sorted_unique(index_file(a) + index_file(b))
    assert [p.name for p in index.path.parent.iterdir()] == ["index.cdxj"]  # no temp left


def test_arsip_index_writes_the_collection_index(tmp_path: Path) -> None:
    root = make_collection(tmp_path / "coll", "one", "two")
    code, out, err = arsip("index", str(root))
    assert (code, err) == (0, "")
    index = root / "indexes" / "index.cdxj"
    assert out == f"indexed 11 records from 2 WARC files into {index}\n"
    raw = index.read_bytes()
    lines = raw.decode().splitlines()
    assert lines == sorted(lines, key=str.encode)
    assert lines == cdxj_indexer(*sorted((root / "warc").glob("*.warc.gz")))
    assert verify_paths([root]).problems == []


def test_verify_catches_an_index_line_pointing_at_the_wrong_record(tmp_path: Path) -> None:
    root = make_collection(tmp_path / "coll", "one")
    arsip("index", str(root))
    index = root / "indexes" / "index.cdxj"
    lines = index.read_text().splitlines()
    entry = CdxjEntry.parse(lines[0])
    entry.fields["offset"] = str(int(entry.fields["offset"]) + 1)
    index.write_text("\n".join([entry.line(), *lines[1:]]) + "\n")
    report = verify_paths([root])
    assert not report.ok
    assert any("where no indexable record starts" in p.message for p in report.problems)
    assert any("has no index line" in p.message for p in report.problems)


def test_arsip_index_on_a_plain_directory_is_an_input_error(tmp_path: Path) -> None:
    code, out, err = arsip("index", str(tmp_path))
    assert (code, out) == (4, "")
    assert err == (
        f"arsip: {tmp_path}: not a crawl directory (no warc/ inside); "
        "give the --out DIR of a crawl\n"
    )


def test_arsip_index_on_an_unreadable_warc_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "coll"
    (root / "warc").mkdir(parents=True)
    shutil.copy(WARC_DIR / "warcio/example-bad-non-chunked.warc.gz", root / "warc" / "x.warc.gz")
    code, _, err = arsip("index", str(root))
    assert code == 4
    assert err.count("\n") == 1
    assert err.startswith(f"arsip: {root / 'warc' / 'x.warc.gz'}: cannot be indexed")
    assert not (root / "indexes" / "index.cdxj").exists()


@pytest.mark.parametrize("line", ["", "com,example)/ 2014", "key ts [1]"])
def test_malformed_cdxj_line_is_rejected(line: str) -> None:
    with pytest.raises(ValueError):
        CdxjEntry.parse(line)
