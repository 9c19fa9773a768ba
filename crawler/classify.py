"""Page classification from what a page shows: article, listing or other.

`classify(root, url)` reads a parsed HTML page (an lxml tree: the one Scrapy
already built for the response, so classifying costs no second parse) and
answers a `PageKind`: the kind, the reason in a few words (the crawl report
lists it), and what the page offers the crawl: the links of its repeated
teaser blocks (a listing's articles), its pagination links, the feeds it
announces. It does no I/O; `classify_html` parses bytes first (tests,
`arsip profile new`).

The evidence, strongest first:

- JSON-LD ``@type`` NewsArticle / Article / BlogPosting / ReportageNewsArticle
  (article), CollectionPage / ItemList / Blog / SearchResultsPage (listing);
- many repeated link blocks with title-like text (the same element path,
  e.g. ``div.news-item > h3 > a``), with dates, snippets or "Selengkapnya"
  links, and pagination (``page/2``, ``?page=2``, ``?start=10``,
  ``/index/2``, "Berikutnya", "»", ``<link rel="next">``): listing;
- ``og:type = article``, or one headline with a date near it and a body of
  several paragraphs in one container, bylines and view counters: article.

A page that shows neither is "other" (profile pages, contact, search
forms, empty calendars). Site profiles' URL patterns, where given, decide
before this module is asked (`crawler.spiders.news`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.extract.dom import is_site_logo

ARTICLE: Final = "article"
LISTING: Final = "listing"
OTHER: Final = "other"
KINDS: Final = (ARTICLE, LISTING, OTHER)

ARTICLE_TYPES: Final = frozenset(
    {"newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle"}
)
LISTING_TYPES: Final = frozenset(
    {"collectionpage", "itemlist", "blog", "searchresultspage", "webpageelement-list"}
)

#: Below this many members a group of similar links is not a list of teasers.
MIN_TEASERS: Final = 4
#: Title-like link text: at least this many characters and three words.
MIN_TITLE_CHARS: Final = 20
#: A body paragraph: a block with at least this much text outside links.
MIN_PARAGRAPH_CHARS: Final = 60

_MONTHS = (
    r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|mar(?:et|ch)?|apr(?:il)?|mei|may|jun[ei]?|"
    r"jul[iy]?|agu(?:stus)?|ags|aug(?:ust)?|sep(?:tember)?|sept|okt(?:ober)?|oct(?:ober)?|"
    r"nov(?:ember)?|des(?:ember)?|dec(?:ember)?"
)
DATE_RE: Final = re.compile(
    rf"\b\d{{1,2}}\s*[/.-]?\s*(?:{_MONTHS})\.?\s*[/.,-]?\s*(?:\d{{4}}|\d{{2}})\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
    re.IGNORECASE,
)
BYLINE_RE: Final = re.compile(
    r"\b(?:penulis|pewarta|ditulis\s+oleh|diposting\s+oleh|posted\s+by|oleh|reporter|"
    r"kontributor|editor|redaktur|penyunting|author)\b\s*:?",
    re.IGNORECASE,
)
VIEWS_RE: Final = re.compile(r"\b(?:views?|dilihat|dibaca|hits|kali\s+dilihat)\b", re.IGNORECASE)
READ_MORE_RE: Final = re.compile(
    r"^\s*(?:baca\s+)?selengkapnya|^\s*read\s+more|^\s*baca\s+(?:lebih\s+lanjut|berita)"
    r"|^\s*lanjut(?:kan)?\s+membaca|^\s*more\b|^\s*detail\b",
    re.IGNORECASE,
)
#: Words of a pager link: numbers, next / previous / first / last, a blog's older posts.
_PAGER_WORDS = (
    r"\d{1,4}|berikutnya|selanjutnya|sesudahnya|next|lanjut|older|lebih\s+lama|sebelumnya|"
    r"previous|prev|newer|terakhir|last|first|pertama|akhir|awal|(?:halaman|hal\.?|page)\s+\d{1,4}|"
    # a blog's pager (Blogger: "Posting Lama", "Posting Lebih Baru"; "Older posts")
    r"(?:posting(?:an)?|entri|artikel|berita|halaman)\s+(?:lebih\s+)?(?:lama|baru|sebelumnya|"
    r"berikutnya|selanjutnya)|(?:older|newer)\s+(?:posts?|entries|articles)"
)
#: Link text of a "next page" or numbered pagination link: pager words, arrows
#: before or after them (``Terakhir »``, ``‹ Sebelumnya``) or arrows alone, and the
#: words a screen reader is told first (Drupal: ``Halaman berikutnya Berikutnya ›``,
#: ``Page 2``).
PAGER_TEXT_RE: Final = re.compile(
    rf"^\s*(?=\S)(?:(?:halaman|page|go\s+to(?:\s+page)?)\s+(?:{_PAGER_WORDS})\s+)?"
    rf"[«‹<]*\s*(?:{_PAGER_WORDS})?\s*[»›>]*\s*$",
    re.IGNORECASE,
)
#: A pagination URL: ``page/2``, ``?page=2``, ``?start=10``, ``?per_page=``, ``/index/2``...
PAGER_URL_RE: Final = re.compile(
    r"(?:[/](?:page|halaman|hal|index|p)[/-]?\d+/?$)"
    r"|(?:[?&](?:page|paged|halaman|hal|p|pg|start|offset|limitstart|per_page|per-page)=\d+)"
    r"|(?:[?&](?:updated-max|max-results)=)",  # a blog's "older posts" (Blogger)
    re.IGNORECASE,
)
FEED_TYPES: Final = ("application/rss+xml", "application/atom+xml", "application/feed+json")

_SKIP_ANCESTORS: Final = frozenset({"nav", "header", "footer", "form", "select", "button"})


@dataclass(frozen=True, slots=True)
class PageKind:
    """What a page is, why, and the links it offers the crawl."""

    kind: str
    reason: str
    #: Groups of repeated teaser links: (element path, absolute URLs), largest first.
    teasers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Pagination links (absolute), ``<link rel="next">`` first.
    pages: tuple[str, ...] = ()
    #: Feeds the page announces (``<link rel="alternate">``), absolute.
    feeds: tuple[str, ...] = ()
    #: The page's canonical address (``<link rel="canonical">``), absolute, or "".
    canonical: str = ""
    #: The evidence counted (for the report and `arsip profile new`).
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def teaser_links(self) -> tuple[str, ...]:
        """The links of the largest teaser group (a listing's articles)."""
        return self.teasers[0][1] if self.teasers else ()


def classify_html(body: bytes | str, url: str) -> PageKind:
    """`classify` on raw HTML (parsed here)."""
    data = body.encode("utf-8", "replace") if isinstance(body, str) else body
    try:
        root = lxml.html.document_fromstring(data or b"<html></html>")
    except (etree.ParserError, ValueError):
        return PageKind(OTHER, "not parseable as HTML")
    return classify(root, url)


def classify(root: Any, url: str) -> PageKind:
    """Classify the page *root* (an lxml HTML tree) fetched from *url*."""
    head = _Head.read(root, url)
    ld_types = _jsonld_types(head.jsonld)
    og_type = head.og_type
    feeds, canonical = head.feeds, head.canonical
    teasers, pages, read_more = _link_groups(root, url)
    if head.rel_next:
        pages = (head.rel_next, *(p for p in pages if p != head.rel_next))
    paragraphs, body_chars = _body(root)
    heading = headline(root, head.titles)
    near = _near_text(heading) if heading is not None else ""
    dated = head.dated or next(root.iter("time"), None) is not None or bool(DATE_RE.search(near))
    byline = bool(BYLINE_RE.search(near))
    views = bool(VIEWS_RE.search(near))
    largest = len(teasers[0][1]) if teasers else 0
    evidence: dict[str, Any] = {
        "jsonld": sorted(ld_types),
        "og_type": og_type,
        "teasers": largest,
        "pagination": len(pages),
        "read_more": read_more,
        "paragraphs": paragraphs,
        "body_chars": body_chars,
        "headline": heading is not None,
        "dated": dated,
        "byline": byline,
        "views": views,
    }

    def result(kind: str, reason: str) -> PageKind:
        return PageKind(kind, reason, teasers, pages, feeds, canonical, evidence)

    article_ld = sorted(ld_types & ARTICLE_TYPES)
    if article_ld:
        return result(ARTICLE, f"JSON-LD @type {_ld_name(article_ld[0])}")
    strong_body = paragraphs >= 3 and body_chars >= 600
    if ld_types & LISTING_TYPES and largest >= 2:
        return result(LISTING, f"JSON-LD @type {_ld_name(sorted(ld_types & LISTING_TYPES)[0])}")
    body_wins = strong_body and largest < 8 and (dated or og_type == "article")
    if largest >= MIN_TEASERS and (pages or read_more >= 2 or largest >= 8) and not body_wins:
        extra = " + pagination" if pages else ""
        extra += f" + {read_more} 'selengkapnya' links" if read_more else ""
        return result(LISTING, f"{largest} repeated link blocks{extra}")
    if og_type == "article" and paragraphs >= 1:
        return result(ARTICLE, "og:type=article")
    signals = [s for s, on in (("date", dated), ("byline", byline), ("views", views)) if on]
    if heading is not None and paragraphs >= 2 and body_chars >= 300 and signals:
        return result(ARTICLE, f"headline + {' + '.join(signals)} + {paragraphs} paragraphs")
    if largest >= MIN_TEASERS:
        return result(LISTING, f"{largest} repeated link blocks")
    if pages and largest >= 1 and not strong_body:
        return result(LISTING, f"pagination + {largest} link block(s)")
    missing = []
    if heading is None:
        missing.append("no single headline")
    if paragraphs < 2:
        missing.append(f"{paragraphs} body paragraph(s)")
    elif not signals:
        missing.append("no date, byline or views")
    if largest < MIN_TEASERS:
        missing.append(f"{largest} repeated link blocks")
    return result(OTHER, ", ".join(missing))


# -- signals ---------------------------------------------------------------------------


def _ld_name(lowered: str) -> str:
    names = {t.lower(): t for t in ("NewsArticle", "Article", "BlogPosting", "CollectionPage")}
    names |= {"reportagenewsarticle": "ReportageNewsArticle", "itemlist": "ItemList"}
    names |= {"blog": "Blog", "searchresultspage": "SearchResultsPage"}
    return names.get(lowered, lowered)


@dataclass(slots=True)
class _Head:
    """What the page says about itself: meta, links, JSON-LD, title (one pass)."""

    jsonld: list[str] = field(default_factory=list)
    og_type: str = ""
    titles: str = ""
    feeds: tuple[str, ...] = ()
    rel_next: str = ""
    canonical: str = ""
    dated: bool = False

    @classmethod
    def read(cls, root: Any, url: str) -> _Head:
        head = cls()
        feeds: list[str] = []
        titles: list[str] = []
        for el in root.iter("meta", "link", "script", "title"):
            tag = el.tag
            if tag == "script":
                if (el.get("type") or "").lower() == "application/ld+json" and el.text:
                    head.jsonld.append(el.text)
            elif tag == "meta":
                prop = (el.get("property") or el.get("name") or "").lower()
                if prop == "og:type":
                    head.og_type = (el.get("content") or "").strip().lower()
                elif prop == "og:title":
                    titles.append(el.get("content") or "")
                elif prop in ("article:published_time", "datepublished"):
                    head.dated = True
            elif tag == "title":
                titles.append(el.text_content())
            else:
                href = (el.get("href") or "").strip()
                rel = (el.get("rel") or "").lower().split()
                if not href or not rel:
                    continue
                if "alternate" in rel and (el.get("type") or "").lower() in FEED_TYPES:
                    absolute = urljoin(url, href)
                    if absolute not in feeds:
                        feeds.append(absolute)
                elif "next" in rel and not head.rel_next:
                    head.rel_next = urljoin(url, href).split("#", 1)[0]
                elif "canonical" in rel and not head.canonical:
                    head.canonical = urljoin(url, href).split("#", 1)[0]
        head.feeds = tuple(feeds)
        head.titles = " ".join(" ".join(titles).lower().split())
        return head


def _jsonld_types(texts: list[str]) -> set[str]:
    """The lower-cased ``@type`` values of the page's JSON-LD (``@graph`` included)."""
    found: set[str] = set()
    for text in texts:
        if "@type" not in text or len(text) > 500_000:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 200:
            node = stack.pop()
            seen += 1
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type")
                for value in kind if isinstance(kind, list) else [kind]:
                    if isinstance(value, str):
                        found.add(value.lower())
                graph = node.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return found


def _signature(anchor: Any) -> str:
    """The element path of *anchor*: it and three ancestors, with their first class."""
    parts = []
    node = anchor
    for _ in range(4):
        if node is None or not isinstance(node.tag, str):
            break
        cls = (node.get("class") or "").split()
        parts.append(f"{node.tag}.{cls[0]}" if cls else node.tag)
        node = node.getparent()
    return ">".join(reversed(parts))


def _link_groups(
    root: Any, url: str
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...], int]:
    """Teaser groups (largest first), pagination links and "Selengkapnya" links.

    Links in navigation, headers, footers and forms are no teasers.
    """
    furniture: set[Any] = set()
    for box in root.iter(*_SKIP_ANCESTORS):
        furniture.update(box.iter("a"))
    groups: defaultdict[str, list[str]] = defaultdict(list)
    pages: list[str] = []
    read_more = 0
    here = url.split("#", 1)[0]
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}"

    def absolute_of(href: str) -> str:
        if href.startswith("/") and not href.startswith("//"):  # most links: no urljoin
            return (site + href).split("#", 1)[0]
        return urljoin(url, href).split("#", 1)[0]

    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        text = " ".join(anchor.text_content().split())
        if READ_MORE_RE.match(text):
            read_more += 1
            continue
        pager = PAGER_TEXT_RE.match(text) or (len(text) < 12 and PAGER_URL_RE.search(href))
        if pager:
            absolute = absolute_of(href)
            same = absolute.startswith(site + "/") or absolute == site
            if absolute != here and absolute not in pages and same:
                pages.append(absolute)
            continue
        if len(text) < MIN_TITLE_CHARS or text.count(" ") < 2 or anchor in furniture:
            continue
        absolute = absolute_of(href)
        members = groups[_signature(anchor)]
        if absolute not in members and absolute != here:
            members.append(absolute)
    ranked = sorted(
        ((sig, tuple(urls)) for sig, urls in groups.items() if len(urls) >= 2),
        key=lambda g: -len(g[1]),
    )
    return tuple(ranked), tuple(pages), read_more


