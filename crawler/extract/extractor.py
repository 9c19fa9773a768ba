"""`extract(html, url, headers, site) -> Article`: the whole pipeline, no I/O.

Steps: decode (charset), parse (lxml), read metadata, drop invisible
elements, locate title / text block / container (the site's selectors first,
generic rules per field when a pinned selector finds nothing; recorded in
``debug["fallback"]``), strip furniture inside the container, then read each
field from what the reader sees there.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.extract import body as body_mod
from crawler.extract import dom, zones
from crawler.extract.charset import Headers, decode_html
from crawler.extract.credits import (
    Credits,
    byline_name,
    clean_name,
    credits_block,
    icon_views,
    person,
    read_credits,
    semantic_author,
)
from crawler.extract.dom import Element, raw_text
from crawler.extract.events import find_event_times
from crawler.extract.locate import (
    best_text_block,
    find_container,
    find_title_element,
    heading_above_date,
    meta_titles,
    shown_title,
    strip_site_suffix,
)
from crawler.extract.meta import PageMeta, declared_url, jsonld_author, language, read_meta
from crawler.extract.model import Article
from crawler.extract.numbers import parse_count
from crawler.extract.patterns import (
    AUTHOR_LABELS,
    BLOCK_TAGS,
    EDITOR_LABELS,
    SIGNATURE_RE,
)
from crawler.extract.published import (
    Stamp,
    capture_time,
    choose,
    in_zone,
    meta_stamps,
    relative_stamp,
    stamp_from_text,
    visible_stamp,
)
from crawler.extract.site import Site
from crawler.extract.text import find_dateline
from crawler.extract.textblock import locate_text
from crawler.extract.urls import article_id, canonical_url

#: A site without hints: generic rules only.
NO_HINTS = Site()
#: A clock time somewhere in a text (``10.00``, ``09:30``).
_TIME_RE = re.compile(r"\d[.:][0-5]\d")


def _in_furniture(el: Element, top: Element | None) -> bool:
    """Whether *el* lies in a sidebar, list or other furniture below *top*."""
    node: Element | None = el
    while node is not None and node is not top:
        if dom.is_noise(node):
            return True
        node = node.getparent()
    return False


class _NearHeading:
    """The lines around the headline in the page, for a date or byline the
    container missed (``<div class="head"><h1>`` then ``<div class="body">`` with
    the date block first, when the text block chosen lies elsewhere). Computed
    on first use."""

    #: Lines read before and after the headline; longer lines are prose, not a
    #: date block or a byline.
    BEFORE, AFTER, LONGEST = 2, 8, 100

    def __init__(self, title_el: Element | None) -> None:
        self.title_el = title_el
        self._lines: list[dom.Line] | None = None
        self.title_index: int | None = None

    def lines(self) -> list[dom.Line]:
        if self._lines is not None:
            return self._lines
        self._lines = []
        if self.title_el is None:
            return self._lines
        in_title = dom.descendants(self.title_el)
        el = self.title_el.getparent()
        found: list[dom.Line] = []
        for _ in range(4):  # up to the first ancestor holding a few lines besides the heading
            if el is None:
                break
            found = dom.lines(el)
            if len(found) >= self.AFTER:
                break
            el = el.getparent()
        at = next((i for i, line in enumerate(found) if line.block in in_title), None)
        if at is None:
            return self._lines
        for i in range(max(0, at - self.BEFORE), min(len(found), at + self.AFTER + 1)):
            line = found[i]
            if i == at:
                self.title_index = len(self._lines)
            elif len(line.text) > self.LONGEST or _in_furniture(line.block, el):
                continue
            self._lines.append(line)
        return self._lines


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
        if el is None:  # <title> names only the site: the heading above the date
            el = heading_above_date(
                root, lambda text: stamp_from_text(text, "visible", short_years=True) is not None
            )
    if el is not None:
        text = _headline_text(el)
        if text:
            return text, el
    if claims:
        claimed = strip_site_suffix(claims[0], site_words) or None
        if claimed:
            shown = shown_title(root, claimed)
            if shown is not None:
                return dom.text_of(shown), shown
        return claimed, None
    return None, None


#: Class/id words of a label inside a headline (``<h1><span class="kategori">Nasional
#: </span> Judul</h1>``): the section it is filed under, not words of the title.
_HEADLINE_LABEL_WORDS = frozenset(
    ("kategori", "category", "categories", "kanal", "rubrik", "rubric", "badge", "subkanal")
)


def _is_headline_label(el: Any) -> bool:
    return isinstance(el.tag, str) and not _HEADLINE_LABEL_WORDS.isdisjoint(
        w.lower() for w in dom.class_tokens(el)
    )


def _headline_text(el: Element) -> str:
    """*el*'s text without the section labels inside it (unless they are all of it)."""
    if any(_is_headline_label(child) for child in el.iterdescendants()):
        bare = copy.deepcopy(el)
        for label in [c for c in bare.iterdescendants() if _is_headline_label(c)]:
            dom.drop_tree(label)
        text = dom.text_of(bare)
        if text:
            return text
    return dom.text_of(el)


