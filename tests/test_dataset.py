"""The SQLite dataset (pipelines.db): migrations, idempotent upserts, versions, FTS, errors."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from arsip.errors import EXIT_LOCKED, EXIT_OUTPUT, exit_code
from pipelines.db import (
    Dataset,
    DatasetCorruptError,
    DatasetLockedError,
    DatasetReadOnlyError,
    DatasetVersionError,
    QueryError,
    content_hash,
    query_readonly,
    replay_url,
)
from pipelines.db.migrations import LATEST

ITEM: dict[str, Any] = {
    "id": "0123456789abcdef",
    "url": "https://anri.go.id/publikasi/berita/rapat",
    "site": "anri",
    "title": "Rapat Koordinasi",
    "published": "2021-12-09",
    "author": "TR",
    "editor": None,
    "views": 100,
    "event_times": [{"start": "2021-12-13", "end": None, "text": "13 Desember 2021"}],
    "place": "Jakarta",
    "body": "Jakarta – 9/12/2021, kégiatan penyelamatan arsip.\n\n(TR)",
    "images": ["https://anri.go.id/img/a.jpg"],
    "attachments": [],
    "language": "id",
    "fetched_at": "2021-12-09T03:15:00.123Z",
    "crawl_id": "c1",
    "warc": {
        "filename": "ANRI-1.warc.gz",
        "offset": 0,
        "length": 10,
        "record_id": "<urn:uuid:1>",
        "payload_digest": "sha1:AAAA",
    },
    "schema_version": 1,
}
LATER = "2022-01-10T08:00:00.000Z"
WARC_2 = {
    "filename": "ANRI-2.warc.gz",
    "offset": 50,
    "length": 20,
    "record_id": "<urn:uuid:2>",
    "payload_digest": "sha1:BBBB",
}


def make_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(ITEM)
    item.update(changes)
    return item


def recrawl(**changes: Any) -> dict[str, Any]:
    """The same article fetched by a later crawl."""
    return make_item(crawl_id="c2", fetched_at=LATER, views=250, warc=WARC_2, **changes)


def rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return query_readonly(path, sql, params)[1]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "out" / "arsip.sqlite"


@pytest.fixture
def dataset(path: Path) -> Any:
    with Dataset(path) as ds:
        ds.begin_crawl("c1", "anri", "anri", "2021-12-09T03:00:00.000Z")
        yield ds


def test_new_file_is_migrated_to_the_latest_version_in_wal_mode(path: Path) -> None:
    with Dataset(path) as ds:
        assert ds.version == LATEST == 2  # 1: tables + FTS; 2: stemmed FTS
        assert ds.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"articles", "article_versions", "observations", "crawls", "articles_fts"} <= tables
    with Dataset(path) as again:  # reopening applies nothing twice
        assert again.version == LATEST


def test_same_item_twice_is_a_no_op(dataset: Dataset, path: Path) -> None:
    assert dataset.upsert(make_item()) == "new"
    assert dataset.upsert(make_item()) == "unchanged"
    dataset.commit()
    assert rows(path, "SELECT count(*) FROM articles") == [(1,)]
    assert rows(path, "SELECT count(*) FROM article_versions") == [(1,)]
    assert rows(path, "SELECT article_id, crawl_id, views FROM observations") == [
        ("0123456789abcdef", "c1", 100)
    ]
    assert dataset.get("0123456789abcdef") == make_item()


def test_recrawl_unchanged_adds_an_observation_not_a_version(dataset: Dataset, path: Path) -> None:
    dataset.upsert(make_item())
    assert dataset.upsert(recrawl()) == "unchanged"
    dataset.commit()
    assert rows(
        path, "SELECT crawl_id, fetched_at, views FROM observations ORDER BY fetched_at"
    ) == [
        ("c1", ITEM["fetched_at"], 100),
        ("c2", LATER, 250),
    ]
    assert rows(
        path,
        "SELECT first_seen, last_seen, crawl_ids, warc_filename, replay_url FROM article_versions",
    ) == [
        (
            ITEM["fetched_at"],
            LATER,
            '["c1","c2"]',
            "ANRI-1.warc.gz",  # the version's first capture
            "/anri/20211209031500id_/https://anri.go.id/publikasi/berita/rapat",
        )
    ]
    current = dataset.get("0123456789abcdef")
    assert current == recrawl()  # views, crawl and WARC pointer of the latest capture
    assert rows(path, "SELECT first_seen, last_seen FROM articles") == [(ITEM["fetched_at"], LATER)]


def test_changed_content_adds_a_version_and_updates_the_article(
    dataset: Dataset, path: Path
) -> None:
    dataset.upsert(make_item())
    assert dataset.upsert(recrawl(title="Rapat Koordinasi Nasional")) == "changed"
    dataset.commit()
    assert rows(path, "SELECT title, first_seen FROM article_versions ORDER BY first_seen") == [
        ("Rapat Koordinasi", ITEM["fetched_at"]),
        ("Rapat Koordinasi Nasional", LATER),
    ]
    assert rows(path, "SELECT title, content_hash FROM articles") == [
        ("Rapat Koordinasi Nasional", content_hash(recrawl(title="Rapat Koordinasi Nasional")))
    ]
    fts = "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
    assert rows(path, fts + " WHERE articles_fts MATCH 'nasional'") == [("0123456789abcdef",)]


def test_an_older_capture_arriving_late_does_not_replace_the_current_row(
    dataset: Dataset, path: Path
) -> None:
    dataset.upsert(recrawl(title="Baru"))
    assert dataset.upsert(make_item()) == "changed"  # an older, different content: a version
    dataset.commit()
    assert dataset.get("0123456789abcdef") == recrawl(title="Baru")
    assert rows(path, "SELECT first_seen, last_seen FROM articles") == [(ITEM["fetched_at"], LATER)]
    assert rows(path, "SELECT count(*) FROM article_versions") == [(2,)]


def test_earlier_capture_of_same_content_becomes_the_versions_first(
    dataset: Dataset, path: Path
) -> None:
    dataset.upsert(recrawl())
    assert dataset.upsert(make_item()) == "unchanged"
    dataset.commit()
    assert rows(path, "SELECT first_seen, warc_filename, crawl_ids FROM article_versions") == [
        (ITEM["fetched_at"], "ANRI-1.warc.gz", '["c2","c1"]')
    ]


def test_fts_folds_diacritics_both_ways(dataset: Dataset, path: Path) -> None:
    dataset.upsert(make_item())
    dataset.upsert(make_item(id="fedcba9876543210", body="Kegiatan pameran arsip", title=None))
    dataset.commit()
    sql = (
        "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
        " WHERE articles_fts MATCH ? ORDER BY a.id"
    )
    both = [("0123456789abcdef",), ("fedcba9876543210",)]
    assert rows(path, sql, "kegiatan") == both
    assert rows(path, sql, "kégiatan") == both
    assert rows(path, sql, "title:koordinasi") == [("0123456789abcdef",)]


def test_content_hash_ignores_views_time_crawl_and_warc() -> None:
    assert content_hash(make_item()) == content_hash(recrawl())
    assert content_hash(make_item()) != content_hash(make_item(body="lain"))
    assert len(content_hash(make_item())) == 64


def test_replay_url_is_pywb_identity_form() -> None:
    assert (
        replay_url("anri", "2021-12-09T03:15:00.123Z", "https://anri.go.id/a?b=1")
        == "/anri/20211209031500id_/https://anri.go.id/a?b=1"
    )


def test_crawls_record_start_resume_and_finish(dataset: Dataset, path: Path) -> None:
    dataset.finish_crawl("c1", "2021-12-09T04:00:00.000Z", {"item_scraped_count": 3})
    dataset.begin_crawl("c1", "anri", "anri", "2021-12-10T00:00:00.000Z")  # resumed
    dataset.finish_crawl("c1", "2021-12-10T01:00:00.000Z", {"item_scraped_count": 5})
    assert rows(
        path, "SELECT id, profile, collection, started_at, finished_at, stats FROM crawls"
    ) == [
        (
            "c1",
            "anri",
            "anri",
            "2021-12-09T03:00:00.000Z",
            "2021-12-10T01:00:00.000Z",
            '{"item_scraped_count": 5}',
        )
    ]


def test_unknown_crawl_is_registered_with_the_sites_collection(path: Path) -> None:
    with Dataset(path) as ds:
        ds.upsert(make_item(crawl_id="lost"))
    assert rows(path, "SELECT id, collection, started_at FROM crawls") == [("lost", "anri", None)]


def test_batches_commit_and_close_makes_everything_durable(path: Path) -> None:
    ds = Dataset(path, batch_size=2, commit_interval=3600)
    for n in range(3):
        ds.upsert(make_item(id=f"{n:016x}"))
    assert rows(path, "SELECT count(*) FROM articles") == [(2,)]  # the third still pending
    ds.close()
    assert not Path(f"{path}-wal").exists()  # checkpointed into the file
    assert rows(path, "SELECT count(*) FROM articles") == [(3,)]
    ds.close()  # idempotent


def test_a_failed_upsert_leaves_no_partial_rows(dataset: Dataset, path: Path) -> None:
    broken = make_item()
    del broken["warc"]
    with pytest.raises(KeyError):
        dataset.upsert(broken)
    assert dataset.upsert(make_item(id="fedcba9876543210")) == "new"
    dataset.commit()
    assert rows(path, "SELECT id FROM articles") == [("fedcba9876543210",)]


def test_read_only_database_gives_a_clear_error(path: Path) -> None:
    Dataset(path).close()

    class ReadOnly(Dataset):
        def _connect(self) -> sqlite3.Connection:  # what SQLite does with a file it can't write
            return sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, isolation_level=None)

    with pytest.raises(DatasetReadOnlyError) as info:
        ReadOnly(path)
    message = str(info.value)
    assert message.startswith(f"dataset {path} cannot be written")
    assert "DATASET_PATH" in message and "\n" not in message
    assert exit_code(info.value) == EXIT_OUTPUT


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_read_only_file_permissions_give_a_clear_error(path: Path) -> None:
    Dataset(path).close()
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        with pytest.raises(DatasetReadOnlyError):
            Dataset(path)
    finally:
        path.parent.chmod(0o755)


def test_locked_database_gives_a_clear_error(path: Path) -> None:
    Dataset(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatasetLockedError, match=rf"^dataset {path} is locked") as info:
            Dataset(path, timeout=0.05)
        assert exit_code(info.value) == EXIT_LOCKED
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_newer_schema_version_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(DatasetVersionError, match=f"schema version {LATEST + 1}"):
        Dataset(path)


def test_a_file_that_is_not_sqlite_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database, just some text that is long enough" * 20)
    with pytest.raises(DatasetCorruptError, match="arsip reextract"):
        Dataset(path)


def test_query_readonly_refuses_writes_and_attach(dataset: Dataset, path: Path) -> None:
    dataset.upsert(make_item())
    columns, result = dataset.query_readonly("SELECT id, views FROM articles")
    assert (columns, result) == (["id", "views"], [("0123456789abcdef", 100)])
    with pytest.raises(QueryError, match="read-only"):
        query_readonly(path, "DELETE FROM articles")
    with pytest.raises(QueryError, match="not authorized"):
        query_readonly(path, "ATTACH DATABASE ? AS other", (str(path.parent / "other.db"),))
    assert not (path.parent / "other.db").exists()
    with pytest.raises(QueryError, match="no such table"):
        query_readonly(path, "SELECT * FROM missing_table")
    assert json.loads(rows(path, "SELECT event_times FROM articles")[0][0]) == ITEM["event_times"]


def test_query_on_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="no such dataset file"):
        query_readonly(tmp_path / "none.sqlite", "SELECT 1")