def _body(root: Any) -> tuple[int, int]:
    """The most body-like container: its paragraphs and their characters (links left out)."""
    best = _body_counts(root)
    return (best[1][0], best[1][1]) if best else (0, 0)


def body_element(root: Any) -> Any | None:
    """The element holding the most body paragraphs (`_body`), or None."""
    best = _body_counts(root)
    return best[0] if best else None


def _body_counts(root: Any) -> tuple[Any, list[int]] | None:
    counts: defaultdict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for para in root.iter("p"):
        chars = len(" ".join(para.text_content().split()))
        linked = sum(len(a.text_content()) for a in para.iter("a"))
        own = chars - linked
        if own < MIN_PARAGRAPH_CHARS:
            continue
        parent = para.getparent()
        entry = counts[parent]
        entry[0] += 1
        entry[1] += own
    # Paragraphs written without <p>: text runs between <br>s (Blogger's post body,
    # pasted text) count for the element holding them; a <div> holding one run of
    # text and no link or heading is a paragraph of its parent, as a <p> is.
    for block in root.iter(*_TEXT_BLOCKS):
        runs = _text_runs(block)
        if not runs:
            continue
        if len(runs) == 1 and block.tag == "div" and _plain(block):
            target = block.getparent()
        else:
            target = block
        entry = counts[target]
        entry[0] += len(runs)
        entry[1] += sum(runs)
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1][0], kv[1][1]))


