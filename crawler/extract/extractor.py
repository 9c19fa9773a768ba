"""`extract(html, url, headers, site) -> Article`: the whole pipeline, no I/O.

Steps: decode (charset), parse (lxml), read metadata, drop invisible
elements, locate title / text block / container (the site's selectors first,
generic rules per field when a pinned selector finds nothing; recorded in
``debug["fallback"]``), strip furniture inside the container, then read each
field from what the reader sees there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.extract import body as body_mod
from crawler.extract import dom
from crawler.extract.charset import Headers, decode_html
from crawler.extract.credits import (
    Credits,
    byline_name,
    clean_name,
    icon_views,
    read_credits,
    semantic_author,
)
from crawler.extract.dom import Element
from crawler.extract.events import find_event_times
from crawler.extract.locate import (
    best_text_block,
    find_container,
    find_title_element,
    meta_titles,
    strip_site_suffix,
)
from crawler.extract.meta import PageMeta, declared_url, jsonld_author, language, read_meta
from crawler.extract.model import Article
from crawler.extract.numbers import parse_count
from crawler.extract.patterns import BLOCK_TAGS, SIGNATURE_RE
from crawler.extract.published import Stamp, choose, meta_stamps, stamp_from_text, visible_stamp
from crawler.extract.site import Site
from crawler.extract.text import find_dateline
from crawler.extract.urls import article_id, canonical_url

#: A site without hints: generic rules only.
NO_HINTS = Site()


class _Pinned:
    """The site's selectors, and which fields had to fall back to generic rules."""

    def __init__(self, root: Element, selectors: Mapping[str, str]) -> None:
        self.root = root
        self.selectors = selectors
        self.fallback: list[str] = []

    def first(self, key: str, within: Element | None = None) -> Element | None:
        css = self.selectors.get(key)
        if not css:
            return None
        found = dom.select(within if within is not None else self.root, css)
        return found[0] if found else None

    def pinned(self, key: str) -> bool:
        return bool(self.selectors.get(key))

    def fell_back(self, field: str) -> None:
        if field not in self.fallback:
            self.fallback.append(field)


def _title(
    pins: _Pinned, root: Element, meta: PageMeta, site_words: set[str], block: Element | None
) -> tuple[str | None, Element | None]:
    claims = meta_titles(meta)
    el = pins.first("title")
    if el is None:
        if pins.pinned("title"):
            pins.fell_back("title")
        el = find_title_element(root, claims, block)
    if el is not None:
        text = dom.text_of(el)
        if text:
            return text, el
    if claims:
        return strip_site_suffix(claims[0], site_words) or None, None
    return None, None


def _credits(
    pins: _Pinned,
    container: Element,
    lines: list[dom.Line],
    title_index: int | None,
    meta: PageMeta,
) -> Credits:
    found = read_credits(lines)
    pinned = Credits()
    byline = pins.first("byline", container)
    if byline is None:
        byline = pins.first("byline")
    if byline is not None:
        pinned = read_credits(dom.lines(byline))
    for key in ("author", "editor"):
        el = pins.first(key)
        if el is not None:
            setattr(pinned, key, clean_name(dom.text_of(el)))
    result = Credits(label_lines=found.label_lines)
    for key in ("author", "editor"):
        value = getattr(pinned, key)
        if value is None and (pins.pinned(key) or pins.pinned("byline")):
            pins.fell_back(key)
        setattr(result, key, value if value is not None else getattr(found, key))
    if result.author is None:
        result.author = (
            semantic_author(container) or byline_name(lines, title_index) or jsonld_author(meta)
        )
    views_el = pins.first("views")
    views = parse_count(dom.text_of(views_el)) if views_el is not None else None
    if views is None and pins.pinned("views"):
        pins.fell_back("views")
    result.views = views if views is not None else (found.views or icon_views(container))
    return result


def _published(
    pins: _Pinned,
    *,
    lines: list[dom.Line],
    title_index: int | None,
    prose: set[int],
    meta: PageMeta,
    body_text: str,
    site: Site,
    debug: dict[str, Any],
) -> str | None:
    visible: Stamp | None = None
    el = pins.first("date")
    if el is not None:
        visible = stamp_from_text(dom.text_of(el), "visible", short_years=True)
    if visible is None:
        if pins.pinned("date"):
            pins.fell_back("published")
        visible = visible_stamp(lines, title_index, prose)
    dateline_stamp: Stamp | None = None
    dateline = find_dateline(body_text) if body_text else None
    if dateline is not None and dateline.date is not None:
        dateline_stamp = stamp_from_text(
            body_text[dateline.date.start : dateline.date.end], "dateline"
        )
    winner, disagree = choose(visible, meta_stamps(meta), dateline_stamp, site.offset)
    debug["published_source"] = winner.source if winner is not None else None
    if winner is None:
        return None
    if disagree:
        debug["published_disagrees"] = disagree
    return winner.iso(site.offset)


def _signature(lines: list[dom.Line]) -> str | None:
    """A closing upper-case name on its own line (``DINI TEJA``) when no label names
    the author; a single word is an agency credit (``ANTARA``), not a name."""
    if lines and SIGNATURE_RE.match(lines[-1].text) and len(lines[-1].text) <= 40:
        return lines[-1].text
    return None


