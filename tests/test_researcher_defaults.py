"""Researcher commands find the collection by themselves, and the small things of issue 17.

- without ``--db``, ``search`` / ``query`` / ``serve`` use the collection under
  ``data/`` (the only one, or the one crawled last, named in a note), as
  ``arsip crawls`` does, and ``arsip demo`` ends with three commands that work
  as printed;
- ``query --format json`` gives the JSON columns (``event_times``, ``images``,
  ``attachments``) as arrays;
- ``extract`` of a page that declares no URL gives no ``file:`` links;
- ``arsip schedule`` stops at once on Ctrl-C and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arsip.commands.demo import next_commands
from arsip.commands.query import default_collection
from tests.conftest import CORPUS, REPO, run_arsip

SAMPLE_WARC = CORPUS / "warc" / "pywb" / "example.warc.gz"


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("collection") / "c"
    built = run_arsip("reextract", str(SAMPLE_WARC), "--out", str(out))
    assert built.returncode == 0, built.stderr
    return out


def _started(db: Path, when: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE crawls SET started_at = ?", (when,))


def test_commands_use_the_collection_under_data_or_the_last_crawled(
    collection: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    old, new = data / "anri", data / "demo"
    for target in (old, new):
        shutil.copytree(collection, target)
    only = run_arsip(
        "query", "select count(*) as n from articles", "--format", "json", cwd=tmp_path
    )
    assert only.returncode == 0, only.stderr
    _started(old / "arsip.sqlite", "2020-01-01T00:00:00Z")
    _started(new / "arsip.sqlite", "2030-01-01T00:00:00Z")
    chosen = run_arsip("query", "select 1 as one", "--format", "json", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr
    assert f"using {Path('data') / 'demo' / 'arsip.sqlite'} (the last crawled" in chosen.stderr
    crawls = run_arsip("crawls", "--json", cwd=tmp_path)
    assert crawls.returncode == 0 and str(Path("data") / "demo") in crawls.stdout
    empty = run_arsip("search", "arsip", cwd=tmp_path / "data")  # no data/ below it
    assert empty.returncode == 4
    assert empty.stderr.strip() == (
        "arsip: no dataset under data/; run 'arsip crawl' or 'make demo' first, or give --db PATH"
    )


def test_demo_prints_three_commands_that_find_its_data(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(collection, tmp_path / "data" / "demo")
    monkeypatch.chdir(tmp_path)
    assert default_collection() == Path("data") / "demo"
    lines = next_commands(Path("data") / "demo")
    assert [line.split()[1] for line in lines] == ["search", "query", "serve"]
    assert not any("--db" in line for line in lines)  # found by themselves
    elsewhere = next_commands(tmp_path / "elsewhere")
    assert all(f"--db {tmp_path / 'elsewhere'}" in line for line in elsewhere)
    search = lines[0].split("#")[0].split()[1:]
    found = run_arsip(*search, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stderr.strip().endswith("match 'pelatihan'")


def test_query_json_gives_json_columns_as_arrays(collection: Path) -> None:
    result = run_arsip(
        "query",
        "select event_times, images, attachments, title from articles limit 1",
        "--db",
        str(collection),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert isinstance(row["event_times"], list) and isinstance(row["images"], list)
    assert isinstance(row["attachments"], list) and isinstance(row["title"], str)


def test_extract_without_a_url_gives_no_file_links(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "<p>Kegiatan pelatihan arsip berlangsung di Jakarta dengan peserta dari instansi.</p>"
    page.write_text(
        f"<html><body><article><h1>Judul</h1>{body}<img src='/uploads/a.jpg'>"
        "<a href='/uploads/b.pdf'>lampiran</a></article></body></html>",
        encoding="utf-8",
    )
    plain = run_arsip("extract", str(page))
    assert plain.returncode == 0, plain.stderr
    fields = json.loads(plain.stdout)
    assert fields["images"] == [] and fields["attachments"] == []
    assert "file:" not in json.dumps({k: fields[k] for k in ("images", "attachments")})
    assert plain.stderr.count("\n") == 1 and "give --url URL" in plain.stderr
    canonical = '<link rel="canonical" href="https://anri.go.id/publikasi/berita/judul">'
    page.write_text(page.read_text().replace("<html>", f"<html><head>{canonical}</head>"))
    declared = json.loads(run_arsip("extract", str(page)).stdout)
    assert declared["url"] == "https://anri.go.id/publikasi/berita/judul"
    assert declared["images"] == ["https://anri.go.id/uploads/a.jpg"]


def test_schedule_stops_at_once_on_ctrl_c_and_says_so(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "later.toml").write_text(
        'name = "later"\nstart_urls = ["http://127.0.0.1:9/berita"]\nschedule = "0 3 1 1 *"\n',
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arsip",
            "schedule",
            "--profiles",
            str(profiles),
            "--only",
            "later",
            "--data",
            str(tmp_path / "data"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("later: '0 3 1 1 *'")
        time.sleep(1.0)  # asleep until January
        asked = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert took < 3.0, took
    assert "stopping: no crawl is running" in err and "Traceback" not in err
