"""The parsed page: lxml tree, cleaning, CSS selectors and lines of text.

`lines(root)` renders an element as a reader sees it: one `Line` per block
(paragraph, list item, table row, heading) and per ``<br>``; table cells of
one row share a line. Every line knows the block element it came from, so
callers can tell the byline from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from lxml import etree

from crawler.extract.patterns import (
    ATTACHMENT_EXTENSIONS,
    AUTHOR_CLASS_RE,
    BLOCK_TAGS,
    CLASS_SPLIT_RE,
    DATE_CLASS_RE,
    FURNITURE_TAGS,
    INVISIBLE_TAGS,
    NOISE_CLASS_RE,
    NOISE_HEADING_RE,
    NOISE_WORDS,
)
from crawler.extract.text import squash

#: Plain lxml elements: lxml.html's element classes cost a Python-level class lookup
#: for every element proxy made (about 5 % of extraction), and extraction needs none
#: of their methods (`raw_text` and `drop_tree` below stand in for the two it used).
Element: TypeAlias = etree._Element

_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
_EMPTY = b"<html><body></body></html>"
_CELL_TAGS = frozenset({"td", "th"})
_PARA_TAGS = frozenset({"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})


def parse(text: str) -> Element:
    """The document tree of *text* (comments dropped)."""
    data = text.replace("\x00", "").encode("utf-8", "replace")
    try:
        root = etree.fromstring(data, _PARSER) if data.strip() else None
    except etree.XMLSyntaxError:
        root = None
    if root is None:  # nothing lxml could build a document from
        root = etree.fromstring(_EMPTY, _PARSER)
    for heading in root.iter("h1"):  # mark once what holds a headline (see is_noise)
        for holder in heading.iterancestors():
            if holder.get(_HOLDS_H1) is not None:
                break
            holder.set(_HOLDS_H1, "")
    return root


#: Attribute set by `parse` on every ancestor of an ``<h1>``.
_HOLDS_H1 = "data-arsip-h1"


#: What lxml's resource limits (without ``huge_tree``) mean for extraction.
_LIMIT_ANOMALIES = (
    ("Excessive depth", "too_deep: elements nested deeper than 256 levels; lxml stopped there"),
    ("Buffer size limit", "too_large: a text run of over 10 MB; lxml stopped there"),
)


def parse_anomalies() -> list[str]:
    """What stopped the last `parse` short of the whole page (lxml's resource limits:
    nesting depth, the size of one text run): ``kind: explanation`` lines, or []."""
    found = []
    for entry in _PARSER.error_log:
        if entry.type_name != "ERR_RESOURCE_LIMIT":
            continue
        found.append(next((a for key, a in _LIMIT_ANOMALIES if key in entry.message), ""))
        if not found[-1]:
            found[-1] = f"resource_limit: {' '.join(entry.message.split())}"
    return list(dict.fromkeys(found))


#: Through the attribute axis: ten times faster than testing ``//*[...]`` on every element.
_HIDDEN_XPATH = etree.XPath(
    "//@style[contains(., 'none') or contains(., 'hidden')]/.. | //@hidden/.."
)
_HIDDEN_STYLE_RE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)


def strip_invisible(root: Element) -> None:
    """Remove what is never shown (scripts, styles, ``display:none``), keeping tails."""
    etree.strip_elements(root, *INVISIBLE_TAGS, with_tail=False)
    hidden = _HIDDEN_XPATH(root)
    if isinstance(hidden, list):
        for el in hidden:
            if not isinstance(el, etree._Element) or el.getparent() is None:
                continue
            if el.get("hidden") is not None or _HIDDEN_STYLE_RE.search(el.get("style") or ""):
                drop_tree(el)


@lru_cache(maxsize=128)
def _selector(css: str) -> etree.XPath:
    # Start-up time: only pages of a profile with selectors need cssselect.
    from cssselect import HTMLTranslator  # noqa: PLC0415 - start-up time

    return etree.XPath(HTMLTranslator().css_to_xpath(css))


def select(root: Element, css: str) -> list[Element]:
    """Elements matching the CSS selector *css* under *root*."""
    found = _selector(css)(root)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def class_and_id(el: Element) -> str:
    """The element's class and id in one string (`` `` when it has neither)."""
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def class_tokens(el: Element) -> list[str]:
    """Words of the element's class and id (split on spaces, ``-`` and ``_``)."""
    attrs = class_and_id(el).strip()
    return CLASS_SPLIT_RE.split(attrs) if attrs else []


_HOME_PATHS = frozenset({"/", "/index.php", "/index.html", "/beranda", "/home"})


def is_site_logo(heading: Element) -> bool:
    """Whether *heading*'s text is all one link to the site's home page: the site's
    name in a logo (``<h1><a href="/">Site</a></h1>``), not a headline."""
    links = list(heading.iter("a"))
    if len(links) != 1:
        return False
    href = (links[0].get("href") or "").strip()
    path = href.split("://", 1)[1].partition("/")[2] if "://" in href else href.lstrip(".")
    path = "/" + path.split("?", 1)[0].split("#", 1)[0].strip("/")
    return path in _HOME_PATHS and text_of(links[0]) == text_of(heading)