def _site_words(host: str, site: Site, meta: PageMeta) -> set[str]:
    """Words that name the site in a ``<title>`` suffix (host parts, site name, og:site_name)."""
    words = {w for w in host.split(".") if len(w) > 3}
    for extra in (site.name, meta.get("og:site_name")):
        if extra:
            words.add(extra.casefold())
    return words


def _block_lines(
    lines: list[dom.Line], container: Element, block: Element | None
) -> tuple[list[int], list[dom.Line]]:
    """The text block's lines, with their indices among the container's when it lies inside."""
    if block is None:
        return [], []
    if block is not container and container not in block.iterancestors():
        return [], dom.lines(block)
    anchor = block
    while anchor.tag not in BLOCK_TAGS and anchor is not container:
        parent = anchor.getparent()  # lines belong to block-level elements
        if parent is None:
            break
        anchor = parent
    in_block = dom.descendants(anchor)
    index = [i for i, line in enumerate(lines) if line.block in in_block]
    return index, [lines[i] for i in index]


def _body(
    own_lines: list[dom.Line], title: str | None, title_el: Element | None, block: Element | None
) -> tuple[list[str], set[int]]:
    """Paragraphs of the text block (credits and what precedes the heading left out)."""
    skip = read_credits(own_lines).label_lines
    if title_el is not None and block is not None and block in title_el.iterancestors():
        # The block holds the heading: its text starts after it (breadcrumbs, date go).
        in_title = dom.descendants(title_el)
        heading = next((i for i, line in enumerate(own_lines) if line.block in in_title), -1)
        skip.update(range(heading + 1))
    return body_mod.paragraphs(own_lines, skip, title)


def extract(
    html: bytes,
    url: str,
    headers: Headers | None = None,
    site: Site = NO_HINTS,
) -> Article:
    """Extract the article in *html* (the page's bytes, as received) fetched from *url*.

    *headers* are the HTTP response headers (for the charset); *site* holds
    what is known of the site (selectors, name, default zone, language), built
    by the caller from a profile (`crawler.profiles.site_for`). Pure: reads
    nothing.

    ``debug["fallback"]`` lists the fields whose pinned selector found nothing
    (generic rules were used); ``debug["published_source"]`` says which source
    gave `published` (``visible``, ``jsonld``, ``meta``, ``dateline`` or None)
    and ``debug["published_disagrees"]`` which metadata said otherwise.
    """
    text, encoding = decode_html(html, headers)
    root = dom.parse(text)
    meta = read_meta(root)
    dom.strip_invisible(root)
    pins = _Pinned(root, site.selectors)
    host = (urlsplit(url).hostname or "").lower()
    debug: dict[str, Any] = {"encoding": encoding}

    # Where the article is: its text block, its heading, the container of both.
    block = pins.first("body")
    if block is None:
        if pins.pinned("body"):
            pins.fell_back("body")
        block = best_text_block(root)
    title, title_el = _title(pins, root, meta, _site_words(host, site, meta), block)
    container = pins.first("container")
    if container is None:
        if pins.pinned("container"):
            pins.fell_back("container")
        container = find_container(title_el, block)
    if container is None:
        body_el = root.find("body")
        container = body_el if body_el is not None else root
    keep = [e for e in (title_el, block) if e is not None]
    keep += [
        e for e in (pins.first(k, container) for k in ("date", "byline", "views")) if e is not None
    ]
    dom.strip_noise(container, keep)

    # What the reader sees there.
    lines = dom.lines(container)
    title_index: int | None = None
    if title_el is not None:
        in_title = dom.descendants(title_el)
        title_index = next((i for i, line in enumerate(lines) if line.block in in_title), None)
    credits = _credits(pins, container, lines, title_index, meta)
    own_index, own_lines = _block_lines(lines, container, block)
    paragraphs, used = _body(own_lines, title, title_el, block)
    if credits.author is None:
        credits.author = _signature(own_lines)
    body_text = "\n\n".join(paragraphs) or None
    published = _published(
        pins,
        lines=lines,
        title_index=title_index,
        prose={own_index[i] for i in used} if own_index else set(),
        meta=meta,
        body_text=body_text or "",
        site=site,
        debug=debug,
    )
    dateline = find_dateline(body_text) if body_text else None
    base = urljoin(url, meta.base) if meta.base else url
    debug["fallback"] = pins.fallback
    return Article(
        id=article_id(url),
        url=canonical_url(url),
        site=site.name or host,
        title=title,
        published=published,
        author=credits.author,
        editor=credits.editor,
        views=credits.views,
        event_times=find_event_times(body_text or "", published, site.offset),
        place=dateline.place if dateline is not None else None,
        body=body_text,
        images=body_mod.images(container, base),
        attachments=body_mod.attachments(container, base),
        language=language(root, meta) or (site.language or None),
        debug=debug,
    )


def page_url(html: bytes, headers: Headers | None = None) -> str | None:
    """The URL a page declares for itself (canonical link, else ``og:url``), if absolute."""
    text, _ = decode_html(html, headers)
    return declared_url(read_meta(dom.parse(text)))
