"""What a collection already holds, and what an incremental crawl fetches again.

`decide_mode` says whether a crawl is full or incremental: full when asked
(``--full``), for the first crawl of a collection, when the profile turns
incremental crawls off, and every ``incremental.full_every``-th crawl;
incremental otherwise. `Knowledge` answers, per URL, what an incremental
crawl does with it:

- ``"new"``: an article the collection does not hold: fetched in full;
- ``"revisit"``: a known article published inside the revisit window
  (``revisit.max_age_days`` before the reference day): fetched again, its
  view count refreshed, an edit caught;
- ``"known"``: any other known article (also an article URL that answered
  404 or a redirect before): not fetched.

"Known" means: in the dataset's ``articles`` table, or recorded in
``OUT/state/known.sqlite`` (the URLs earlier crawls fetched, with their
kind and status; `remember_urls` adds a crawl's URLs when it ends).
An edit of an article older than the window is therefore seen only by a
full crawl: hence ``full_every``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from arsip.core import layout
from crawler.extract.urls import article_id, canonical_url
from crawler.profiles import Profile
from pipelines.db.reads import known_articles, read_crawls

logger = logging.getLogger(__name__)

Mode = Literal["full", "incremental"]
Verdict = Literal["new", "revisit", "known"]

KNOWN_FILE = layout.KNOWN_FILE

_KNOWN_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS urls (url TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " status INTEGER, crawl_id TEXT NOT NULL)"
)


@dataclass(frozen=True, slots=True)
class PreviousCrawl:
    """A finished crawl of the collection, from the dataset's ``crawls`` table."""

    id: str
    started_at: str
    mode: str
    finish_reason: str


@dataclass(frozen=True, slots=True)
class KnownArticle:
    id: str
    url: str
    published: date | None
    views: int | None


@dataclass(slots=True)
class Knowledge:
    """What the collection holds, and the revisit window of this crawl."""

    mode: Mode = "full"
    reason: str = "first crawl of the collection"
    articles: dict[str, KnownArticle] = field(default_factory=dict)
    urls: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    reference: date | None = None
    cutoff: date | None = None
    refetch_requisites: bool = False

    @property
    def incremental(self) -> bool:
        return self.mode == "incremental"

    def classify(self, url: str) -> Verdict:
        """What an incremental crawl does with the article at *url*."""
        known = self.articles.get(article_id(url))
        if known is not None:
            if self.cutoff is not None and known.published and known.published >= self.cutoff:
                return "revisit"
            return "known"
        if canonical_url(url) in self.urls:
            return "known"
        return "new"

    def known_requisite(self, url: str) -> bool:
        """A requisite fetched (200) by an earlier crawl, skipped unless refetching them."""
        if self.refetch_requisites:
            return False
        found = self.urls.get(canonical_url(url))
        return found is not None and found[1] == 200


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def previous_crawls(dataset: Path, exclude: str = "") -> list[PreviousCrawl]:
    """Crawls of the collection that finished normally, oldest first."""
    if not dataset.exists():
        return []
    found: list[PreviousCrawl] = []
    try:
        rows = read_crawls(dataset, finished=True)
    except sqlite3.Error as exc:
        logger.warning("Cannot read the crawls of %s: %s", dataset, exc)
        return []
    for row in rows:
        try:
            stats = json.loads(row["stats"] or "{}")
        except ValueError:
            stats = {}
        reason = str(stats.get("finish_reason", ""))
        if row["id"] == exclude or reason not in ("finished", ""):
            continue
        mode = str(stats.get("crawl/mode", "full"))
        found.append(PreviousCrawl(row["id"], row["started_at"] or "", mode, reason))
    return found


def decide_mode(
    profile: Profile, previous: list[PreviousCrawl], requested: str = "auto"
) -> tuple[Mode, str]:
    """Full or incremental, and why (shown by ``--dry-run`` and in the report)."""
    if requested == "full":
        return "full", "--full given"
    if not previous:
        return "full", "first crawl of the collection"
    if requested == "incremental":
        return "incremental", "incremental requested"
    if not profile.incremental.enabled:
        return "full", "incremental.enabled is false"
    every = profile.incremental.full_every
    if every:
        since_full = 0
        for crawl in reversed(previous):
            if crawl.mode == "full":
                break
            since_full += 1
        if since_full + 1 >= every:
            return "full", f"every {every}th crawl is full (incremental.full_every)"
    return "incremental", f"the collection has {len(previous)} earlier crawl(s)"


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def load_knowledge(
    profile: Profile,
    out_dir: Path,
    dataset: Path,
    *,
    requested: str = "auto",
    crawl_id: str = "",
    today: date | None = None,
) -> Knowledge:
    """Decide the mode and, for an incremental crawl, load what the collection knows."""
    previous = previous_crawls(dataset, exclude=crawl_id)
    mode, reason = decide_mode(profile, previous, requested)
    knowledge = Knowledge(mode=mode, reason=reason)
    if mode == "full":
        return knowledge
    knowledge.refetch_requisites = profile.incremental.refetch_requisites
    for key, url, published, views in known_articles(dataset):
        knowledge.articles[key] = KnownArticle(key, url, _parse_day(published), views)
    knowledge.urls = read_known_urls(out_dir)
    policy = profile.revisit
    if policy.age_from == "newest":
        days = [a.published for a in knowledge.articles.values() if a.published]
        knowledge.reference = max(days) if days else None
    else:
        knowledge.reference = today or date.today()
    if knowledge.reference is not None:
        knowledge.cutoff = knowledge.reference - timedelta(days=policy.max_age_days)
    return knowledge


def read_known_urls(out_dir: Path) -> dict[str, tuple[str, int | None]]:
    """``canonical URL -> (kind, last status)`` of what earlier crawls fetched."""
    path = layout.known_path(out_dir)
    if not path.exists():
        return {}
    with _connect_ro(path) as conn:
        return {
            row["url"]: (row["kind"], row["status"])
            for row in conn.execute("SELECT url, kind, status FROM urls")
        }


def remember_urls(out_dir: Path, crawl_id: str, rows: Iterable[tuple[str, str, int | None]]) -> int:
    """Add a crawl's fetched ``(url, kind, status)`` to ``known.sqlite``; returns how many."""
    path = layout.known_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute(_KNOWN_SCHEMA)
        count = 0

        def records() -> Iterator[tuple[str, str, int | None, str]]:
            nonlocal count
            for url, kind, status in rows:
                count += 1
                yield canonical_url(url), kind, status, crawl_id

        with conn:
            conn.executemany(
                "INSERT INTO urls (url, kind, status, crawl_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET kind = excluded.kind,"
                " status = excluded.status, crawl_id = excluded.crawl_id",
                records(),
            )
        return count
    finally:
        conn.close()
