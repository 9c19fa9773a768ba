"""How an item maps to dataset rows, and back.

Pure functions: no database access here.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from crawler.extract.model import ITEM_FIELDS
from pipelines.itemjson import canonical_json, compact_json

#: The fields whose change makes a new version of an article. Not ``views``
#: (a counter, kept per observation), nor when/how it was fetched.
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "published",
    "author",
    "editor",
    "event_times",
    "place",
    "body",
    "images",
    "attachments",
    "language",
)

#: Item fields stored as JSON text.
JSON_FIELDS: frozenset[str] = frozenset({"event_times", "images", "attachments"})

#: Keys of the item's ``warc`` object, each stored in column ``warc_<key>``.
WARC_KEYS: tuple[str, ...] = ("filename", "offset", "length", "record_id", "payload_digest")

#: Columns of ``articles`` that come straight from the item (``warc`` split in five).
ARTICLE_ITEM_COLUMNS: tuple[str, ...] = tuple(
    column
    for name in ITEM_FIELDS
    for column in ([f"warc_{key}" for key in WARC_KEYS] if name == "warc" else [name])
)

#: Columns of ``article_versions`` copied from the item of the version's first capture.
VERSION_ITEM_COLUMNS: tuple[str, ...] = (*CONTENT_FIELDS, *(f"warc_{key}" for key in WARC_KEYS))


def content_hash(item: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the item's ``CONTENT_FIELDS``."""
    content = {name: item.get(name) for name in CONTENT_FIELDS}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def warc_timestamp(fetched_at: str) -> str:
    """The 14-digit WARC/CDX timestamp of ``2021-12-09T01:02:03.456Z``: ``20211209010203``."""
    digits = "".join(ch for ch in fetched_at[:19] if ch.isdigit())
    if len(digits) != 14:
        raise ValueError(f"not a fetched_at time: {fetched_at!r}")
    return digits


def replay_url(collection: str, fetched_at: str, url: str) -> str:
    """The pywb replay path of the capture, unmodified content: ``/COLL/TIMESTAMPid_/URL``."""
    return f"/{collection}/{warc_timestamp(fetched_at)}id_/{url}"


def item_columns(item: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of ``ARTICLE_ITEM_COLUMNS`` for *item* (lists as JSON text, item order)."""
    columns: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        if name == "warc":
            warc = item["warc"]
            columns.update({f"warc_{key}": warc[key] for key in WARC_KEYS})
        elif name in JSON_FIELDS:
            columns[name] = compact_json(item[name])
        else:
            columns[name] = item[name]
    return columns


def row_to_item(row: sqlite3.Row | Mapping[str, Any]) -> dict[str, Any]:
    """The item (``ITEM_FIELDS`` order) stored in an ``articles`` row."""
    item: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        if name == "warc":
            item["warc"] = {key: row[f"warc_{key}"] for key in WARC_KEYS}
        elif name in JSON_FIELDS:
            item[name] = json.loads(row[name])
        else:
            item[name] = row[name]
    return item
