"""The article's own text, images and attachments."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract import dom
from crawler.extract.datescan import outside, scan
from crawler.extract.dom import Element, Line
from crawler.extract.patterns import (
    ATTACHMENT_EXTENSIONS,
    BODY_DROP_RE,
    LABEL_INSIDE_RE,
    VIEWS_COUNT_FIRST_RE,
    VIEWS_LABEL_FIRST_RE,
)
from crawler.extract.text import squash

#: A line with more than this share of link text is a link (a "more stories" entry,
#: a "read more" teaser, a tag), not prose.
_LINK_LINE = 0.5
#: A line this long with links in it is prose unless this share of it is links.
_LONG_LINE = 200
_ALL_LINKS = 0.8
_FULL_STOPS = (".", "!", "?", '."', ".”", "。")
#: Shorter than this and not ending a sentence (nor a dateline's dash): a stub.
_STUB = 70
_SENTENCE_ENDS = (
    ".", "!", "?", "…", '"', "”", "’", "'", ")", ":", ";", "-", "–", "—",
    "。", "！", "？", "」", "』", "）",
)  # fmt: skip
_IMG_ATTRS = ("src", "data-src", "data-original", "data-lazy-src", "data-url")


#: What a date block writes beside its dates (``Diterbitkan: ... | Diperbarui: ...``).
_DATE_WORDS_RE = re.compile(
    r"(?:[\W_]|diterbitkan|dipublikasikan|dipublish|diposting|diperbarui|diperbaharui|"
    r"diupdate|update|updated|published|posted|modified|diubah|terbit|tanggal|tgl|pada|"
    r"terakhir|last|on|at)*",
    re.IGNORECASE,
)


def _is_date_line(text: str) -> bool:
    """A line that is only dates, with the words that say which (a date block inside
    the content: ``13 Juli 2021 | 07:00 WIB (Diperbarui 14 Juli 2021 | 08:00 WIB)``)."""
    if len(text) > 100:
        return False
    exprs = scan(text, short_years=True)
    if not exprs:
        return False
    covered = sum(e.end - e.start for e in exprs)
    if covered >= len(text) * 0.8:
        return True
    return _DATE_WORDS_RE.fullmatch(outside(text, exprs)) is not None


#: A meta line (date, byline, counter on one line) is no longer than this.
_META_LINE = 160


def _meta_line(text: str) -> bool:
    """The article's date written with its byline or its counter on one line
    (``Kamis, 30 November 2023 - 12:26 WIB Oleh: Budi Dibaca: 2.552 kali``): the
    header of the text, not a sentence of it."""
    if len(text) > _META_LINE or text.endswith(_FULL_STOPS):
        return False
    labelled = (
        LABEL_INSIDE_RE.search(text) is not None
        or VIEWS_LABEL_FIRST_RE.search(text) is not None
        or VIEWS_COUNT_FIRST_RE.search(text) is not None
    )
    return labelled and bool(scan(text, short_years=True))


def _link_line(line: Line) -> bool:
    """A line that is a link (a teaser, a "read more"), not prose: nearly all link
    text, or mostly and short and no sentence; a bare URL written out is text."""
    size = len(line.text)
    if line.links <= _LINK_LINE * size or line.text.startswith("http"):
        return False
    if line.links > _ALL_LINKS * size:
        return True
    # A sentence with a link in it is prose; a headline ends without a full stop.
    return size < _LONG_LINE and not line.text.endswith(_FULL_STOPS)


def _stub(text: str, document: bool = False) -> bool:
    """A short line that is no sentence (a byline, a time stamp, a "Comments" heading),
    or a bare URL; a line linking a document (an attachment) is none."""
    if document:
        return False
    if text.startswith(("http://", "https://")) and " " not in text:
        return True
    return len(text) < _STUB and not text.endswith(_SENTENCE_ENDS)


def paragraphs(lines: list[Line], skip: set[int], title: str | None) -> tuple[list[str], set[int]]:
    """Paragraphs from *lines*, and the indices of the lines they use.

    ``<br>`` inside a paragraph joins with a space; credits (*skip*), the
    title, date-only lines, furniture lines and lines that are mostly link
    text are dropped, and so are stubs (`_stub`) before the first and after
    the last paragraph that is a sentence.
    """
    out: list[tuple[str, list[int], bool]] = []  # text, line indices, links a document
    open_para = False
    for i, line in enumerate(lines):
        drop = (
            i in skip
            or _link_line(line)
            or BODY_DROP_RE.match(line.text) is not None
            or (title is not None and line.text == title)
            or _is_date_line(line.text)
        )
        if drop:
            open_para = False
            continue
        if line.soft and open_para and out:
            text, used, document = out[-1]
            out[-1] = (f"{text} {line.text}", [*used, i], document or line.document)
        else:
            out.append((line.text, [i], line.document))
        open_para = True
    start, end = 0, len(out)
    while start < end and (_stub(out[start][0], out[start][2]) or _meta_line(out[start][0])):
        start += 1
    while end > start and (_stub(out[end - 1][0], out[end - 1][2]) or _meta_line(out[end - 1][0])):
        end -= 1
    kept = out[start:end] or out  # only stubs: they are all the text there is
    return [text for text, _, _ in kept], {i for _, used, _ in kept for i in used}


#: A body shorter than this (characters) is looked for again (`fallback`).
SHORT_BODY = 200
_ARTICLE_BODY_XPATH = etree.XPath('//*[@itemprop="articleBody"]')


def fallback(root: Element, declared: object, title: str | None) -> tuple[list[str], str] | None:
    """The longest other reading of the article's text, and where it came from: the
    element marked ``itemprop="articleBody"`` (``itemprop``), the JSON-LD
    ``articleBody`` the page declares (*declared*: ``jsonld``); None when neither
    has text."""
    found: list[tuple[list[str], str]] = []
    marked = _ARTICLE_BODY_XPATH(root)
    for el in marked if isinstance(marked, list) else []:
        if isinstance(el, etree._Element):
            found.append((paragraphs(dom.lines(el), set(), title)[0], "itemprop"))
    if isinstance(declared, str):
        found.append(([p for p in (squash(x) for x in declared.splitlines()) if p], "jsonld"))
    found = [f for f in found if f[0]]
    if not found:
        return None
    return max(found, key=lambda f: sum(len(p) for p in f[0]))


def _absolute(base: str, link: str) -> str | None:
    link = link.strip()
    if not link or link.startswith(("data:", "javascript:", "mailto:", "#")):
        return None
    try:
        url = urljoin(base, link)
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https", "file") else None


def images(container: Element, base: str) -> list[str]:
    """Absolute URLs of the container's ``<img>``, document order, no duplicates."""
    found: list[str] = []
    for img in container.iter("img"):
        if img.get("width") in ("0", "1") or img.get("height") in ("0", "1"):
            continue  # tracking pixels
        for attr in _IMG_ATTRS:
            value = img.get(attr)
            if value:
                url = _absolute(base, value)
                if url and url not in found:
                    found.append(url)
                break
    return found


def attachments(container: Element, base: str) -> list[str]:
    """Absolute URLs of linked documents (PDF, Office, archives), no duplicates."""
    found: list[str] = []
    for a in container.iter("a"):
        href = a.get("href")
        if not href:
            continue
        url = _absolute(base, href)
        if url is None:
            continue
        if urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS) and url not in found:
            found.append(url)
    return found
