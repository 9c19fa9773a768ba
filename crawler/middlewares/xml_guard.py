"""Refuse XML that declares entities: billion laughs and XXE never reach a parser.

The news spider parses sitemaps with lxml configured not to expand
entities, not to load DTDs and not to use the network
(``XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
load_dtd=False)``), so neither an entity bomb nor an external entity can
hurt it. But the two fail differently there: libxml2 stops a billion
laughs with "Maximum entity amplification factor exceeded", while an XXE
sitemap parses "fine" and its ``<loc>`` elements come out empty, with no
word to the archivist. Sitemaps, feeds and XML in general on a news site
never need entities, so `XmlGuardMiddleware` refuses, before any parser
sees it, an XML response (by its Content-Type, or a body that starts with
``<?xml``) whose ``DOCTYPE`` declares one (``<!ENTITY``): one clear line,
the same for both attacks, a stat and a line in the crawl report. The
response is archived as received (950) before it is refused; the check
reads only the document's prolog (at most ``XML_GUARD_PROLOG_BYTES``), so
its cost and memory are bounded whatever the body.

A downloader middleware at **585**: below HttpCompressionMiddleware (590),
so it reads the decoded body; above MetaRefresh (580) and Retry (550).
Settings: ``XML_GUARD_ENABLED`` (True), ``XML_GUARD_PROLOG_BYTES``
(65536). Stats: ``xml/refused_entities``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.exceptions import Skipped
from crawler.scheduler import state_of

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 585

#: Defaults of this middleware's settings, alphabetical.
DEFAULTS: Final[dict[str, Any]] = {"XML_GUARD_ENABLED": True, "XML_GUARD_PROLOG_BYTES": 65536}

_DOCTYPE: Final = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY: Final = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s>]+)(\s+(SYSTEM|PUBLIC)\b)?", re.IGNORECASE)
_ROOT: Final = re.compile(rb"<[A-Za-z_]")


def is_xml(response: Response) -> bool:
    """Whether *response* is XML: an XML Content-Type, or a body starting ``<?xml``.

    HTML (XHTML included) is not: its DOCTYPE is the browser's business.
    """
    content_type = bytes(response.headers.get(b"Content-Type") or b"").lower()
    if b"html" in content_type:
        return False
    if b"xml" in content_type:
        return True
    return response.body[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")


def declared_entities(body: bytes, limit: int) -> list[str]:
    """Entities the document type declaration of *body* declares (within *limit* bytes).

    ``["lol0", ...]``; an external one is marked ``"name (SYSTEM)"``.
    Empty when there is no ``DOCTYPE`` before the root element.
    """
    head = body[:limit]
    doctype = _DOCTYPE.search(head)
    if doctype is None:
        return []
    root = _ROOT.search(head, doctype.end())
    end = root.start() if root else len(head)
    found = []
    for match in _ENTITY.finditer(head, doctype.end(), end):
        name = match[2].decode("latin-1")
        found.append(f"{name} ({match[4].decode().upper()})" if match[4] else name)
    return found


class XmlGuardMiddleware:
    """Refuse XML responses whose DOCTYPE declares entities."""

    def __init__(self, crawler: Crawler, prolog_bytes: int) -> None:
        self.crawler = crawler
        self.prolog_bytes = prolog_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("XML_GUARD_ENABLED", DEFAULTS["XML_GUARD_ENABLED"]):
            raise NotConfigured("XML_GUARD_ENABLED is off")
        prolog = settings.getint("XML_GUARD_PROLOG_BYTES", DEFAULTS["XML_GUARD_PROLOG_BYTES"])
        if prolog <= 0:
            raise NotConfigured(f"XML_GUARD_PROLOG_BYTES is {prolog}: use a positive size")
        return cls(crawler, prolog)

    def process_response(self, request: Request, response: Response) -> Response:
        """Refuse the response when it is XML that declares entities."""
        if not is_xml(response):
            return response
        entities = declared_entities(response.body, self.prolog_bytes)
        if not entities:
            return response
        shown = ", ".join(entities[:3]) + (", ..." if len(entities) > 3 else "")
        message = (
            f"refused: its DOCTYPE declares {len(entities)} XML entit"
            f"{'y' if len(entities) == 1 else 'ies'} ({shown}); XML on a news site never needs "
            "them, and expanding them is how XML bombs (billion laughs) and XXE attacks work"
        )
        logger.warning("%s: %s", request.url, message)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("xml/refused_entities")

        state = state_of(self.crawler)
        if state is not None:
            state.add_error(request.url, "xml", message)
        raise Skipped("unsafe_xml", f"Unsafe XML {request.url}: {message}")


__all__ = ["DEFAULTS", "PRIORITY", "XmlGuardMiddleware", "declared_entities", "is_xml"]
