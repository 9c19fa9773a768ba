"""The replica's content model: articles, their paragraphs, and the whole site.

Everything a page shows and everything the ground truth says comes from
these objects, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crawler.extract.model import EXTRACTED_FIELDS
from crawler.extract.urls import article_id

NEWS_PATH = "/publikasi/berita"
SITE = "anri"
LANGUAGE = "id"


@dataclass(slots=True)
class Para:
    """One block of an article's content.

    ``html`` is what the page shows inside ``<p>...</p>``; ``text`` is the
    same block as docs/fields.md normalizes it ('' for blocks without text,
    which the body leaves out).
    """

    html: str
    text: str
    kind: (
        str  # dateline, schedule, quote, material, image, numbers, closing, files, initials, blank
    )
    image: str | None = None  # path of the picture an image block shows


@dataclass(frozen=True, slots=True)
class Attachment:
    """A PDF linked from the article content."""

    path: str
    label: str


@dataclass(slots=True)
class NewsArticle:
    """One news article as the site shows it in the current epoch."""

    slug: str
    titles: tuple[str, ...]  # phrasings; edits switch between them
    title: str
    published: date
    place: str
    author: str
    editor: str | None
    views: int
    views_dotted: bool
    month_lang: str  # "en" or "id": how the date block abbreviates the month
    paras: list[Para]
    events: list[dict[str, Any]]
    lead_image: str | None
    attachments: list[Attachment]
    created: datetime
    modified: datetime
    title_modified: datetime
    is_seed: bool = False
    edits: int = 0
    related: list[str] = field(default_factory=list)  # slugs shown under "Baca juga"

    @property
    def path(self) -> str:
        return f"{NEWS_PATH}/{self.slug}"

    @property
    def images(self) -> list[str]:
        """Paths of the images in the article: lead figure first, then content images."""
        found = [self.lead_image] if self.lead_image else []
        found += [p.image for p in self.paras if p.image]
        return list(dict.fromkeys(found))

    @property
    def body(self) -> str:
        return "\n\n".join(p.text for p in self.paras if p.text)

    def truth(self, base_url: str) -> dict[str, Any]:
        """The item fields extraction must find on this article's page."""
        base = base_url.rstrip("/")
        url = base + self.path
        record: dict[str, Any] = {
            "id": article_id(url),
            "url": url,
            "site": SITE,
            "title": self.title,
            "published": self.published.isoformat(),
            "author": self.author,
            "editor": self.editor,
            "views": self.views,
            "event_times": [dict(e) for e in self.events],
            "place": self.place,
            "body": self.body,
            "images": [base + p for p in self.images],
            "attachments": [base + a.path for a in self.attachments],
            "language": LANGUAGE,
        }
        assert tuple(record) == EXTRACTED_FIELDS
        return record


@dataclass(frozen=True, slots=True)
class Media:
    """A binary file of the site: what to draw or print into it."""

    kind: str  # png, jpeg or pdf
    key: str  # seeds the picture / names the document
    width: int = 0
    height: int = 0
    title: str = ""
    lines: tuple[str, ...] = ()
    modified: datetime | None = None


@dataclass(slots=True)
class SiteContent:
    """The whole site in one epoch: articles newest first, plus special links."""

    articles: list[NewsArticle]
    epoch: int
    seed: int
    moved_from: str  # old path that answers 301
    moved_to: str  # slug it points at
    dead_link: str  # linked path that answers 404
    link_host: str  # slug of the article whose "Baca juga" links the two above
    media: dict[str, Media] = field(default_factory=dict)
    by_slug: dict[str, NewsArticle] = field(init=False, repr=False)
    position: dict[str, int] = field(init=False, repr=False)  # slug -> index, newest first

    def __post_init__(self) -> None:
        self.by_slug = {a.slug: a for a in self.articles}
        self.position = {a.slug: n for n, a in enumerate(self.articles)}

    @property
    def last_changed(self) -> datetime:
        return max(a.modified for a in self.articles)

    def truth(self, base_url: str) -> list[dict[str, Any]]:
        """Ground truth of every article, newest first."""
        return [a.truth(base_url) for a in self.articles]
