"""The crash-safe state of one crawl: ``OUT/state/CRAWL_ID.sqlite``.

`CrawlState` is a SQLite file (WAL, ``synchronous=FULL``) that records, as
the crawl goes:

- ``requests``: every request the scheduler accepted, in the order it
  accepted them (``seq``), with its fingerprint (the seen-set), kind,
  depth, the request itself (JSON, enough to rebuild it) and its status:
  ``queued`` until its response has been archived and handled (and, for
  an article, its item written), then ``done`` with an outcome;
- ``responses``: status, MIME type, bytes, host and timing of every
  response (the report's raw data);
- ``skipped``: every URL not fetched, with its reason (robots, out of
  scope, duplicate, depth, known, ...);
- ``errors`` and ``runs`` (the first run and each resume), and ``meta``.

Why this survives SIGKILL and power loss: writes go into an open
transaction that `checkpoint` commits every `COMMIT_INTERVAL` seconds (and
at the end). Before each commit the data files the marks depend on (the
WARC files being written and the JSON Lines ``.part``) are fsynced, and the
commit itself is durable (FULL). A request marked done is therefore done on
disk; a request whose mark was lost is simply fetched again on resume. A
child request is recorded in the same or an earlier transaction than its
parent's done mark, so no link is lost. Scrapy's JOBDIR, by contrast,
writes its queue metadata and seen-set only at a clean close.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from archive.files import fsync_path
from arsip.core import layout
from pipelines.full_disk import is_full_disk

logger = logging.getLogger(__name__)

#: Seconds between commits of the state (and fsyncs of the files it depends on).
COMMIT_INTERVAL: Final = 1.0
#: Operations after which a commit is due regardless of time.
COMMIT_OPS: Final = 500

#: ``request.meta`` key holding the request's ``seq`` in the state file.
META_SEQ: Final = "arsip_seq"

#: Custom signal, sent by the spider when a callback or errback is finished
#: with a request: ``request``, ``items`` (items it yielded), ``outcome``.
request_handled = object()
#: Custom signal, sent when a URL is not fetched: ``url``, ``reason``, ``referer``.
url_skipped = object()
#: Custom signal, sent when the spider has decided what a page is: ``url``, ``kind``
#: (article, listing, other), ``reason``.
page_classified = object()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    n INTEGER PRIMARY KEY, pid INTEGER, started_at REAL, finished_at REAL, reason TEXT
);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'queued',
    outcome TEXT,
    item_id TEXT,
    request TEXT NOT NULL,
    queued_at REAL NOT NULL,
    done_at REAL
);
CREATE INDEX IF NOT EXISTS requests_status ON requests (status, seq);
CREATE TABLE IF NOT EXISTS responses (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    mime TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    host TEXT NOT NULL,
    latency REAL,
    at REAL NOT NULL,
    kind TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS skipped (
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1,
    referer TEXT,
    PRIMARY KEY (url, reason)
);
CREATE TABLE IF NOT EXISTS classified (
    url TEXT PRIMARY KEY, kind TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY, url TEXT, kind TEXT NOT NULL, message TEXT NOT NULL, at REAL NOT NULL
);
"""

#: Callback name → kind of page, for the report and the resume bookkeeping.
KINDS: Final = {
    "parse": "listing",
    "parse_article": "article",
    "parse_requisite": "requisite",
    "parse_sitemap": "sitemap",
    "parse_feed": "feed",
    "parse_page": "page",
}


def state_path(out_dir: str | os.PathLike[str], crawl_id: str) -> Path:
    """The state file of crawl *crawl_id* in *out_dir*."""
    return layout.state_path(out_dir, crawl_id)


def request_kind(callback: str | None) -> str:
    return KINDS.get(callback or "", "other")


def encode_request(data: dict[str, Any]) -> str:
    """``Request.to_dict()`` as JSON: bytes as latin-1 text, unserializable meta left out."""

    def text(value: Any) -> Any:
        return value.decode("latin-1") if isinstance(value, bytes) else value

    headers = {
        text(k): [text(v) for v in (vs if isinstance(vs, list) else [vs])]
        for k, vs in (data.get("headers") or {}).items()
    }
    meta: dict[str, Any] = dict(data.get("meta") or {})
    try:
        json.dumps(meta)
    except (TypeError, ValueError):  # rare: test each value, keep what JSON can hold
        meta = {key: value for key, value in meta.items() if _serializable(value)}
    out = {
        **{k: v for k, v in data.items() if k not in ("headers", "meta", "body")},
        "headers": headers,
        "meta": meta,
        "body": text(data.get("body") or b""),
    }
    return json.dumps(out, default=str)


