"""Infer a site profile from a few pages of a news section (`arsip profile new URL`).

Pure: it reads pages already fetched (`Sample`: URL, bytes, headers) and
returns a `Draft` that `render_toml` writes as a commented profile the
archivist reviews. `arsip.profile_new` fetches the pages, politely.

- **URL patterns**: the listing pattern from the start URL and the
  pagination links of its listings, the article pattern from the teaser
  links of the listings (`crawler.classify`), by generalising the URLs
  token by token (``/``, ``?``, ``&``, ``=`` delimit tokens): a token equal in
  every URL stays literal, digits become ``\\d+``, anything else one path
  segment. Both are checked against the pages: no listing URL matches the
  article pattern, every sampled article does.
- **Pinned selectors** (CSS): the headline, the date written near it, the
  byline (``Penulis``, ``Oleh``, ``Editor`` ...), the view counter, the body
  container and the container of them all, each the selector that finds the
  same element on (nearly) every sampled article; a field no selector finds
  consistently is left to the generic rules.
- **Time zone**: the zone most sampled articles show (``WIB``, ``WITA``,
  ``WIT`` written in their frame, else the province or city the site's name
  names, else the zone their text writes: `crawler.extract.shown_zone`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from crawler.classify import (
    BYLINE_RE,
    DATE_RE,
    VIEWS_RE,
    PageKind,
    body_element,
    classify,
    headline,
)
from crawler.extract import dom
from crawler.extract.extractor import shown_zone

#: The selectors inferred, in the order the profile lists them.
FIELDS = ("container", "title", "date", "body", "byline", "author", "views")
#: Share of sampled articles on which a selector must find its element.
CONSISTENT = 0.8

_TOKEN_RE = re.compile(r"([/?&=])")


@dataclass(frozen=True, slots=True)
class Sample:
    """A fetched page."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def root(self) -> Any:
        return lxml.html.document_fromstring(self.body or b"<html></html>")


@dataclass
class Draft:
    """What `infer` found, with the evidence for each value (the profile's comments)."""

    name: str
    start_url: str
    hosts: list[str]
    listing_patterns: list[str]
    article_patterns: list[str]
    selectors: dict[str, str]
    timezone: str
    sitemap_urls: list[str]
    notes: dict[str, str] = field(default_factory=dict)


# -- URL patterns -------------------------------------------------------------------


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def generalise(urls: Iterable[str]) -> list[str]:
    """Regular expressions (anchored, on path + query) that cover *urls*, one per shape."""
    shapes: dict[int, list[list[str]]] = {}
    for url in urls:
        tokens = _TOKEN_RE.split(_target(url))
        shapes.setdefault(len(tokens), []).append(tokens)
    patterns = []
    for group in shapes.values():
        parts = []
        for column in zip(*group, strict=True):
            values = set(column)
            if len(values) == 1:
                parts.append(re.escape(column[0]))
            elif all(v.isdigit() for v in values):
                parts.append(r"\d+")
            elif column[0] in "/?&=":
                parts.append(re.escape(column[0]))
            else:
                parts.append(r"[^/?#&]+")
        patterns.append("^" + "".join(parts) + "$")
    return sorted(set(patterns))


def _matches(patterns: list[str], url: str) -> bool:
    return any(re.search(p, _target(url)) for p in patterns)


def listing_patterns(start_url: str, pages: Iterable[str]) -> list[str]:
    """The start URL (with or without its trailing slash) and its pagination's shape."""
    start = _target(start_url).rstrip("/") or "/"
    first = "^" + re.escape(start) + ("/?$" if start != "/" else "$")
    paged = [p for p in generalise(pages) if not re.search(p, start)]
    return [first, *paged]


# -- selectors ----------------------------------------------------------------------


