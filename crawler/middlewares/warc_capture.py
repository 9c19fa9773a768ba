"""Write every HTTP exchange of a crawl to WARC, before anything is derived from it.

`WarcCaptureMiddleware` is a downloader middleware. For each response coming
back from the download handler (2xx, 3xx, 4xx, 5xx, robots.txt: everything
passes through downloader middlewares) it writes a ``response`` record and
its ``request`` record with `archive.writer.WarcFileWriter`, then stores
the response record's location in ``response.meta["warc"]`` and its
WARC-Date in ``response.meta["fetched_at"]``. When the write fails,
``meta["warc"]`` is None: the spider must not emit an item for that
response (the WARC is the source of truth).

Revisits. With a digest index (`archive.digests.DigestIndex`, one per
collection, kept across crawls), a response is not always stored whole:

- a **304** to a conditional request that
  `crawler.middlewares.conditional.ConditionalRequestMiddleware` made (it
  puts the capture its validators came from in ``meta["revalidating"]``)
  becomes a ``revisit`` record with profile ``server-not-modified``: the
  304's HTTP head as received, ``WARC-Refers-To`` that capture's response
  record;
- a **200** whose payload digest equals that of an earlier capture of the
  same URL (``WARC_REVISITS_ENABLED``) becomes a ``revisit`` record with
  profile ``identical-payload-digest``: the HTTP head as received, no
  payload, ``WARC-Refers-To`` the earlier response record.

Either way ``meta["warc"]`` is the location of the **original** response
record (the one holding the payload: an item made from this response points
there and can be re-extracted from it), ``meta["fetched_at"]`` the
revisit's own WARC-Date, ``meta["revisit"]`` the profile's short name
(``"server-not-modified"`` or ``"identical-payload-digest"``; absent for a
full response) and ``meta["warc_revisit"]`` the revisit record's location.
Every full 200 response is added to the index as an original, with the
``ETag`` / ``Last-Modified`` it carried, for the next crawl's conditional
requests and revisits.

Metadata. After each response or revisit (and its request) comes a
``metadata`` record (``WARC_METADATA_ENABLED``), ``WARC-Concurrent-To`` it,
with the fields WARC 1.1 section 6.6 defines: ``via`` (``meta["via"]``,
else the URL that redirected here, else the ``Referer`` sent),
``hopsFromSeed`` (one letter per hop as Heritrix writes them: ``L`` for each
link followed from a seed (Scrapy's ``depth``; page requisites count as
links, the spider does not tell them apart), ``R`` per redirect, ``P`` for
robots.txt; absent for a seed) and ``fetchTimeMs`` (Scrapy's
``download_latency``: from sending the request to the response headers).
Outlinks are not written: they are in the archived page itself.

Failed attempts. A download that ends in an exception (reset, timeout,
refused connection) is recorded by `process_exception` as a ``request``
record (unless nothing was sent) and a ``metadata`` record saying what
went wrong (`crawler.middlewares.attempts`); ``IgnoreRequest`` (robots,
scope, filters) is not an attempt and is not recorded. A response cut
short is written with ``WARC-Truncated``: ``meta["warc_truncated"]``
(``length`` / ``time``, set by `crawler.middlewares.limits`) when the
download was stopped on purpose, else ``disconnect`` for Scrapy's
``dataloss`` flag.

Write errors. When a record cannot be written (disk full: ``ENOSPC``, file
size limit: ``EFBIG``, any ``OSError``), the writer cuts its file back to
the last whole record and closes it under its final name; this middleware
then logs one line saying what to do, sets the stat ``warc/fatal_error``,
and stops the crawl (close reason ``shutdown``, so ``arsip crawl --resume``
continues it). That response is passed on with ``meta["warc"]`` None (no
item is made from it), every later one ends with ``IgnoreRequest``; all
are taken out of the frontier's bookkeeping, so they stay queued for the
resume.

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

and (defaults in `REVISIT_DEFAULTS`):

- ``WARC_DIGEST_INDEX`` (""): the digest index file; "" means
  ``state/digests.sqlite`` beside WARC_DIR (in the collection directory).
  Kept when revisits or conditional requests are on.
- ``WARC_METADATA_ENABLED`` (True): a metadata record per exchange.
- ``WARC_REVISITS_ENABLED`` (True): identical payloads as revisit records.
  (``server-not-modified`` revisits follow ``WARC_CONDITIONAL_ENABLED``.)

It also reads ``ARSIP_CRAWL_ID``, ``ARSIP_COLLECTION``, ``USER_AGENT`` and
``ROBOTSTXT_OBEY`` for the warcinfo record.

What Scrapy does not expose, and so cannot be archived: the reason phrase
the server sent (the standard phrase for the status is written), the
header names' original case and interleaving (Scrapy title-cases names and
groups repeated headers), and the connection-level headers Twisted consumes
(Connection, Keep-Alive, Transfer-Encoding; Content-Length comes back only
when the server declared a length, except that Scrapy itself puts
``Content-Length: 0`` on bodiless answers such as a 304, which cannot be
told apart from one the server sent: a ``server-not-modified`` revisit's
head carries it).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, Final, Self
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.abstract import isIPv6Address
from twisted.web.client import URI
from twisted.web.http_headers import Headers as TwistedHeaders

from archive.digests import DigestIndex, default_index_path, record_path
from archive.records import (
    IDENTICAL_PAYLOAD,
    NOT_MODIFIED,
    REVISIT_PROFILES,
    Header,
    HttpRequestMessage,
    HttpResponseMessage,
    RefersTo,
    WarcinfoFields,
    adjust_framing,
    default_software,
)
from archive.recovery import recover_open_files
from archive.writer import DIGEST_ALGORITHMS, RecordLocation, WarcFileWriter
from arsip.core.errors import ConfigError, OutputError
from crawler.exceptions import Skipped
from crawler.frontier import META_SEQ
from crawler.middlewares.attempts import failure_fields, was_sent, write_failed_attempt

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

#: Defaults of the settings that choose which extra records are written, alphabetical.
REVISIT_DEFAULTS: Final[dict[str, Any]] = {
    "WARC_DIGEST_INDEX": "",
    "WARC_METADATA_ENABLED": True,
    "WARC_REVISITS_ENABLED": True,
}

#: Stats key counting each kind of revisit (besides ``warc/revisits``).
_REVISIT_STATS: Final = {
    NOT_MODIFIED: "warc/not_modified",
    IDENTICAL_PAYLOAD: "warc/identical_payload",
}

#: Response flags set by Scrapy's download handlers → WARC-Truncated reason.
_TRUNCATION_FLAGS: Final = {"dataloss": "disconnect", "download_stopped": "unspecified"}


def writer_from_settings(settings: BaseSettings) -> WarcFileWriter:
    """A `WarcFileWriter` configured by the WARC_* settings (plus crawl id, collection,
    user agent and robots policy for its warcinfo).

    Raises ConfigError or OutputError naming the setting when one cannot be used, and creates
    WARC_DIR, so that a crawl never starts without a place for its WARC files.
    """

    def setting(name: str) -> Any:
        return settings.get(name, DEFAULTS[name])

    directory = str(setting("WARC_DIR") or "")
    if not directory:
        raise ConfigError(
            "WARC_DIR is not set: give the directory for WARC files "
            "(or set WARC_ENABLED to False to crawl without archiving)"
        )
    algorithm = str(setting("WARC_DIGEST_ALGORITHM")).lower()
    if algorithm not in DIGEST_ALGORITHMS:
        raise ConfigError(
            f"WARC_DIGEST_ALGORITHM is {algorithm!r}: use one of {', '.join(DIGEST_ALGORITHMS)}"
        )
    max_size = settings.getint("WARC_MAX_SIZE", DEFAULTS["WARC_MAX_SIZE"])
    if max_size <= 0:
        raise ConfigError(f"WARC_MAX_SIZE is {max_size}: use a positive size in bytes")
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"WARC_DIR {directory!r} cannot be created ({exc.strerror}): "
            "choose a writable directory"
        ) from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"WARC_DIR {directory!r} is not writable: choose a writable directory")
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
        raise ConfigError(f"WARC_PREFIX: {exc}") from exc


def digest_index_path(settings: BaseSettings) -> Path:
    """The digest index file: WARC_DIGEST_INDEX, or ``state/digests.sqlite`` beside WARC_DIR."""
    configured = str(settings.get("WARC_DIGEST_INDEX") or "")
    if configured:
        return Path(configured)
    return default_index_path(str(settings.get("WARC_DIR") or ""))


def digest_index_from_settings(settings: BaseSettings) -> DigestIndex:
    """Open (create) the collection's digest index, or raise an error naming the setting."""
    path = digest_index_path(settings)
    try:
        return DigestIndex(path)
    except OSError as exc:
        raise OutputError(
            f"WARC_DIGEST_INDEX {str(path)!r} cannot be created ({exc.strerror or exc}): "
            "choose a writable place"
        ) from exc
    except sqlite3.Error as exc:
        raise ConfigError(
            f"WARC_DIGEST_INDEX {str(path)!r} cannot be used ({exc}): move it away; "
            "the next crawl starts a new one (it only saves storage)"
        ) from exc


