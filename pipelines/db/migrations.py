"""The dataset's SQLite schema, as numbered migrations.

``PRAGMA user_version`` holds the number of migrations applied. Each
migration runs in its own transaction together with the version bump, so a
database is always at exactly one version. Append new migrations to
``MIGRATIONS``; never edit one that has shipped.

Version 1 (see docs in ``pipelines.db``):

- ``articles``: the current version of each article, one row per ``id``;
- ``article_versions``: each distinct content of an article, keyed by
  ``(id, content_hash)``, with the WARC pointer of its first capture;
- ``observations``: one row per article and crawl (views over time);
- ``crawls``: one row per crawl;
- ``articles_fts``: FTS5 index of ``articles.title`` and ``articles.body``
  (external content, kept in sync by triggers; diacritics folded).

Version 2:

- ``articles_fts_stem``: FTS5 index of the title and body reduced to
  Indonesian root words (``pipelines.db.stemming``), kept in sync by
  triggers calling the SQL function ``arsip_stem``; ``migrate`` defines it
  on the connection, and fills the index from the existing rows.
"""

from __future__ import annotations

import sqlite3

from pipelines.db import stemming

_V1 = """
CREATE TABLE crawls (
    id          TEXT PRIMARY KEY,
    profile     TEXT,
    collection  TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT,
    stats       TEXT            -- JSON object: the crawl's Scrapy stats
);

CREATE TABLE articles (
    id                  TEXT PRIMARY KEY,
    url                 TEXT NOT NULL,
    site                TEXT NOT NULL,
    title               TEXT,
    published           TEXT,
    author              TEXT,
    editor              TEXT,
    views               INTEGER,
    event_times         TEXT NOT NULL,  -- JSON array
    place               TEXT,
    body                TEXT,
    images              TEXT NOT NULL,  -- JSON array
    attachments         TEXT NOT NULL,  -- JSON array
    language            TEXT,
    fetched_at          TEXT NOT NULL,
    crawl_id            TEXT NOT NULL REFERENCES crawls (id),
    warc_filename       TEXT NOT NULL,
    warc_offset         INTEGER NOT NULL,
    warc_length         INTEGER NOT NULL,
    warc_record_id      TEXT NOT NULL,
    warc_payload_digest TEXT NOT NULL,
    schema_version      INTEGER NOT NULL,
    replay_url          TEXT NOT NULL,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL,
    content_hash        TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_site ON articles (site);

CREATE TABLE article_versions (
    id                  TEXT NOT NULL REFERENCES articles (id),
    content_hash        TEXT NOT NULL,
    first_seen          TEXT NOT NULL,
    last_seen           TEXT NOT NULL,
    crawl_ids           TEXT NOT NULL,  -- JSON array, in the order upserted
    title               TEXT,
    published           TEXT,
    author              TEXT,
    editor              TEXT,
    event_times         TEXT NOT NULL,
    place               TEXT,
    body                TEXT,
    images              TEXT NOT NULL,
    attachments         TEXT NOT NULL,
    language            TEXT,
    warc_filename       TEXT NOT NULL,
    warc_offset         INTEGER NOT NULL,
    warc_length         INTEGER NOT NULL,
    warc_record_id      TEXT NOT NULL,
    warc_payload_digest TEXT NOT NULL,
    replay_url          TEXT NOT NULL,
    PRIMARY KEY (id, content_hash)
);

CREATE TABLE observations (
    article_id   TEXT NOT NULL REFERENCES articles (id),
    crawl_id     TEXT NOT NULL REFERENCES crawls (id),
    fetched_at   TEXT NOT NULL,
    views        INTEGER,
    content_hash TEXT NOT NULL,
    UNIQUE (article_id, crawl_id)
);
CREATE INDEX observations_crawl ON observations (crawl_id);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body,
    content = 'articles', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
"""

_V2 = """
CREATE VIRTUAL TABLE articles_fts_stem USING fts5 (
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts_stem (rowid, title, body)
    SELECT rowid, arsip_stem(title), arsip_stem(body) FROM articles;
CREATE TRIGGER articles_fts_stem_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts_stem (rowid, title, body)
        VALUES (new.rowid, arsip_stem(new.title), arsip_stem(new.body));
END;
CREATE TRIGGER articles_fts_stem_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts_stem WHERE rowid = old.rowid;
END;
CREATE TRIGGER articles_fts_stem_update AFTER UPDATE OF title, body ON articles BEGIN
    DELETE FROM articles_fts_stem WHERE rowid = old.rowid;
    INSERT INTO articles_fts_stem (rowid, title, body)
        VALUES (new.rowid, arsip_stem(new.title), arsip_stem(new.body));
END;
"""

#: The migrations in order; ``MIGRATIONS[n]`` takes a database from version n to n + 1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)

#: The schema version this code writes.
LATEST = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied to the database behind *conn*."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing migrations; returns the version before.

    *conn* must be in autocommit mode (``isolation_level=None``); the caller
    checks first that the database is not newer than ``LATEST``. ``BEGIN
    IMMEDIATE`` takes the write lock before reading the version, so two
    processes opening a new file at once do not both create the tables.
    It also defines on *conn* the SQL functions the schema's triggers call
    (``arsip_stem``), so a connection that was migrated can write articles.
    """
    stemming.register(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = user_version(conn)
        for number in range(before, LATEST):
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
        # Written even when nothing changed: a file that cannot be written fails here.
        conn.execute(f"PRAGMA user_version = {max(before, LATEST)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return before


def _statements(script: str) -> list[str]:
    """Split *script* into complete statements (``executescript`` would commit)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements
