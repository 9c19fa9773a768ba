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

import lxml.html
from lxml import etree

from crawler.extract.patterns import (
    AUTHOR_CLASS_RE,
    BLOCK_TAGS,
    CLASS_SPLIT_RE,
    DATE_CLASS_RE,
    FURNITURE_TAGS,
    INVISIBLE_TAGS,
    NOISE_CLASS_RE,
    NOISE_HEADING_RE,
    NOISE_TOKEN_RE,
)
from crawler.extract.text import squash

Element: TypeAlias = lxml.html.HtmlElement

_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
_CELL_TAGS = frozenset({"td", "th"})
_PARA_TAGS = frozenset({"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})


def parse(text: str) -> Element:
    """The document tree of *text* (comments dropped)."""
    data = text.replace("\x00", "").encode("utf-8", "replace")
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except etree.ParserError:
        root = lxml.html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)
    return root


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
            if not isinstance(el, lxml.html.HtmlElement) or el.getparent() is None:
                continue
            if el.get("hidden") is not None or _HIDDEN_STYLE_RE.search(el.get("style") or ""):
                el.drop_tree()


@lru_cache(maxsize=128)
def _selector(css: str) -> etree.XPath:
    # Start-up time: only pages of a profile with selectors need cssselect.
    from cssselect import HTMLTranslator  # noqa: PLC0415 - start-up time

    return etree.XPath(HTMLTranslator().css_to_xpath(css))


def select(root: Element, css: str) -> list[Element]:
    """Elements matching the CSS selector *css* under *root*."""
    found = _selector(css)(root)
    return (
        [e for e in found if isinstance(e, lxml.html.HtmlElement)]
        if isinstance(found, list)
        else []
    )


def class_tokens(el: Element) -> list[str]:
    """Words of the element's class and id (split on spaces, ``-`` and ``_``)."""
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
    return CLASS_SPLIT_RE.split(attrs) if attrs else []


def _heading_text(el: Element) -> str | None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "p") or (
            child.tag == "div" and len(child) <= 2
        ):
            text = squash(child.text_content())
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


def is_noise(el: Element) -> bool:
    """Furniture: sidebars, widgets, related/popular lists, share bars, ads, tags."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    if tag in FURNITURE_TAGS:
        return True
    cls, ident = el.get("class"), el.get("id")
    if cls or ident:
        attrs = f"{cls or ''} {ident or ''}"
        if NOISE_TOKEN_RE.search(attrs) or NOISE_CLASS_RE.search(attrs):
            tokens = {t.lower() for t in class_tokens(el)}
            return not (tokens & _SHARE_TOKENS and _holds_content(el))
    if tag in ("div", "section", "ul", "ol"):
        heading = _heading_text(el)
        if heading and NOISE_HEADING_RE.match(heading):
            return True
    return False


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
        el.drop_tree()


@dataclass(slots=True)
class Line:
    """One line of text as shown, and the block element it belongs to."""

    text: str
    block: Element
    #: Began at a ``<br>`` inside a paragraph (joins the previous line in `body`).
    soft: bool = False


class _LineWriter:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.block: Element | None = None
        self.soft = False

    def flush(self, block: Element, soft: bool = False) -> None:
        if self.parts and self.block is not None:
            text = squash("".join(self.parts))
            if text:
                self.lines.append(Line(text, self.block, self.soft))
        self.parts = []
        self.block = block
        self.soft = soft

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)


def _walk(el: Element, out: _LineWriter, block: Element, in_para: bool) -> None:
    tag = el.tag
    if not isinstance(tag, str):
        out.add(el.tail)
        return
    if tag == "br":
        out.flush(block, soft=in_para)
        out.add(el.tail)
        return
    inner, inner_para = block, in_para
    is_block = tag in BLOCK_TAGS
    if is_block:
        out.flush(el)
        inner, inner_para = el, tag in _PARA_TAGS or (in_para and tag not in ("div", "table"))
    elif tag in _CELL_TAGS:
        out.add(" ")
    out.add(el.text)
    for child in el:
        _walk(child, out, inner, inner_para)
    if is_block:
        out.flush(block)
    elif tag in _CELL_TAGS:
        out.add(" ")
    out.add(el.tail)


def lines(root: Element) -> list[Line]:
    """*root*'s visible text as lines (blocks and ``<br>`` break lines)."""
    out = _LineWriter()
    out.block = root
    out.add(root.text)
    for child in root:
        _walk(child, out, root, root.tag in _PARA_TAGS)
    out.flush(root)
    return out.lines


def text_of(el: Element) -> str:
    """All text of *el*, whitespace collapsed."""
    return squash(el.text_content())


def descendants(el: Element) -> set[Element]:
    """*el* and everything under it (for membership tests)."""
    return set(el.iter())
