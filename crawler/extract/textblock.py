"""Where the article's text is: the element holding it, found by its paragraphs.

Used when no profile selector pins the body (docs/fields.md, "body"). One
walk over ``<body>`` scores the page's paragraphs (``<p>``, ``<pre>``, and
text written straight into a ``<div>`` or ``<td>``, ``<br>``-separated or
not): a paragraph of 25+ characters outside links is worth
``1 + commas + min(length / 100, 3)``, credited in full to the element that
holds it, half to that one's parent and a sixth to the next. A candidate's
score moves with its class and id (words of article text up, of furniture
down; by at most the score itself) and is scaled by the share of its text
outside links. Furniture (`dom.noise_verdict`, ``<header>``, ``<footer>``)
counts nothing and is not walked; an element named only by layout words is
judged by the prose the walk counted under it. The walk also counts, per
block, characters of prose and of everything else ("junk": links, buttons,
short pieces, linked headings).

The best candidate is widened where the article is split: to an ancestor
that scores higher (the text goes on in a sibling container), to an ancestor
that adds prose and at most 10 % junk (one card per paragraph), and to the
siblings that hold prose and little else or score well themselves (a lead
paragraph before the main container, the second half after a figure); the
siblings that do not are `TextBlock.excluded`, and so are teasers (a sibling
``<article>``, a block headed by a link). Figures and captions inside are
`TextBlock.figures`: their text is left out of the lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.extract.dom import (
    LAYOUT,
    LONG_TEXT,
    NOISE,
    NOT_NOISE,
    PROSE_HELD,
    Element,
    class_and_id,
    is_noise,
    layout_is_noise,
    noise_verdict,
    raw_text,
)
from crawler.extract.patterns import BLOCK_TAGS, FURNITURE_TAGS

#: Elements that are one paragraph each (credited to their parent).
_PARA_TAGS = frozenset({"p", "pre"})
#: Elements whose own inline text is not scored as a paragraph.
_NOT_HOSTS = frozenset({"a", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "tbody",
                        "thead", "tfoot", "th", "h1", "h2", "h3", "h4", "h5", "h6",
                        "figcaption", "caption", "label", "form", "option"})  # fmt: skip
_SKIPPED_TAGS = frozenset({"header", "footer"})
#: Tags `noise_verdict` judges without a class or id (furniture tags, listed headings).
_MAYBE_NOISE_TAGS = FURNITURE_TAGS | {"div", "section", "ul", "ol"}
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: A paragraph of prose: this many characters outside links, at most this share of links.
_MIN_PARAGRAPH = 25
_MAX_LINKS = 0.5
#: An ancestor joins the text when it adds prose with at most this share of other text.
_WIDEN_JUNK = 0.1
#: ... and when its own paragraph credit is at least this share of the text's: the
#: cards of a split text credit their parent; prose far down a page wrapper does not.
_WIDEN_CREDIT = 1 / 20
#: A sibling of the text joins it with this much prose and at most this share of links.
_MIN_SIBLING_PROSE = 80
_SIBLING_LINKS = 0.25

_POSITIVE_RE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|post|text|blog|story|isi|berita|konten|"
    r"artikel|detail|prose|single",
    re.IGNORECASE,
)
_NEGATIVE_RE = re.compile(
    r"hidden|banner|combx|comment|komentar|contact|foot|gdpr|masthead|outbrain|promo|"
    r"related|terkait|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|widget|"
    r"caption|subscribe|newsletter|popular|populer|trending|recirc|teaser|card|rail|signup|"
    r"modal|cookie|consent|privacy|breadcrumb|pagination|pager|social|tags\b|byline|author|meta\b",
    re.IGNORECASE,
)
_CLASS_WEIGHT = 25.0
#: A heading that is a link: what opens a teaser of another page.
_TEASER_XPATH = etree.XPath(
    "(self::h1 | self::h2 | self::h3 | self::h4 | .//h1 | .//h2 | .//h3 | .//h4)"
    "[a and string-length(normalize-space(.)) <= string-length(normalize-space(a)) + 3]"
)
#: Figures and their captions inside the text: what a picture shows, not the article.
_FIGURES_XPATH = etree.XPath(
    ".//figure | .//figcaption"
    " | .//*[contains(@class, 'caption') or contains(@class, 'Caption')"
    " or contains(@class, 'credit') or contains(@id, 'caption')]"
)
#: Elements named for a photo that hold an image and a line of text: a figure too.
_PHOTOS_XPATH = etree.XPath(
    ".//*[.//img][contains(@class, 'photo') or contains(@class, 'foto')"
    " or contains(@class, 'gambar') or contains(@id, 'photo') or contains(@id, 'image')]"
)
_PHOTO_TEXT = 300  # characters: more is an article with a picture in it


@dataclass(slots=True)
class TextBlock:
    """The element that holds the article's text, and children of it that do not."""

    element: Element
    #: Children that are not part of the text (siblings of the best element that hold
    #: no prose, when the text was widened to their parent).
    excluded: list[Element] = field(default_factory=list)
    #: Figures and captions inside: their text is not the article's.
    figures: frozenset[Element] = frozenset()


