"""Read-only SQL on the dataset, for researchers' queries.

Connections are read-only (``mode=ro``), so SQLite itself refuses every
write; ``ATTACH`` is refused too, so a query cannot reach (or create) another
file. A query sees committed rows only.

Reading leaves the dataset's folder as it was. A database in rollback-journal
mode needs nothing beside it to be read. One in WAL mode (as a crawl leaves
it) does: a ``mode=ro`` connection creates ``-wal`` and ``-shm`` beside it
when they are missing, and cannot remove them on close. `read_dataset`
therefore reads a WAL database whose ``-wal`` file is missing as immutable
(``immutable=1``: no locks, no files): with no ``-wal`` every committed
transaction is in the main file, and no connection is writing, since a
writer's changes go to the ``-wal`` first and reach the main file only by a
checkpoint of it. Immutable means SQLite trusts the file not to change while
it reads, so after the read the folder is looked at again: if a ``-wal``
file appeared, or the main file changed (a writer started, wrote and
checkpointed meanwhile), the result is thrown away and read again, with
locking (``mode=ro``) when a writer is now there; its ``-wal`` and ``-shm``
exist already, so nothing is created then either.

`connect_readonly` is the plain locking connection, for long streaming reads
(``arsip export``) that cannot be read again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pipelines.db.errors import (
    DatasetUnreadableError,
    NotADatasetError,
    QueryError,
    translate_read,
)

_DENIED = frozenset({sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH})
#: The first bytes of every SQLite database file.
_MAGIC = b"SQLite format 3\x00"
#: Immutable reads thrown away (a writer came and went) before reading with locks.
_IMMUTABLE_TRIES = 3

T = TypeVar("T")


def _authorize(action: int, *_args: str | None) -> int:
    return sqlite3.SQLITE_DENY if action in _DENIED else sqlite3.SQLITE_OK


def _dataset_file(path: Path | str) -> Path:
    """*path*, checked to be a file that can be a SQLite database, before SQLite sees it
    (SQLite reads nothing, and so finds nothing wrong, for a statement like ``SELECT 1``)."""
    file = Path(path)
    if not file.is_file():
        raise QueryError(file, "no such dataset file; run a crawl or 'arsip reextract' first")
    try:
        with file.open("rb") as fh:
            head = fh.read(len(_MAGIC))
    except OSError as exc:
        raise DatasetUnreadableError(
            file, f"{file}: cannot be read ({exc.strerror or exc}); check its permissions"
        ) from None
    if head and head != _MAGIC:  # (an empty file is an empty database to SQLite)
        raise NotADatasetError(file, "file is not a database")
    return file


def _open(file: Path, flags: str, timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?{flags}", uri=True, timeout=timeout)
    conn.set_authorizer(_authorize)
    return conn


def _locking_flags(file: Path) -> str:
    # On read-only media SQLite cannot create the WAL index beside the file:
    # read it as immutable (no locking; nobody can be writing it there).
    return "mode=ro" if os.access(file.parent, os.W_OK) else "mode=ro&immutable=1"


def connect_readonly(path: Path | str, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only, locking connection to the dataset at *path* (which must exist).

    On a WAL database whose ``-wal`` is missing, SQLite creates ``-wal`` and
    ``-shm`` beside it; `read_dataset` does not.
    """
    file = _dataset_file(path)
    return _open(file, _locking_flags(file), timeout)


def quiet_wal_state(file: Path) -> tuple[int, ...] | None:
    """The main file's identity and last change, when *file* is a WAL database with no
    ``-wal`` beside it (nobody is writing it: see the module doc); None otherwise."""
    try:
        with file.open("rb") as fh:
            header = fh.read(20)
        if not header.startswith(_MAGIC) or header[18] != 2:  # write version 2: WAL
            return None
        if Path(f"{file}-wal").exists():
            return None
        st = file.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_dataset(
    path: Path | str, read: Callable[[sqlite3.Connection], T], timeout: float = 5.0
) -> T:
    """What *read* returns, run on a read-only connection to the dataset at *path*.

    Creates no file beside the dataset when no crawl is writing it (see the
    module doc); *read* may run more than once, so it must only read.
    ``sqlite3.Error`` from *read* is raised as it is, for the caller to word.
    """
    file = _dataset_file(path)
    for _ in range(_IMMUTABLE_TRIES):
        before = quiet_wal_state(file)
        if before is None:
            break
        conn = _open(file, "mode=ro&immutable=1", timeout)
        try:
            result = read(conn)
        except sqlite3.Error:
            if quiet_wal_state(file) == before:
                raise
            continue  # a writer changed the file under the read: read again
        finally:
            conn.close()
        if quiet_wal_state(file) == before:
            return result
    conn = _open(file, _locking_flags(file), timeout)
    try:
        return read(conn)
    finally:
        conn.close()


def _is_write_refused(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_READONLY) or (
        "readonly database" in str(exc)
    )


def query_readonly(
    path: Path | str, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one SQL statement read-only; returns the column names and all rows.

    Raises ``NotADatasetError`` for a file that is no SQLite database,
    ``DatasetCorruptError`` for a damaged one, ``DatasetLockedError`` when
    the file stays locked past the timeout, and ``QueryError`` for bad SQL
    or any attempt to write.
    """

    def run(conn: sqlite3.Connection) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = conn.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        return columns, cursor.fetchall()

    try:
        return read_dataset(path, run)
    except sqlite3.Error as exc:
        error = translate_read(path, exc)
        if error is not None:
            raise error from exc
        if _is_write_refused(exc):
            raise QueryError(path, "queries are read-only; this one tried to write") from exc
        raise QueryError(path, str(exc)) from exc