def css_for(el: Any, root: Any, depth: int = 0) -> str | None:
    """A CSS selector that finds exactly *el* in *root*: ``tag#id``, ``tag.class``, or
    the parent's selector ``> tag`` (up to three levels)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag or tag in ("html", "body"):
        return None
    ident = el.get("id") or ""
    if ident and re.fullmatch(r"[A-Za-z][\w-]*", ident) and not re.search(r"\d{3,}", ident):
        css = f"{tag}#{ident}"
        if dom.select(root, css) == [el]:
            return css
    for cls in (el.get("class") or "").split():
        if not re.fullmatch(r"-?[A-Za-z_][\w-]*", cls) or re.search(r"\d{3,}", cls):
            continue
        css = f"{tag}.{cls}"
        if dom.select(root, css) == [el]:
            return css
    prop = el.get("itemprop") or ""
    if re.fullmatch(r"[A-Za-z]+", prop):
        css = f'{tag}[itemprop="{prop}"]'
        if dom.select(root, css) == [el]:
            return css
    if depth >= 3:
        return None
    parent = el.getparent()
    if parent is None:
        return None
    above = css_for(parent, root, depth + 1)
    if above is None:
        return None
    css = f"{above} > {tag}"
    if dom.select(root, css) == [el]:
        return css
    same = [c for c in parent if c.tag == tag]
    css = f"{above} > {tag}:nth-of-type({same.index(el) + 1})"
    return css if dom.select(root, css) == [el] else None


def _own_text(el: Any, limit: int = 400) -> str:
    return " ".join(" ".join(el.itertext()).split())[:limit]


def _smallest(candidates: Iterable[Any], test: Callable[[str], bool], limit: int) -> Any | None:
    best: tuple[int, Any] | None = None
    for el in candidates:
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        text = _own_text(el, limit + 1)
        if len(text) > limit or not test(text):
            continue
        if best is None or len(text) < best[0]:
            best = (len(text), el)
    return best[1] if best else None


def _common_ancestor(a: Any, b: Any) -> Any | None:
    above = set()
    node = a
    while node is not None:
        above.add(node)
        node = node.getparent()
    node = b
    while node is not None and node not in above:
        node = node.getparent()
    return node


def article_elements(root: Any) -> dict[str, Any]:
    """The elements of an article page: title, date, byline, views, body, container."""
    found: dict[str, Any] = {}
    heading = headline(root)
    body = body_element(root)
    if heading is not None:
        found["title"] = heading
    if body is not None:
        found["body"] = body
    if heading is not None and body is not None:
        container = _common_ancestor(heading, body)
        if container is not None and container.tag not in ("html", "body"):
            found["container"] = container
    scope = found.get("container")
    if scope is None and heading is not None:
        scope = heading.getparent()
    if scope is None:
        return found
    inside_body = set(body.iter()) if body is not None else set()
    outside = [el for el in scope.iter() if el not in inside_body and not _hidden(el)]
    dates = [el for el in outside if not _MODIFIED_RE.search(_marks(el))]
    marked = [el for el in dates if _PUBLISHED_RE.search(_marks(el)) or el.tag == "time"]
    date = _smallest(marked, lambda t: bool(DATE_RE.search(t)), 120)
    if date is None:
        date = _smallest(
            dates, lambda t: bool(DATE_RE.search(t)) and not _MODIFIED_RE.search(t), 120
        )
    if date is not None:
        found["date"] = date
    byline = _smallest(
        outside, lambda t: bool(BYLINE_RE.search(t)) and len(BYLINE_RE.sub("", t).strip()) > 1, 300
    )
    if byline is not None:
        labels = len(BYLINE_RE.findall(_own_text(byline)))
        parent = byline.getparent()
        # "Penulis" and "Editor" in two siblings: pin their parent, which holds both
        if parent is not None and len(BYLINE_RE.findall(_own_text(parent, 300))) > labels:
            byline = parent if len(_own_text(parent, 301)) <= 300 else byline
        found["byline"] = byline
        author = _name_element(byline)
        if author is not None:
            found["author"] = author
    views = _smallest(outside, lambda t: bool(VIEWS_RE.search(t)) and bool(re.search(r"\d", t)), 80)
    if views is not None:
        found["views"] = views
    return found


_MODIFIED_RE = re.compile(r"updated|modified|diperbarui|diubah|perbarui", re.IGNORECASE)
_PUBLISHED_RE = re.compile(r"publish|datepublished|terbit|posted|tanggal|tgl|date", re.IGNORECASE)


def _marks(el: Any) -> str:
    """What an element's attributes say it is (class, id, itemprop), and its first words."""
    attrs = " ".join(el.get(a) or "" for a in ("class", "id", "itemprop"))
    return f"{attrs} {_own_text(el, 40)}"