@dataclass(slots=True)
class _Score:
    element: Element
    score: float  # paragraph credit (before class weight and link density)
    text: int  # characters of visible text, links included
    links: int  # characters of link text
    prose: int  # characters in paragraphs of prose (any depth)
    junk: int  # characters elsewhere, headings left out (links, buttons, short pieces)

    @property
    def link_density(self) -> float:
        return self.links / self.text if self.text else 1.0


def _class_weight(el: Element) -> float:
    """Points for the element's class and id: article words up, furniture words down."""
    attrs = class_and_id(el)
    if not attrs.strip():
        return 0.0
    weight = 0.0
    if _NEGATIVE_RE.search(attrs):
        weight -= _CLASS_WEIGHT
    if _POSITIVE_RE.search(attrs):
        weight += _CLASS_WEIGHT
    return weight


def _paragraph_score(length: int, commas: int, pieces: int = 1) -> float:
    return pieces + commas + min(length / 100, 3.0 * pieces)


def _is_prose(text: int, links: int) -> bool:
    return text - links >= _MIN_PARAGRAPH and links <= _MAX_LINKS * text


_NOTHING = (0, 0, 0.0, 0.0, 0, 0, 0)


class _Walk:
    """The scoring walk (`locate_text`): one pass, bottom-up."""

    def __init__(self) -> None:
        self.scores: dict[Element, _Score] = {}
        self.candidates: list[_Score] = []

    def visit(self, el: Element, in_link: bool) -> tuple[int, int, float, float, int, int, int]:
        """(text, link text, credit held here, credit held by the children, prose, junk,
        commas)."""
        tag = el.tag
        if not isinstance(tag, str):
            return _NOTHING
        if tag in _SKIPPED_TAGS:
            return _NOTHING
        # Only named elements and a few tags can be furniture (`noise_verdict`).
        verdict = NOT_NOISE
        if tag in _MAYBE_NOISE_TAGS or el.get("class") is not None or el.get("id") is not None:
            verdict = noise_verdict(el)
            if verdict == NOISE:
                return _NOTHING
        mark = len(self.candidates)
        link = in_link or tag == "a"
        own_text = el.text or ""
        inline = len(own_text.strip())  # running text written in this element
        inline_links = inline if link else 0
        commas = own_text.count(",")  # in the running text
        all_commas = 0
        pieces = 1 if inline else 0
        text = links = prose = junk = 0
        held = 0.0  # credit of paragraphs held by this element
        below = 0.0  # credit held by the children
        deeper = 0.0  # credit held by the grandchildren
        for child in el:
            c_text, c_links, c_held, c_below, c_prose, c_junk, c_commas = self.visit(child, link)
            all_commas += c_commas
            below += c_held
            deeper += c_below
            ctag = child.tag
            if isinstance(ctag, str) and ctag not in BLOCK_TAGS and ctag not in _PARA_TAGS:
                inline += c_text  # inline markup: part of this element's running text
                inline_links += c_links
                commas += c_commas
                all_commas -= c_commas
                if ctag == "br" and child.tail and child.tail.strip():
                    pieces += 1
            else:
                text += c_text
                links += c_links
                if ctag in _PARA_TAGS:
                    if _is_prose(c_text, c_links):
                        held += _paragraph_score(c_text - c_links, c_commas)
                        prose += c_text
                    else:
                        junk += c_text
                else:
                    prose += c_prose
                    junk += c_junk
            tail = child.tail
            if tail:
                piece = len(tail.strip())
                if piece:
                    inline += piece
                    commas += tail.count(",")
                    if link:
                        inline_links += piece
        text += inline
        links += inline_links
        all_commas += commas
        if verdict == LAYOUT:  # judged by what it holds, as counted here
            long_text = text >= LONG_TEXT and links < _SIBLING_LINKS * text
            if layout_is_noise(el, prose + inline >= PROSE_HELD or long_text):
                del self.candidates[mark:]
                return _NOTHING
        if tag in _HEADINGS:  # the text's own headings are neutral; a linked one is a teaser's
            junk = text if links > _MAX_LINKS * text else 0
            return text, links, 0.0, 0.0, 0, junk, all_commas
        if tag not in _PARA_TAGS and tag not in _NOT_HOSTS and inline:
            if _is_prose(inline, inline_links):
                held += _paragraph_score(inline - inline_links, commas, max(pieces, 1))
                prose += inline
            else:
                junk += inline
        elif tag not in _PARA_TAGS and inline:
            junk += inline
        score = held + below / 2 + deeper / 6
        if text and (tag in BLOCK_TAGS or tag == "td") and tag not in _PARA_TAGS and not link:
            entry = _Score(el, score, text, links, prose, junk)
            self.scores[el] = entry  # every block: its counts decide widening
            if score > 0:
                self.candidates.append(entry)
        return text, links, held, below, prose, junk, all_commas


