"""recover_open_files: a crashed writer's ``.open`` file cut to whole records and renamed."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from archive.naming import WarcName
from archive.reader import read_record_at, scan
from archive.recovery import complete_prefix, recover_open_file, recover_open_files

ROOT = Path(__file__).resolve().parent.parent
WARCIO = Path(sys.executable).parent / "warcio"

#: Writes three exchanges, prints their locations, and dies without closing the file.
CRASHING_WRITER = textwrap.dedent(
    """
    import json, os, sys
    from archive.records import HttpRequestMessage, HttpResponseMessage
    from archive.writer import WarcFileWriter

    writer = WarcFileWriter(sys.argv[1], max_size=10**9)
    locations = []
    for n in range(3):
        request = HttpRequestMessage("GET", f"/berita/{n}", [(b"Host", b"anri.go.id")])
        response = HttpResponseMessage(200, [(b"Content-Length", b"4")], b"isi%d" % n)
        locations.append(writer.write_exchange(f"http://anri.go.id/berita/{n}", request, response))
    print(json.dumps(locations), flush=True)
    os._exit(1)  # a crash: no close, no rename
    """
)


def crashed_crawl(directory: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Run a writer that crashes; return its ``.open`` file and the locations it handed out."""
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(directory)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=30,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    (open_path,) = directory.glob("*.warc.gz.open")
    return open_path, json.loads(done.stdout)


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), *args], capture_output=True, text=True, check=False)


def test_half_written_record_is_cut_off_and_file_renamed(tmp_path: Path) -> None:
    open_path, locations = crashed_crawl(tmp_path)
    whole = open_path.stat().st_size
    half_member = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)[:700]
    with open_path.open("ab") as fh:
        fh.write(half_member)

    (report,) = recover_open_files(tmp_path)

    final = tmp_path / locations[0]["filename"]
    assert report.action == "truncated"
    assert report.final_path == final
    assert (report.records_kept, report.bytes_kept) == (7, whole)
    assert report.bytes_discarded == len(half_member)
    assert sorted(tmp_path.iterdir()) == [final]
    assert final.stat().st_size == whole
    for location in locations:
        record = read_record_at(final, location["offset"], location["length"])
        assert record.header("WARC-Record-ID") == location["record_id"]
    check = warcio("check", str(final))
    assert check.returncode == 0, check.stdout
    index = warcio("index", str(final))
    assert index.returncode == 0
    assert len(index.stdout.splitlines()) == 7


def test_complete_open_file_is_only_renamed(tmp_path: Path) -> None:
    _, locations = crashed_crawl(tmp_path)
    (report,) = recover_open_files(tmp_path)
    assert report.action == "renamed"
    assert report.bytes_discarded == 0
    assert [p.name for p in tmp_path.iterdir()] == [locations[0]["filename"]]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"\x00" * 100, id="zero-padding"),
        pytest.param(b"not gzip at all", id="garbage"),
        pytest.param(
            gzip.compress(b"WARC/1.1\r\nContent-Length: 99\r\n\r\nshort"), id="short-record"
        ),
        pytest.param(gzip.compress(b"<html>not a record</html>"), id="not-warc"),
    ],
)
def test_trailing_damage_is_cut_off(tmp_path: Path, damage: bytes) -> None:
    open_path, _ = crashed_crawl(tmp_path)
    whole = open_path.stat().st_size
    with open_path.open("ab") as fh:
        fh.write(damage)
    report = recover_open_file(open_path)
    assert report.action == "truncated"
    assert report.records_kept == 7
    assert report.final_path is not None and report.final_path.stat().st_size == whole
    assert scan(report.final_path).problems == []


def test_corrupt_member_stops_the_kept_prefix(tmp_path: Path) -> None:
    open_path, locations = crashed_crawl(tmp_path)
    data = bytearray(open_path.read_bytes())
    last = locations[-1]
    data[last["offset"] + 30] ^= 0xFF  # inside the last response record
    open_path.write_bytes(bytes(data))
    assert complete_prefix(open_path) == (5, last["offset"])


def test_file_without_any_whole_record_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "ARSIP-20211209010203456-00000-999999999~otherhost.warc.gz.open"
    path.write_bytes(b"\x1f\x8b\x08\x00partial")
    (report,) = recover_open_files(tmp_path)
    assert report.action == "removed"
    assert list(tmp_path.iterdir()) == []


def test_file_of_a_running_writer_is_left_alone(tmp_path: Path) -> None:
    name = WarcName.new("ARSIP", datetime.now(UTC), 0, os.getpid())
    path = tmp_path / name.open
    path.write_bytes(b"being written")
    (report,) = recover_open_files(tmp_path)
    assert report.action == "skipped"
    assert path.exists()


def test_existing_final_name_is_never_overwritten(tmp_path: Path) -> None:
    open_path, locations = crashed_crawl(tmp_path)
    final = tmp_path / locations[0]["filename"]
    final.write_bytes(b"already here")
    report = recover_open_file(open_path)
    assert report.action == "skipped"
    assert final.read_bytes() == b"already here"
    assert open_path.exists()


def test_missing_directory_gives_no_reports(tmp_path: Path) -> None:
    assert recover_open_files(tmp_path / "none") == []


def test_a_response_whose_request_the_kill_cut_off_is_cut_off_too(tmp_path: Path) -> None:
    """Issue 15: a kill between a response record and its request record (the writer
    writes them one after the other) must not leave a response that verify rejects."""
    open_path, locations = crashed_crawl(tmp_path)
    whole = open_path.stat().st_size
    last = locations[-1]
    data = open_path.read_bytes()
    response_member = data[last["offset"] : last["offset"] + last["length"]]
    with open_path.open("ab") as fh:
        fh.write(response_member)  # a whole response, its request never written
    assert complete_prefix(open_path) == (7, whole)

    (report,) = recover_open_files(tmp_path)

    assert report.action == "truncated" and report.bytes_discarded == len(response_member)
    final = tmp_path / locations[0]["filename"]
    assert final.stat().st_size == whole
    verify = subprocess.run(
        [sys.executable, "-m", "arsip", "verify", str(final)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout
    assert "no request" not in verify.stdout
