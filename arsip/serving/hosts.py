"""The Host values the local servers answer: loopback names only (no DNS rebinding).

A web page on another site can make the researcher's browser send requests
to 127.0.0.1, and a name it controls can resolve to 127.0.0.1 (DNS
rebinding): such requests carry that name in ``Host``. Answering only
``127.0.0.1`` and ``localhost`` (any port) refuses them.
"""

from __future__ import annotations

#: Host names (without the port) the servers answer.
ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost"})

#: Status and text of the answer to any other Host.
REFUSED_STATUS = 421
REFUSED_TEXT = (
    "arsip serve answers only http://127.0.0.1:PORT/ and http://localhost:PORT/ "
    "(this request named another host)\n"
)


def host_name(header: str | None) -> str:
    """The host name of a ``Host`` header value, without the port, lower case."""
    value = (header or "").strip().lower()
    if value.startswith("["):  # [::1]:8001
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed(header: str | None) -> bool:
    """Whether a request with this ``Host`` header is answered."""
    return host_name(header) in ALLOWED_HOSTS
