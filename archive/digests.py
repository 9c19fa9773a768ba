"""The collection's digest index: what was captured before, so it is not stored twice.

A collection keeps one small SQLite file (by default ``OUT/state/digests.sqlite``,
beside ``OUT/warc``) that outlives each crawl. It maps

- ``(url, payload digest)`` → the ``response`` record holding that payload
  (record id, WARC-Date, file name, offset, length): what an
  ``identical-payload-digest`` revisit refers to;
- ``url`` → its last capture: the validators the server sent (``ETag``,
  ``Last-Modified``), the response record holding the payload those
  validators describe, and when the URL was last fetched: what a
  conditional request sends, and what a ``server-not-modified`` revisit
  refers to.

The index is a cache of facts that are all in the WARC files: losing it
costs only storage (the next crawl stores full responses again). Every change
is committed at once (WAL journal), so a crawl killed at any point leaves an
index whose entries name records that were already written before them.

`RevisitResolver` goes the other way for readers that have only WARC files
(``arsip reextract``): it finds the record a revisit stands for by scanning.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from archive.naming import OPEN_SUFFIX
from archive.reader import iter_records
from archive.writer import RecordLocation
from arsip.core import layout

logger = logging.getLogger(__name__)

#: Where the index goes, relative to the collection directory (the parent of ``warc/``).
DEFAULT_RELATIVE_PATH: Final = Path(layout.STATE_DIR) / layout.DIGESTS_FILE
#: Schema version, kept in ``PRAGMA user_version``.
SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS originals (
    url TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    record_id TEXT NOT NULL,
    warc_date TEXT NOT NULL,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    PRIMARY KEY (url, payload_digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS last_captures (
    url TEXT PRIMARY KEY NOT NULL,
    payload_digest TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    seen_at TEXT NOT NULL,
    seen_record_id TEXT NOT NULL,
    FOREIGN KEY (url, payload_digest) REFERENCES originals (url, payload_digest)
) WITHOUT ROWID;
"""


def default_index_path(warc_dir: str | os.PathLike[str]) -> Path:
    """``state/digests.sqlite`` in the collection directory that holds `warc_dir`."""
    return Path(warc_dir).resolve().parent / DEFAULT_RELATIVE_PATH


@dataclass(frozen=True, slots=True)
class LastCapture:
    """The last capture of a URL.

    `original` is the response record holding the payload that `etag` and
    `last_modified` (as the server sent them; None when it sent none)
    describe. `seen_at` and `seen_record_id` are the WARC-Date and record id
    of the latest exchange about the URL: `original` itself or a revisit.
    """

    url: str
    original: RecordLocation
    etag: str | None
    last_modified: str | None
    seen_at: str
    seen_record_id: str

    @property
    def has_validators(self) -> bool:
        """True when a conditional request can be made from this capture."""
        return bool(self.etag or self.last_modified)


