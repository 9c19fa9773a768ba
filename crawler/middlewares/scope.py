"""No request leaves the allowed origins: not a link, not a redirect, not a retry.

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
  ``allow_offsite``) for an origin that is not allowed is refused with
  ``Skipped("out_of_scope", "Filtered offsite request ...")``, which the news
  spider reports under that reason;
- a redirect (3xx with ``Location``) to a host that is not allowed is not
  followed: the 3xx is archived already (950), the target is reported as a
  skipped URL (``out_of_scope``, ``url_skipped`` signal) and the request
  ends with ``IgnoreRequest("Filtered offsite redirect ...")``;
- the target of every redirect (3xx or meta refresh, ``meta["redirect_urls"]``)
  also passes the spider's own rules for a link, when it has them
  (``redirect_refusal(request)``: the news spider checks the profile's
  exclude and article / listing patterns, or its section and trap rules);
  a refused target ends with `crawler.exceptions.Skipped` (REASON, "Refused
  redirect target ..."), reported as a skip with that reason. robots.txt is
  checked for it by Scrapy's RobotsTxtMiddleware, as for any request.

The scope is by origin (scheme, host and port: `crawler.section`): the
spider's ``allowed_origins``, else its ``allowed_hosts`` (exact host names
on the default ports; ``host:port`` for another port), else its
``allowed_domains`` (those domains and their subdomains, as Scrapy's
OffsiteMiddleware reads them, default ports only); a spider with none is
not restricted. The same host on another port is another service.

Priority **610**: above RedirectMiddleware (600), so it sees each 3xx before
a redirect is built, and below the capture middleware (950), so the 3xx is
archived first. Requests pass it on their way to the download handler,
whatever middleware made them (robots.txt requests included).

Settings: ``SCOPE_ENABLED`` (True). Stats: ``scope/offsite_request``,
``scope/offsite_redirect``, ``scope/redirect_refused``.
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
from crawler.section import DEFAULT_PORTS, host_origins, origin

logger = logging.getLogger(__name__)

#: Order in DOWNLOADER_MIDDLEWARES (see the module docstring).
PRIORITY: Final = 610

#: Defaults of this middleware's settings.
DEFAULTS: Final[dict[str, Any]] = {"SCOPE_ENABLED": True}

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


class HostScope:
    """Which origins a spider may fetch from: exact origins, hosts on their default
    ports, or domains with subdomains on the default ports."""

    def __init__(
        self,
        hosts: frozenset[str] | None = None,
        domains: frozenset[str] | None = None,
        origins: frozenset[str] | None = None,
    ) -> None:
        self.origins = origins
        if hosts is not None:
            expanded = set(origins or ())
            for host in hosts:
                expanded |= host_origins(host)
            self.origins = frozenset(expanded)
        self.domains = domains

    @classmethod
    def of(cls, spider: Spider | None) -> HostScope:
        """The scope of *spider*: its ``allowed_origins``, else ``allowed_hosts``, else
        ``allowed_domains``, else any."""
        origins = getattr(spider, "allowed_origins", None)
        if origins:
            return cls(origins=frozenset(str(o).lower() for o in origins))
        hosts = getattr(spider, "allowed_hosts", None)
        if hosts:
            return cls(hosts=frozenset(str(h).lower() for h in hosts))
        domains = getattr(spider, "allowed_domains", None)
        if domains:
            return cls(domains=frozenset(str(d).lower() for d in domains if d))
        return cls()

    def allows(self, url: str) -> bool:
        """Whether *url*'s origin is in scope (a URL without one never is, when restricted)."""
        if self.origins is None and self.domains is None:
            return True
        own = origin(url)
        if own is None:
            return False
        if self.origins is not None:
            return own in self.origins
        assert self.domains is not None
        scheme, rest = own.split("://", 1)
        host, port = rest.rsplit(":", 1)
        if int(port) != DEFAULT_PORTS[scheme]:
            return False
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
        """Refuse a request for an origin out of scope, whatever its ``dont_filter``, and
        a redirect target the spider's rules refuse."""
        if not self.scope.allows(request.url):
            self._inc("scope/offsite_request")
            where = _netloc(request.url)
            logger.info("Refused %s: origin %r is not allowed", request.url, where)
            raise Skipped("out_of_scope", f"Filtered offsite request to {where!r}: {request.url}")
        sources = request.meta.get("redirect_urls")
        check = getattr(self.crawler.spider, "redirect_refusal", None)
        if not sources or check is None:
            return
        reason = check(request)
        if reason:
            self._inc("scope/redirect_refused")
            logger.info(
                "Not following the redirect of %s to %s: %s", sources[-1], request.url, reason
            )
            raise Skipped(
                reason, f"Refused redirect target ({reason}): {sources[-1]} -> {request.url}"
            )

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
        host = _netloc(target)
        logger.info(
            "Not following the redirect of %s to %s: origin %r is not allowed",
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


def _netloc(url: str) -> str:
    """``host`` or ``host:port`` of *url*, as refusals name it."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or ""
    return f"{host}:{port}" if port else host


__all__ = ["DEFAULTS", "PRIORITY", "HostScope", "ScopeMiddleware"]
