"""The article item: what extraction found plus where and when it was captured.

One builder for the live spider and for `arsip reextract`, so that a rebuild
from WARC files gives the same items as the crawl (docs/fields.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.extract.model import SCHEMA_VERSION, Article

#: The keys of an item's ``warc`` pointer (a writer's location has more).
WARC_POINTER_KEYS: tuple[str, ...] = ("filename", "offset", "length", "record_id", "payload_digest")


def article_item(
    article: Article, *, fetched_at: str, crawl_id: str, warc: Mapping[str, Any]
) -> dict[str, Any]:
    """The item of *article*, captured at *fetched_at* into the record *warc* points at."""
    item: dict[str, Any] = article.as_dict()
    item["fetched_at"] = fetched_at
    item["crawl_id"] = crawl_id
    item["warc"] = {key: warc[key] for key in WARC_POINTER_KEYS}
    item["schema_version"] = SCHEMA_VERSION
    return item
