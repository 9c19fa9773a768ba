"""``Dataset``: the SQLite dataset, updated idempotently from items.

Usable without Scrapy: the crawl's ``DatasetPipeline`` and ``arsip
reextract`` both feed items through ``Dataset.upsert``, so a rebuild from
WARC files gives the same rows as the live crawl.

Upsert rules, per item (``fetched_at`` decides what is newest, not the
order items arrive in):

- the first capture of an ``id`` inserts ``articles`` + a version: ``"new"``;
- a capture at least as recent as the article's ``last_seen`` becomes the
  current row; ``"changed"`` when its ``content_hash`` differs, a version
  row is added for a content not seen before;
- an older capture (a rebuild out of order) only widens ``first_seen`` and
  may add a historical version (``"changed"``) without touching the
  current row;
- every capture records one observation per (article, crawl): re-running
  the same crawl, or upserting the same item twice, changes nothing
  (``"unchanged"``).

Writes are batched: a transaction is committed every ``batch_size``
upserts, when it is older than ``commit_interval`` seconds, and on
``commit()``/``close()``; each upsert runs in a savepoint so a failed one
leaves no half-written rows.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from pipelines.db import migrations
from pipelines.db.errors import (
    DatasetLockedError,
    DatasetUnwritableError,
    DatasetVersionError,
    translate,
)
from pipelines.db.query import query_readonly
from pipelines.db.records import (
    CONTENT_FIELDS,
    VERSION_ITEM_COLUMNS,
    content_hash,
    item_columns,
    replay_url,
    row_to_item,
)
from pipelines.itemjson import compact_json

UpsertResult = Literal["new", "changed", "unchanged"]

#: ``articles`` columns that hold the content (updating title/body re-indexes FTS).
_CONTENT_COLUMNS = frozenset(CONTENT_FIELDS)


class Dataset:
    """The SQLite dataset at *path* (created and migrated on open).

    *collection* names the replay collection of crawls that ``upsert``
    meets without a ``begin_crawl`` first; when None, the item's ``site``.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        collection: str | None = None,
        batch_size: int = 100,
        commit_interval: float = 2.0,
        timeout: float = 5.0,
    ) -> None:
        self.path = Path(path)
        self.collection = collection
        self.batch_size = max(1, batch_size)
        self.commit_interval = commit_interval
        self.timeout = timeout
        self._pending = 0
        self._began = 0.0
        self._collections: dict[str, str] = {}
        self._conn: sqlite3.Connection | None = None
        with self._errors():
            conn = self._connect()
            try:
                self._setup(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn

    # -- connection ------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """Open the file read-write (autocommit mode: transactions are explicit)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatasetUnwritableError(
                self.path,
                f"cannot create the folder of dataset {self.path} ({exc.strerror}); "
                "set DATASET_PATH or ARSIP_OUT_DIR to a writable place",
            ) from exc
        return sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        found = migrations.user_version(conn)
        if found > migrations.LATEST:
            raise DatasetVersionError(self.path, found, migrations.LATEST)
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        # WAL + NORMAL: a commit survives a crash of the process; close() checkpoints.
        conn.execute("PRAGMA synchronous = NORMAL")
        # Always writes the header, so a read-only file fails here, at open.
        migrations.migrate(conn)

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection (RuntimeError after ``close()``)."""
        if self._conn is None:
            raise RuntimeError(f"dataset {self.path} is closed")
        return self._conn

    def _errors(self) -> _Translate:
        return _Translate(self.path)

    @property
    def version(self) -> int:
        """The schema version of the file (``PRAGMA user_version``)."""
        return migrations.user_version(self.conn)

    # -- transactions ----------------------------------------------------

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self._began = time.monotonic()
            self._pending = 0

    def commit(self) -> None:
        """Commit the pending batch, if any."""
        with self._errors():
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")
            self._pending = 0

    def _maybe_commit(self) -> None:
        self._pending += 1
        if (
            self._pending >= self.batch_size
            or time.monotonic() - self._began >= self.commit_interval
        ):
            self.commit()

    def close(self) -> None:
        """Commit, checkpoint the WAL into the file and close (idempotent)."""
        if self._conn is None:
            return
        try:
            self.commit()
            with self._errors():
                self._conn.execute("PRAGMA optimize").fetchall()
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Dataset:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- crawls ----------------------------------------------------------

    def begin_crawl(
        self, crawl_id: str, profile: str | None, collection: str, started_at: str | None
    ) -> None:
        """Record that a crawl starts (or resumes: its first ``started_at`` is kept)."""
        with self._errors():
            self._begin()
            self.conn.execute(
                "INSERT INTO crawls (id, profile, collection, started_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET profile = excluded.profile,"
                " collection = excluded.collection, finished_at = NULL,"
                " started_at = coalesce(crawls.started_at, excluded.started_at)",
                (crawl_id, profile, collection, started_at),
            )
            self._collections[crawl_id] = collection
            self.commit()

    def finish_crawl(self, crawl_id: str, finished_at: str, stats: Mapping[str, Any]) -> None:
        """Record that a crawl ended, with its stats (values JSON can't hold become strings)."""
        stats_json = json.dumps(dict(stats), ensure_ascii=False, sort_keys=True, default=str)
        with self._errors():
            self._begin()
            self._ensure_crawl(crawl_id, self.collection or "")
            self.conn.execute(
                "UPDATE crawls SET finished_at = ?, stats = ? WHERE id = ?",
                (finished_at, stats_json, crawl_id),
            )
            self.commit()

    def _ensure_crawl(self, crawl_id: str, fallback_collection: str) -> str:
        """The collection of *crawl_id*, registering the crawl when it is unknown."""
        known = self._collections.get(crawl_id)
        if known is not None:
            return known
        row = self.conn.execute(
            "SELECT collection FROM crawls WHERE id = ?", (crawl_id,)
        ).fetchone()
        if row is None:
            collection = self.collection or fallback_collection
            self.conn.execute(
                "INSERT INTO crawls (id, collection) VALUES (?, ?)", (crawl_id, collection)
            )
        else:
            collection = row["collection"]
        self._collections[crawl_id] = collection
        return collection

    # -- articles --------------------------------------------------------

    def upsert(self, item: Mapping[str, Any]) -> UpsertResult:
        """Add one valid item (see the module docstring for the rules)."""
        with self._errors():
            self._begin()
            self.conn.execute("SAVEPOINT upsert")
            try:
                result = self._upsert(item)
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already
                    self.conn.execute("ROLLBACK TO upsert")
                    self.conn.execute("RELEASE upsert")
                raise
            self.conn.execute("RELEASE upsert")
            self._maybe_commit()
        return result

    def _upsert(self, item: Mapping[str, Any]) -> UpsertResult:
        conn = self.conn
        article_id, seen, crawl_id = item["id"], item["fetched_at"], item["crawl_id"]
        digest = content_hash(item)
        collection = self._ensure_crawl(crawl_id, item["site"])
        replay = replay_url(collection, seen, item["url"])
        columns = {**item_columns(item), "replay_url": replay}

        result: UpsertResult = "unchanged"
        current = conn.execute(
            "SELECT content_hash, first_seen, last_seen FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if current is None:
            row = {**columns, "first_seen": seen, "last_seen": seen, "content_hash": digest}
            _insert(conn, "articles", row)
            result = "new"
        elif seen > current["last_seen"] or (
            seen == current["last_seen"] and digest != current["content_hash"]
        ):
            # The newest capture (or a re-extraction of it) becomes the current row.
            changed = digest != current["content_hash"]
            update = {**columns, "last_seen": seen, "content_hash": digest}
            if not changed:  # leave title/body alone: no FTS re-index
                update = {k: v for k, v in update.items() if k not in _CONTENT_COLUMNS}
            _update(conn, "articles", update, "id = ?", (article_id,))
            result = "changed" if changed else "unchanged"
        elif seen < current["first_seen"]:
            _update(conn, "articles", {"first_seen": seen}, "id = ?", (article_id,))

        if self._add_version(item, digest, replay) and result == "unchanged":
            result = "changed"  # an older capture with content not seen before
        conn.execute(
            "INSERT INTO observations (article_id, crawl_id, fetched_at, views, content_hash)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id, crawl_id) DO UPDATE SET"
            " fetched_at = excluded.fetched_at, views = excluded.views,"
            " content_hash = excluded.content_hash"
            " WHERE excluded.fetched_at > observations.fetched_at",
            (article_id, crawl_id, seen, item["views"], digest),
        )
        return result

    def _add_version(self, item: Mapping[str, Any], digest: str, replay: str) -> bool:
        """Record the capture in ``article_versions``; True when the version is new."""
        conn = self.conn
        article_id, seen, crawl_id = item["id"], item["fetched_at"], item["crawl_id"]
        columns = item_columns(item)
        version = conn.execute(
            "SELECT first_seen, last_seen, crawl_ids FROM article_versions"
            " WHERE id = ? AND content_hash = ?",
            (article_id, digest),
        ).fetchone()
        if version is None:
            row = {
                "id": article_id,
                "content_hash": digest,
                "first_seen": seen,
                "last_seen": seen,
                "crawl_ids": compact_json([crawl_id]),
                **{name: columns[name] for name in VERSION_ITEM_COLUMNS},
                "replay_url": replay,
            }
            _insert(conn, "article_versions", row)
            return True
        crawl_ids: list[str] = json.loads(version["crawl_ids"])
        update: dict[str, Any] = {}
        if crawl_id not in crawl_ids:
            update["crawl_ids"] = compact_json([*crawl_ids, crawl_id])
        if seen > version["last_seen"]:
            update["last_seen"] = seen
        if seen < version["first_seen"]:
            # An earlier capture of this content: it becomes the version's first.
            update["first_seen"] = seen
            update["replay_url"] = replay
            update.update({k: v for k, v in columns.items() if k.startswith("warc_")})
        if update:
            where = "id = ? AND content_hash = ?"
            _update(conn, "article_versions", update, where, (article_id, digest))
        return False

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The current item of *article_id* (as it was upserted), or None."""
        with self._errors():
            row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else row_to_item(row)

    def query_readonly(
        self, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run *sql* on a separate read-only connection (sees committed rows only)."""
        self.commit()
        return query_readonly(self.path, sql, params)


class _Translate:
    """Context manager turning SQLite errors users can fix into ``DatasetError``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, sqlite3.Error):
            error = translate(self.path, exc)
            if error is not None:
                raise error from exc


def _insert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))


def _update(
    conn: sqlite3.Connection,
    table: str,
    values: Mapping[str, Any],
    where: str,
    args: tuple[Any, ...],
) -> None:
    sets = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*values.values(), *args))


def check_not_locked(db: Path) -> None:
    """Raise `DatasetLockedError` when another process is writing *db* (a rebuild
    must not replace it then); a missing file is not locked."""
    if not db.exists():
        return

    conn = sqlite3.connect(db, timeout=0.5, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatasetLockedError(db) from None
    finally:
        conn.close()
