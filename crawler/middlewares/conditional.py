"""Recrawl politely: ask the server whether a page changed since its last capture.

`ConditionalRequestMiddleware` is a downloader middleware. For a GET of a
URL that the collection's digest index (`archive.digests.DigestIndex`) has a
capture of, it sends ``If-None-Match`` (the ETag the server sent then)
and/or ``If-Modified-Since`` (its ``Last-Modified``), and notes that capture
in ``meta["revalidating"]`` (``{"url": ..., "location": RecordLocation}``).
Every URL gets them: listings, articles, requisites, robots.txt, sitemaps.

When the server answers **304 Not Modified**, `WarcCaptureMiddleware` (950)
has already archived the 304 as a ``server-not-modified`` revisit; this
middleware then hands Scrapy, in place of the 304, the response as it was
archived: status, headers and payload of the original response record, the
payload still content-encoded (HttpCompressionMiddleware, below us, decodes
it exactly as it decodes a live response), flagged ``"warc"``. Listings
still yield their links and articles their items on an unchanged recrawl;
``meta["warc"]`` (the original record), ``meta["fetched_at"]`` (the
revisit's date) and ``meta["revisit"]`` (``"server-not-modified"``) come
from the capture middleware. If the original record cannot be read, the URL
is forgotten in the index and fetched again without validators.

Priority: **620** (`PRIORITY`). Requests: any number below 950 puts the
validators in the request the capture middleware records. Responses come
back from 950 down: at 620 the real 304 has been seen by DownloaderStats
(850) and CookiesMiddleware (700), so byte counts and cookies are those of
the exchange that happened, and the archived response is swapped in above
RedirectMiddleware (600) and HttpCompressionMiddleware (590), which treat
it as they treat a live one.

Settings: ``WARC_CONDITIONAL_ENABLED`` (True; off, or ``WARC_ENABLED`` off,
raises NotConfigured), ``WARC_DIR`` and ``WARC_DIGEST_INDEX`` (as the
capture middleware reads them). ``meta["dont_revalidate"] = True`` sends a
request unconditionally.

Stats: ``conditional/requests`` (requests sent with validators),
``conditional/not_modified`` (304s answered from the archive),
``conditional/unreadable`` (originals that could not be read; refetched).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import urldefrag

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.statscollectors import StatsCollector

from archive.digests import DigestIndex, record_path
from archive.reader import StoredRecord, read_record_at
from archive.writer import RecordLocation
from crawler.middlewares.warc_capture import DEFAULTS as WARC_DEFAULTS
from crawler.middlewares.warc_capture import digest_index_from_settings

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 620

#: Defaults of this middleware's settings.
DEFAULTS: Final[dict[str, Any]] = {"WARC_CONDITIONAL_ENABLED": True}

#: Validators this middleware sets; a request that already has one is left alone.
_VALIDATORS: Final = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequestMiddleware:
    """Send validators from the last capture; answer 304s from the archive."""

    def __init__(
        self, digests: DigestIndex, warc_dir: str | Path, stats: StatsCollector | None = None
    ) -> None:
        self.digests = digests
        self.warc_dir = Path(warc_dir)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Open the collection's digest index (read side) when conditionals are on."""
        settings = crawler.settings
        if not settings.getbool("WARC_CONDITIONAL_ENABLED", DEFAULTS["WARC_CONDITIONAL_ENABLED"]):
            raise NotConfigured("WARC_CONDITIONAL_ENABLED is off")
        if not settings.getbool("WARC_ENABLED", WARC_DEFAULTS["WARC_ENABLED"]):
            raise NotConfigured("WARC_ENABLED is off: nothing to revalidate against")
        if not settings.get("WARC_DIR"):
            raise NotConfigured("WARC_DIR is not set")  # the capture middleware says more
        middleware = cls(
            digest_index_from_settings(settings), str(settings.get("WARC_DIR")), crawler.stats
        )
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self) -> None:
        """Close the digest index."""
        self.digests.close()

    # -- downloader middleware -------------------------------------------------

    def process_request(self, request: Request) -> None:
        """Add the last capture's validators to a GET, and note that capture in meta."""
        url = urldefrag(request.url)[0]
        revalidating = request.meta.get("revalidating")
        if isinstance(revalidating, dict) and revalidating.get("url") != url:
            # a redirect copied another URL's validators: they do not apply here
            for name in _VALIDATORS:
                request.headers.pop(name, None)
            del request.meta["revalidating"]
        if request.method != "GET" or request.meta.get("dont_revalidate"):
            return
        if any(name in request.headers for name in _VALIDATORS):
            return  # ours (a retry) or the spider's own
        capture = self.digests.last_capture(url)
        if capture is None or not capture.has_validators:
            return
        if record_path(self.warc_dir, capture.original) is None:
            return  # a 304 could not be answered from the archive
        if capture.etag:
            request.headers[b"If-None-Match"] = capture.etag
        if capture.last_modified:
            request.headers[b"If-Modified-Since"] = capture.last_modified
        request.meta["revalidating"] = {"url": url, "location": dict(capture.original)}
        self._inc("conditional/requests")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """In place of a 304 to our validators, the response as archived."""
        revalidating = request.meta.get("revalidating")
        if response.status != 304 or not isinstance(revalidating, dict):
            return response
        url = urldefrag(request.url)[0]
        if revalidating.get("url") != url:
            return response
        location: RecordLocation = revalidating["location"]
        try:
            record = self._read(location)
        except (OSError, ValueError) as exc:
            logger.warning(
                "%s is not modified, but its archived copy %s at %s cannot be read (%s); "
                "fetching it again",
                url,
                location["filename"],
                location["offset"],
                exc,
            )
            self._inc("conditional/unreadable")
            self.digests.forget(url)
            retry = request.replace(dont_filter=True)
            for name in _VALIDATORS:
                retry.headers.pop(name, None)
            retry.meta.pop("revalidating", None)
            retry.meta["dont_revalidate"] = True
            return retry
        self._inc("conditional/not_modified")
        return archived_response(record, request, response)

    def _read(self, location: RecordLocation) -> StoredRecord:
        path = record_path(self.warc_dir, location)
        if path is None:
            raise FileNotFoundError(f"no file holds {location['filename']} whole")
        record = read_record_at(path, location["offset"], location["length"])
        if record.header("WARC-Record-ID") != location["record_id"]:
            raise ValueError(f"the record there is not {location['record_id']}")
        if record.rec_type != "response" or record.digest_problems():
            raise ValueError("the record there is not an intact response")
        return record

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


def archived_response(record: StoredRecord, request: Request, live: Response) -> Response:
    """A Response as `record` (a stored response record) was received, for `request`.

    Status and headers come from the record's HTTP head; the body is its
    payload as stored (still content-encoded). `live` (the 304) lends its
    IP address, certificate and protocol.
    """
    start = record.http_start_line.decode("latin-1").split(" ", 2)
    status = int(start[1]) if len(start) > 1 and start[1].isdigit() else 200
    values: dict[bytes, list[bytes]] = {}
    for name, value in record.http_headers():
        values.setdefault(name, []).append(value)
    headers = Headers(values)
    body = record.payload
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=status,
        headers=headers,
        body=body,
        flags=[*live.flags, "warc"],
        request=request,
        certificate=live.certificate,
        ip_address=live.ip_address,
        protocol=live.protocol,
    )


__all__ = ["DEFAULTS", "PRIORITY", "ConditionalRequestMiddleware", "archived_response"]