class WarcCaptureMiddleware:
    """Downloader middleware that archives each request/response pair to WARC.

    `digests` (None: no revisits) is the collection's digest index;
    `revisits` turns identical-payload revisits on; `metadata` writes a
    metadata record per exchange.
    """

    def __init__(
        self,
        writer: WarcFileWriter,
        stats: StatsCollector | None = None,
        *,
        digests: DigestIndex | None = None,
        revisits: bool = True,
        metadata: bool = True,
    ) -> None:
        self.writer = writer
        self.stats = stats
        self.digests = digests
        self.revisits = revisits
        self.metadata = metadata
        #: Set by from_crawler: the crawl to stop when a write fails.
        self.crawler: Crawler | None = None
        #: Why the WARC cannot be written any more (None while it can).
        self.write_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the writer (and digest index) from the settings; hook them to the spider."""
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", DEFAULTS["WARC_ENABLED"]):
            raise NotConfigured("WARC_ENABLED is off")
        revisits = settings.getbool(
            "WARC_REVISITS_ENABLED", REVISIT_DEFAULTS["WARC_REVISITS_ENABLED"]
        )
        # conditional requests need the index kept up to date too
        conditional = settings.getbool("WARC_CONDITIONAL_ENABLED", True)
        writer = writer_from_settings(settings)
        middleware = cls(
            writer,
            crawler.stats,
            digests=digest_index_from_settings(settings) if revisits or conditional else None,
            revisits=revisits,
            metadata=settings.getbool(
                "WARC_METADATA_ENABLED", REVISIT_DEFAULTS["WARC_METADATA_ENABLED"]
            ),
        )
        middleware.crawler = crawler
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
        """Finish the current WARC file (fsync, final name); close the digest index."""
        try:
            self.writer.close()
        except OSError:
            logger.exception("Could not close the WARC file in %s", self.writer.directory)
            self._inc("warc/errors")
        if self.digests is not None:
            self.digests.close()
        self._sync_stats()

    # -- downloader middleware -------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Response:
        """Archive the exchange; put its location in ``meta["warc"]`` (None on failure).

        For a revisit, ``meta["warc"]`` is the original response record's
        location (see the module docstring).
        """
        url = urldefrag(request.url)[0]
        if self.write_error is not None:  # stopping: nothing more is written or processed
            self._not_archived(request, response)
            raise Skipped(
                "not_archived", f"Not archived (the crawl is stopping): {self.write_error}"
            )
        message = response_message(response)
        truncated = truncation_reason(request, response)
        ip_address = str(response.ip_address) if response.ip_address else None
        metadata = metadata_fields(request) if self.metadata else None
        meta = request.meta  # response.meta is request.meta: the spider reads these
        for key in ("revisit", "warc_revisit"):  # a retried request carries the last try's
            meta.pop(key, None)
        revisit = self._revisit_of(request, url, response.status, message, truncated)
        try:
            if revisit is not None:
                profile, original = revisit
                location = self.writer.write_revisit(
                    url,
                    request_message(request),
                    message,
                    profile=REVISIT_PROFILES[profile],
                    refers_to=RefersTo(
                        record_id=original["record_id"],
                        target_uri=url,
                        date=original["warc_date"],
                        payload_digest=original["payload_digest"],
                    ),
                    ip_address=ip_address,
                    metadata=metadata,
                )
            else:
                location = self.writer.write_exchange(
                    url,
                    request_message(request),
                    message,
                    ip_address=ip_address,
                    truncated=truncated,
                    metadata=metadata,
                )
        except OSError as exc:
            self._write_failed(url, exc)
            return self._not_archived(request, response)
        meta["fetched_at"] = location["warc_date"]
        self._inc("warc/requests")
        if metadata is not None:
            self._inc("warc/metadata")
        if revisit is not None:
            profile, original = revisit
            meta["warc"] = dict(original)
            meta["revisit"] = profile
            meta["warc_revisit"] = dict(location)
            self._inc("warc/revisits")
            self._inc(_REVISIT_STATS[profile])
            self._index(url, response, original["payload_digest"], revisit=location)
        else:
            meta["warc"] = dict(location)
            self._inc("warc/responses")
            if response.status == 200 and truncated is None:
                self._index(url, response, location["payload_digest"], original=location)
        self._sync_stats()
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Record a failed attempt (no response came back); see the module docstring."""
        if isinstance(exception, IgnoreRequest) or self.write_error is not None:
            return
        url = urldefrag(request.url)[0]
        base = metadata_fields(request)
        sent = request_message(request) if was_sent(exception) else None
        try:
            write_failed_attempt(self.writer, url, sent, failure_fields(request, exception, base))
        except OSError as exc:
            self._write_failed(url, exc)
            return
        self._inc("warc/failed_attempts")
        self._sync_stats()

    # -- write errors ----------------------------------------------------------

    def _write_failed(self, url: str, exc: OSError) -> None:
        """A record could not be written: say so once, and stop the crawl (resumably)."""
        self._inc("warc/errors")
        if self.write_error is not None:
            return
        what = exc.strerror or str(exc)
        self.write_error = f"cannot write to WARC_DIR {self.writer.directory}: {what}"
        crawler = self.crawler
        profile = getattr(getattr(crawler, "spider", None), "profile", None)
        out = crawler.settings.get("ARSIP_OUT_DIR") if crawler is not None else None
        logger.error(
            "Could not write %s to WARC (%s): the crawl stops; make room in %s, then "
            "continue it with: arsip crawl %s --resume --out %s",
            url,
            what,
            self.writer.directory,
            getattr(profile, "name", None) or "PROFILE",
            out or "DIR",
        )
        if self.stats is not None:
            self.stats.set_value("warc/fatal_error", self.write_error)
        if crawler is not None and crawler.engine is not None and crawler.engine.running:
            deferred_from_coro(crawler.engine.close_spider_async(reason="shutdown"))

    def _not_archived(self, request: Request, response: Response) -> Response:
        """Pass on a response that is not in the WARC: no item from it, and not done.

        ``meta["warc"]`` None stops the spider from making an item; dropping
        the frontier's sequence number keeps the request queued in the crawl
        state, so a resumed crawl fetches it again.
        """
        request.meta["warc"] = None
        request.meta["fetched_at"] = None
        request.meta.pop(META_SEQ, None)
        self._sync_stats()
        return response

    # -- revisits --------------------------------------------------------------

    def _revisit_of(
        self,
        request: Request,
        url: str,
        status: int,
        message: HttpResponseMessage,
        truncated: str | None,
    ) -> tuple[str, RecordLocation] | None:
        """(profile short name, original record) when this response is a revisit, else None."""
        revalidating = request.meta.get("revalidating")
        if status == 304:
            # only a 304 to our own conditional request says which capture is unchanged
            if isinstance(revalidating, dict) and revalidating.get("url") == url:
                return NOT_MODIFIED, _location(revalidating["location"])
            return None
        if not self.revisits or self.digests is None or status != 200 or truncated:
            return None
        digest = self.writer.payload_digest(message.body)
        try:
            original = self.digests.original(url, digest)
        except sqlite3.Error:
            logger.exception("Could not read the digest index; storing %s in full", url)
            self._inc("warc/digest_index_errors")
            return None
        if original is None or record_path(self.writer.directory, original) is None:
            return None  # never seen, or its record is gone: store this one in full
        return IDENTICAL_PAYLOAD, original

    def _index(
        self,
        url: str,
        response: Response,
        payload_digest: str,
        *,
        original: RecordLocation | None = None,
        revisit: RecordLocation | None = None,
    ) -> None:
        """Tell the digest index about a full response (`original`) or a `revisit`."""
        if self.digests is None:
            return
        etag, last_modified = _header(response, b"ETag"), _header(response, b"Last-Modified")
        try:
            if original is not None:
                self.digests.add_original(url, original, etag=etag, last_modified=last_modified)
            elif revisit is not None:
                self.digests.add_revisit(
                    url, payload_digest, revisit, etag=etag, last_modified=last_modified
                )
        except sqlite3.Error:
            # the WARC records are written; only later deduplication suffers
            logger.exception("Could not update the digest index %s for %s", self.digests.path, url)
            self._inc("warc/digest_index_errors")

    # -- stats -----------------------------------------------------------------

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def _sync_stats(self) -> None:
        if self.stats is not None:
            self.stats.set_value("warc/records", self.writer.records_written)
            self.stats.set_value("warc/bytes", self.writer.bytes_written)
            self.stats.set_value("warc/files", self.writer.files_opened)


