"""Find the article on the page: its title element, its text block, its container.

The container is where every field is read from, so that nothing comes from
the header, navigation, sidebar, "Berita Terbaru"/"Terpopuler" lists or the
footer: the profile's selector, else the element holding both the title and
the block with the most paragraph text (widened to its ``<article>``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from crawler.extract.dom import Element, is_noise, is_site_logo, raw_text, text_of
from crawler.extract.meta import PageMeta
from crawler.extract.patterns import TITLE_SEPARATORS_RE
from crawler.extract.text import squash

_PARA_OWNED = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"})
_HEADINGS_XPATH = etree.XPath("//h1 | //h2 | //h3")
#: Elements that name themselves a title (tempo's ``div.judul-konten``): searched
#: only when no heading matches, since scanning every class attribute costs more.
_TITLED_XPATH = etree.XPath(
    "//@class[contains(., 'title') or contains(., 'judul') or contains(., 'headline')"
    " or contains(., 'Title') or contains(., 'Judul')]/.."
)
_RANK = {"h1": 0, "h2": 1, "h3": 2}
_WORD_RE = re.compile(r"\w+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "`": "'", "´": "'"})


def _norm(text: str) -> str:
    return squash(text).translate(_QUOTES).casefold()


def meta_titles(meta: PageMeta) -> list[str]:
    """Titles the page claims, best first (OpenGraph, Twitter, JSON-LD, ``<title>``)."""
    found: list[str] = []
    headline = meta.ld("headline")
    for value in (
        meta.get("og:title"),
        meta.get("twitter:title"),
        headline if isinstance(headline, str) else None,
        meta.get("title"),
        meta.title_tag,
    ):
        if value and squash(value) and squash(value) not in found:
            found.append(squash(value))
    return found


def _matches(heading: str, claims: list[str]) -> bool:
    """Whether *heading* is one of the normalized *claims*, or one with a site suffix/prefix."""
    h = _norm(heading)
    if len(h) < 4:
        return False
    for c in claims:
        if c == h:
            return True
        if c.startswith(h) and TITLE_SEPARATORS_RE.match(c, len(h)):
            return True
        if c.endswith(h):
            sep = TITLE_SEPARATORS_RE.search(c, 0, len(c) - len(h) + 1)
            if sep and sep.end() == len(c) - len(h):
                return True
        # A middle part: ``Foto : Headline | merdeka.com``.
        at = c.find(h)
        if (
            at > 0
            and TITLE_SEPARATORS_RE.match(c, at + len(h))
            and any(sep.end() == at for sep in TITLE_SEPARATORS_RE.finditer(c, 0, at))
        ):
            return True
    # <title> and og:title drop punctuation (":", "?"): compare words only.
    loose = _loose(h)
    if len(loose) >= 20:
        for c in claims:
            lc = _loose(c)
            if lc == loose or lc.startswith(loose + " ") or lc.endswith(" " + loose):
                return True
    return False


def _loose(text: str) -> str:
    return " ".join(_WORD_RE.findall(text))


_SAME_LENGTH_XPATH = etree.XPath(
    "//body//*[not(self::script or self::style or self::a)]"
    "[string-length(normalize-space(.)) >= $lo][string-length(normalize-space(.)) <= $hi]"
)


def shown_title(root: Element, claimed: str) -> Element | None:
    """The element that shows the claimed title (``<title>`` minus its site suffix) as
    the page writes it, when no heading does: ``<title>`` and ``og:title`` drop
    punctuation (``:``, ``?``), the page keeps it; compared words only, as
    `_matches` compares. None when no element shows it."""
    # the claim, and the claim without a last part the site's words did not name as
    # the site's (a short suffix: never a category prefix such as "Berita Daerah")
    forms = [claimed]
    cuts = list(TITLE_SEPARATORS_RE.finditer(claimed))
    if cuts and cuts[-1].start() >= 0.6 * len(claimed):
        forms.append(claimed[: cuts[-1].start()])
    keys = {k for k in (_loose(_norm(f)) for f in forms) if len(k.replace(" ", "")) >= 12}
    if not keys:
        return None
    lo = min(len(k.replace(" ", "")) for k in keys)
    found = _SAME_LENGTH_XPATH(root, lo=lo, hi=len(claimed) + 20)
    for el in found if isinstance(found, list) else []:
        if isinstance(el, etree._Element) and _loose(_norm(text_of(el))) in keys:
            return el
    return None


def _in_noise(el: Element) -> bool:
    return any(is_noise(a) for a in el.iterancestors())


def _depth(el: Element) -> int:
    return sum(1 for _ in el.iterancestors())


def find_title_element(root: Element, claims: list[str], block: Element | None) -> Element | None:
    """The heading whose text is the page's claimed title; None when none matches.

    Candidates are ``h1``-``h3`` and title-classed elements (``judul``,
    ``headline``) outside furniture; the one sharing the deepest ancestor with
    the text *block* wins (a carousel or "popular" list repeating the
    headline is farther away), then ``h1`` before ``h2`` before the rest.
    """
    if not claims:
        return None
    normalized = [_norm(c) for c in claims]
    longest = max(len(c) for c in normalized)
    # A heading is a claim or a part of one split at a separator: its start is there.
    prefixes = {part[:4] for c in normalized for part in TITLE_SEPARATORS_RE.split(c)}
    candidates: list[tuple[int, Element]] = []
    for query in (_HEADINGS_XPATH, _TITLED_XPATH):
        found = query(root)
        for el in found if isinstance(found, list) else []:
            if not isinstance(el, etree._Element):
                continue
            raw = raw_text(el)
            if len(raw) > 3 * longest + 200:  # a wrapper, not a heading
                continue
            text = squash(raw)
            if not 4 <= len(text) <= longest or _norm(text[:12])[:4] not in prefixes:
                continue  # cheap rejections before normalizing
            if _matches(text, normalized) and not _in_noise(el) and not is_site_logo(el):
                candidates.append((_RANK.get(el.tag, 3), el))
        if candidates:
            break
    if not candidates:
        return None
    # The page's own headline (h1, itemprop=headline) before a list item that
    # repeats it ("Whats New", "Terpopuler"), however near the text block that is.
    own = [c for c in candidates if c[1].tag == "h1" or c[1].get("itemprop") == "headline"]
    if own:
        candidates = own
    if block is None:
        return min(candidates, key=lambda c: c[0])[1]
    return min(candidates, key=lambda c: (-_depth(common_ancestor(c[1], block)), c[0]))[1]


#: Headings of a tag, category or author page, not of an article.
_INDEX_HEADING_RE = re.compile(
    r"^(?:tag|tags|topik|kategori|category|arsip|archive|penulis|author|hasil\s+pencarian|"
    r"search)\b\s*[:：]?",
    re.IGNORECASE,
)


def heading_above_date(root: Element, dated: Callable[[str], bool]) -> Element | None:
    """The ``h1`` (else ``h2``) written just above a date (the date block, a byline
    with its date): the headline of a page whose ``<title>`` names only the site.
    *dated* says whether a short text holds a full date."""
    for tag in ("h1", "h2"):
        for el in root.iter(tag):
            text = squash(raw_text(el))
            if (
                not 10 <= len(text) <= 300
                or _INDEX_HEADING_RE.match(text)
                or _in_noise(el)
                or is_site_logo(el)
            ):
                continue
            node: Element | None = el
            for _ in range(3):  # the next elements after the heading, or after its wrapper
                nxt = node.getnext() if node is not None else None
                while nxt is None and node is not None:
                    node = node.getparent()
                    nxt = node.getnext() if node is not None else None
                if nxt is None:
                    break
                following = squash(raw_text(nxt))
                if following and len(following) <= 120 and dated(following):
                    return el
                node = nxt
    return None


def strip_site_suffix(title: str, site_words: set[str]) -> str:
    """``Headline - Health :: Okezone`` -> ``Headline``: trailing segments naming the
    site go, and short section names before them."""
    parts = TITLE_SEPARATORS_RE.split(title)
    seps = TITLE_SEPARATORS_RE.findall(title)
    named_site = False
    while len(parts) > 1:
        last = parts[-1].casefold()
        if "." in last or any(w in last for w in site_words):
            named_site = True
        elif not (named_site and len(last.split()) <= 2):
            break
        parts.pop()
        seps.pop()
    out = parts[0]
    for sep, part in zip(seps, parts[1:], strict=False):
        out += sep + part
    return squash(out)


def _measure(el: Element, totals: dict[Element, tuple[int, int, int]]) -> int:
    """Visible non-link text under *el* (furniture counts zero); records
    (total, written directly in *el*, longest direct piece) per element."""
    tag = el.tag
    if not isinstance(tag, str) or tag == "a" or tag in ("header", "footer") or is_noise(el):
        return 0
    longest = direct = len((el.text or "").strip())
    total = 0
    for child in el:
        total += _measure(child, totals)
        if child.tail:
            piece = len(child.tail.strip())
            direct += piece
            longest = max(longest, piece)
    total += direct
    totals[el] = (total, direct, longest)
    return total


def best_text_block(root: Element) -> Element | None:
    """The smallest element that holds most of the page's text (links and
    furniture not counted).

    From ``<body>`` down into the child holding at least 65% of the text,
    never into a paragraph, and not out of an element that writes a
    paragraph itself (``<div>lead<div>rest</div></div>`` keeps the lead).
    """
    body = root.find("body")
    start = body if body is not None else root
    totals: dict[Element, tuple[int, int, int]] = {}
    if _measure(start, totals) == 0:
        return None
    current = start
    while current.tag not in _PARA_OWNED:
        total, direct, longest = totals[current]
        children = [c for c in current if c in totals]
        if not children or direct >= 0.1 * total or (longest >= 100 and direct >= 0.05 * total):
            break
        best = max(children, key=lambda c: totals[c][0])
        if best.tag in _PARA_OWNED or totals[best][0] < 0.65 * total:
            break
        current = best
    return current


def common_ancestor(a: Element, b: Element) -> Element:
    """The lowest element holding both *a* and *b*."""
    seen = {a, *a.iterancestors()}
    if b in seen:
        return b
    for el in b.iterancestors():
        if el in seen:
            return el
    return a.getroottree().getroot()


def find_container(title_el: Element | None, block: Element | None) -> Element | None:
    """The article's container: title + text block, widened to an enclosing ``<article>``."""
    if block is None:
        return title_el.getparent() if title_el is not None else None
    if title_el is None:
        anchor = block
    else:
        anchor = common_ancestor(title_el, block)
        if anchor.tag in ("html", "body"):
            holder = block.getparent()
            anchor = block if holder is None else holder
    if anchor.tag != "article":
        for el in anchor.iterancestors("article"):
            holder = el.getparent()
            if holder is not None and holder.tag != "html":
                anchor = el
            break
    return anchor
