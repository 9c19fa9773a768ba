"""Connect to the Redis of a distributed crawl, with one-line errors.

`connect` builds the client with scrapy-redis's own helper
(``scrapy_redis.connection.get_redis``), checks that the server answers,
and turns what can go wrong into a `DistributedError` (a `ConfigError`, a
setting that cannot be used) that says what to do: the optional extra is
not installed, the URL is not a Redis URL, or nothing answers there.

Works with redis-py 2.10 (which pywb pins) as with current releases: only
commands, pipelines and Lua scripts that both have are used.
"""

from __future__ import annotations

import importlib
from typing import Any, Final
from urllib.parse import urlsplit

from arsip.core.errors import ConfigError

#: URL schemes redis-py understands.
SCHEMES: Final = ("redis", "rediss", "unix")
#: Seconds to wait for Redis when connecting, and for any answer.
TIMEOUT: Final = 10.0

INSTALL_HINT: Final = "install the optional extra: pip install 'arsip[distributed]'"


class DistributedError(ConfigError):
    """A distributed crawl cannot start: what is wrong and what to do, in one line."""


def require_scrapy_redis() -> None:
    """Raise `DistributedError` unless scrapy-redis and redis can be imported."""
    try:
        importlib.import_module("redis")
        importlib.import_module("scrapy_redis")
    except ImportError as exc:
        raise DistributedError(
            f"distributed crawling needs scrapy-redis and redis ({exc.name} is missing); "
            + INSTALL_HINT
        ) from None


def check_url(url: str) -> str:
    """*url* if it is a Redis URL (``redis://HOST:PORT/DB``), else `DistributedError`."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or (parts.scheme != "unix" and not parts.hostname):
        raise DistributedError(
            f"{url!r} is not a Redis URL; give e.g. redis://127.0.0.1:6379/0 "
            "(or rediss://, or unix:///path/redis.sock)"
        )
    return url


def _display(url: str) -> str:
    """*url* without a password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}"
        netloc += f":{parts.port}" if parts.port else ""
        return parts._replace(netloc=netloc).geturl()
    return url


def connect(url: str, *, timeout: float = TIMEOUT) -> Any:
    """A redis client for *url* that has answered a PING (else `DistributedError`)."""
    check_url(url)
    require_scrapy_redis()
    # Both untyped (redis-py 2.10) or optional: used as Any.
    redis: Any = importlib.import_module("redis")
    get_redis = importlib.import_module("scrapy_redis.connection").get_redis

    params: dict[str, Any] = {"url": url, "socket_timeout": timeout}
    if not url.startswith("unix:"):
        # redis-py 2.10 has no connect timeout for Unix sockets.
        params["socket_connect_timeout"] = timeout
    try:
        client = get_redis(**params)
        client.ping()
    except redis.RedisError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DistributedError(
            f"cannot reach Redis at {_display(url)}: {reason}; "
            "start redis-server there, or give the right --redis URL"
        ) from None
    except ValueError as exc:  # a URL redis-py cannot parse (bad db number, ...)
        raise DistributedError(f"{_display(url)} is not a usable Redis URL: {exc}") from None
    return client