def _credits(
    pins: _Pinned,
    container: Element,
    lines: list[dom.Line],
    title_index: int | None,
    meta: PageMeta,
    *,
    site_words: set[str],
    root: Element,
    near: _NearHeading,
    has_credits: bool,
    closing: Credits,
) -> Credits:
    found = read_credits(lines, site_words)
    pinned = Credits()
    byline = pins.first("byline", container)
    if byline is None:
        byline = pins.first("byline")
    if byline is not None:
        pinned = read_credits(dom.lines(byline), site_words)
    for key in ("author", "editor"):
        el = pins.first(key)
        if el is not None:
            setattr(pinned, key, person(clean_name(dom.text_of(el)), site_words))
    result = Credits(label_lines=found.label_lines)
    for key in ("author", "editor"):
        value = getattr(pinned, key)
        if value is None and (pins.pinned(key) or pins.pinned("byline")):
            pins.fell_back(key)
        setattr(result, key, value if value is not None else getattr(found, key))
    if result.author is None:
        result.author = person(semantic_author(container), site_words) or person(
            byline_name(lines, title_index), site_words
        )
    # The byline by the headline, or the page's credits block, when the
    # container holds neither (merdeka's date-reporter line, liputan6's "Kredit").
    if result.author is None:
        result.author = read_credits(near.lines(), site_words).author
    if (result.author is None or result.editor is None) and has_credits:
        block = credits_block(root)
        if block is not None:
            extra = read_credits(dom.lines(block), site_words)
            result.author = result.author or extra.author
            result.editor = result.editor or extra.editor
    result.author = result.author or closing.author
    result.editor = result.editor or closing.editor
    if result.author is None:
        # Metadata names the wrong person on some sites: an author that is the
        # page's editor or the outlet itself is not the author.
        claimed = person(jsonld_author(meta), site_words)
        if claimed and (result.editor is None or claimed.casefold() != result.editor.casefold()):
            result.author = claimed
    views_el = pins.first("views")
    views = None
    if views_el is not None:
        # A labelled count first: the pinned element may hold the date and byline
        # too (``Oleh AS • Minggu, 24 Desember 2023 • Dibaca 1620 kali``).
        views = read_credits(dom.lines(views_el), site_words).views
        if views is None:
            views = parse_count(dom.text_of(views_el))
    if views is None and pins.pinned("views"):
        pins.fell_back("views")
    result.views = views if views is not None else (found.views or icon_views(container))
    return result


#: Element siblings after the text read for its closing credits, and their most text.
_CLOSING_SIBLINGS, _CLOSING_TEXT = 2, 400


#: Any byline label word, even glued to a name (``Fadila AdelinEditor``): a cheap
#: test before the lines are read.
_ANY_LABEL_RE = re.compile(
    "|".join(re.escape(w) for w in (*AUTHOR_LABELS, *EDITOR_LABELS)), re.IGNORECASE
)


def _closing_credits(block: Element | None, site_words: set[str]) -> Credits:
    """Credits written right after the article's text (``Penulis: X`` / ``Penyunting:
    Y`` in the entry's footer, which furniture rules would strip): the labelled
    lines of the text block's next siblings, short ones only."""
    found = Credits()
    if block is None:
        return found
    for sibling in itertools.islice(
        (s for s in block.itersiblings() if isinstance(s.tag, str)), _CLOSING_SIBLINGS
    ):
        text = raw_text(sibling)
        if len(text) > _CLOSING_TEXT or not _ANY_LABEL_RE.search(text):
            continue  # long, or no byline label in it: no credits to read
        got = read_credits(dom.lines(sibling), site_words)
        found.author = found.author or got.author
        found.editor = found.editor or got.editor
    return found


def _zone(
    winner: Stamp,
    claims: list[Stamp],
    *,
    meta: PageMeta,
    site: Site,
    where: tuple[str | None, str],
    page_words: Callable[[], str],
    clock: Callable[[], tuple[str | None, str | None]],
) -> tuple[str | None, str | None]:
    """(offset, source) for *winner*'s time written without a zone (crawler.extract.zones);
    *clock* gives the site's zone from what the page shows (`zones.site_zone`)."""
    assert winner.time is not None
    shown = (winner.day.year, winner.day.month, winner.day.day, winner.time)
    indonesian = where[0] in ("id", "in") or zones.indonesian_text(page_words())
    for claim in claims:
        if claim.time is None or claim is winner:
            continue
        moment = datetime(claim.day.year, claim.day.month, claim.day.day, *claim.time)
        offset = zones.zone_from_claim(shown, moment, claim.offset, indonesian)
        if offset:
            return offset, claim.source
    for moment in zones.epoch_claims(meta.tags):
        offset = zones.zone_from_claim(shown, moment, "+00:00")
        if offset:
            return offset, "meta"
    if site.offset:
        return site.offset, "profile"
    return clock()


