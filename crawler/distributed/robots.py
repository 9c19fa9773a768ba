"""robots.txt fetched once per host for every worker: `SharedRobotsTxtMiddleware`.

Scrapy's ``RobotsTxtMiddleware`` downloads ``/robots.txt`` once per host
*per process*, so N workers would fetch it N times. This subclass keeps
Scrapy's behaviour (same parser, same rules for what is allowed, the
``robots_parsed`` signal, ``robotstxt/*`` stats) and shares the file
through the crawl's ``robots`` hash in Redis:

1. a worker that needs the rules of a host reads the hash;
2. when the host is not there, the worker that takes the host's fetch lock
   (``SET ... NX PX``, expiring with ``DOWNLOAD_TIMEOUT``) downloads the
   file (through the downloader, so it is archived in that worker's WARC),
   stores what it got (``b`` + body, or ``e`` after a download error: no
   rules, everything allowed, as Scrapy does) and drops the lock;
3. the others wait for the entry (or for the lock to expire, then try again).

Settings: ``REDIS_URL`` (empty: Scrapy's own middleware applies), plus
Scrapy's ``ROBOTSTXT_*``. Extra stat: ``robotstxt/shared`` (rules read from
Redis instead of downloaded).
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any, Final, Self

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.distributed.worker import Heartbeat

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

#: How often a waiting worker looks for the file another worker is fetching.
POLL: Final = 0.1
_BODY: Final = b"b"
_ERROR: Final = b"e"


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with one download per host for all workers."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is empty: not a distributed crawl")
        super().__init__(crawler)  # NotConfigured when ROBOTSTXT_OBEY is off
        self.heartbeat = Heartbeat.of(crawler)
        self.lock_ms = int(crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180) * 1000) + 10_000

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def server(self) -> Any:
        return self.heartbeat.server

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The rules of the request's host: parsed once per process, fetched once per crawl."""
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            pending: Deferred[RobotParser | None] = Deferred()
            self._parsers[netloc] = pending
            body = await self._shared_body(f"{url.scheme}://{netloc}/robots.txt", netloc)
            parser: RobotParser | None = None
            if body is not None:
                parser = build_from_crawler(self._parserimpl, self.crawler, body)
                await self.crawler.signals.send_catch_log_async(
                    signal=signals.robots_parsed, robotparser=parser, request=request
                )
            self._parsers[netloc] = parser
            pending.callback(parser)
        found = self._parsers[netloc]
        if isinstance(found, Deferred):
            result: RobotParser | None = await maybe_deferred_to_future(found)
            return result
        return found

    async def _shared_body(self, robots_url: str, netloc: str) -> bytes | None:
        """The robots.txt body of *netloc* (None: it could not be fetched)."""
        key = self.heartbeat.keys.robots
        lock = f"{key}-lock:{netloc}"
        token = secrets.token_hex(8)
        while True:
            stored = self.server.hget(key, netloc)
            if stored is not None:
                self._stats.inc_value("robotstxt/shared")
                return bytes(stored[1:]) if stored[:1] == _BODY else None
            if self.server.set(lock, token, nx=True, px=self.lock_ms):
                try:
                    body = await self._download(robots_url)
                    self.server.hset(key, netloc, _ERROR if body is None else _BODY + body)
                finally:
                    if self.server.get(lock) == token.encode():
                        self.server.delete(lock)
                return body
            await sleep(POLL)

    async def _download(self, robots_url: str) -> bytes | None:
        """Fetch robots.txt as Scrapy does (any status gives rules; an error gives none)."""
        robots_request = Request(
            robots_url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots_request)
        except Exception as exc:
            if not isinstance(exc, IgnoreRequest):
                logger.error("Error downloading %s: %s", robots_url, exc, exc_info=True)
                self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            return None
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        return bytes(response.body)
