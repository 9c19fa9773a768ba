"""Scope from a start URL: its origin, the section it names, and the traps inside.

Pure functions on URLs (no I/O), used by the news spider and the scope
middleware:

- `origins_of(starts, hosts)`: the origins (scheme, host, port) a crawl may
  fetch from. A start URL allows its own origin; on a default port it also
  allows the same host on the other scheme's default port (``http://h`` ->
  ``https://h``, the usual upgrade redirect). A profile's ``allowed_hosts``
  entry ``h`` allows ``http://h:80`` and ``https://h:443``; ``h:8080``
  allows that port only. Another port of the same host is another service
  on that machine, not the site.
- `Section`: the path a start URL names (``/berita``, ``/publikasi/berita``,
  ``/index.php/berita``, ``/category/berita/``, ``/berita.html``) and
  whether a URL lies inside it.
- `url_trap(url)`: why a URL is a trap to keep out of a zero-config crawl
  (search pages, tag clouds, calendars, galleries, document repositories,
  ``?sort=`` permutations, print views, logins), or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl, urlsplit

DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@lru_cache(maxsize=8192)
def origin(url: str) -> str | None:
    """``scheme://host:port`` of an http(s) URL (port made explicit), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return f"{scheme}://{host}:{port or DEFAULT_PORTS[scheme]}"


def host_origins(entry: str) -> set[str]:
    """The origins a profile's ``allowed_hosts`` entry (``h`` or ``h:port``) allows."""
    entry = entry.strip().lower()
    if not entry:
        return set()
    host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
    if port.isdigit():
        return {f"http://{host}:{port}", f"https://{host}:{port}"}
    return {f"http://{entry}:80", f"https://{entry}:443"}


def origins_of(starts: Iterable[str], hosts: Iterable[str] = ()) -> frozenset[str]:
    """The origins a crawl of *starts* may fetch from (see the module docstring)."""
    found: set[str] = set()
    for entry in hosts:
        found |= host_origins(entry)
    for url in starts:
        own = origin(url)
        if own is None:
            continue
        found.add(own)
        scheme, rest = own.split("://", 1)
        host, port = rest.rsplit(":", 1)
        if int(port) == DEFAULT_PORTS[scheme]:
            found |= host_origins(host)
    return frozenset(found)