#: Elements whose own text (not a child block's) may hold paragraphs.
_TEXT_BLOCKS: Final = ("div", "td", "section", "article", "blockquote")
#: Inline elements: their text is part of the run of text around them (links are not).
_INLINE: Final = frozenset(
    {"b", "i", "em", "strong", "span", "font", "u", "small", "sup", "sub", "abbr", "cite", "q",
     "mark", "code", "s", "strike", "time", "label", "big"}
)  # fmt: skip


def _text_runs(block: Any) -> list[int]:
    """The characters of each run of text directly in *block* (its own text, its
    inline children's, never a link's) that is long enough to be a paragraph; a
    ``<br>`` or a block child ends a run."""
    runs: list[int] = []
    run = [len(" ".join((block.text or "").split()))]

    def close() -> None:
        if run[0] >= MIN_PARAGRAPH_CHARS:
            runs.append(run[0])
        run[0] = 0

    for child in block:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _INLINE:
            run[0] += len(" ".join(child.text_content().split()))
        elif tag and tag != "a":  # a <br> or a block ends the run (a link's text is not own)
            close()
        tail = child.tail
        if tail and not tail.isspace():
            run[0] += len(" ".join(tail.split())) + 1
    close()
    return runs


def _plain(block: Any) -> bool:
    """Whether *block* holds text only: no link, heading or list (not a teaser)."""
    return (
        next(block.iter("a", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "img"), None) is None
    )