def _heading_text(el: Element) -> str | None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "p") or (
            child.tag == "div" and len(child) <= 2
        ):
            text = text_of(child)
            return text if len(text) <= 40 else None
        return None
    return None


_SHARE_TOKENS = frozenset({"share", "sharer", "sharing", "sosmed", "socmed", "sharebar"})


def _holds_content(el: Element) -> bool:
    """A "share" wrapper around the byline, the date or the text (kompas, okezone)."""
    paragraphs = 0
    for sub in el.iter():
        if sub.tag == "p":
            paragraphs += 1
            if paragraphs >= 3:
                return True
        if isinstance(sub.tag, str) and (
            sub.tag == "time"
            or sub.get("itemprop") in ("author", "datePublished")
            or AUTHOR_CLASS_RE.search(sub.get("class") or "")
            or DATE_CLASS_RE.search(sub.get("class") or "")
        ):
            return True
    return False


#: Furniture words that also name a page's layout (``one-sidebar``, ``nav-open``,
#: ``tag-amazon``, ``non-ad-column``): an element so named that holds paragraphs of
#: prose is a wrapper of the article, not furniture.
_LAYOUT_TOKENS = frozenset({
    "sidebar", "widget", "widgets", "ad", "ads", "advert", "advertisement", "iklan", "banner",
    "tag", "tags", "topik", "nav", "navbar", "navigation", "menu", *_SHARE_TOKENS,
})  # fmt: skip
_PROSE = 40  # characters: a paragraph of prose, not a caption or a button


#: Characters: an article's text written without ``<p>`` (divs, ``<br>``).
LONG_TEXT = 500
#: Characters of prose: three paragraphs.
PROSE_HELD = 3 * _PROSE


def _holds_prose(el: Element) -> bool:
    """Three paragraphs of prose under *el*, or a long text that is not mostly links."""
    found = 0
    for p in el.iter("p"):
        if len(raw_text(p).strip()) >= _PROSE:
            found += 1
            if found >= 3:
                return True
    text = _visible_chars(el)
    if text < LONG_TEXT:
        return False
    links = sum(_visible_chars(a) for a in el.iter("a"))
    return links < 0.3 * text


def _visible_chars(el: Element) -> int:
    """Characters of *el*'s text, white space left out (indentation is no text)."""
    return sum(map(len, raw_text(el).split()))


#: `noise_verdict`: not furniture, furniture, or named only by layout words (judge
#: by what it holds: `layout_is_noise`).
NOT_NOISE, NOISE, LAYOUT = 0, 1, 2


def noise_verdict(el: Element) -> int:
    """`NOISE` for furniture (sidebars, widgets, related/popular lists, share bars, ads,
    tags); `LAYOUT` for an element named only by words that also name layouts
    (`_LAYOUT_TOKENS`); else `NOT_NOISE` (``<html>``, ``<body>``, ``<main>`` always)."""
    tag = el.tag
    if not isinstance(tag, str) or tag in ("html", "body", "main"):
        return NOT_NOISE
    if tag in FURNITURE_TAGS:
        return NOISE
    named = _named_verdict(class_and_id(el))
    if named != NOT_NOISE:
        return _unless_headline(el, named)
    if tag in ("div", "section", "ul", "ol"):
        heading = _heading_text(el)
        # "TRENDING | 17 Juni 2021 08:55" is a category and a date, not a list heading.
        if heading and NOISE_HEADING_RE.match(heading) and not any(c.isdigit() for c in heading):
            return NOISE
    return NOT_NOISE


@lru_cache(maxsize=4096)
def _named_verdict(attrs: str) -> int:
    """What an element's class and id (*attrs*) alone say: `NOISE`, `LAYOUT` or
    `NOT_NOISE`. A page repeats a few dozen class strings over thousands of
    elements, so the answer is kept per string."""
    if NOISE_CLASS_RE.search(attrs):
        return NOISE
    words = NOISE_WORDS.intersection(CLASS_SPLIT_RE.split(attrs.lower()))
    if not words:
        return NOT_NOISE
    return LAYOUT if words <= _LAYOUT_TOKENS else NOISE


@lru_cache(maxsize=1024)
def _share_named(attrs: str) -> bool:
    """Whether class and id (*attrs*) name a share bar (`_SHARE_TOKENS`)."""
    return not _SHARE_TOKENS.isdisjoint(CLASS_SPLIT_RE.split(attrs.lower()))


def _unless_headline(el: Element, verdict: int) -> int:
    """Furniture never holds the page's headline: an "ads" or "tag" wrapper around
    the h1 (an unclosed ad slot swallowing the page) is layout."""
    return verdict if el.get(_HOLDS_H1) is None else NOT_NOISE


