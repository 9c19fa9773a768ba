"""Export the dataset's articles as JSON Lines, CSV or Parquet, atomically.

``export(db, out, "csv")`` streams the current version of every article
(optionally only those last seen on or after ``since``) into *out*,
written first as a hidden temporary file in the same folder, fsynced and
renamed, so *out* is always either the previous file or a complete new
one. ``datapackage.json`` (``pipelines.datapackage``) is then written
beside it the same way. The record layouts are described there.

Parquet needs pyarrow (the optional extra ``parquet``); without it
``export`` raises a ``ConfigError`` naming ``pip install 'arsip[parquet]'``.
Parquet types: ``views``, ``warc.offset``, ``warc.length`` and
``schema_version`` are int64; ``fetched_at``, ``first_seen`` and
``last_seen`` are timestamp[ms, tz=UTC]; ``published`` stays the ISO string
of the item (a date, or a date-time with the offset shown on the page),
and two typed columns come with it: ``published_date`` (date32, the
calendar date as written) and ``published_at`` (timestamp[us, tz=UTC],
null when the page shows no time); ``event_times`` is a list of
struct<start, end, text> strings, ``images``/``attachments`` lists of
strings, ``warc`` a struct.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from archive import files
from arsip.core.errors import ConfigError, OutputError
from pipelines import datapackage
from pipelines.datapackage import Format, export_fields
from pipelines.db.errors import read_failed
from pipelines.db.query import connect_readonly
from pipelines.db.records import WARC_KEYS, row_to_item
from pipelines.itemjson import compact_json, dumps_line

#: Rows fetched from SQLite (and written to Parquet) at a time.
BATCH_ROWS = 2000

_EXTRA_COLUMNS = ("replay_url", "first_seen", "last_seen", "content_hash")


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    format: Format
    rows: int
    bytes: int
    descriptor: Path | None


def records(path: Path | str, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every article (current version) as an export record, by publication date then id.

    A record is the item (``ITEM_FIELDS`` order, ``warc`` nested) followed
    by ``replay_url``, ``first_seen``, ``last_seen`` and ``content_hash``.
    *since* keeps articles whose ``last_seen`` is on or after it.
    """
    sql = "SELECT * FROM articles"
    params: tuple[str, ...] = ()
    if since:
        sql += " WHERE last_seen >= ?"
        params = (since,)
    sql += " ORDER BY published, id"
    conn = connect_readonly(path)
    conn.row_factory = sqlite3.Row
    try:  # now, not at the first record: a file that is no dataset fails before any output
        cursor = conn.execute(sql, params)
    except sqlite3.Error as exc:
        conn.close()
        raise read_failed(path, exc, "export") from exc
    return _records(path, conn, cursor)


def _records(
    path: Path | str, conn: sqlite3.Connection, cursor: sqlite3.Cursor
) -> Iterator[dict[str, Any]]:
    try:
        while True:
            rows = cursor.fetchmany(BATCH_ROWS)
            if not rows:
                return
            for row in rows:
                record = row_to_item(row)
                record.update((name, row[name]) for name in _EXTRA_COLUMNS)
                yield record
    except sqlite3.Error as exc:
        raise read_failed(path, exc, "export") from exc
    finally:
        conn.close()


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """The CSV layout of a record: ``warc`` split into ``warc_*`` columns."""
    result: dict[str, Any] = {}
    for name, value in record.items():
        if name == "warc":
            result.update((f"warc_{key}", value[key]) for key in WARC_KEYS)
        else:
            result[name] = value
    return result


# -- writers ---------------------------------------------------------------------


_BREAKS = ("\x85", "\u2028", "\u2029")


def jsonl_line(record: dict[str, Any]) -> str:
    """``pipelines.itemjson.dumps_line(record)``, skipping its (slow) escape pass when the
    text holds none of the line-break characters it escapes."""
    text = compact_json(record)
    return dumps_line(record) if any(ch in text for ch in _BREAKS) else text


