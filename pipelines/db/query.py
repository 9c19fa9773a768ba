"""Read-only SQL on the dataset, for researchers' queries.

The connection is opened with ``mode=ro``, so SQLite itself refuses every
write; ``ATTACH`` is refused too, so a query cannot reach (or create) another
file. A query sees committed rows only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.db.errors import DatasetLockedError, QueryError, translate

_DENIED = frozenset({sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH})


def _authorize(action: int, *_args: str | None) -> int:
    return sqlite3.SQLITE_DENY if action in _DENIED else sqlite3.SQLITE_OK


def connect_readonly(path: Path | str, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only connection to the dataset at *path* (which must exist)."""
    file = Path(path)
    if not file.is_file():
        raise QueryError(file, "no such dataset file; run a crawl or 'arsip reextract' first")
    # On read-only media SQLite cannot create the WAL index beside the file:
    # read it as immutable (no locking; nobody can be writing it there).
    flags = "mode=ro" if os.access(file.parent, os.W_OK) else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?{flags}", uri=True, timeout=timeout)
    conn.set_authorizer(_authorize)
    return conn


def query_readonly(
    path: Path | str, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one SQL statement read-only; returns the column names and all rows.

    Raises ``QueryError`` for bad SQL or any attempt to write, and
    ``DatasetLockedError`` when the file stays locked past the timeout.
    """
    conn = connect_readonly(path)
    try:
        cursor = conn.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        return columns, cursor.fetchall()
    except sqlite3.Error as exc:
        error = translate(path, exc)
        if isinstance(error, DatasetLockedError):
            raise error from exc
        if error is not None:
            raise QueryError(path, "queries are read-only; this one tried to write") from exc
        raise QueryError(path, str(exc)) from exc
    finally:
        conn.close()