def _final(entry: _Score) -> float:
    # The class moves a score by at most its own size: a name alone holds no text.
    weight = max(-entry.score, min(entry.score, _class_weight(entry.element)))
    return (entry.score + weight) * (1 - entry.link_density)


def locate_text(root: Element) -> TextBlock | None:
    """The element holding the article's text (see the module doc), or None."""
    body = root.find("body")
    start = body if body is not None else root
    walk = _Walk()
    walk.visit(start, False)
    if not walk.candidates:
        return None
    finals = {id(c.element): _final(c) for c in walk.candidates}
    top = max(walk.candidates, key=lambda c: finals[id(c.element)])
    top_final = finals[id(top.element)]
    if top_final <= 0:
        return None
    best = top.element
    # Climb to an ancestor that scores higher: the text goes on in a sibling.
    threshold = top_final / 3
    last = top_final
    for parent in best.iterancestors():
        if parent.tag in ("html", "body"):
            break
        value = finals.get(id(parent))
        if value is None:  # no paragraph credit here
            continue
        if value < threshold:
            break
        if value > last:
            best = parent
            break
        last = value
    # Widen to an ancestor that adds prose and little else (the text split in cards).
    current = walk.scores.get(best)
    if current is not None:
        for parent in best.iterancestors():
            if parent.tag in ("html", "body"):
                break
            entry = walk.scores.get(parent)
            if entry is None or entry.score < current.score * _WIDEN_CREDIT:
                # No paragraph near: the prose it adds lies far below it (a service-
                # hours line in the top bar of the page wrapper), not the text's own.
                continue
            more_prose = entry.prose - current.prose
            if more_prose > 0 and entry.junk - current.junk <= _WIDEN_JUNK * more_prose:
                best, current = parent, entry
    # A wrapper with one child is the same place.
    while True:
        wrapper = best.getparent()
        if wrapper is None or wrapper.tag in ("html", "body"):
            break
        children = [c for c in wrapper if isinstance(c.tag, str)]
        if len(children) != 1:
            break
        best = wrapper
    found = _with_siblings(best, walk, finals)
    figures = _FIGURES_XPATH(found.element)
    photos = _PHOTOS_XPATH(found.element)
    found.figures = frozenset(
        [f for f in figures if isinstance(f, etree._Element)] if isinstance(figures, list) else []
    ) | frozenset(
        [f for f in photos if isinstance(f, etree._Element) and len(raw_text(f)) <= _PHOTO_TEXT]
        if isinstance(photos, list)
        else []
    )
    return found


def _with_siblings(best: Element, walk: _Walk, finals: dict[int, float]) -> TextBlock:
    """*best*, or its parent with the siblings that belong to the text."""
    parent = best.getparent()
    if parent is None or parent.tag in ("html", "body"):
        return TextBlock(best)
    best_final = finals.get(id(best), 0.0)
    threshold = max(10.0, best_final * 0.2)
    best_class = best.get("class")
    included: list[Element] = []
    excluded: list[Element] = []
    for sibling in parent:
        if not isinstance(sibling.tag, str) or sibling is best:
            continue
        if _belongs(
            sibling,
            walk=walk,
            finals=finals,
            threshold=threshold,
            best_class=best_class,
            best_final=best_final,
        ):
            included.append(sibling)
        else:
            excluded.append(sibling)
    if not included:
        return TextBlock(best)
    return TextBlock(parent, excluded)


def _belongs(
    sibling: Element,
    *,
    walk: _Walk,
    finals: dict[int, float],
    threshold: float,
    best_class: str | None,
    best_final: float,
) -> bool:
    tag = sibling.tag
    if tag in _SKIPPED_TAGS or tag == "article":
        return False  # an <article> beside the text is another article
    entry = walk.scores.get(sibling)
    if entry is not None:  # walked, so not furniture
        bonus = best_final * 0.2 if best_class and sibling.get("class") == best_class else 0.0
        value = finals.get(id(sibling))
        joins = (value is not None and value + bonus >= threshold) or (
            # a container of prose and little else (a lead, a second part)
            entry.prose >= _MIN_SIBLING_PROSE
            and entry.junk <= _WIDEN_JUNK * entry.prose
            and entry.link_density < _SIBLING_LINKS
        )
    elif tag in _PARA_TAGS or (tag not in BLOCK_TAGS and tag != "br"):
        joins = _prose_piece(sibling) and not is_noise(sibling)
    else:
        return False  # furniture, or no text
    return joins and not _TEASER_XPATH(sibling)  # headed by a link: a teaser of another page


def _prose_piece(el: Element) -> bool:
    """A paragraph (or inline text) that reads as prose: long with few links, or a
    sentence without any."""
    text = raw_text(el)
    length = len(text.strip())
    if length == 0:
        return False
    link_chars = sum(len(raw_text(a).strip()) for a in el.iter("a"))
    density = link_chars / length
    if length > _MIN_SIBLING_PROSE and density < _SIBLING_LINKS:
        return True
    return density == 0 and text.rstrip().endswith((".", "!", "?", '"', "”"))
