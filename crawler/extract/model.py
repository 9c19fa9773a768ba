"""The normalized article record that extraction produces.

`Article.as_dict()` gives the item fields that extraction can know (see
docs/fields.md); the crawl adds `fetched_at`, `crawl_id`, `warc` and
`schema_version`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Version of the item layout (docs/fields.md, schema/article.schema.json).
SCHEMA_VERSION = 1

#: Item fields in their canonical order.
ITEM_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "site",
    "title",
    "published",
    "author",
    "editor",
    "views",
    "event_times",
    "place",
    "body",
    "images",
    "attachments",
    "language",
    "fetched_at",
    "crawl_id",
    "warc",
    "schema_version",
)

#: The fields extraction itself can know (everything but crawl-time fields).
EXTRACTED_FIELDS: tuple[str, ...] = ITEM_FIELDS[:14]


@dataclass(slots=True)
class EventTime:
    """A date, time or range mentioned in an article body."""

    start: str
    end: str | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class Article:
    """One extracted article; `None` marks a field that the page does not show."""

    id: str
    url: str
    site: str
    title: str | None = None
    published: str | None = None
    author: str | None = None
    editor: str | None = None
    views: int | None = None
    event_times: list[EventTime] = field(default_factory=list)
    place: str | None = None
    body: str | None = None
    images: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    language: str | None = None
    #: Why a field has its value (e.g. which published-date source won); not an item field.
    debug: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The extracted item fields, in canonical order (no `debug`)."""
        return {
            "id": self.id,
            "url": self.url,
            "site": self.site,
            "title": self.title,
            "published": self.published,
            "author": self.author,
            "editor": self.editor,
            "views": self.views,
            "event_times": [e.as_dict() for e in self.event_times],
            "place": self.place,
            "body": self.body,
            "images": list(self.images),
            "attachments": list(self.attachments),
            "language": self.language,
        }
