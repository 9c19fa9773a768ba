"""The fields of a dataset export, and the Frictionless data package describing one.

An export (``pipelines.db.export``) writes one record per article: the
item fields (docs/fields.md) plus the dataset's provenance columns
(``replay_url``, ``first_seen``, ``last_seen``, ``content_hash``). Beside
the file it writes ``datapackage.json`` (Frictionless Data Package v1 with
a Tabular Data Resource and its Table Schema), so ``frictionless validate
datapackage.json`` checks every cell. Exports into the same folder share
one package: each export replaces its own resource and keeps the others.

Layouts:

- ``jsonl``: the item as crawled, ``warc`` a nested object, lists as JSON
  arrays;
- ``csv``: flat, ``warc`` split into ``warc_filename`` ... ``warc_payload_digest``,
  the lists (``event_times``, ``images``, ``attachments``) as JSON text
  (Table Schema type ``array``), null as an empty cell;
- ``parquet``: typed columns, ``warc`` a struct, lists as lists; plus
  ``published_date`` (date32) and ``published_at`` (timestamp, UTC), see
  ``pipelines.db.export``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

#: Export formats.
Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")

#: File name of the data package descriptor, beside the exported files.
DESCRIPTOR = "datapackage.json"

MEDIA_TYPES: dict[str, str] = {
    "jsonl": "application/jsonl",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
}

#: ISO 8601 date, or date-time with or without a UTC offset (``published``, event times).
ISO_DATE_OR_DATETIME = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2})?)?$"

Kind = Literal["string", "integer", "datetime", "date", "array", "object"]


@dataclass(frozen=True, slots=True)
class ExportField:
    """One column of an export: its name, Table Schema type and meaning."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    pattern: str | None = None

    def table_schema(self) -> dict[str, Any]:
        """The Table Schema field descriptor."""
        field: dict[str, Any] = {"name": self.name, "type": self.kind}
        if self.kind == "string" and self.name == "url":
            field["format"] = "uri"
        field["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.pattern:
            constraints["pattern"] = self.pattern
        if self.kind == "integer" and self.name in ("views", "warc_offset", "warc_length"):
            constraints["minimum"] = 0
        if constraints:
            field["constraints"] = constraints
        return field


_F = ExportField
_HEAD: tuple[ExportField, ...] = (
    _F(
        "id",
        "string",
        "Stable id: first 16 hex digits of SHA-1 of the canonical URL.",
        True,
        "^[0-9a-f]{16}$",
    ),
    _F("url", "string", "Canonical URL of the article (after redirects).", True),
    _F("site", "string", "The site profile's name for the site.", True),
    _F("title", "string", "The article's heading."),
    _F(
        "published",
        "string",
        "Publication date as ISO 8601: YYYY-MM-DD when the page shows only a date, "
        "YYYY-MM-DDTHH:MM:SS+HH:MM when it shows a time.",
        False,
        ISO_DATE_OR_DATETIME,
    ),
)
_PARQUET_DATES: tuple[ExportField, ...] = (
    _F("published_date", "date", "The calendar date of `published` as written on the page."),
    _F(
        "published_at",
        "datetime",
        "`published` as an instant in UTC; null when the page shows only a date.",
    ),
)
_MIDDLE: tuple[ExportField, ...] = (
    _F("author", "string", "Name after Penulis/Pewarta/Oleh/Reporter/Kontributor."),
    _F("editor", "string", "Name after Editor/Redaktur/Red:."),
    _F("views", "integer", "View count shown on the page at fetch time."),
    _F(
        "event_times",
        "array",
        "Dates, times and ranges in the body: objects {start, end, text} (ISO 8601).",
    ),
    _F("place", "string", "The dateline's place."),
    _F("body", "string", "Article text; paragraphs separated by a blank line."),
    _F("images", "array", "Absolute URLs of the article's images, in document order."),
    _F("attachments", "array", "Absolute URLs of documents linked from the article."),
    _F("language", "string", "Primary language subtag of the page."),
    _F(
        "fetched_at",
        "datetime",
        "When the current version was fetched (UTC; the response record's WARC-Date).",
        True,
    ),
    _F("crawl_id", "string", "The crawl that fetched the current version.", True),
)
_WARC_NESTED = (
    _F(
        "warc",
        "object",
        "The WARC response record of the current version: "
        "{filename, offset, length, record_id, payload_digest}.",
        True,
    ),
)
_WARC_FLAT: tuple[ExportField, ...] = (
    _F("warc_filename", "string", "WARC file holding the response record.", True),
    _F("warc_offset", "integer", "Byte offset of the record (its gzip member) in the file.", True),
    _F("warc_length", "integer", "Length in bytes of the record (its gzip member).", True),
    _F("warc_record_id", "string", "WARC-Record-ID of the response record.", True),
    _F("warc_payload_digest", "string", "WARC-Payload-Digest of the response record.", True),
)
_TAIL: tuple[ExportField, ...] = (
    _F("schema_version", "integer", "Version of the item layout.", True),
    _F(
        "replay_url",
        "string",
        "pywb replay path of the capture, unmodified: /COLLECTION/TIMESTAMPid_/URL.",
        True,
    ),
    _F("first_seen", "datetime", "First capture of the article (UTC).", True),
    _F("last_seen", "datetime", "Latest capture of the article (UTC).", True),
    _F("content_hash", "string", "SHA-256 of the article's content fields (its version).", True),
)


def export_fields(fmt: Format) -> tuple[ExportField, ...]:
    """The columns of an export in *fmt*, in order."""
    if fmt == "csv":
        return (*_HEAD, *_MIDDLE, *_WARC_FLAT, *_TAIL)
    if fmt == "parquet":
        return (*_HEAD, *_PARQUET_DATES, *_MIDDLE, *_WARC_NESTED, *_TAIL)
    return (*_HEAD, *_MIDDLE, *_WARC_NESTED, *_TAIL)


def resource_name(filename: str) -> str:
    """A Frictionless resource name (lower case, ``-._`` only) from a file name."""
    name = re.sub(r"[^a-z0-9._-]+", "-", filename.lower()).strip("-.")
    return name or "articles"


def resource(
    path: Path, fmt: Format, *, rows: int, size: int, sha256: str, since: str | None
) -> dict[str, Any]:
    """The Tabular Data Resource describing the export file at *path*."""
    description = "Articles of the arsip dataset, one record per article (current version)"
    if since:
        description += f", last seen on or after {since}"
    tabular = fmt != "parquet"
    if not tabular:
        # Frictionless reads Parquet through pandas, which turns lists into numpy
        # arrays its "array" type refuses: declared a file, it checks size and hash.
        description += "; Parquet types: see pipelines/db/export.py"
    descriptor: dict[str, Any] = {
        "name": resource_name(path.name),
        "path": path.name,
        "type": "table" if tabular else "file",
        "profile": "tabular-data-resource" if tabular else "data-resource",
        "title": f"arsip articles ({fmt})",
        "description": description + f"; {rows} records.",
        "format": fmt,
        "mediatype": MEDIA_TYPES[fmt],
        "encoding": "utf-8",
        "bytes": size,
        "hash": f"sha256:{sha256}",
    }
    if fmt == "csv":
        descriptor["dialect"] = {"delimiter": ",", "quoteChar": '"', "header": True}
    descriptor["schema"] = {
        "fields": [field.table_schema() for field in export_fields(fmt)],
        "primaryKey": ["id"],
        "missingValues": [""],
    }
    return descriptor


def package(
    existing: Mapping[str, Any] | None, new: Mapping[str, Any], folder: Path, *, name: str
) -> dict[str, Any]:
    """The data package of *folder* with resource *new* added or replaced.

    Resources of *existing* that describe other files still present in the
    folder are kept (an export of another format next to this one).
    """
    kept: list[dict[str, Any]] = []
    resources: Sequence[Any] = (existing or {}).get("resources") or []
    for old in resources:
        if not isinstance(old, dict) or old.get("path") == new["path"]:
            continue
        if isinstance(old.get("path"), str) and (folder / old["path"]).is_file():
            kept.append(old)
    taken = {old.get("name") for old in kept}
    added = dict(new)
    while added["name"] in taken:
        added["name"] = f"{added['name']}-{len(taken)}"
    return {
        "profile": "data-package",
        "name": name,
        "title": "arsip: articles of an archived news section",
        "description": (
            "Articles extracted from WARC captures by arsip. Every record carries its "
            "provenance: the WARC record (file, offset, length, record id, payload digest) "
            "and a pywb replay path. Field rules: docs/fields.md of arsip."
        ),
        "resources": [*kept, added],
    }


def package_name(text: str) -> str:
    """A data package name from a collection or file name."""
    return "arsip-" + resource_name(text)


def dumps(descriptor: Mapping[str, Any]) -> str:
    """The descriptor as pretty JSON text (UTF-8 characters kept)."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