def _hidden(el: Any) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or "display:none" in style


def _name_element(byline: Any) -> Any | None:
    """The element inside a one-label byline that holds only the name (``<span
    class="author">FH</span>`` in ``Diposting oleh FH``), or None."""
    text = _own_text(byline)
    if len(BYLINE_RE.findall(text)) != 1:
        return None
    name = " ".join(BYLINE_RE.sub(" ", text).split()).strip(" :-–")
    if not name:
        return None
    best = None
    for el in byline.iterdescendants():
        if isinstance(el.tag, str) and _own_text(el) == name:
            best = el  # the innermost one
    return best


def pinned_selectors(roots: list[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Per field, the selector that finds its element on (nearly) every article root,
    and a note on each choice."""
    per_field: dict[str, Counter[str]] = {}
    for root in roots:
        for key, el in article_elements(root).items():
            css = css_for(el, root)
            if css is not None:
                per_field.setdefault(key, Counter())[css] += 1
    selectors: dict[str, str] = {}
    notes: dict[str, str] = {}
    for key in FIELDS:
        counts = per_field.get(key)
        if not counts:
            notes[key] = "not found consistently: generic rules"
            continue
        css, _ = counts.most_common(1)[0]
        hits = sum(1 for root in roots if len(dom.select(root, css)) == 1)
        if hits < CONSISTENT * len(roots):
            notes[key] = f"{css!r} found on {hits} of {len(roots)} articles only: generic rules"
            continue
        selectors[key] = css
        notes[key] = f"found on {hits} of {len(roots)} sampled articles"
    return selectors, notes


# -- time zone ----------------------------------------------------------------------


#: Zone names by offset.
_ZONE_NAMES = {"+07:00": "WIB", "+08:00": "WITA", "+09:00": "WIT"}
_CLOCK_WHY = {
    "page": "the pages write {zone} beside their other times",
    "site-name": "the site's name names a {zone} province or city",
    "body": "the articles' text writes {zone}",
}


def time_zone(clocks: Iterable[tuple[str | None, str | None]]) -> tuple[str, str]:
    """The zone most sampled articles show (`crawler.extract.shown_zone`: their
    frame's zone words, else the province the site's name names, else the zone
    their text writes); and why."""
    votes: Counter[tuple[str, str]] = Counter()
    total = 0
    for offset, source in clocks:
        total += 1
        if offset in _ZONE_NAMES and source in _CLOCK_WHY:
            votes[(_ZONE_NAMES[offset], source)] += 1
    if votes:
        (zone, source), n = votes.most_common(1)[0]
        return zone, _CLOCK_WHY[source].format(zone=zone) + f" ({n} of {total} articles)"
    return "WIB", "no zone or province written: WIB, the zone of most institutions"


# -- the whole profile --------------------------------------------------------------


def profile_name(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower()
    host = host[4:] if host.startswith("www.") else host
    name = re.sub(r"[^a-z0-9_.-]+", "-", host) + (f"-{parts.port}" if parts.port else "")
    return name.strip("-.") or "site"


def infer(
    start_url: str,
    listings: list[Sample],
    articles: list[Sample],
    *,
    sitemaps: Iterable[str] = (),
) -> Draft:
    """A draft profile from the section's listings (the start URL's first) and articles."""
    kinds: list[PageKind] = [classify(s.root(), s.url) for s in listings]
    pages = [
        p for kind in kinds for p in kind.pages if urlsplit(p).netloc == urlsplit(start_url).netloc
    ]
    teaser_links = [u for kind in kinds for u in kind.teaser_links]
    listing = listing_patterns(start_url, pages)
    article_urls = [s.url for s in articles] + teaser_links
    article = generalise(dict.fromkeys(article_urls))
    notes: dict[str, str] = {
        "listing_patterns": f"from the start URL and {len(set(pages))} pagination link(s)",
        "article_patterns": f"from {len(set(article_urls))} article link(s) of "
        f"{len(listings)} listing page(s)",
    }
    clash = [u for u in [start_url, *pages] if _matches(article, u)]
    if clash:
        notes["article_patterns"] += f"; WARNING: also matches listing {clash[0]}"
    roots = [s.root() for s in articles]
    selectors, selector_notes = pinned_selectors(roots)
    notes.update({f"selectors.{k}": v for k, v in selector_notes.items()})
    zone, why = time_zone(shown_zone(s.body, s.url, s.headers) for s in articles)
    notes["timezone"] = why
    parts = urlsplit(start_url)
    host = (parts.hostname or "").lower()
    hosts = [f"{host}:{parts.port}" if parts.port else host]
    return Draft(
        name=profile_name(start_url),
        start_url=start_url,
        hosts=hosts,
        listing_patterns=listing,
        article_patterns=article,
        selectors=selectors,
        timezone=zone,
        sitemap_urls=list(sitemaps),
        notes=notes,
    )


def _toml_string(value: str) -> str:
    """A TOML string: literal ('...') when it can be (regular expressions stay readable)."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def render_toml(draft: Draft, *, generated: str = "") -> str:
    """The draft as a commented TOML profile (loads with `crawler.profiles.parse_profile`)."""
    notes = draft.notes
    label = draft.name.split(".")[0].upper()
    prefix = re.sub(r"[^A-Z0-9]+", "-", label).strip("-")
    prefix = prefix if prefix and not prefix.isdigit() else "ARSIP"
    lines = [
        f"# Site profile inferred by `arsip profile new {draft.start_url}`{generated}.",
        "# Review it: the patterns and selectors below are guesses from a few pages.",
        "# Check it with `arsip crawl THIS_FILE --dry-run`, then crawl a few pages",
        "# (`--max-pages 50`) and read the report before scheduling it.",
        f"name = {_toml_string(draft.name)}",
        f"site = {_toml_string(draft.name)}",
        f"description = {_toml_string('News of ' + draft.start_url)}",
        f"start_urls = {_toml_list([draft.start_url])}",
        "# Sitemaps named by robots.txt (their entries pass the patterns below).",
        f"sitemap_urls = {_toml_list(draft.sitemap_urls)}",
        "# The origin of the start URL (another port of the host is another service).",
        f"allowed_hosts = {_toml_list(draft.hosts)}",
        f"# Listing pages and their pagination: {notes.get('listing_patterns', '')}.",
        f"listing_patterns = {_toml_list(draft.listing_patterns)}",
        f"# Article pages: {notes.get('article_patterns', '')}.",
        f"article_patterns = {_toml_list(draft.article_patterns)}",
        "# Never fetched (robots.txt is obeyed as well).",
        "exclude_patterns = ['^/(admin|login|logout|wp-admin|wp-login\\.php)(/|$)', "
        "'[?&](q|s|search|sort|order|orderby)=']",
        "requisites = true",
        f"# Zone of times written without one: {notes.get('timezone', '')}.",
        f"timezone = {_toml_string(draft.timezone)}",
        "language = 'id'",
        "# When `arsip schedule` crawls it (cron, local time); '' for never.",
        "schedule = '0 3 * * *'",
        "",
        "# Politeness for a small government server: 2 requests in flight, >= 1 s",
        "# apart, AutoThrottle on (the delay follows the server's response time).",
        "[crawl]",
        "obey_robots = true",
        "concurrent_requests_per_host = 2",
        "download_delay = 1.0",
        "autothrottle = true",
        "max_depth = 0",
        "max_pages = 0",
        "",
        "[archive]",
        f"collection = {_toml_string(draft.name)}",
        f"warc_prefix = {_toml_string(prefix)}",
        "",
        "# Pinned selectors (CSS); extraction falls back to the generic rules for a",
        "# field whose selector finds nothing (stat extract/fallback/<field>).",
        "[selectors]",
    ]
    for key in FIELDS:
        note = notes.get(f"selectors.{key}", "")
        if key in draft.selectors:
            lines.append(f"{key} = {_toml_string(draft.selectors[key])}  # {note}")
        else:
            lines.append(f"# {key}: {note}")
    return "\n".join(lines) + "\n"


__all__ = [
    "Draft",
    "Sample",
    "article_elements",
    "css_for",
    "generalise",
    "infer",
    "listing_patterns",
    "pinned_selectors",
    "profile_name",
    "render_toml",
    "time_zone",
]
