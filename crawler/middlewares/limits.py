"""Size and time limits per response that keep what arrived, marked as truncated.

Scrapy's own limits throw the body away: ``DOWNLOAD_MAXSIZE`` cancels the
download (before the first byte when ``Content-Length`` announces too
much) and ``DOWNLOAD_TIMEOUT`` discards what had arrived. For an archive
that is the wrong answer: what the server sent should be kept, and said to
be incomplete. `ResponseLimitsMiddleware` stops reading instead:

- **size**: once a body reaches ``LIMITS_MAXSIZE`` bytes (default
  ``DOWNLOAD_MAXSIZE``; 50 MB in this project) and more is on its way;
- **time**: once ``LIMITS_TIME`` seconds (default 0.9 x
  ``DOWNLOAD_TIMEOUT``) have passed since the request was sent and the
  body is still arriving.

It stops the download with Scrapy's ``StopDownload(fail=False)`` from the
``bytes_received`` signal; the response goes on with the bytes received,
flag ``download_stopped`` and ``meta["warc_truncated"]`` = ``"length"`` or
``"time"``, which `crawler.middlewares.warc_capture.WarcCaptureMiddleware`
(950) writes as ``WARC-Truncated``. Back here (940) a truncated response is
logged, counted and reported (a line in the crawl report), and never
reaches the spider: it is archived as what it is, but it is not the
resource, and an article made from it would be wrong. One cut at the size
limit ends there (``IgnoreRequest``): the next try would be cut the same
way. One cut at the time limit goes on to `RetryAfterMiddleware`, which
retries it like a timeout (and gives up with ``IgnoreRequest``), unless
retries are off for it.

A response that sends nothing at all (headers, then silence) cannot be cut
this way, since nothing arrives to stop: ``DOWNLOAD_TIMEOUT`` fails it, the
capture middleware records the failed attempt (with the bytes counted
here, ``meta["response_bytes"]``) and `RetryAfterMiddleware` retries it.

To read up to the limit even when ``Content-Length`` announces more, the
request goes to the download handler with ``meta["download_maxsize"] = 0``
and gets the limit back when its response returns here, above
HttpCompressionMiddleware (590), which reads it to bound decompression:
a gzip bomb is still refused after ``DOWNLOAD_MAXSIZE`` decoded bytes.

Priority **940**: below the capture middleware (950), so the truncated
response is archived before it is stopped here; above every built-in that
reads the body. Settings: ``LIMITS_ENABLED`` (True), ``LIMITS_MAXSIZE``
(0: ``DOWNLOAD_MAXSIZE``), ``LIMITS_TIME`` (0: 0.9 x ``DOWNLOAD_TIMEOUT``).
Stats: ``limits/truncated/length``, ``limits/truncated/time``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Headers, Response

from arsip.core.errors import ConfigError
from crawler.exceptions import Skipped
from crawler.scheduler import state_of

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 940

#: Defaults of this middleware's settings, alphabetical (0 means "derived", see above).
DEFAULTS: Final[dict[str, Any]] = {
    "LIMITS_ENABLED": True,
    "LIMITS_MAXSIZE": 0,
    "LIMITS_TIME": 0.0,
}
#: LIMITS_TIME when not set, as a fraction of DOWNLOAD_TIMEOUT.
TIME_FRACTION: Final = 0.9

#: ``meta`` keys: why the body is truncated ("length", "time"); body bytes received;
#: when the request was sent (``time.monotonic()``); the announced length (-1: unknown).
TRUNCATED: Final = "warc_truncated"
RECEIVED: Final = "response_bytes"
_STARTED: Final = "response_started"
_EXPECTED: Final = "response_expected"
_MAXSIZE: Final = "limits_maxsize"


class ResponseLimitsMiddleware:
    """Stop a body at the size or time limit and keep what arrived (see the module docstring)."""

    def __init__(self, crawler: Crawler, maxsize: int, seconds: float) -> None:
        self.crawler = crawler
        self.maxsize = maxsize
        self.seconds = seconds
        self.retries = crawler.settings.getbool("RETRY_ENABLED", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read the limits (validated), connect the download signals."""
        settings = crawler.settings
        if not settings.getbool("LIMITS_ENABLED", DEFAULTS["LIMITS_ENABLED"]):
            raise NotConfigured("LIMITS_ENABLED is off")
        maxsize = settings.getint("LIMITS_MAXSIZE", 0) or settings.getint("DOWNLOAD_MAXSIZE")
        timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        seconds = settings.getfloat("LIMITS_TIME", 0.0) or timeout * TIME_FRACTION
        if maxsize < 0:
            raise ConfigError(f"LIMITS_MAXSIZE is {maxsize}: use 0 or a size in bytes")
        if not 0 < seconds < timeout:
            raise ConfigError(
                f"LIMITS_TIME is {seconds:g} s: use a number of seconds below DOWNLOAD_TIMEOUT "
                f"({timeout:g} s), or 0 for {TIME_FRACTION:g} x DOWNLOAD_TIMEOUT"
            )
        middleware = cls(crawler, maxsize, seconds)
        crawler.signals.connect(middleware.headers_received, signal=signals.headers_received)
        crawler.signals.connect(middleware.bytes_received, signal=signals.bytes_received)
        return middleware

    # -- downloader middleware -------------------------------------------

    def process_request(self, request: Request) -> None:
        """Let the handler read past DOWNLOAD_MAXSIZE: this middleware stops the body."""
        meta = request.meta
        for key in (TRUNCATED, RECEIVED, _STARTED, _EXPECTED):
            meta.pop(key, None)  # a retry carries the last attempt's
        if _MAXSIZE not in meta:
            meta[_MAXSIZE] = meta.get("download_maxsize", self.maxsize)
        meta["download_maxsize"] = 0

    def process_response(self, request: Request, response: Response) -> Response:
        """Give the limit back; stop a truncated response here (it is archived already)."""
        self._restore(request)
        reason = request.meta.get(TRUNCATED)
        if reason is None or "download_stopped" not in response.flags:
            return response
        self._inc(f"limits/truncated/{reason}")
        received = len(response.body)
        if reason == "length":
            why = f"{received} bytes reached LIMITS_MAXSIZE ({request.meta[_MAXSIZE]} bytes)"
        else:
            why = f"it was still arriving after LIMITS_TIME ({self.seconds:g} s)"
        message = (
            f"stopped reading: {why}; archived as truncated (WARC-Truncated: {reason}), "
            "not processed"
        )
        if reason == "time" and self.retries and not request.meta.get("dont_retry"):
            message = message.replace("not processed", "retried")
            logger.warning("%s: %s", request.url, message)
            self._report(request.url, message)
            return response  # RetryAfterMiddleware retries it, or gives up
        logger.warning("%s: %s", request.url, message)
        self._report(request.url, message)
        raise Skipped("truncated", f"Truncated response {request.url}: {message}")

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Give the limit back to a request that failed (it may be retried)."""
        self._restore(request)

    def _restore(self, request: Request) -> None:
        limit = request.meta.get(_MAXSIZE)
        if limit is not None:
            request.meta["download_maxsize"] = limit

    # -- signals ---------------------------------------------------------

    def headers_received(
        self, headers: Headers, body_length: int, request: Request, **kwargs: Any
    ) -> None:
        """Note when the request was sent and how long its body says it is."""
        latency = request.meta.get("download_latency")
        elapsed = float(latency) if isinstance(latency, int | float) else 0.0
        request.meta[_STARTED] = time.monotonic() - elapsed
        request.meta[_EXPECTED] = body_length if isinstance(body_length, int) else -1
        request.meta[RECEIVED] = 0

    def bytes_received(self, data: bytes, request: Request, **kwargs: Any) -> None:
        """Count the body; stop it at the size or time limit unless this chunk completes it."""
        meta = request.meta
        received = int(meta.get(RECEIVED, 0)) + len(data)
        meta[RECEIVED] = received
        expected = int(meta.get(_EXPECTED, -1))
        if 0 <= expected <= received:
            return  # complete: nothing to cut
        limit = int(meta.get(_MAXSIZE, self.maxsize) or 0)
        if limit and received >= limit:
            meta[TRUNCATED] = "length"
            raise StopDownload(fail=False)
        started = meta.get(_STARTED)
        if isinstance(started, float) and time.monotonic() - started >= self.seconds:
            meta[TRUNCATED] = "time"
            raise StopDownload(fail=False)

    # -- reporting -------------------------------------------------------

    def _report(self, url: str, message: str) -> None:
        state = state_of(self.crawler)
        if state is not None:
            state.add_error(url, "limit", message)

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


__all__ = ["DEFAULTS", "PRIORITY", "RECEIVED", "TRUNCATED", "ResponseLimitsMiddleware"]