def _serializable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def decode_request(text: str) -> dict[str, Any]:
    """The inverse of `encode_request`: a dict for ``scrapy.utils.request.request_from_dict``."""
    data: dict[str, Any] = json.loads(text)
    data["headers"] = {
        k.encode("latin-1"): [v.encode("latin-1") for v in vs]
        for k, vs in data.get("headers", {}).items()
    }
    data["body"] = str(data.get("body") or "").encode("latin-1")
    return data


@dataclass(frozen=True, slots=True)
class QueuedRequest:
    """A request recorded as queued: what `CrawlState.queued` yields on resume."""

    seq: int
    fingerprint: str
    url: str
    kind: str
    request: dict[str, Any]


class CrawlState:
    """The SQLite state file of one crawl (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sync_files: Callable[[], Iterable[Path]] | None = None,
        commit_interval: float = COMMIT_INTERVAL,
        readonly: bool = False,
    ) -> None:
        self.path = Path(path)
        self.sync_files = sync_files
        self.commit_interval = commit_interval
        self._ops = 0
        self._last_commit = time.monotonic()
        # Report rows (responses, skips) wait here until the next checkpoint, written in
        # one executemany each: no done mark depends on them, and they go in the same
        # transaction as the marks recorded meanwhile.
        self._responses: list[tuple[Any, ...]] = []
        self._skips: dict[tuple[str, str], list[Any]] = {}
        #: Set when a write met a full disk: from then on nothing more is written (the
        #: file stays at its last commit; a resume redoes the rest) and
        #: `on_full_disk`, when set, is told once.
        self.write_error: BaseException | None = None
        self.on_full_disk: Callable[[BaseException], object] | None = None
        self._classified: list[tuple[str, str, str]] = []
        if readonly:
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode = WAL").fetchall()
            self.conn.execute("PRAGMA synchronous = FULL")
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    self.conn.execute(statement)
        self.conn.row_factory = sqlite3.Row

    # -- transactions ----------------------------------------------------

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        if self.write_error is not None:
            return self.conn.execute("SELECT NULL")
        try:
            if not self.conn.in_transaction:
                self.conn.execute("BEGIN IMMEDIATE")
            self._ops += 1
            cursor = self.conn.execute(sql, args)
        except (sqlite3.OperationalError, OSError) as exc:
            self._stop_writing(exc)
            return self.conn.execute("SELECT NULL")
        if self._ops >= COMMIT_OPS:
            self.checkpoint()
        return cursor

    def _stop_writing(self, exc: BaseException) -> None:
        """A write failed: on a full disk, write no more (see `write_error`); else raise."""
        if not is_full_disk(exc):
            raise exc
        with contextlib.suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        self._responses, self._skips = [], {}
        first = self.write_error is None
        self.write_error = exc
        if first and self.on_full_disk is not None:
            self.on_full_disk(exc)

    def _count_op(self) -> None:
        self._ops += 1
        if self._ops >= COMMIT_OPS:
            self.checkpoint()

    def flush(self) -> None:
        """Write the buffered report rows into the open transaction (not committed yet)."""
        if not self._responses and not self._skips and not self._classified:
            return
        if self.write_error is not None:
            self._responses, self._skips, self._classified = [], {}, []
            return
        try:
            self._flush()
        except (sqlite3.OperationalError, OSError) as exc:
            self._stop_writing(exc)

    def _flush(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        if self._responses:
            self.conn.executemany(
                "INSERT INTO responses (url, status, mime, bytes, host, latency, at, kind)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                self._responses,
            )
            self._responses = []
        if self._skips:
            self.conn.executemany(
                "INSERT INTO skipped (url, reason, referer, count) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url, reason) DO UPDATE SET count = count + excluded.count",
                [(url, reason, referer, n) for (url, reason), (n, referer) in self._skips.items()],
            )
            self._skips = {}
        if self._classified:
            self.conn.executemany(
                "INSERT OR REPLACE INTO classified (url, kind, reason) VALUES (?, ?, ?)",
                self._classified,
            )
            self._classified = []

    def checkpoint(self) -> None:
        """Make everything recorded so far durable: fsync the data files, then commit."""
        self.flush()
        if not self.conn.in_transaction or self.write_error is not None:
            return
        try:
            for path in self.sync_files() if self.sync_files else ():
                fsync_path(path, missing_ok=True)
            self.conn.execute("COMMIT")
        except (sqlite3.OperationalError, OSError) as exc:
            self._stop_writing(exc)
        self._ops = 0
        self._last_commit = time.monotonic()

    def maybe_checkpoint(self) -> None:
        if time.monotonic() - self._last_commit >= self.commit_interval:
            self.checkpoint()

    def close(self) -> None:
        """Commit and close (idempotent)."""
        try:
            self.checkpoint()
            if self.write_error is None:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.ProgrammingError:
            return
        except sqlite3.OperationalError as exc:
            self._stop_writing(exc)
        self.conn.close()

    # -- meta and runs ---------------------------------------------------

    def set_meta(self, **values: Any) -> None:
        for key, value in values.items():
            self._write(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def meta(self) -> dict[str, Any]:
        rows = self.conn.execute("SELECT key, value FROM meta")
        return {row["key"]: json.loads(row["value"]) for row in rows}

    def begin_run(self) -> int:
        """Record that a run (the first, or a resume) starts; returns its number."""
        cursor = self._write(
            "INSERT INTO runs (pid, started_at) VALUES (?, ?)", (os.getpid(), time.time())
        )
        self.checkpoint()
        return int(cursor.lastrowid or 0)

    def end_run(self, n: int, reason: str) -> None:
        self._write(
            "UPDATE runs SET finished_at = ?, reason = ? WHERE n = ?", (time.time(), reason, n)
        )

    def runs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM runs ORDER BY n")]

    # -- requests (the frontier) -----------------------------------------

    def add(self, fingerprint: str, url: str, kind: str, depth: int, request: str) -> int:
        """Record a newly scheduled request as queued; returns its ``seq``."""
        cursor = self._write(
            "INSERT INTO requests (fingerprint, url, kind, depth, request, queued_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (fingerprint, url, kind, depth, request, time.time()),
        )
        return int(cursor.lastrowid or 0)

    def done(self, seq: int, outcome: str, item_id: str | None = None) -> None:
        """Mark request *seq* done (its response archived, handled and its item written)."""
        self._write(
            "UPDATE requests SET status = 'done', outcome = ?, done_at = ?,"
            " item_id = coalesce(?, item_id) WHERE seq = ? AND status = 'queued'",
            (outcome, time.time(), item_id, seq),
        )

    def fingerprints(self) -> Iterator[str]:
        for row in self.conn.execute("SELECT fingerprint FROM requests"):
            yield row[0]

    def queued(self) -> Iterator[QueuedRequest]:
        """Requests recorded but not done, in the order they were scheduled."""
        rows = self.conn.execute(
            "SELECT seq, fingerprint, url, kind, request FROM requests"
            " WHERE status = 'queued' ORDER BY seq"
        ).fetchall()
        for row in rows:
            yield QueuedRequest(
                row["seq"], row["fingerprint"], row["url"], row["kind"], decode_request(row[4])
            )

    def url_of(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT url FROM requests WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else str(row[0])

    def counts(self) -> dict[str, int]:
        """Requests by status: ``{"queued": n, "done": m}``."""
        return {
            row[0]: int(row[1])
            for row in self.conn.execute("SELECT status, count(*) FROM requests GROUP BY status")
        }

    # -- report data -----------------------------------------------------

    def add_response(
        self, url: str, status: int, mime: str, size: int, *, latency: float | None, kind: str
    ) -> None:
        host = urlsplit(url).hostname or ""
        self._responses.append((url, status, mime, size, host, latency, time.time(), kind))
        self._count_op()

    def add_skip(self, url: str, reason: str, referer: str | None = None) -> None:
        pending = self._skips.get((url, reason))
        if pending is None:
            self._skips[(url, reason)] = [1, referer]
        else:
            pending[0] += 1
        self._count_op()

    def add_classified(self, url: str, kind: str, reason: str) -> None:
        self._classified.append((url, kind, reason))
        self._count_op()

    def add_error(self, url: str | None, kind: str, message: str) -> None:
        self._write(
            "INSERT INTO errors (url, kind, message, at) VALUES (?, ?, ?, ?)",
            (url, kind, message[:2000], time.time()),
        )

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Rows of a read query (reports), buffered rows included."""
        self.flush()
        return self.conn.execute(sql, args).fetchall()


def data_files(out_dir: Path) -> list[Path]:
    """Files still being written that state marks depend on: ``warc/*.open``, ``json/*.part``."""
    return [*layout.warc_dir(out_dir).glob("*.open"), *layout.json_dir(out_dir).glob("*.part")]


def unfinished_states(out_dir: str | os.PathLike[str]) -> list[tuple[Path, dict[str, Any]]]:
    """State files of crawls in *out_dir* that did not finish (newest first), with their meta."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted(layout.state_dir(out_dir).glob("*.sqlite"), reverse=True):
        if path.name == layout.KNOWN_FILE:
            continue
        try:
            state = CrawlState(path, readonly=True)
        except sqlite3.Error:
            continue
        try:
            meta = state.meta()
        except sqlite3.Error:
            meta = {}
        finally:
            state.conn.close()
        if meta.get("crawl_id") and not meta.get("finished"):
            found.append((path, meta))
    return found