def truncation_reason(request: Request, response: Response) -> str | None:
    """``WARC-Truncated`` of a response: the limit that stopped it, or the flag Scrapy set."""
    if "download_stopped" in response.flags:
        reason = request.meta.get("warc_truncated")
        if reason in ("length", "time"):
            return str(reason)
    return next((_TRUNCATION_FLAGS[f] for f in response.flags if f in _TRUNCATION_FLAGS), None)


def _location(value: dict[str, Any]) -> RecordLocation:
    """A `RecordLocation` from its dict form (as kept in request meta)."""
    return RecordLocation(
        filename=str(value["filename"]),
        offset=int(value["offset"]),
        length=int(value["length"]),
        record_id=str(value["record_id"]),
        payload_digest=str(value["payload_digest"]),
        warc_date=str(value["warc_date"]),
    )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return bytes(value).decode("latin-1") if value else None


def metadata_fields(request: Request) -> list[tuple[str, str]]:
    """The ``via``, ``hopsFromSeed`` and ``fetchTimeMs`` fields for `request`'s metadata record."""
    meta = request.meta
    fields: list[tuple[str, str]] = []
    redirects = meta.get("redirect_urls") or []
    referer = request.headers.get(b"Referer")
    via = meta.get("via") or (redirects[-1] if redirects else None)
    if not via and referer:
        via = bytes(referer).decode("latin-1")
    if via:
        fields.append(("via", urldefrag(str(via))[0]))
    hops = hop_path(request)
    if hops:
        fields.append(("hopsFromSeed", hops))
    latency = meta.get("download_latency")
    if isinstance(latency, int | float):
        fields.append(("fetchTimeMs", str(round(latency * 1000))))
    return fields


def hop_path(request: Request) -> str:
    """Heritrix's hop letters: ``P`` for robots.txt, else ``L`` per link then ``R`` per redirect."""
    meta = request.meta
    if meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt":
        return "P"
    depth = meta.get("depth", 0)
    links = depth if isinstance(depth, int) and depth > 0 else 0
    return "L" * links + "R" * len(meta.get("redirect_urls") or [])


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