class DigestIndex:
    """The digest index of one collection, in the SQLite file `path` (created if missing).

    One writer per collection at a time (a crawl); other connections may
    read. Not thread-safe: use from one thread.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{self.path} has digest index schema {version}; this arsip knows "
                    f"{SCHEMA_VERSION}: upgrade arsip or remove the file (it is rebuilt)"
                )
            if version < SCHEMA_VERSION:  # idempotent: two first openers cannot clash
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self._db.close()
            raise

    # -- reading ------------------------------------------------------------------

    def original(self, url: str, payload_digest: str) -> RecordLocation | None:
        """The response record that holds `url`'s payload with `payload_digest`, if any."""
        row = self._db.execute(
            "SELECT filename, offset, length, record_id, payload_digest, warc_date "
            "FROM originals WHERE url = ? AND payload_digest = ?",
            (url, payload_digest),
        ).fetchone()
        return _location(row) if row else None

    def last_capture(self, url: str) -> LastCapture | None:
        """The last capture of `url`, if it was ever captured with a payload."""
        row = self._db.execute(
            "SELECT o.filename, o.offset, o.length, o.record_id, o.payload_digest, o.warc_date,"
            " l.etag, l.last_modified, l.seen_at, l.seen_record_id "
            "FROM last_captures AS l JOIN originals AS o"
            " ON o.url = l.url AND o.payload_digest = l.payload_digest "
            "WHERE l.url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        return LastCapture(url, _location(row[:6]), row[6], row[7], row[8], row[9])

    def __len__(self) -> int:
        """The number of stored originals."""
        return int(self._db.execute("SELECT count(*) FROM originals").fetchone()[0])

    # -- writing ------------------------------------------------------------------

    def add_original(
        self,
        url: str,
        location: RecordLocation,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """`location` (a response record of `url` with its payload) is now the original
        for its digest and `url`'s last capture, with these validators."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO originals"
                " (url, payload_digest, record_id, warc_date, filename, offset, length)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    url,
                    location["payload_digest"],
                    location["record_id"],
                    location["warc_date"],
                    location["filename"],
                    location["offset"],
                    location["length"],
                ),
            )
            self._set_last(
                url,
                location["payload_digest"],
                etag=etag,
                last_modified=last_modified,
                seen_at=location["warc_date"],
                seen_record_id=location["record_id"],
            )

    def add_revisit(
        self,
        url: str,
        payload_digest: str,
        revisit: RecordLocation,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A revisit of `url` (record `revisit`) stood for the original with `payload_digest`.

        Validators the revisit's response carried replace the stored ones;
        None keeps them (a 304 need not repeat them).
        """
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            known = self._db.execute(
                "SELECT etag, last_modified FROM last_captures"
                " WHERE url = ? AND payload_digest = ?",
                (url, payload_digest),
            ).fetchone()
            if known is not None:
                etag = etag if etag is not None else known[0]
                last_modified = last_modified if last_modified is not None else known[1]
            self._set_last(
                url,
                payload_digest,
                etag=etag,
                last_modified=last_modified,
                seen_at=revisit["warc_date"],
                seen_record_id=revisit["record_id"],
            )

    def forget(self, url: str) -> None:
        """Drop `url`'s last capture (its original cannot be read): no more conditionals."""
        with self._db:
            self._db.execute("DELETE FROM last_captures WHERE url = ?", (url,))

    def close(self) -> None:
        """Close the connection (every change is already committed)."""
        self._db.close()

    def __enter__(self) -> DigestIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _set_last(
        self,
        url: str,
        payload_digest: str,
        *,
        etag: str | None,
        last_modified: str | None,
        seen_at: str,
        seen_record_id: str,
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO last_captures"
            " (url, payload_digest, etag, last_modified, seen_at, seen_record_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (url, payload_digest, etag, last_modified, seen_at, seen_record_id),
        )


def _location(row: tuple[object, ...]) -> RecordLocation:
    filename, offset, length, record_id, payload_digest, warc_date = row
    return RecordLocation(
        filename=str(filename),
        offset=int(str(offset)),
        length=int(str(length)),
        record_id=str(record_id),
        payload_digest=str(payload_digest),
        warc_date=str(warc_date),
    )


def record_path(warc_dir: str | os.PathLike[str], location: RecordLocation) -> Path | None:
    """The file that holds the record at `location`, if it holds it whole.

    That is ``WARC_DIR/FILENAME``, or ``FILENAME.open`` while its writer (this
    crawl) is still writing it. None when neither file is long enough to hold
    the record (moved away, or cut back by a crash repair).
    """
    end = location["offset"] + location["length"]
    for name in (location["filename"], location["filename"] + OPEN_SUFFIX):
        path = Path(warc_dir) / name
        try:
            if path.stat().st_size >= end:
                return path
        except OSError:
            continue
    return None


class RevisitResolver:
    """Finds the record a ``revisit`` stands for, by scanning a collection's WARC files.

    For readers that have only the WARC files (``arsip reextract``, checks):
    every ``response`` (and ``resource``) record of `paths` is indexed by
    record id and by (target URI, payload digest). `resolve` looks a revisit
    up by its ``WARC-Refers-To`` first, then by its
    ``WARC-Refers-To-Target-URI`` (or its own target) and payload digest, as
    replay tools do. Memory: one small entry per response record.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        self._by_id: dict[str, RecordLocation] = {}
        self._by_digest: dict[tuple[str, str], RecordLocation] = {}
        self._uri_of: dict[str, str] = {}
        for path in paths:
            self.add_file(path)

    def add_file(self, path: str | os.PathLike[str]) -> None:
        """Index the response records of one WARC file (problems are logged, not raised)."""
        name = Path(path).name
        for entry in iter_records(path):
            if entry.rec_type not in ("response", "resource") or not entry.record_id:
                continue
            location = RecordLocation(
                filename=name,
                offset=entry.offset,
                length=entry.length,
                record_id=entry.record_id,
                payload_digest=entry.payload_digest or "",
                warc_date=entry.date or "",
            )
            self._by_id[entry.record_id] = location
            uri = entry.target_uri or ""
            self._uri_of[entry.record_id] = uri
            if entry.payload_digest:
                # the earliest capture with that payload wins, as in pywb
                self._by_digest.setdefault((uri, entry.payload_digest.upper()), location)

    def resolve(
        self,
        *,
        refers_to: str | None,
        target_uri: str | None,
        payload_digest: str | None,
        refers_to_target_uri: str | None = None,
    ) -> RecordLocation | None:
        """The original record of a revisit with these header values, or None."""
        if refers_to and refers_to in self._by_id:
            return self._by_id[refers_to]
        uri = refers_to_target_uri or target_uri
        if uri and payload_digest:
            return self._by_digest.get((uri, payload_digest.upper()))
        return None

    def target_uri(self, record_id: str) -> str | None:
        """The ``WARC-Target-URI`` of an indexed record."""
        return self._uri_of.get(record_id)


__all__ = [
    "DEFAULT_RELATIVE_PATH",
    "DigestIndex",
    "LastCapture",
    "RevisitResolver",
    "default_index_path",
    "record_path",
]