def _published(
    pins: _Pinned,
    *,
    lines: list[dom.Line],
    title_index: int | None,
    prose: set[int],
    meta: PageMeta,
    body_text: str,
    site: Site,
    clock: Callable[[], tuple[str | None, str | None]],
    where: tuple[str | None, str],
    near: _NearHeading,
    captured: datetime | None,
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
    if visible is None and near.lines():
        visible = visible_stamp(near.lines(), near.title_index, set())
    dateline_stamp: Stamp | None = None
    dateline = find_dateline(body_text) if body_text else None
    if dateline is not None and dateline.date is not None:
        dateline_stamp = stamp_from_text(
            body_text[dateline.date.start : dateline.date.end], "dateline"
        )
    claims = meta_stamps(meta)
    offset = site.offset
    relative: Stamp | None = None
    if visible is None and not claims and captured is not None:
        relative = relative_stamp(lines, title_index, captured)
        if relative is not None:
            # Counted from the capture time; shown in the site's zone when one is known.
            zone = site.offset or clock()[0]
            visible = in_zone(relative, zone)
            debug["published_zone_source"] = "capture" if zone is None else "capture+site"
    winner, _ = choose(visible, claims, dateline_stamp, offset)
    if winner is not None and winner.time is not None and winner.offset is None and not relative:
        offset, zone_source = _zone(
            winner,
            claims,
            meta=meta,
            site=site,
            where=where,
            page_words=lambda: " ".join(line.text for line in lines),
            clock=clock,
        )
        debug["published_zone_source"] = zone_source
    winner, disagree = choose(visible, claims, dateline_stamp, offset)
    debug["published_source"] = winner.source if winner is not None else None
    if winner is None:
        return None
    if disagree:
        debug["published_disagrees"] = disagree
    return winner.iso(offset)


class _Clock:
    """The site's zone as the page shows it (`zones.site_zone`), computed on first use."""

    def __init__(self, page: str, body: str, site_name: str, where: tuple[str | None, str]):
        self._args = (page, body, site_name, where)
        self._found: tuple[str | None, str | None] | None = None

    def __call__(self) -> tuple[str | None, str | None]:
        if self._found is None:
            self._found = zones.site_zone(*self._args)
        return self._found


def _site_name(site: Site, meta: PageMeta, title: str | None) -> str:
    """What names the site: its profile's name, ``og:site_name`` and the part of
    ``<title>`` that is not the headline."""
    names = [site.name or "", meta.get("og:site_name") or ""]
    tag = meta.title_tag or ""
    names.append(tag.replace(title, " ") if title and title in tag else tag)
    return " | ".join(n for n in names if n)


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
    lines: list[dom.Line],
    container: Element,
    block: Element | None,
    excluded: list[Element],
    figures: frozenset[Element],
) -> tuple[list[int], list[dom.Line]]:
    """The text block's lines (less those of its *excluded* children), with their indices
    among the container's when it lies inside."""
    if block is None:
        return [], []
    if block is not container and container not in block.iterancestors():
        out = dom.lines(block, figures)
        if excluded:
            gone = {el for ex in excluded for el in ex.iter()}
            out = [line for line in out if line.block not in gone]
        return [], out
    anchor = block
    while anchor.tag not in BLOCK_TAGS and anchor is not container:
        parent = anchor.getparent()  # lines belong to block-level elements
        if parent is None:
            break
        anchor = parent
    in_block = dom.descendants(anchor)
    for ex in excluded:
        in_block.difference_update(ex.iter())
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
    captured: datetime | str | None = None,
) -> Article:
    """Extract the article in *html* (the page's bytes, as received) fetched from *url*.

    *headers* are the HTTP response headers (for the charset); *site* holds
    what is known of the site (selectors, name, default zone, language), built
    by the caller from a profile (`crawler.profiles.site_for`). Pure: reads
    nothing. *captured* is the capture time (the record's WARC-Date, ``...Z``):
    a date shown as ``2 jam yang lalu`` counts from it.

    ``debug["anomalies"]`` (when present) says why the page could not be read
    whole (``too_deep: ...``, ``too_large: ...``: lxml's limits), so a body
    left empty or short by them is reported, not silent.
    ``debug["fallback"]`` lists the fields whose pinned selector found nothing
    (generic rules were used); ``debug["published_source"]`` says which source
    gave `published` (``visible``, ``jsonld``, ``meta``, ``dateline`` or None)
    and ``debug["published_disagrees"]`` which metadata said otherwise.
    """
    text, encoding = decode_html(html, headers)
    root = dom.parse(text)
    anomalies = dom.parse_anomalies()  # the page was not read to its end: said, not hidden
    meta = read_meta(root)
    dom.strip_invisible(root)
    pins = _Pinned(root, site.selectors)
    host = (urlsplit(url).hostname or "").lower()
    debug: dict[str, Any] = {"encoding": encoding}
    if anomalies:
        debug["anomalies"] = anomalies

    # Where the article is: its text block, its heading, the container of both.
    block = pins.first("body")
    excluded: list[Element] = []
    figures: frozenset[Element] = frozenset()
    if block is None:
        if pins.pinned("body"):
            pins.fell_back("body")
        located = locate_text(root)
        if located is not None:
            block, excluded, figures = located.element, located.excluded, located.figures
        else:  # no paragraph anywhere: the element holding most of the text
            block = best_text_block(root)
    site_words = _site_words(host, site, meta)
    title, title_el = _title(pins, root, meta, site_words, block)
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
    closing = _closing_credits(block, site_words)
    dom.strip_noise(container, keep)

    # What the reader sees there.
    lines = dom.lines(container, figures)
    title_index: int | None = None
    if title_el is not None:
        in_title = dom.descendants(title_el)
        title_index = next((i for i, line in enumerate(lines) if line.block in in_title), None)
    near = _NearHeading(title_el)
    credits = _credits(
        pins,
        container,
        lines,
        title_index,
        meta,
        site_words=site_words,
        root=root,
        near=near,
        has_credits="redit" in text or "REDIT" in text,  # cheap: most pages have none
        closing=closing,
    )
    own_index, own_lines = _block_lines(lines, container, block, excluded, figures)
    paragraphs, used = _body(own_lines, title, title_el, block)
    if sum(len(p) for p in paragraphs) < body_mod.SHORT_BODY:
        other = body_mod.fallback(root, meta.ld("articleBody"), title)
        if other is not None and sum(map(len, other[0])) > sum(map(len, paragraphs)):
            paragraphs, used = other[0], set()
            debug["body_source"] = other[1]
    if sum(map(len, paragraphs)) < body_mod.SHORT_BODY and pins.first("body") is None:
        # Last: the element holding most of the page's text, as it reads.
        most = best_text_block(root)
        if most is not None:
            other_text = body_mod.paragraphs(dom.lines(most), set(), title)[0]
            if sum(map(len, other_text)) > sum(map(len, paragraphs)):
                paragraphs, used = other_text, set()
                debug["body_source"] = "most-text"
    if credits.author is None:
        credits.author = person(_signature(own_lines), site_words)
    body_text = "\n\n".join(paragraphs) or None
    page_language = language(root, meta) or (site.language or None)
    where = (page_language, host)
    # The whole page, furniture included: the site writes its zone in its frame.
    clock = _Clock(text, body_text or "", _site_name(site, meta, title), where)
    published = _published(
        pins,
        lines=lines,
        title_index=title_index,
        prose={own_index[i] for i in used} if own_index else set(),
        meta=meta,
        body_text=body_text or "",
        site=site,
        clock=clock,
        where=where,
        near=near,
        captured=capture_time(captured),
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
        event_times=find_event_times(
            body_text or "",
            published,
            # The site's zone matters only for a time in the body ("pukul 10.00").
            (site.offset or clock()[0]) if _TIME_RE.search(body_text or "") else site.offset,
        ),
        place=dateline.place if dateline is not None else None,
        body=body_text,
        images=body_mod.images(container, base),
        attachments=body_mod.attachments(container, base),
        language=page_language,
        debug=debug,
    )


def shown_zone(
    html: bytes, url: str, headers: Headers | None = None
) -> tuple[str | None, str | None]:
    """(offset, source) of the site's clock as an article page shows it, before
    any profile (`zones.site_zone`: the frame's zone words, the province or city
    the site's name names, the body's zone words, the country): what
    `arsip profile new` writes as the profile's ``timezone``."""
    article = extract(html, url, headers)
    text, _ = decode_html(html, headers)
    meta = read_meta(dom.parse(text))
    where = (article.language, (urlsplit(url).hostname or "").lower())
    name = _site_name(NO_HINTS, meta, article.title)
    return zones.site_zone(text, article.body or "", name, where)


def page_url(html: bytes, headers: Headers | None = None) -> str | None:
    """The URL a page declares for itself (canonical link, else ``og:url``), if absolute."""
    text, _ = decode_html(html, headers)
    return declared_url(read_meta(dom.parse(text)))
