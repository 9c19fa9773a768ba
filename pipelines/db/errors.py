"""Errors of the SQLite dataset: one line each, naming the file and what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from arsip.core.errors import ArsipError, InputError, LockedError, OutputError, UsageError

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_SQLITE_CORRUPT = 11


class DatasetError(ArsipError):
    """A dataset that cannot be used; ``path`` is its file."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(message)
        self.path = Path(path)


class DatasetUnreadableError(DatasetError, InputError):
    """A dataset file that cannot be opened or read."""


class DatasetUnwritableError(DatasetError, OutputError):
    """A dataset (or its folder) that cannot be created or written."""


class DatasetLockedError(DatasetError, LockedError):
    """Another process holds the dataset's write lock for too long."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            f"dataset {path} is locked by another process (a crawl, reextract or open "
            "query); wait for it to finish, or set DATASET_PATH to another file",
        )


class DatasetReadOnlyError(DatasetUnwritableError):
    """The dataset file or its folder cannot be written."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            f"dataset {path} cannot be written (read-only file or folder: SQLite also "
            "writes PATH-wal and PATH-shm beside it); make it writable, or set "
            "DATASET_PATH to a writable place",
        )


class DatasetCorruptError(DatasetError, InputError):
    """The file is not a SQLite database, or is damaged."""

    def __init__(self, path: Path | str, detail: str) -> None:
        super().__init__(
            path,
            f"dataset {path} is not a usable SQLite database ({detail}); move it aside "
            "and rebuild it with 'arsip reextract'",
        )


class DatasetVersionError(DatasetError, InputError):
    """The file was written by a newer arsip with a schema this one does not know."""

    def __init__(self, path: Path | str, found: int, known: int) -> None:
        super().__init__(
            path,
            f"dataset {path} has schema version {found} but this arsip knows up to {known}; "
            "upgrade arsip, or set DATASET_PATH to another file",
        )


class NotADatasetError(DatasetError, InputError):
    """A file given to a researcher command (query, search, ...) that is no arsip dataset."""

    def __init__(self, path: Path | str, detail: str) -> None:
        super().__init__(
            path,
            f"{path}: not an arsip dataset ({detail}); give the arsip.sqlite of a collection "
            "(--db PATH, or --out DIR of a crawl)",
        )


class QueryError(DatasetError, UsageError):
    """A read-only query that failed: bad SQL, or an attempt to write."""

    def __init__(self, path: Path | str, detail: str) -> None:
        super().__init__(path, f"query on {path} failed: {detail}")


def translate(path: Path | str, exc: sqlite3.Error) -> DatasetError | None:
    """The dataset error that *exc* means for the user, or None for anything else (a bug)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return DatasetLockedError(path)
    if primary in (_SQLITE_READONLY, _SQLITE_CANTOPEN) or "readonly database" in text:
        return DatasetReadOnlyError(path)
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        return DatasetCorruptError(path, str(exc))
    return None


def translate_read(path: Path | str, exc: sqlite3.Error) -> DatasetError | None:
    """The error *exc* means for a researcher's read of *path*, or None (bad SQL, a write).

    Checked first, whatever else the message says: a file that is no SQLite
    database at all (``SQLITE_NOTADB``) was given by mistake, so it is
    ``NotADatasetError`` (exit 4: input), not a bad query or a write; a
    damaged one is ``DatasetCorruptError``. Then a lock held too long and a
    file SQLite cannot open. ``SQLITE_READONLY`` (a write refused by the
    read-only connection) and plain SQL errors are for the caller to word.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary == _SQLITE_NOTADB or "file is not a database" in text:
        return NotADatasetError(path, "file is not a database")
    if primary == _SQLITE_CORRUPT or "database disk image is malformed" in text:
        return DatasetCorruptError(path, str(exc))
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return DatasetLockedError(path)
    if primary == _SQLITE_CANTOPEN:
        return DatasetUnreadableError(
            path, f"{path}: cannot be opened ({exc}); check the file and its folder"
        )
    return None


def read_failed(path: Path | str, exc: sqlite3.Error, what: str) -> DatasetError:
    """The error to raise when arsip's own read (*what*: search, history, export) fails.

    These commands run arsip's fixed SQL on tables every arsip dataset has
    had since its first version, so a missing table means the file is a
    SQLite database but not an arsip dataset (exit 4), not a bad query.
    """
    error = translate_read(path, exc)
    if error is not None:
        return error
    if str(exc).startswith("no such table"):
        return NotADatasetError(path, str(exc))
    return QueryError(path, f"{what} failed ({exc})")
