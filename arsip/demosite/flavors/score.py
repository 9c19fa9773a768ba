"""Score extracted items against a replica's ground truth, field by field.

`score_items(items, truth)` matches items to truth records by URL (each
article must be found exactly once) and counts, per field, how many found
articles have exactly the truth's value. The zero-config tests of issue 13
call it with a crawl's JSON Lines; `score_pages` extracts every truth
article's page straight from a `FlavorApp` (no crawl); `scope_of` reads
the replica's response log and says what a crawl fetched (articles,
listings, traps, pages outside the section).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.urls import canonical_url

#: The fields issue 13's "done when" measures.
SCORED_FIELDS: tuple[str, ...] = ("title", "published", "author", "editor", "views", "body")


@dataclass(slots=True)
class Score:
    """Agreement of extracted items with the truth."""

    articles: int  # truth records
    found: int  # truth records with exactly one item
    missing: list[str] = field(default_factory=list)  # truth URLs without an item
    doubled: list[str] = field(default_factory=list)  # truth URLs with more than one item
    extra: list[str] = field(default_factory=list)  # item URLs that are no truth article
    right: Counter[str] = field(default_factory=Counter)  # field -> articles with it right
    misses: list[str] = field(default_factory=list)  # "url field: got ..., expected ..."
    fields: tuple[str, ...] = SCORED_FIELDS

    def ratio(self, name: str) -> float:
        """Share of truth articles whose *name* was found right (0..1)."""
        return self.right[name] / self.articles if self.articles else 1.0

    @property
    def overall(self) -> float:
        total = self.articles * len(self.fields)
        return sum(self.right[f] for f in self.fields) / total if total else 1.0

    @property
    def discovery_exact(self) -> bool:
        """Every article found exactly once and nothing else emitted as an article."""
        return not (self.missing or self.doubled or self.extra)

    def line(self, label: str) -> str:
        """One line for a report: discovery and each field's agreement."""
        per_field = " ".join(f"{f}={self.ratio(f):.1%}" for f in self.fields)
        return (
            f"{label}: {self.found}/{self.articles} found once, {len(self.extra)} extra; "
            f"{per_field}; all={self.overall:.1%}"
        )


def _same(name: str, got: Any, expected: Any) -> bool:
    if name == "body" and isinstance(got, str) and isinstance(expected, str):
        return got.strip() == expected.strip()
    return bool(got == expected)


def score_items(
    items: Iterable[dict[str, Any]],
    truth: Sequence[dict[str, Any]],
    fields: tuple[str, ...] = SCORED_FIELDS,
) -> Score:
    """Score *items* (extracted records with ``url``) against *truth* (newest first)."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_url.setdefault(canonical_url(str(item.get("url", ""))), []).append(item)
    known = {canonical_url(t["url"]) for t in truth}
    score = Score(articles=len(truth), found=0, fields=fields)
    score.extra = sorted(u for u in by_url if u not in known)
    for expected in truth:
        url = canonical_url(expected["url"])
        found = by_url.get(url, [])
        if not found:
            score.missing.append(expected["url"])
            continue
        if len(found) > 1:
            score.doubled.append(expected["url"])
            continue
        score.found += 1
        got = found[0]
        for name in fields:
            if _same(name, got.get(name), expected.get(name)):
                score.right[name] += 1
            else:
                score.misses.append(
                    f"{expected['url']} {name}: got {got.get(name)!r}, "
                    f"expected {expected.get(name)!r}"
                )
    return score


def score_pages(
    resolve: Callable[[str], bytes],
    truth: Sequence[dict[str, Any]],
    extract: Callable[[bytes, str], dict[str, Any]],
    base_url: str,
    fields: tuple[str, ...] = SCORED_FIELDS,
) -> Score:
    """Extract every truth article's page (*resolve*: path -> body) and score the results."""
    base = base_url.rstrip("/")
    items = []
    for expected in truth:
        url = expected["url"]
        items.append(extract(resolve(url[len(base) :]), url))
    return score_items(items, truth, fields)


@dataclass(slots=True)
class Scope:
    """What a crawl fetched from a replica, read from the replica's response log."""

    kinds: Counter[str] = field(default_factory=Counter)  # article, listing, other, trap, ...
    traps: Counter[str] = field(default_factory=Counter)  # trap name -> requests
    outside_section: list[str] = field(default_factory=list)  # HTML pages outside the section
    unknown: list[str] = field(default_factory=list)  # HTML pages the page map does not know


def in_section(path: str, section: str) -> bool:
    """Whether request target *path* is the section or under it (not a sibling prefix)."""
    return path == section or path.startswith((section + "/", section + "?"))


def scope_of(log: Iterable[dict[str, Any]], page_map: dict[str, Any]) -> Scope:
    """Classify every logged request with the page map (`Flavor.page_map`).

    Kinds: ``article``, ``listing``, ``other`` (a finite non-article page),
    ``trap`` (a path matching a trap's pattern; counted per trap too),
    ``requisite`` (anything that is not HTML: images, CSS, JS, PDFs, feeds,
    robots.txt, sitemaps) and ``unknown`` (HTML the page map does not list,
    such as a 404).
    """
    origin = urlsplit(page_map["start_url"])
    strip = len(f"{origin.scheme}://{origin.netloc}")
    articles = {u[strip:] for u in page_map["articles"]}
    listings = {u[strip:] for u in page_map["listings"]}
    others = {u[strip:] for u in page_map["other_pages"]}
    traps = [(t["name"], re.compile(t["pattern"])) for t in page_map["traps"]]
    scope = Scope()
    for entry in log:
        path = str(entry.get("path") or "")
        html = str(entry.get("content_type") or "").startswith("text/html")
        trap = next((name for name, rule in traps if rule.search(path)), None)
        if path in articles:
            kind = "article"
        elif path in listings:
            kind = "listing"
        elif trap is not None:
            kind = "trap"
            scope.traps[trap] += 1
        elif path in others:
            kind = "other"
        elif not html:
            kind = "requisite"
        else:
            kind = "unknown"
            scope.unknown.append(path)
        scope.kinds[kind] += 1
        if html and not in_section(path, page_map["section"]):
            scope.outside_section.append(path)
    return scope
