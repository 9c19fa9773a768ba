"""Datasette metadata for the dataset: titles, descriptions, labels and FTS wiring.

``write_metadata(db)`` writes ``arsip.metadata.json`` beside the SQLite file
(atomically), for ``datasette -i arsip.sqlite -m arsip.metadata.json``
(which ``arsip serve`` runs). It labels every table and column, wires the
``articles`` table's search box to ``articles_fts`` (title + body, words as
written: Datasette cannot stem a query; ``arsip search`` can), names the
sortable columns and hides the stemmed index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive import files

#: File name of the metadata, beside the database.
METADATA_FILE = "arsip.metadata.json"

_ARTICLE_COLUMNS: dict[str, str] = {
    "id": "Stable id: first 16 hex digits of SHA-1 of the canonical URL",
    "url": "Canonical URL of the article",
    "site": "Site profile name",
    "title": "Heading of the current version",
    "published": "Publication date (ISO 8601; with a UTC offset when the page shows a time)",
    "author": "Author (Penulis)",
    "editor": "Editor",
    "views": "View count at the latest capture",
    "event_times": "Dates and times mentioned in the body (JSON array)",
    "place": "Place of the dateline",
    "body": "Article text",
    "images": "Image URLs (JSON array)",
    "attachments": "Attached documents (JSON array)",
    "language": "Page language",
    "fetched_at": "When the current version was fetched (UTC, WARC-Date)",
    "crawl_id": "Crawl that fetched the current version",
    "warc_filename": "WARC file of the capture",
    "warc_offset": "Byte offset of the WARC record",
    "warc_length": "Length of the WARC record in bytes",
    "warc_record_id": "WARC-Record-ID of the response record",
    "warc_payload_digest": "WARC-Payload-Digest of the response record",
    "schema_version": "Item layout version",
    "replay_url": "pywb replay path: /COLLECTION/TIMESTAMPid_/URL",
    "first_seen": "First capture (UTC)",
    "last_seen": "Latest capture (UTC)",
    "content_hash": "SHA-256 of the content fields (identifies the version)",
}


def metadata(title: str = "arsip") -> dict[str, Any]:
    """The Datasette metadata of an arsip dataset whose database is called ``arsip``."""
    tables: dict[str, Any] = {
        "articles": {
            "title": "Articles",
            "description": "One row per article: its current version, with the WARC record "
            "it came from and a replay URL. Search box: title and body (exact words).",
            "label_column": "title",
            "fts_table": "articles_fts",
            "fts_pk": "rowid",
            "sort_desc": "published",
            "sortable_columns": [
                "published",
                "views",
                "title",
                "author",
                "first_seen",
                "last_seen",
                "fetched_at",
            ],
            "columns": _ARTICLE_COLUMNS,
        },
        "article_versions": {
            "title": "Article versions",
            "description": "Each distinct content of an article (title, body, dates, ...), "
            "with the first and last time it was seen and its first capture's WARC record.",
            "sortable_columns": ["first_seen", "last_seen", "id"],
            "columns": {
                "id": "Article id",
                "content_hash": "SHA-256 of the content fields",
                "crawl_ids": "Crawls that saw this version (JSON array)",
                "first_seen": "First capture of this version (UTC)",
                "last_seen": "Latest capture of this version (UTC)",
            },
        },
        "observations": {
            "title": "Observations",
            "description": "One row per article and crawl: the view count and version seen.",
            "sortable_columns": ["fetched_at", "views", "crawl_id"],
            "columns": {
                "article_id": "Article id",
                "crawl_id": "Crawl",
                "fetched_at": "When it was fetched (UTC)",
                "views": "View count shown then",
                "content_hash": "Version seen",
            },
        },
        "crawls": {
            "title": "Crawls",
            "description": "One row per crawl (or re-extraction): profile, collection, "
            "start and end, and its statistics (JSON).",
            "sortable_columns": ["started_at", "finished_at"],
        },
        "articles_fts": {"hidden": True},
        "articles_fts_stem": {"hidden": True},
    }
    return {
        "title": title,
        "description": "Articles archived by arsip: every record links to the WARC record "
        "it was extracted from. Use `arsip search` for Indonesian stemmed search.",
        "databases": {"arsip": {"title": title, "tables": tables}},
    }


def metadata_path(db: Path) -> Path:
    """Where the metadata of *db* goes: ``arsip.metadata.json`` beside it."""
    return db.parent / METADATA_FILE


def write_metadata(db: Path, target: Path | None = None, *, title: str = "arsip") -> Path:
    """Write the metadata of *db* to *target* (default beside it), atomically."""
    target = target or metadata_path(db)
    meta = metadata(title)
    if db.stem != "arsip":
        meta["databases"] = {db.stem: meta["databases"]["arsip"]}
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    files.write_text_atomically(target, text)
    return target
