"""What a page says about itself: meta tags, OpenGraph, JSON-LD, canonical link.

These can lie (a false ``Z``, a site name as author, a stale headline), so
extraction uses them to cross-check and to fill gaps, never over what the
reader sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract.dom import Element
from crawler.extract.text import squash

_ARTICLE_TYPES = re.compile(r"article|posting|report|news", re.IGNORECASE)
_LD_FIELD_RE = re.compile(r'"(datePublished|headline|inLanguage)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_HEAD_XPATH = etree.XPath(
    '//meta | //link[@rel="canonical"] | //title | //script[@type="application/ld+json"]'
    " | //base[@href]"
    ' | //*[@itemprop="datePublished"]'
    # hAtom (Blogger, older WordPress themes): <abbr class="published" title="ISO">08.30</abbr>
    " | //abbr[@title][contains(concat(' ', normalize-space(@class), ' '), ' published ')]"
)

#: Meta names that carry a publication date (lower case), best first.
DATE_META_KEYS: tuple[str, ...] = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "content_publishdate",
)


@dataclass(slots=True)
class PageMeta:
    """Self-description of a page."""

    #: property/name/itemprop (lower case) -> first content.
    tags: dict[str, str] = field(default_factory=dict)
    #: Article-like JSON-LD objects, in page order.
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    canonical: str | None = None
    #: ``<base href>``: what relative links resolve against.
    base: str | None = None
    title_tag: str | None = None

    def get(self, *keys: str) -> str | None:
        """The first non-empty content among meta *keys*."""
        for key in keys:
            value = self.tags.get(key)
            if value:
                return value
        return None

    def ld(self, key: str) -> Any:
        """The first JSON-LD value of *key* among article-like objects."""
        for obj in self.jsonld:
            if obj.get(key):
                return obj[key]
        return None


def _flatten(data: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            if "@graph" in item:
                stack[:0] = [item["@graph"]]
            found.append(item)
    return found


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
        return True
    return "datePublished" in obj or "headline" in obj


def _parse_ld(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        # Broken JSON (unescaped quotes, trailing commas): keep the plain fields.
        salvaged = {k: v for k, v in _LD_FIELD_RE.findall(text)}
        return [salvaged] if salvaged else []
    return [obj for obj in _flatten(data) if _is_article(obj)]


def read_meta(root: Element) -> PageMeta:
    """Collect meta tags, JSON-LD and the canonical link (before scripts are stripped)."""
    meta = PageMeta()
    found = _HEAD_XPATH(root)
    if not isinstance(found, list):
        return meta
    for el in found:
        if not isinstance(el, etree._Element) or not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            content = el.get("content")
            if key and content is not None:
                meta.tags.setdefault(key.strip().lower(), content.strip())
        elif tag == "link":
            href = (el.get("href") or "").strip()
            if href and meta.canonical is None:
                meta.canonical = href
        elif tag == "base":
            if meta.base is None:
                meta.base = (el.get("href") or "").strip() or None
        elif tag == "title":
            if meta.title_tag is None:
                meta.title_tag = squash(str(el.xpath("string()"))) or None
        elif tag == "script":
            meta.jsonld.extend(_parse_ld(el.text or ""))
        elif el.get("itemprop") == "datePublished" or tag == "abbr":
            # An <abbr> gives the machine-readable date in its title (microformats).
            value = (
                el.get("datetime")
                or el.get("content")
                or (el.get("title") if tag == "abbr" else None)
            )
            if value:
                meta.tags.setdefault("datepublished", value.strip())
    return meta


def jsonld_author(meta: PageMeta) -> str | None:
    """The first person named as JSON-LD author (organizations are not authors)."""
    value = meta.ld("author")
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str) and item.strip():
            return squash(item)
        if isinstance(item, dict):
            if str(item.get("@type", "Person")).lower() == "organization":
                continue
            name = item.get("name")
            if isinstance(name, str) and name.strip():
                return squash(name)
    return None


def declared_url(meta: PageMeta) -> str | None:
    """The page's own absolute http(s) URL: canonical link, else ``og:url``."""
    for candidate in (meta.canonical, meta.get("og:url")):
        if (
            candidate
            and urlsplit(candidate).scheme in ("http", "https")
            and urlsplit(candidate).netloc
        ):
            return candidate
    return None


def language(root: Element, meta: PageMeta) -> str | None:
    """Primary language subtag: ``<html lang>``, then meta tags, then JSON-LD."""
    candidates = [
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        root.get("xml:lang"),
        meta.get("content-language", "language", "dc.language", "og:locale"),
        meta.ld("inLanguage") if isinstance(meta.ld("inLanguage"), str) else None,
    ]
    for value in candidates:
        if value:
            primary = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0].lower()
            if re.fullmatch(r"[a-z]{2,3}", primary):
                return primary
    return None