def layout_is_noise(el: Element, holds_prose: bool) -> bool:
    """Whether a `LAYOUT` element is furniture: not when it *holds_prose*, nor when it
    is a share bar around the byline or the date."""
    if holds_prose:
        return False
    share = _share_named(class_and_id(el))
    return not (share and _holds_content(el))


#: Attribute where `is_noise` keeps its answer.
_NOISE_MARK = "data-arsip-noise"


def is_noise(el: Element) -> bool:
    """Furniture (`noise_verdict`); a `LAYOUT` element holding paragraphs of prose or a
    long text that is not links is not.

    Asked several times per element (measuring the text, stripping furniture,
    checking a heading's ancestors): the answer is kept on the element itself."""
    if not isinstance(el.tag, str):
        return False
    known = el.get(_NOISE_MARK)
    if known is not None:
        return bool(known == "1")
    verdict = noise_verdict(el)
    noise = layout_is_noise(el, _holds_prose(el)) if verdict == LAYOUT else verdict == NOISE
    el.set(_NOISE_MARK, "1" if noise else "0")
    return noise


def strip_noise(root: Element, keep: list[Element]) -> None:
    """Remove furniture under *root*, except elements that hold any of *keep*
    and share bars that hold the byline or the date."""
    protected: set[Element] = set()
    for el in keep:
        protected.update(el.iterancestors())
        protected.add(el)
    doomed: list[Element] = []
    stack = list(root)
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if el not in protected and is_noise(el):
            doomed.append(el)
            continue
        stack.extend(el)
    for el in doomed:
        drop_tree(el)


@dataclass(slots=True)
class Line:
    """One line of text as shown, and the block element it belongs to."""

    text: str
    block: Element
    #: Began at a ``<br>`` inside a paragraph (joins the previous line in `body`).
    soft: bool = False
    #: Characters of the raw text that were inside links (``<a>``) to other pages.
    links: int = 0
    #: Holds a link to a document (an attachment: PDF, Office, archive).
    document: bool = False


class _LineWriter:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.block: Element | None = None
        self.soft = False
        self.links = 0
        self.document = False

    def flush(self, block: Element, soft: bool = False) -> None:
        if self.parts and self.block is not None:
            text = squash("".join(self.parts))
            if text:
                self.lines.append(Line(text, self.block, self.soft, self.links, self.document))
        self.parts = []
        self.block = block
        self.soft = soft
        self.links = 0
        self.document = False

    def add(self, text: str | None, link: bool = False) -> None:
        if text:
            self.parts.append(text)
            if link:
                self.links += len(text.strip())


def _is_document(a: Element) -> bool:
    """A link to a document (an attachment of the article, not a link away from it)."""
    path = (a.get("href") or "").split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith(ATTACHMENT_EXTENSIONS)


def _walk(
    el: Element,
    out: _LineWriter,
    block: Element,
    in_para: bool,
    *,
    in_link: bool = False,
    skip: frozenset[Element] = frozenset(),
) -> None:
    tag = el.tag
    if not isinstance(tag, str) or el in skip:
        out.add(el.tail, in_link)
        return
    if tag == "br":
        out.flush(block, soft=in_para)
        out.add(el.tail, in_link)
        return
    inner, inner_para = block, in_para
    is_block = tag in BLOCK_TAGS
    if is_block:
        out.flush(el)
        inner, inner_para = el, tag in _PARA_TAGS or (in_para and tag not in ("div", "table"))
    elif tag in _CELL_TAGS:
        out.add(" ")
    link = in_link
    if tag == "a":
        if _is_document(el):
            out.document = True
        else:
            link = True
    out.add(el.text, link)
    for child in el:
        _walk(child, out, inner, inner_para, in_link=link, skip=skip)
    if is_block:
        out.flush(block)
    elif tag in _CELL_TAGS:
        out.add(" ")
    out.add(el.tail, in_link)


def lines(root: Element, skip: frozenset[Element] = frozenset()) -> list[Line]:
    """*root*'s visible text as lines (blocks and ``<br>`` break lines); the text of
    the elements in *skip* is left out (their tails stay)."""
    out = _LineWriter()
    out.block = root
    out.add(root.text)
    for child in root:
        _walk(child, out, root, root.tag in _PARA_TAGS, skip=skip)
    out.flush(root)
    return out.lines


#: Plain strings: lxml's "smart" results would keep the whole tree alive.
_STRING = etree.XPath("string()", smart_strings=False)


def raw_text(el: Element) -> str:
    """All text under *el*, as written (lxml.html's ``text_content()``)."""
    return str(_STRING(el))


def text_of(el: Element) -> str:
    """All text of *el*, whitespace collapsed."""
    return squash(raw_text(el))


def drop_tree(el: Element) -> None:
    """Remove *el* and what it holds, keeping its tail (lxml.html's ``drop_tree()``)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def descendants(el: Element) -> set[Element]:
    """*el* and everything under it (for membership tests)."""
    return set(el.iter())
