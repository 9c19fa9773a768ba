"""No request leaves the allowed hosts: not a link, not a redirect, not a retry.

Scrapy's ``OffsiteMiddleware`` (downloader, 50, and on ``request_scheduled``)
lets through any request with ``dont_filter`` set. Scrapy sets it itself on
every retry (``RetryMiddleware``), and a redirect inherits it
(``RedirectMiddleware``), so a page that answers 503 once and then
redirects to another site would be followed there; ``RobotsTxtMiddleware``
fetches other hosts' robots.txt with ``dont_filter`` too. And a redirect
that the offsite check does catch is dropped silently, leaving the
redirecting request unfinished in the crawl's frontier.

`ScopeMiddleware` closes both:

- every request that reaches it (whatever its ``dont_filter`` or
  ``allow_offsite``) for a host that is not allowed is refused with
  ``IgnoreRequest("Filtered offsite request ...")``; the news spider reports
  it as ``out_of_scope``;
- a redirect (3xx with ``Location``) to a host that is not allowed is not
  followed: the 3xx is archived already (950), the target is reported as a
  skipped URL (``out_of_scope``, ``url_skipped`` signal) and the request
  ends with ``IgnoreRequest("Filtered offsite redirect ...")``.

Allowed hosts are the spider's ``allowed_hosts`` (exact host names, as the
news spider keeps them), else its ``allowed_domains`` (those domains and
their subdomains, as Scrapy's OffsiteMiddleware reads them); a spider with
neither is not restricted.

Priority **610**: above RedirectMiddleware (600), so it sees each 3xx before
a redirect is built, and below the capture middleware (950), so the 3xx is
archived first. Requests pass it on their way to the download handler,
whatever middleware made them (robots.txt requests included).

Settings: ``SCOPE_ENABLED`` (True). Stats: ``scope/offsite_request``,
``scope/offsite_redirect``.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from w3lib.url import safe_url_string

from crawler.exceptions import Skipped
from crawler.frontier import url_skipped

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 610

#: Defaults of this middleware's settings.
DEFAULTS: Final[dict[str, Any]] = {"SCOPE_ENABLED": True}

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


class HostScope:
    """Which hosts a spider may fetch from: exact names, or domains with subdomains."""

    def __init__(
        self, hosts: frozenset[str] | None = None, domains: frozenset[str] | None = None
    ) -> None:
        self.hosts = hosts
        self.domains = domains

    @classmethod
    def of(cls, spider: Spider | None) -> HostScope:
        """The scope of *spider*: its ``allowed_hosts``, else ``allowed_domains``, else any."""
        hosts = getattr(spider, "allowed_hosts", None)
        if hosts:
            return cls(hosts=frozenset(str(h).lower() for h in hosts))
        domains = getattr(spider, "allowed_domains", None)
        if domains:
            return cls(domains=frozenset(str(d).lower() for d in domains if d))
        return cls()

    def allows(self, url: str) -> bool:
        """Whether *url*'s host is in scope (a URL without a host never is, when restricted)."""
        if self.hosts is None and self.domains is None:
            return True
        host = (urlsplit(url).hostname or "").lower()
        if self.hosts is not None:
            return host in self.hosts
        assert self.domains is not None
        return any(host == d or host.endswith("." + d) for d in self.domains)


class ScopeMiddleware:
    """Refuse requests and redirects to hosts outside the spider's scope."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._scope: HostScope | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("SCOPE_ENABLED", DEFAULTS["SCOPE_ENABLED"]):
            raise NotConfigured("SCOPE_ENABLED is off")
        return cls(crawler)

    @property
    def scope(self) -> HostScope:
        """The spider's scope (read once, when the first request comes)."""
        if self._scope is None:
            self._scope = HostScope.of(self.crawler.spider)
        return self._scope

    def process_request(self, request: Request) -> None:
        """Refuse a request for a host out of scope, whatever its ``dont_filter``."""
        if self.scope.allows(request.url):
            return
        self._inc("scope/offsite_request")
        host = urlsplit(request.url).hostname
        logger.info("Refused %s: host %r is not allowed", request.url, host)
        raise Skipped("out_of_scope", f"Filtered offsite request to {host!r}: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        """Stop a redirect to a host out of scope before it is followed."""
        location = response.headers.get(b"Location")
        if response.status not in _REDIRECTS or not location:
            return response
        if request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, safe_url_string(bytes(location)))
        if self.scope.allows(target):
            return response
        self._inc("scope/offsite_redirect")
        host = urlsplit(target).hostname
        logger.info(
            "Not following the redirect of %s to %s: host %r is not allowed",
            request.url,
            target,
            host,
        )
        self._skipped(target, request.url)
        raise Skipped(
            "offsite_redirect", f"Filtered offsite redirect to {host!r}: {request.url} -> {target}"
        )

    def _skipped(self, url: str, referer: str) -> None:
        self.crawler.signals.send_catch_log(
            signal=url_skipped, url=url, reason="out_of_scope", referer=referer
        )

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


__all__ = ["DEFAULTS", "PRIORITY", "HostScope", "ScopeMiddleware"]