#: What older templates (before HTML5's elements) call the ``<div>`` that is the
#: site's header or footer: framed like ``<header>`` and ``<footer>``. An id is
#: unique to the page; a plain class "header" is also a post's own head, so only
#: the site-wide class names count.
_FRAME_IDS: Final = frozenset({"header", "site-header", "masthead", "footer", "site-footer"})
_FRAME_CLASSES: Final = frozenset({"site-header", "masthead", "site-footer"})


def _framed(node: Any) -> bool:
    get = getattr(node, "get", None)
    if get is None:
        return False
    if (get("id") or "").lower() in _FRAME_IDS:
        return True
    return not _FRAME_CLASSES.isdisjoint((get("class") or "").lower().split())


def _in_furniture(el: Any) -> bool:
    """Whether *el* is in the page's navigation, sidebar, link, or the site's header or
    footer (an ``<article>``'s own ``<header>`` and ``<footer>`` are not furniture)."""
    node = el.getparent()
    framed = False
    depth = 0
    while node is not None and depth < 30:
        tag = node.tag
        if tag in ("nav", "aside", "a"):
            return True
        if tag in ("header", "footer") or _framed(node):
            framed = True
        elif tag in ("article", "main"):
            return False
        node = node.getparent()
        depth += 1
    return framed


