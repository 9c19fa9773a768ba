"""Write every HTTP exchange of a crawl to WARC, before anything is derived from it.

`WarcCaptureMiddleware` is a downloader middleware. For each response coming
back from the download handler (2xx, 3xx, 4xx, 5xx, robots.txt: everything
passes through downloader middlewares) it writes a ``response`` record and
its ``request`` record with `archive.writer.WarcFileWriter`, then stores
the response record's location in ``response.meta["warc"]`` and its
WARC-Date in ``response.meta["fetched_at"]``. When the write fails,
``meta["warc"]`` is None: the spider must not emit an item for that
response (the WARC is the source of truth).

Priority: **950** (`PRIORITY`). Downloader middlewares see responses from the
highest number to the lowest, so at 950 this one sees each response first,
straight from the download handler: before HttpCacheMiddleware (900),
DownloaderStats (850), Cookies (700), RedirectMiddleware (600, so every 3xx
is archived before it is followed), HttpCompressionMiddleware (590, so the
body is still content-encoded, as received) and RetryMiddleware (550, so
every failed attempt is archived before it is retried). Requests go the
other way (lowest first), so by the time a request reaches the handler,
every built-in middleware has added its headers (User-Agent, Accept-Encoding,
Cookie, ...), and those are the headers recorded.

Settings (defaults in `DEFAULTS`; crawler/settings.py may refer to them):

- ``WARC_ENABLED`` (True): off raises NotConfigured.
- ``WARC_DIR`` (required when enabled): directory of the WARC files.
- ``WARC_PREFIX`` ("ARSIP"): first part of the file names.
- ``WARC_MAX_SIZE`` (1_000_000_000): bytes after which a new file is started.
- ``WARC_DIGEST_ALGORITHM`` ("sha1"): "sha1" or "sha256" (base32 digests).
- ``WARC_OPERATOR`` (""): warcinfo ``operator`` (who runs the crawl).

It also reads ``ARSIP_CRAWL_ID``, ``ARSIP_COLLECTION``, ``USER_AGENT`` and
``ROBOTSTXT_OBEY`` for the warcinfo record.

What Scrapy does not expose, and so cannot be archived: the reason phrase
the server sent (the standard phrase for the status is written), the
header names' original case and interleaving (Scrapy title-cases names and
groups repeated headers), and the connection-level headers Twisted consumes
(Connection, Keep-Alive, Transfer-Encoding; Content-Length comes back only
when the server declared a length).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import urldefrag

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from twisted.internet.abstract import isIPv6Address
from twisted.web.client import URI
from twisted.web.http_headers import Headers as TwistedHeaders

from archive.records import (
    Header,
    HttpRequestMessage,
    HttpResponseMessage,
    WarcinfoFields,
    adjust_framing,
    default_software,
)
from archive.recovery import recover_open_files
from archive.writer import DIGEST_ALGORITHMS, WarcFileWriter
from arsip.errors import EXIT_CONFIG, EXIT_OUTPUT, UserError

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES: above every built-in (see the module docstring).
PRIORITY: Final = 950

#: Defaults of the WARC settings, alphabetical.
DEFAULTS: Final[dict[str, Any]] = {
    "WARC_DIGEST_ALGORITHM": "sha1",
    "WARC_DIR": "",
    "WARC_ENABLED": True,
    "WARC_MAX_SIZE": 1_000_000_000,
    "WARC_OPERATOR": "",
    "WARC_PREFIX": "ARSIP",
}

#: Response flags set by Scrapy's download handlers → WARC-Truncated reason.
_TRUNCATION_FLAGS: Final = {"dataloss": "disconnect", "download_stopped": "unspecified"}


def writer_from_settings(settings: BaseSettings) -> WarcFileWriter:
    """A `WarcFileWriter` configured by the WARC_* settings (plus crawl id, collection,
    user agent and robots policy for its warcinfo).

    Raises UserError naming the setting when one cannot be used, and creates
    WARC_DIR, so that a crawl never starts without a place for its WARC files.
    """

    def setting(name: str) -> Any:
        return settings.get(name, DEFAULTS[name])

    directory = str(setting("WARC_DIR") or "")
    if not directory:
        raise UserError(
            "WARC_DIR is not set: give the directory for WARC files "
            "(or set WARC_ENABLED to False to crawl without archiving)",
            EXIT_CONFIG,
        )
    algorithm = str(setting("WARC_DIGEST_ALGORITHM")).lower()
    if algorithm not in DIGEST_ALGORITHMS:
        raise UserError(
            f"WARC_DIGEST_ALGORITHM is {algorithm!r}: use one of {', '.join(DIGEST_ALGORITHMS)}",
            EXIT_CONFIG,
        )
    max_size = settings.getint("WARC_MAX_SIZE", DEFAULTS["WARC_MAX_SIZE"])
    if max_size <= 0:
        raise UserError(f"WARC_MAX_SIZE is {max_size}: use a positive size in bytes", EXIT_CONFIG)
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"WARC_DIR {directory!r} cannot be created ({exc.strerror}): "
            "choose a writable directory",
            EXIT_OUTPUT,
        ) from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UserError(
            f"WARC_DIR {directory!r} is not writable: choose a writable directory", EXIT_OUTPUT
        )
    info = WarcinfoFields(
        crawl_id=str(settings.get("ARSIP_CRAWL_ID") or ""),
        collection=str(settings.get("ARSIP_COLLECTION") or ""),
        operator=str(setting("WARC_OPERATOR") or ""),
        robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        user_agent=str(settings.get("USER_AGENT") or ""),
        software=f"{default_software()} Scrapy/{scrapy.__version__}",
    )
    try:
        return WarcFileWriter(
            directory,
            info=info,
            prefix=str(setting("WARC_PREFIX")),
            max_size=max_size,
            digest_algorithm=algorithm,
        )
    except ValueError as exc:  # the prefix: the other values are checked above
        raise UserError(f"WARC_PREFIX: {exc}", EXIT_CONFIG) from exc


class WarcCaptureMiddleware:
    """Downloader middleware that archives each request/response pair to WARC."""

    def __init__(self, writer: WarcFileWriter, stats: StatsCollector | None = None) -> None:
        self.writer = writer
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the writer from the settings and hook it to the spider's lifetime."""
        if not crawler.settings.getbool("WARC_ENABLED", DEFAULTS["WARC_ENABLED"]):
            raise NotConfigured("WARC_ENABLED is off")
        middleware = cls(writer_from_settings(crawler.settings), crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # -- signals ---------------------------------------------------------------

    def spider_opened(self) -> None:
        """Repair WARC files a crashed crawl left ``.open`` in WARC_DIR."""
        for report in recover_open_files(self.writer.directory):
            if report.action != "skipped":
                self._inc("warc/recovered_files")

    def spider_closed(self) -> None:
        """Finish the current WARC file (fsync, final name)."""
        try:
            self.writer.close()
        except OSError:
            logger.exception("Could not close the WARC file in %s", self.writer.directory)
            self._inc("warc/errors")
        self._sync_stats()

    # -- downloader middleware -------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Response:
        """Archive the exchange; put its location in ``meta["warc"]`` (None on failure)."""
        url = urldefrag(request.url)[0]
        try:
            location = self.writer.write_exchange(
                url,
                request_message(request),
                response_message(response),
                ip_address=str(response.ip_address) if response.ip_address else None,
                truncated=next(
                    (_TRUNCATION_FLAGS[f] for f in response.flags if f in _TRUNCATION_FLAGS), None
                ),
            )
        except OSError:
            logger.exception(
                "Could not write %s (status %s) to WARC; no item will be made from it",
                url,
                response.status,
            )
            self._inc("warc/errors")
            request.meta["warc"] = None
            request.meta["fetched_at"] = None
            self._sync_stats()
            return response
        # response.meta is request.meta: the spider reads these from the response.
        request.meta["warc"] = dict(location)
        request.meta["fetched_at"] = location["warc_date"]
        self._inc("warc/responses")
        self._inc("warc/requests")
        self._sync_stats()
        return response

    # -- stats -----------------------------------------------------------------

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def _sync_stats(self) -> None:
        if self.stats is not None:
            self.stats.set_value("warc/records", self.writer.records_written)
            self.stats.set_value("warc/bytes", self.writer.bytes_written)
            self.stats.set_value("warc/files", self.writer.files_opened)


def request_message(request: Request) -> HttpRequestMessage:
    """The request as Twisted's HTTP/1.1 client put it on the wire.

    Twisted writes ``Content-Length`` first (when there is a body, or 0 for an
    empty POST/PUT), then the request's headers in canonical case, then the
    ``Host`` header it adds itself (no default port). The request-target is
    the path and query, or the whole URL when an HTTP proxy is used.
    ``Proxy-Authorization`` is left out: it is our proxy's credential, not
    part of the exchange with the site.
    """
    url = urldefrag(request.url)[0]
    uri = URI.fromBytes(url.encode("ascii"))  # type: ignore[no-untyped-call]  # parse as Twisted does
    proxied = bool(request.meta.get("proxy")) and uri.scheme == b"http"
    target = url if proxied else uri.originForm.decode("ascii")
    headers: list[Header] = []
    if request.body:
        headers.append((b"Content-Length", str(len(request.body)).encode("ascii")))
    elif request.method in ("POST", "PUT"):
        headers.append((b"Content-Length", b"0"))
    sent = TwistedHeaders(dict(request.headers.items()))
    for name, values in sent.getAllRawHeaders():
        if name.lower() != b"proxy-authorization":
            headers.extend((name, value) for value in values)
    if not sent.hasHeader(b"Host"):
        headers.append((b"Host", host_header(uri)))
    return HttpRequestMessage(request.method, target, headers, request.body)


def response_message(response: Response) -> HttpResponseMessage:
    """The response as received, with the framing the client removed not claimed."""
    received: list[Header] = [
        (name, value) for name, values in response.headers.items() for value in values
    ]
    return HttpResponseMessage(
        status=response.status,
        headers=adjust_framing(received, len(response.body), response.status),
        body=response.body,
        protocol=response.protocol or "HTTP/1.1",
    )


def host_header(uri: URI) -> bytes:
    """The ``Host`` value Twisted's Agent sends: the host, ``:port`` unless the default."""
    host = uri.host
    if isIPv6Address(host.decode("ascii")):
        host = b"[" + host + b"]"
    if (uri.scheme, uri.port) in ((b"http", 80), (b"https", 443)):
        return bytes(host)
    return b"%b:%d" % (host, uri.port)
