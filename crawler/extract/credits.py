"""Author, editor and views read from labels, the way a reader finds them.

A label (``Penulis``, ``Pewarta``, ``Oleh``, ``Editor``, ``Red:``, ``Views``,
``Dibaca ... kali``) may sit in a paragraph, a table row (cells share a
line), a list item, one line with ``|`` separators, ``<br>``-separated lines
of one paragraph, or alone with its value on the next line (``<dt>``/``<dd>``,
``<li>Editor</li><li>Iskandar</li>``). Values keep initials (``TR``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.extract.datepatterns import _alternation
from crawler.extract.datescan import outside, scan
from crawler.extract.dom import Element, Line, class_tokens, text_of
from crawler.extract.numbers import parse_count
from crawler.extract.patterns import (
    AGENCY_RE,
    AUTHOR_CLASS_RE,
    AUTHOR_LABELS,
    CREDITS_CLASS_RE,
    DESK_TAIL_RE,
    EDITOR_LABELS,
    EYE_CLASS_RE,
    GLUED_ROLE_RE,
    INLINE_LABEL_RE,
    LABEL_RE,
    NAME_STOP_RE,
    NOT_PERSON_RE,
    REPORT_OF_RE,
    ROLE_AFTER_RE,
    ROLE_TAIL_RE,
    SITE_COUNTER_RE,
    STRONG_LABELS,
    VIEWS_COUNT_FIRST_RE,
    VIEWS_LABEL_FIRST_RE,
)
from crawler.extract.text import squash

#: Labels of credits that are everyday words, and of other fields of a credits line.
_OTHER_FIELDS = ("red", "rep", "foto", "sumber")
_SEGMENT_SPLIT_RE = re.compile(
    r"\s+[|•·]\s+|\s*\|\s*"
    # "Rep: Fuji E Permana/ Red: Muhammad Hafil", "Pewarta: Budi; Editor: Citra",
    # "Penulis: Budi, Editor: Citra": a slash, semicolon or comma before the next label
    r"|\s*[/;,]\s*(?=(?:" + _alternation((*STRONG_LABELS, *_OTHER_FIELDS)) + r")\s*[:：])",
    re.IGNORECASE,
)
#: Fields written one after another with only spaces between them (``... 10:15
#: Penulis : Humas Dilihat 1.234 kali``): a new field starts at its label and colon,
#: or at a views count that ends the segment; not between two labels of one value
#: (``Redaktur & Reporter : Boy``). Only short segments are fields (`_FIELDS`).
_FIELD_SPLIT_RE = re.compile(
    r"(?<![\s&+])(?<!\bdan)(?<!\band)\s+(?="
    r"(?:" + _alternation(STRONG_LABELS) + r")\s*[:：]"
    r"|(?:views?|dilihat|dibaca)\s*[:：]?\s*\d[\d.,]*(?:\s*(?:rb|ribu|k|jt|juta))?"
    r"(?:\s*(?:kali|x))?\s*$"
    r"|\d[\d.,]*\s*(?:kali\s+(?:dilihat|dibaca)|views?|hits)\s*$)",
    re.IGNORECASE,
)
#: A segment longer than this is prose: no fields are split or labels read inside it.
_FIELDS = 120
#: Where a byline's name ends and its date or time begins (``Budi, Senin 3/1``,
#: ``Budi pada Sen, 18/12/2023 - 10:15`` as Drupal writes it, ``Budi di 08.30`` as
#: Blogger does): a connector (on, pada, at, di) or a comma before a weekday (whole
#: or abbreviated with its comma) or a digit.
_DATEISH_CUT_RE = re.compile(
    r"\s*(?:,\s*|\s+)(?:(?:on|pada|at|di)\s+)?(?=(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|"
    r"ahad|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|(?:sen|sel|rab|kam|jum|sab|min|mon|tue|wed|thu|fri|sat|sun)[,.]\s|\d)",
    re.IGNORECASE,
)
_LEADING_PUNCT_RE = re.compile(r"^[\s:：\-–—,]+")
_TRAILING_PUNCT_RE = re.compile(r"[\s,;:\-–—]+$")
_CAPITALIZED_NAME_RE = re.compile(
    r"^(?:[A-Z][\w.'’-]*|dan|bin|binti|van|de|al|el)(?:\s+(?:[A-Z][\w.'’-]*|dan|bin|binti|van|"
    r"de|al|el)){0,5}$"
)
#: Labels that are ordinary words too: they need a capitalized name right after.
_LOOSE_LABELS = frozenset(
    {"oleh", "by", "written by", "teks", "kontributor", "reporter", "jurnalis", "koresponden"}
)
_AUTHOR = frozenset(AUTHOR_LABELS)
_EDITOR = frozenset(EDITOR_LABELS)
#: A label alone on its line (``Penulis``), its value above or below it.
_LABEL_ONLY_RE = re.compile(
    r"^\s*(?:" + _alternation(_AUTHOR | _EDITOR) + r")\s*[:：]?\s*$", re.IGNORECASE
)
_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_GLUED_ENDINGS = (
    "Author", "Penulis", "Reporter", "Pewarta", "Kontributor", "Editor", "Redaktur", "Penyunting",
)  # fmt: skip


def person(name: str | None, site_words: set[str] | frozenset[str] = frozenset()) -> str | None:
    """*name* as a person's name, without a desk or outlet after a dash or the
    editor's initials after a slash; None when it names no person: the outlet
    (``Liputan6.com``, a site word such as ``redaksiotosia``), a wire agency
    (``ANTARA``) or an account/desk (``Admin``, ``Redaksi``, ``Tim Humas``)."""
    if not name:
        return None
    name = _without_outlet(DESK_TAIL_RE.sub("", name).strip(), site_words)
    if not name or NOT_PERSON_RE.match(name):
        return None
    if re.search(r"\.(?:com|co|id|net|org|tv)\b", name, re.IGNORECASE):
        return None
    if len(name.split()) <= 2 and AGENCY_RE.search(name):
        return None
    squashed = _ALNUM_RE.sub("", name.casefold())
    for word in site_words:
        w = _ALNUM_RE.sub("", word.casefold())
        if len(w) > 3 and (squashed == w or (" " not in name and w in squashed)):
            return None
    return name


_DOMAIN_RE = re.compile(r"\w\.(?:com|co|id|net|org|tv|go)\b", re.IGNORECASE)


def _without_outlet(name: str, site_words: set[str] | frozenset[str]) -> str:
    """*name* without the outlet or agency after its last comma (``Budi Santoso, CNN
    Indonesia``); a title there stays (``Budi Santoso, S.Sos.``)."""
    head, comma, tail = name.rpartition(",")
    if comma and head.strip() and _names_outlet(tail, site_words):
        return head.strip()
    return name


def _names_outlet(text: str, site_words: set[str] | frozenset[str]) -> bool:
    """Whether *text* (after a byline's comma) is the outlet or an agency, not a title."""
    text = text.strip()
    if not text or any(ch.isdigit() for ch in text):
        return False
    if _DOMAIN_RE.search(text) or AGENCY_RE.search(text):
        return True
    squashed = _ALNUM_RE.sub("", text.casefold())
    return any(
        len(w) > 3 and squashed == w for w in (_ALNUM_RE.sub("", x.casefold()) for x in site_words)
    )


@dataclass(slots=True)
class Credits:
    """What the labels say, and which lines said it (those are not body text)."""

    author: str | None = None
    editor: str | None = None
    views: int | None = None
    label_lines: set[int] = field(default_factory=set)


def clean_name(value: str) -> str | None:
    """A person's name from a label's value, or None when it is not one."""
    value = ROLE_TAIL_RE.sub("", NAME_STOP_RE.sub("", value))
    value = _DATEISH_CUT_RE.split(value, maxsplit=1)[0]
    value = _TRAILING_PUNCT_RE.sub("", _LEADING_PUNCT_RE.sub("", squash(value)))
    if not value or len(value) > 80 or len(value.split()) > 8:
        return None
    if not value[0].isalpha() or any(ch.isdigit() for ch in value) or "@" in value:
        return None  # names have no digits: "0Komentar", "Liputan6.com" are not people
    return value


def _views(segment: str) -> int | None:
    if len(segment) > 40:  # a count in prose ("dibaca 3 kali oleh ...") is not a counter
        return None
    if SITE_COUNTER_RE.search(segment):  # "Pengunjung hari ini: 120": the site's, not the article's
        return None
    m = VIEWS_LABEL_FIRST_RE.search(segment) or VIEWS_COUNT_FIRST_RE.search(segment)
    return parse_count(m["count"]) if m else None


def _label_value(segment: str, next_line: str | None) -> tuple[str, str, bool] | None:
    """(kind, value, used_next_line) for a ``Label: value`` segment."""
    m = LABEL_RE.match(segment)
    if m is None:
        return None
    label = m["label"].lower()
    kind = "author" if label in _AUTHOR else "editor" if label in _EDITOR else ""
    if not kind:
        return None
    value = m["value"]
    has_colon = bool(m["colon"])
    paired = None if has_colon else _PAIRED_RE.match(value)
    if paired:  # "Redaktur & Reporter : Boy": one person in both roles
        other = paired["label"].lower()
        if (other in _AUTHOR) != (kind == "author"):
            kind = "both"
        value, has_colon = paired["value"], True
    if label in ("red", "rep") and not has_colon:  # "red", "rep" are words too
        return None
    used_next = False
    if not value and next_line is not None:
        value, used_next = next_line, True
        if LABEL_RE.match(value) or _views(value) is not None:
            return None
    name = clean_name(value)
    if name is None:
        return None
    loose = (label in _LOOSE_LABELS and not has_colon) or used_next
    if loose and not (_CAPITALIZED_NAME_RE.match(name) or name.isupper()):
        return None  # "Oleh karena itu, ..." is a sentence, not a byline
    return kind, name, used_next


#: The second of two labels that share one value (``Redaktur & Reporter : Boy``).
_PAIRED_RE = re.compile(
    r"^(?:&|dan|and|/|\+)\s*(?P<label>" + _alternation(_AUTHOR | _EDITOR) + r")\s*[:：]"
    r"\s*(?P<value>.*)$",
    re.IGNORECASE,
)

#: Words of page furniture that look like a capitalized name (``Lihat Foto``).
_UI_WORDS_RE = re.compile(
    r"^(?:lihat|baca|klik|tonton|simak|bagikan|share|komentar|foto|video|ikuti|follow|"
    r"download|unduh|selengkapnya|berita|artikel|halaman|home|beranda)\b",
    re.IGNORECASE,
)


def _is_name(text: str) -> bool:
    name = clean_name(text)
    return bool(name and _CAPITALIZED_NAME_RE.match(name) and not _UI_WORDS_RE.match(name))


def _names_above(lines: list[Line], label_only: list[bool]) -> set[int]:
    """Label-only lines whose value is the line above (kompas: ``Isna Rifka`` /
    ``Penulis`` / ``Yoga Sukmana`` / ``Editor``) rather than below (``Author`` /
    ``Corry Anestia`` / ``Editor`` / ``Iskandar``). Labels two lines apart form one
    run; its last label decides: a name above it and none below."""
    above: set[int] = set()
    n = len(lines)
    i = 0
    while i < n:
        if not label_only[i]:
            i += 1
            continue
        run = [i]
        while run[-1] + 2 < n and label_only[run[-1] + 2] and not label_only[run[-1] + 1]:
            run.append(run[-1] + 2)
        last = run[-1]
        name_below = last + 1 < n and not label_only[last + 1] and _is_name(lines[last + 1].text)
        name_above = last > 0 and not label_only[last - 1] and _is_name(lines[last - 1].text)
        if name_above and not name_below:
            above.update(run)
        i = last + 1
    return above


def _segments(text: str) -> list[str]:
    """*text* split at `_SEGMENT_SPLIT_RE`, short segments also at `_FIELD_SPLIT_RE`.

    Plain string tests first: a line with no separator, or whose slash, semicolon
    or comma has no label with a colon after it (most of an article's prose), is
    not run through the expressions."""
    bars = "|" in text or "•" in text or "·" in text
    labelled = (
        not bars
        and _has_colon(text)
        and ("/" in text or ";" in text or "," in text)
        and _has_label(text)
    )
    pieces = _SEGMENT_SPLIT_RE.split(text) if bars or labelled else [text]
    out: list[str] = []
    for piece in pieces:
        if _may_hold_fields(piece):
            out.extend(_FIELD_SPLIT_RE.split(piece))
        else:
            out.append(piece)
    return out


def _has_colon(text: str) -> bool:
    return ":" in text or "：" in text


#: The label words of the split expressions (a cheap test before them).
_SPLIT_WORDS = (*STRONG_LABELS, *_OTHER_FIELDS)


def _has_label(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in _SPLIT_WORDS)


def _unbracketed(piece: str) -> str:
    """*piece* without the brackets around it, or the one left of a pair that a
    separator split (``(ant`` / ``Red: Ani)``); a bracket inside the value stays, as
    the page writes it (``Sri W (Arsiparis Ahli Muda)``)."""
    text = piece.strip()
    if text.startswith("(") and (text.endswith(")") or ")" not in text):
        text = text[1:]
    if text.endswith(")") and "(" not in text:
        text = text[:-1]
    return text.strip()


def _may_hold_fields(piece: str) -> bool:
    """Whether *piece* is short and has a label with a colon or ends in a views count
    (what `_FIELD_SPLIT_RE` looks for); cheap, since most lines are neither."""
    if len(piece) > _FIELDS:
        return False
    if _has_colon(piece) and _has_label(piece):
        return True
    end = piece.rstrip()[-5:].lower()
    return end[-1:].isdigit() or end.endswith(_COUNT_ENDINGS)


_COUNT_ENDINGS = ("kali", "x", "view", "views", "hits")


#: ``by`` / ``oleh`` after a date (``Posted on 13 Juli 2021 by Rina``).
_BY_AFTER_RE = re.compile(r"\s(?:by|oleh)\s+(?=[A-Z])")
#: What may stand before that date: ``Posted on``, ``Diposting pada``, punctuation.
_DATED_LEAD_RE = re.compile(
    r"^\W*(?:(?:posted|published|diposting|dipublikasikan|diterbitkan|ditulis|dibuat)\s*)?"
    r"(?:(?:on|pada|tanggal)\s*)?\W*$",
    re.IGNORECASE,
)


def _dated_byline(segment: str) -> tuple[str, str, bool] | None:
    """(``author``, name, False) for ``Posted on DATE by NAME`` (WordPress and its
    Indonesian forms): only a date and posting words before ``by``/``oleh``, so that
    ``... dibuka oleh Wali Kota`` in prose is no byline."""
    if len(segment) > _FIELDS or not (" by " in segment or " oleh " in segment):
        return None
    m = _BY_AFTER_RE.search(segment)
    if m is None:
        return None
    lead = segment[: m.start()]
    dates = scan(lead)
    if not dates or not _DATED_LEAD_RE.match(outside(lead, dates)):
        return None
    return _label_value(segment[m.start() :].strip(), None)


def read_credits(lines: list[Line], site_words: set[str] | frozenset[str] = frozenset()) -> Credits:
    """Author, editor and views from label lines (first person of each wins;
    outlets, agencies and accounts are not people, see `person`)."""
    found = Credits()
    label_only = [len(line.text) <= 24 and bool(_LABEL_ONLY_RE.match(line.text)) for line in lines]
    names_above = _names_above(lines, label_only) if any(label_only) else set()
    for i, line in enumerate(lines):
        next_text = lines[i + 1].text if i + 1 < len(lines) else None
        report = REPORT_OF_RE.match(line.text) if len(line.text) <= 120 else None
        if report:  # "Laporan Wartawan Tribunnews.com, Reza Deni"
            name = person(clean_name(report["name"]), site_words)
            found.label_lines.add(i)
            if name and found.author is None:
                found.author = name
            continue
        if ROLE_AFTER_RE.match(line.text) and i > 0 and found.author is None:
            name = person(clean_name(lines[i - 1].text), site_words)
            if name and _CAPITALIZED_NAME_RE.match(name):
                found.author = name
                found.label_lines.update((i - 1, i))
            continue
        glued = (
            GLUED_ROLE_RE.match(line.text)
            if len(line.text) <= 80 and line.text.endswith(_GLUED_ENDINGS)
            else None
        )
        if glued:  # "Fadila AdelinEditor"
            kind = "author" if glued["label"].lower() in _AUTHOR else "editor"
            name = person(clean_name(glued["value"]), site_words)
            found.label_lines.add(i)
            if name and getattr(found, kind) is None:
                setattr(found, kind, name)
            continue
        if i in names_above:
            label = LABEL_RE.match(line.text)
            kind = "author" if label and label["label"].lower() in _AUTHOR else "editor"
            name = person(clean_name(lines[i - 1].text), site_words)
            if name and getattr(found, kind) is None:
                setattr(found, kind, name)
                found.label_lines.update((i - 1, i))
            continue
        for piece in _segments(line.text):
            segment = _unbracketed(piece)  # "(Red: Ani)", "(ant/Red: Ani)"
            if not segment:
                continue
            views = _views(segment)
            if views is not None:
                if found.views is None:
                    found.views = views
                found.label_lines.add(i)
                continue
            labelled = _label_value(segment, next_text) or _dated_byline(segment)
            if labelled is None:
                if len(segment) > _FIELDS or ":" not in segment:
                    continue
                inline = INLINE_LABEL_RE.search(segment)
                if inline is None or inline.start() == 0:
                    continue
                labelled = _label_value(segment[inline.start() :], None)
                if labelled is None:
                    continue
            kind, name, used_next = labelled
            name = person(name, site_words) or ""
            found.label_lines.add(i)
            if used_next:
                found.label_lines.add(i + 1)
            if not name:
                continue
            if kind in ("author", "both") and found.author is None:
                found.author = name
            if kind in ("editor", "both") and found.editor is None:
                found.editor = name
    return found


#: Through the attribute axis (as dom's hidden-element query): much faster than
#: testing ``//*[...]`` on every element of a large page.
_CREDITS_XPATH = etree.XPath(
    "//@class[contains(., 'redit') or contains(., 'Redit') or contains(., 'KREDIT')]/.."
)


def credits_block(root: Element) -> Element | None:
    """The page's credits block (``<div class="article-credits">``: writer, editor,
    photographer), outside figures and captions (photo credits), or None."""
    found = _CREDITS_XPATH(root)
    for el in found if isinstance(found, list) else []:
        if not isinstance(el, etree._Element) or not isinstance(el.tag, str):
            continue
        if not any(CREDITS_CLASS_RE.search(t) for t in class_tokens(el)):
            continue
        if el.tag in ("figure", "figcaption") or any(
            a.tag in ("figure", "figcaption") for a in el.iterancestors()
        ):
            continue
        return el
    return None


def semantic_author(container: Element) -> str | None:
    """``itemprop=author``, ``rel=author`` or an author/byline class, outside captions."""
    for el in container.iter():
        if not isinstance(el.tag, str):
            continue
        if not (
            el.get("itemprop") == "author"
            or el.get("rel") == "author"
            or any(AUTHOR_CLASS_RE.search(t) for t in class_tokens(el))
        ):
            continue
        if any(a.tag in ("figure", "figcaption") or "photo" in (a.get("class") or "")
               for a in el.iterancestors()):  # fmt: skip
            continue
        text = text_of(el)
        if len(text) > 60:  # a wrapper ("author-and-share"), not the name itself
            continue
        for label in sorted(AUTHOR_LABELS, key=len, reverse=True):
            text = re.sub(rf"^\s*{re.escape(label)}\b\s*[:：]?", "", text, flags=re.IGNORECASE)
        text = re.sub(r"\s*\b(?:jurnalis|wartawan|reporter)\s*$", "", text, flags=re.IGNORECASE)
        # "Hadijah Alaydrus - Bisnis.com": the outlet after the dash is not the name
        name = clean_name(_without_outlet(DESK_TAIL_RE.sub("", text).strip(), frozenset()))
        # not an outlet's address ("Liputan6.com"); academic titles keep their dots
        if name and "/" not in name and not _DOMAIN_RE.search(name):
            return name
    return None


def byline_name(lines: list[Line], title_index: int | None) -> str | None:
    """``Vania Ika Aldida | Jum'at, 17 Februari 2017 - 13:30 wib`` just below the title."""
    if title_index is None:
        return None
    for line in lines[title_index + 1 : title_index + 3]:
        segments = [s for s in _segments(line.text) if s]
        if len(segments) < 2 or not any(scan(s) for s in segments):
            continue
        for segment in segments:
            if scan(segment):
                continue
            name = clean_name(segment)
            if name and _CAPITALIZED_NAME_RE.match(name) and 2 <= len(name.split()) <= 5:
                return name
    return None


def icon_views(container: Element) -> int | None:
    """A count next to an eye icon (``<i class="icon-eye"></i> 2.899``) or in a views element."""
    for el in container.iter():
        if not isinstance(el.tag, str) or not any(EYE_CLASS_RE.search(t) for t in class_tokens(el)):
            continue
        own = text_of(el)
        if len(own) > 40:  # a container named by a BEM word ("node--view-mode-full", "views-row")
            continue
        tail = squash(el.tail or "")
        count = (_views(own) or parse_count(own)) if own else parse_count(tail)
        if count is None and not own and not tail:
            # <i class="fa fa-eye"></i><span>1,2K</span>: the count is the next element
            after = el.getnext()
            shown = text_of(after) if after is not None and isinstance(after.tag, str) else ""
            count = parse_count(shown) if 0 < len(shown) <= 20 else None
        if count is not None:
            return count
    return None