_FILE_SUFFIX_RE: Final = re.compile(r"\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Section:
    """The part of a site a start URL names: a path prefix (``""``: the whole origin)."""

    prefix: str
    page: str = ""  # the start page itself when it is a file (``/berita.html``)

    @classmethod
    def of(cls, start_url: str) -> Section:
        """The section *start_url* names: its path without the trailing slash, the
        pagination step (``/page/2``) or the file suffix (``/berita.html``)."""
        path = urlsplit(start_url).path or "/"
        path = re.sub(r"/(?:page|halaman|hal|index)/\d+/?$", "", path, flags=re.IGNORECASE)
        page = ""
        index = path.lower().endswith(("/index.php", "/index.html"))
        if index:
            path = path.rsplit("/", 1)[0]
        elif _FILE_SUFFIX_RE.search(path):
            page = path
            path = _FILE_SUFFIX_RE.sub("", path)
        return cls(path.rstrip("/"), page)

    def contains(self, url: str) -> bool:
        """Whether *url*'s path lies in this section (the query does not matter)."""
        return _contains(self, url)

    def describe(self) -> str:
        return self.prefix or "/ (the whole origin)"


@lru_cache(maxsize=8192)
def _contains(section: Section, url: str) -> bool:
    """`Section.contains`, cached: a crawl asks about the same menu links on every page."""
    if not section.prefix:
        return True
    low, prefix = (urlsplit(url).path or "/").lower(), section.prefix.lower()
    if section.page and low == section.page.lower():
        return True
    if low == prefix or low.startswith(prefix + "/"):
        return True
    # ``/berita`` names ``/berita.html`` and ``/berita/12-slug.html`` alike
    return bool(_FILE_SUFFIX_RE.search(low)) and _FILE_SUFFIX_RE.sub("", low) == prefix


#: Path segments that lead into traps: search, tags, calendars, galleries, documents,
#: print views, accounts, comment feeds (segment -> reason).
TRAP_SEGMENTS: Final[dict[str, str]] = {
    **dict.fromkeys(("search", "cari", "pencarian", "find"), "search"),
    **dict.fromkeys(("tag", "tags", "label", "labels", "topik", "topic", "tagged"), "tag"),
    **dict.fromkeys(
        ("agenda", "kalender", "calendar", "calender", "event", "events", "kegiatan-kalender"),
        "calendar",
    ),
    **dict.fromkeys(
        ("galeri", "gallery", "galleries", "foto", "photo", "photos", "video", "videos"),
        "gallery",
    ),
    **dict.fromkeys(
        (
            "download",
            "downloads",
            "unduh",
            "unduhan",
            "dokumen",
            "documents",
            "document",
            "repository",
            "repositori",
            "file",
            "files",
            "ppid",
            "jdih",
        ),
        "documents",
    ),
    **dict.fromkeys(("print", "cetak", "pdf", "amp", "share", "embed"), "print_view"),
    **dict.fromkeys(
        ("login", "logout", "register", "daftar", "wp-admin", "wp-login.php", "admin"),
        "account",
    ),
    **dict.fromkeys(("feed", "rss", "atom", "comments", "trackback", "wp-json"), "feed"),
    **dict.fromkeys(("author", "penulis"), "author_archive"),
    **dict.fromkeys(("category", "categories", "kategori", "rubrik"), "category"),
    **dict.fromkeys(("archive", "archives", "date", "tanggal"), "date_archive"),
}
#: Query parameters that permute or filter a page rather than page through it.
TRAP_PARAMS: Final[dict[str, str]] = {
    **dict.fromkeys(("q", "s", "search", "keyword", "kata", "cari", "query", "k"), "search"),
    **dict.fromkeys(("tag", "tags", "label"), "tag"),
    **dict.fromkeys(("kategori", "category", "categories", "cat", "rubrik"), "category"),
    **dict.fromkeys(
        (
            "sort",
            "order",
            "orderby",
            "order_by",
            "sortby",
            "sort_by",
            "dir",
            "direction",
            "urut",
            "display",
            "limit",
            "format",
            "filter",
        ),
        "sort",
    ),
    **dict.fromkeys(
        ("month", "year", "day", "date", "bulan", "tahun", "tanggal", "cal", "ym", "m", "y"),
        "calendar",
    ),
    **dict.fromkeys(
        ("replytocom", "share", "print", "amp", "lang", "output", "tmpl"), "print_view"
    ),
}
#: Words in a query parameter's name that make it a sort order or a filter
#: (``orderby``, ``filter_order_Dir``, ``sortBy`` ...).
TRAP_PARAM_WORDS: Final = ("sort", "order", "filter", "urut")
#: The query of a blog's "older posts" page (Blogger: ``/search?updated-max=...&max-results=7``):
#: the post stream paged by date, not a search.
_BLOG_PAGER_PARAMS: Final = frozenset(
    {"updated-max", "updated-min", "max-results", "by-date", "start"}
)
#: Date-archive paths (``/2024/05/``, ``/2024/05/12/`` with nothing after them).
_DATE_ARCHIVE_RE: Final = re.compile(r"/(?:19|20)\d\d(?:/\d\d){0,2}/?$")


@lru_cache(maxsize=8192)
def url_trap(url: str, within: str = "") -> str | None:
    """The kind of trap *url* leads into (``search``, ``tag``, ``calendar``, ``gallery``,
    ``documents``, ``sort``, ``print_view``, ``account``, ``feed``, ...), or None.

    Path segments of the prefix *within* (the section the user named, even
    ``/agenda``) are not held against the URL.
    """
    parts = urlsplit(url)
    path = parts.path.lower()
    if within and (path == within.lower() or path.startswith(within.lower() + "/")):
        path = path[len(within) :]
    params = parse_qsl(parts.query, keep_blank_values=True)
    pager = bool(params) and _BLOG_PAGER_PARAMS.issuperset(k.lower() for k, _ in params)
    for segment in path.split("/"):
        reason = TRAP_SEGMENTS.get(segment)
        if reason == "search" and pager:
            continue  # /search?updated-max=...: the blog's own "older posts" pages
        if reason is not None:
            return reason
    if _DATE_ARCHIVE_RE.search(parts.path):
        return "date_archive"
    for key, _ in params:
        name = key.lower()
        reason = TRAP_PARAMS.get(name)
        if reason is not None:
            return reason
        if any(word in name for word in TRAP_PARAM_WORDS):
            return "sort"
    return None


def is_alias(link: str, page: str) -> bool:
    """Whether *link* is *page*'s own address without its slug (``/berita/detail/512`` on
    ``/berita/detail/512/judul-berita``): the same article at a second address."""
    if origin(link) != origin(page):
        return False
    own = urlsplit(page).path.rstrip("/")
    short = urlsplit(link).path.rstrip("/")
    if not short or not own.startswith(short + "/"):
        return False
    rest = own[len(short) + 1 :]
    return short.rsplit("/", 1)[-1].isdigit() and "/" not in rest and bool(rest)


__all__ = ["Section", "host_origins", "is_alias", "origin", "origins_of", "url_trap"]
