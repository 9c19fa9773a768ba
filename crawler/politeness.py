"""Politeness: how hard a crawl may press a server, from its profile and start URLs.

`politeness(profile, starts, throttle_loopback)` gives the Scrapy settings
(per-host concurrency, delay, AutoThrottle) the news spider applies at
spider priority, so ``-s`` / ``--set`` and ``scrapy crawl -s`` override
them. A crawl whose start URLs are all on this machine (loopback: the
replica, a local mirror) spares no remote server and is not throttled,
unless ``ARSIP_THROTTLE_LOOPBACK`` is set.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from crawler.profiles import Profile

#: Politeness of a crawl whose start URLs are all on this machine (a replica, a local
#: mirror): no remote server to spare (`ARSIP_THROTTLE_LOOPBACK` restores the profile's).
LOOPBACK_POLITENESS: dict[str, Any] = {
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
}


def is_loopback(url: str) -> bool:
    """Whether *url*'s host is this machine (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def politeness(profile: Profile, starts: list[str], throttle_loopback: bool) -> dict[str, Any]:
    """The profile's politeness settings, or `LOOPBACK_POLITENESS` for a crawl of this
    machine only (unless *throttle_loopback*).

    AutoThrottle (Scrapy's: the delay follows the server's latency, one request in
    flight per host on average) starts at the profile's delay and never goes below it.
    """
    if starts and not throttle_loopback and all(is_loopback(u) for u in starts):
        return dict(LOOPBACK_POLITENESS)
    crawl = profile.crawl
    return {
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_host,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    }


__all__ = ["LOOPBACK_POLITENESS", "is_loopback", "politeness"]