def _write_jsonl(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    count = 0
    for record in rows:
        fh.write(jsonl_line(record).encode("utf-8") + b"\n")
        count += 1
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return compact_json(value)
    return value


def _write_csv(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    names = [field.name for field in export_fields("csv")]
    text = _TextOut(fh)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(names)
    count = 0
    for record in rows:
        row = flat(record)
        writer.writerow([_csv_cell(row[name]) for name in names])
        count += 1
    return count


class _TextOut:
    """A minimal text sink over a binary file (csv.writer only calls ``write``)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh

    def write(self, text: str) -> int:
        return self.fh.write(text.encode("utf-8"))


def _arrow() -> Any:
    try:
        pyarrow = importlib.import_module("pyarrow")
        importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ConfigError(
            "Parquet export needs pyarrow: pip install 'arsip[parquet]' "
            "(or export --format jsonl or csv)"
        ) from None
    return pyarrow


def parquet_schema(pa: Any) -> Any:
    """The Arrow schema of a Parquet export (see the module docstring)."""
    text, int64 = pa.string(), pa.int64()
    stamp = pa.timestamp("ms", tz="UTC")
    types: dict[str, Any] = {
        "views": int64,
        "schema_version": int64,
        "published_date": pa.date32(),
        "published_at": pa.timestamp("us", tz="UTC"),
        "fetched_at": stamp,
        "first_seen": stamp,
        "last_seen": stamp,
        "event_times": pa.list_(pa.struct([("start", text), ("end", text), ("text", text)])),
        "images": pa.list_(text),
        "attachments": pa.list_(text),
        "warc": pa.struct(
            [
                ("filename", text),
                ("offset", int64),
                ("length", int64),
                ("record_id", text),
                ("payload_digest", text),
            ]
        ),
    }
    fields = export_fields("parquet")
    return pa.schema([pa.field(f.name, types.get(f.name, text)) for f in fields])


def _instant(text: str | None) -> datetime | None:
    """An ISO time with offset (``Z`` allowed) as an aware datetime; None otherwise."""
    if not text or "T" not in text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo is not None else None


def parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record with the typed values of its Parquet columns."""
    published = record["published"]
    row = dict(record)
    row["published_date"] = date.fromisoformat(published[:10]) if published else None
    row["published_at"] = _instant(published)
    for name in ("fetched_at", "first_seen", "last_seen"):
        row[name] = _instant(record[name])
    return row


def _write_parquet(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    pa = _arrow()
    pq = importlib.import_module("pyarrow.parquet")

    schema = parquet_schema(pa)
    count = 0
    with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in rows:
            batch.append(parquet_row(record))
            if len(batch) >= BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


_WRITERS: dict[str, Callable[[Iterator[dict[str, Any]], IO[bytes]], int]] = {
    "jsonl": _write_jsonl,
    "csv": _write_csv,
    "parquet": _write_parquet,
}


# -- atomic files ----------------------------------------------------------------


def write_atomically(target: Path, write: Callable[[IO[bytes]], Any]) -> Any:
    """`archive.files.write_atomically`, with a file that cannot be written (no
    permission, no space, ...) worded for the user (exit 5); *target* untouched."""
    try:
        return files.write_atomically(target, write)
    except OSError as exc:
        raise OutputError(
            f"cannot write {target} ({exc.strerror or exc}); choose another place with --out"
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_descriptor(out: Path, fmt: Format, rows: int, since: str | None, name: str) -> Path:
    """Add the resource of export *out* to ``datapackage.json`` beside it."""
    target = out.parent / datapackage.DESCRIPTOR
    existing: dict[str, Any] | None = None
    if target.exists():
        try:
            loaded = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("resources", []), list):
            raise OutputError(
                f"{target} exists but is not a data package; move it away or export "
                "into another folder"
            )
        existing = loaded
    described = datapackage.resource(
        out, fmt, rows=rows, size=out.stat().st_size, sha256=_sha256(out), since=since
    )
    descriptor = datapackage.package(existing, described, out.parent, name=name)
    text = datapackage.dumps(descriptor).encode("utf-8")
    write_atomically(target, lambda fh: fh.write(text))
    return target


def export(
    db: Path | str,
    out: Path,
    fmt: Format,
    *,
    since: str | None = None,
    package_name: str = "arsip-articles",
) -> ExportResult:
    """Write the articles of *db* to *out* in *fmt*, then its ``datapackage.json``."""
    if fmt == "parquet":
        _arrow()  # fail before anything is written
    writer = _WRITERS[fmt]
    rows: int = write_atomically(out, lambda fh: writer(records(db, since), fh))
    descriptor = write_descriptor(out, fmt, rows, since, package_name)
    return ExportResult(out, fmt, rows, out.stat().st_size, descriptor)


def stream(db: Path | str, fmt: Format, fh: IO[bytes], *, since: str | None = None) -> int:
    """Write the export to an open binary stream (stdout); no data package."""
    return _WRITERS[fmt](records(db, since), fh)
