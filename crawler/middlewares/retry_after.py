"""Retry failed attempts politely: backoff, Retry-After, incomplete bodies, a report line.

`RetryAfterMiddleware` replaces Scrapy's ``RetryMiddleware`` (same priority,
**550**, and the same settings: ``RETRY_ENABLED``, ``RETRY_TIMES``,
``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``, ``RETRY_PRIORITY_ADJUST``,
``RETRY_GIVE_UP_LOG_LEVEL``; ``meta["dont_retry"]`` and
``meta["max_retry_times"]`` work as there). What it adds:

- **a wait before each retry.** When the failed response carries
  ``Retry-After`` (seconds, or an HTTP-date measured against the response's
  own ``Date``), the retry is not sent before that; otherwise the wait is
  ``RETRY_BACKOFF_BASE * 2 ** (attempt - 1)`` seconds, at most
  ``RETRY_BACKOFF_MAX``. The retry goes back through the scheduler (and the
  crawl's frontier) as Scrapy's retries do, with ``meta["retry_not_before"]``
  (a Unix time); `process_request` holds it until then, without holding a
  connection to the site. A server asking for more than ``RETRY_AFTER_MAX``
  seconds is not retried: the 429/503 is given to the spider as the answer.
- **incomplete bodies are failed attempts.** A response Scrapy flags
  ``dataloss`` (the connection closed or was reset before the whole body
  arrived; ``DOWNLOAD_FAIL_ON_DATALOSS`` is off so that what arrived is
  archived, ``WARC-Truncated: disconnect``), or one that
  `crawler.middlewares.limits` cut at its time limit (``WARC-Truncated:
  time``), is retried; when the retries run out it is not handed to the
  spider (``IgnoreRequest``): an article made from half a page would be
  wrong.
- **every failed attempt is reported**: one line in the crawl's state file
  (`crawler.frontier.CrawlState.add_error`, kind ``fetch``), which the
  crawl report lists under errors, e.g. ``attempt 1 of 4 failed: 503
  Service Unavailable; retry in 1.0 s (Retry-After)``.

Priority 550 (Scrapy's): below HttpCompression (590) and Redirect (600), so
a response is retried after it was archived (950) and decoded; a
``process_exception`` here sees the download errors after the WARC capture
middleware recorded the failed attempt.

Stats (besides Scrapy's ``retry/count``, ``retry/reason_count/<reason>``,
``retry/max_reached``): ``retry/waited`` (retries held back),
``retry/retry_after`` (of which the wait came from ``Retry-After``),
``retry/retry_after_too_long``, ``retry/dataloss`` (incomplete bodies),
``retry/too_slow`` (bodies cut at the time limit),
``retry/wait_ms`` (total milliseconds waited).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Final, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from crawler.exceptions import GAVE_UP, Skipped
from crawler.middlewares.attempts import describe
from crawler.scheduler import state_of

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES: Scrapy's RetryMiddleware's place (it is turned off).
PRIORITY: Final = 550

#: Defaults of the settings this middleware adds, alphabetical.
DEFAULTS: Final[dict[str, float]] = {
    "RETRY_AFTER_MAX": 300.0,
    "RETRY_BACKOFF_BASE": 1.0,
    "RETRY_BACKOFF_MAX": 60.0,
}

#: ``meta`` key: do not send before this Unix time.
NOT_BEFORE: Final = "retry_not_before"


def retry_after_seconds(response: Response, now: float | None = None) -> float | None:
    """Seconds the response's ``Retry-After`` asks to wait, or None (absent, unreadable).

    An HTTP-date is measured against the response's ``Date`` header (the
    server's clock) when there is one, else against *now* (Unix time).
    """
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    text = bytes(raw).decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    when = _http_date(text)
    if when is None:
        return None
    served = _http_date(bytes(response.headers.get(b"Date") or b"").decode("latin-1"))
    reference = served.timestamp() if served else (time.time() if now is None else now)
    return max(0.0, when.timestamp() - reference)


def _http_date(text: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, with waits, Retry-After, incomplete bodies and report lines."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)  # raises NotConfigured when RETRY_ENABLED is off
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", DEFAULTS["RETRY_BACKOFF_BASE"])
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", DEFAULTS["RETRY_BACKOFF_MAX"])
        self.after_max = settings.getfloat("RETRY_AFTER_MAX", DEFAULTS["RETRY_AFTER_MAX"])
        for name in DEFAULTS:
            if settings.getfloat(name, DEFAULTS[name]) < 0:
                raise NotConfigured(f"{name} must be 0 or more seconds")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    # -- waiting -----------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        """Hold a retry until its ``retry_not_before`` time."""
        not_before = request.meta.get(NOT_BEFORE)
        if isinstance(not_before, int | float):
            delay = not_before - time.time()
            if delay > 0:
                await sleep(delay)

    # -- failed attempts ---------------------------------------------------

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        """Retry a response with a retryable status or an incomplete body."""
        if request.meta.get("dont_retry", False):
            return response
        slow = request.meta.get("warc_truncated") == "time" and "download_stopped" in response.flags
        incomplete = "dataloss" in response.flags or slow
        if not incomplete and response.status not in self.retry_http_codes:
            return response
        if slow:
            self._inc("retry/too_slow")
            reason = "incomplete body (still arriving at LIMITS_TIME)"
        elif incomplete:
            self._inc("retry/dataloss")
            reason = "incomplete body (the connection ended before all of it arrived)"
        else:
            reason = response_status_message(response.status)
        asked = retry_after_seconds(response)
        if asked is not None and asked > self.after_max:
            self._inc("retry/retry_after_too_long")
            self._note(
                request,
                f"{reason}; the server asks to wait {asked:.0f} s, more than "
                f"RETRY_AFTER_MAX ({self.after_max:.0f} s): not retried",
            )
            return self._give_up(request, response, incomplete, reason)
        stats_reason = ("too_slow" if slow else "dataloss") if incomplete else None
        retry = self._schedule(request, reason, asked, stats_reason=stats_reason)
        if retry is not None:
            return retry
        return self._give_up(request, response, incomplete, reason)

    def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        """Retry a download error (reset, timeout, refused...) after a backoff."""
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None

        return self._schedule(request, describe(exception), None, stats_reason=exception)

    def _give_up(
        self, request: Request, response: Response, incomplete: bool, reason: str
    ) -> Response:
        if incomplete:
            raise Skipped(GAVE_UP, f"Gave up on {request.url}: {reason}")
        return response

    def _schedule(
        self,
        request: Request,
        reason: str,
        asked: float | None,
        *,
        stats_reason: str | Exception | None = None,
    ) -> Request | None:
        """The retry of *request* (waiting *asked* s, else backoff), or None when out of tries."""
        failed = int(request.meta.get("retry_times", 0)) + 1
        tries = int(request.meta.get("max_retry_times", self.max_retry_times)) + 1
        retry = self._retry(request, stats_reason if stats_reason is not None else reason)
        if retry is None:
            self._note(request, f"attempt {failed} of {tries} failed: {reason}; gave up")
            return None
        wait = asked if asked is not None else self.backoff(failed)
        retry.meta[NOT_BEFORE] = time.time() + wait
        source = " (Retry-After)" if asked is not None else ""
        self._note(
            request, f"attempt {failed} of {tries} failed: {reason}; retry in {wait:.1f} s{source}"
        )
        if wait > 0:
            self._inc("retry/waited")
            self._inc("retry/wait_ms", round(wait * 1000))
        if asked is not None:
            self._inc("retry/retry_after")
        return retry

    def backoff(self, failed: int) -> float:
        """Seconds before retry number *failed* (1 for the first retry): exponential, capped."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, failed - 1)))

    # -- reporting ---------------------------------------------------------

    def _note(self, request: Request, message: str) -> None:
        """One line about a failed attempt in the crawl's state (the report's errors)."""
        logger.info("%s: %s", request.url, message)

        state = state_of(self.crawler)
        if state is not None:
            state.add_error(request.url, "fetch", message)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)


__all__ = ["DEFAULTS", "NOT_BEFORE", "PRIORITY", "RetryAfterMiddleware", "retry_after_seconds"]