def headline(root: Any, titles: str | None = None) -> Any | None:
    """The page's one main headline, or None.

    A single ``<h1>`` outside the page's header, navigation, sidebar and
    footer (the site name in a logo is often an ``<h1>`` too); else the
    first ``<h1>``-``<h3>`` there whose text the ``<title>`` (or ``og:title``)
    repeats, as the headline of a CMS that keeps its ``<h1>`` for the site.
    """
    heads = [
        h
        for h in root.iter("h1")
        if len(" ".join(h.text_content().split())) >= 10
        and not _in_furniture(h)
        and not is_site_logo(h)
    ]
    if len(heads) == 1:
        return heads[0]
    if titles is None:
        titles = _Head.read(root, "").titles
    if titles:
        for heading in root.iter("h1", "h2", "h3"):
            text = " ".join(heading.text_content().split()).lower()
            if (
                len(text) >= 10
                and text in titles
                and not _in_furniture(heading)
                and not is_site_logo(heading)
            ):
                return heading
    return heads[0] if heads and len(heads) <= 2 else None


def _near_text(heading: Any) -> str:
    """The text within three levels around *heading* (its date, byline and counter are
    there; a site-wide hit counter in the footer is not)."""
    node = heading
    for _ in range(3):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        node = parent
    return _text(node.itertext(), 5000)


def _text(pieces: Any, limit: int) -> str:
    """Text *pieces* joined by spaces (so ``2024</span><p>Paragraf`` stays two words),
    whitespace collapsed, cut after about *limit* characters."""
    out: list[str] = []
    size = 0
    for piece in pieces:
        words = str(piece).split()
        if words:
            out.append(" ".join(words))
            size += len(out[-1]) + 1
            if size >= limit:
                break
    return " ".join(out)[:limit]


__all__ = [
    "ARTICLE",
    "KINDS",
    "LISTING",
    "OTHER",
    "PageKind",
    "body_element",
    "classify",
    "classify_html",
    "headline",
]
