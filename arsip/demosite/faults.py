"""Fault injection for the replica: ``arsip demo-site --faults SPEC``.

A fault SPEC is a comma-separated list of items::

    SPEC   := ITEM ("," ITEM)*
    ITEM   := FAULT "=" WHERE        a transient fault on some URLs
            | PAGE                   serve (and link from listing page 1) fault pages
            | OPTION "=" VALUE
    WHERE  := RATE | PATH ("|" PATH)*
    RATE   := NUMBER "%" | NUMBER    (a fraction of URLs: "5%" or "0.05")

Transient faults (`TRANSIENT`): a URL (path plus query, as requested) is
chosen for a fault deterministically, from a hash of the seed and the URL,
or because it is listed; a chosen URL fails on its first ``times`` requests
and is served normally afterwards, so a crawler that retries can finish
complete. ``/robots.txt`` is never chosen by a rate (list it to fault it).

=============  ================================================================
``500``        ``500 Internal Server Error``, no Retry-After (also ``502``, ``503``)
``500-ra``     the same with ``Retry-After: retry-after`` (also ``502-ra``, ``503-ra``)
``429``        ``429 Too Many Requests`` with ``Retry-After``
``5xx``        one of the six above, picked per URL
``reset``      the connection is reset (RST) before any byte of the response
``reset-body`` status line, headers and half of the body, then RST
``stall``      status line and headers, then silence for ``stall-seconds``
``truncate``   ``Content-Length`` of the whole body, half of it sent, then FIN
``slow``       the body trickles in 20 pieces spread over ``slow-seconds``
=============  ================================================================

Fault pages (`PAGES`, see `arsip.demosite.fault_pages`): ``malformed``,
``charset``, ``huge-page``, ``huge-file``, ``gzip-bomb``, ``redirect-loop``,
``calendar``, ``offsite``, ``disallowed``, ``xml-bombs``; ``all-pages``
turns every one on.

Options: ``seed`` (default: the site's ``--seed``), ``times`` (1),
``retry-after`` (seconds, 1), ``stall-seconds`` (30), ``slow-seconds`` (5),
``huge-size`` (``64MB``), ``bomb-size`` (``1GB``; sizes take B, KB, MB, GB),
``other-host`` (``localhost``: the host name of "another site", which is
this same server under another name, so any request to it shows in the log).

Example: ``5xx=5%,reset=2%,stall=2%,truncate=1%,stall-seconds=10,offsite``.

Every response (or reset) the server sends is logged with a ``fault`` key:
the fault's name, or null.
"""

from __future__ import annotations

import hashlib
import re
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Final, Protocol

from arsip.demosite.site import HTML, Resource

if TYPE_CHECKING:
    from arsip.demosite.site import Resource

#: Status faults: name -> (status, sends Retry-After).
STATUS_FAULTS: Final[dict[str, tuple[int, bool]]] = {
    "500": (500, False),
    "502": (502, False),
    "503": (503, False),
    "500-ra": (500, True),
    "502-ra": (502, True),
    "503-ra": (503, True),
    "429": (429, True),
}
#: Faults in how the response travels (the response itself is the normal one).
WIRE_FAULTS: Final = ("reset", "reset-body", "stall", "truncate", "slow")
#: Every transient fault name accepted before ``=`` (``5xx`` is a mix).
TRANSIENT: Final = (*STATUS_FAULTS, "5xx", *WIRE_FAULTS)
#: The faults ``5xx`` picks from, per URL.
MIX_5XX: Final = ("500", "502", "503", "500-ra", "502-ra", "503-ra")
#: Fault pages that can be turned on.
PAGES: Final = (
    "malformed",
    "charset",
    "huge-page",
    "huge-file",
    "gzip-bomb",
    "redirect-loop",
    "calendar",
    "offsite",
    "disallowed",
    "xml-bombs",
)
_SIZE_RE: Final = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$", re.IGNORECASE)
_UNITS: Final = {"": 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
#: Pieces a ``slow`` body is sent in.
SLOW_PIECES: Final = 20


class FaultSpecError(ValueError):
    """A SPEC that cannot be used; the message names the item and what is allowed."""


def parse_size(text: str) -> int:
    """``64MB`` -> 67108864; raises ValueError."""
    match = _SIZE_RE.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a size (e.g. 512KB, 64MB, 1GB)")
    return int(float(match[1]) * _UNITS[(match[2] or "").upper()])


def parse_rate(text: str) -> float:
    """``5%`` or ``0.05`` -> 0.05; raises ValueError outside 0..1."""
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not 0 <= value <= 1:
        raise ValueError(f"rate {text!r} is not between 0% and 100%")
    return value


@dataclass(frozen=True, slots=True)
class Rule:
    """One transient fault: on a fraction of URLs (`rate`) or on listed `paths`."""

    fault: str
    rate: float = 0.0
    paths: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """A parsed SPEC (see the module docstring)."""

    rules: tuple[Rule, ...] = ()
    pages: frozenset[str] = frozenset()
    seed: int | None = None
    times: int = 1
    retry_after: int = 1
    stall_seconds: float = 30.0
    slow_seconds: float = 5.0
    huge_size: int = 64 << 20
    bomb_size: int = 1 << 30
    other_host: str = "localhost"

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Parse SPEC; raises `FaultSpecError` naming the bad item."""
        spec = cls()
        rules: list[Rule] = []
        pages: set[str] = set()
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            raise FaultSpecError("the fault SPEC is empty; e.g. 5xx=5%,reset=2%,offsite")
        for item in items:
            name, sep, value = (part.strip() for part in item.partition("="))
            name = name.lower()
            try:
                if not sep:
                    if name == "all-pages":
                        pages.update(PAGES)
                    elif name in PAGES:
                        pages.add(name)
                    else:
                        raise ValueError(
                            f"unknown fault page {name!r}; pages: {', '.join(PAGES)}, all-pages"
                        )
                elif name in TRANSIENT:
                    rules.append(_rule(name, value))
                else:
                    spec = _option(spec, name, value)
            except ValueError as exc:
                raise FaultSpecError(f"fault SPEC item {item!r}: {exc}") from None
        return replace(spec, rules=tuple(rules), pages=frozenset(pages))


def _rule(name: str, value: str) -> Rule:
    if value.startswith("/"):
        paths = frozenset(p.strip() for p in value.split("|") if p.strip())
        return Rule(name, paths=paths)
    try:
        return Rule(name, rate=parse_rate(value))
    except ValueError as exc:
        raise ValueError(f"give a rate (5% or 0.05) or paths (/a|/b): {exc}") from None


def _option(spec: FaultSpec, name: str, value: str) -> FaultSpec:
    def number(minimum: float) -> float:
        result = float(value)
        if result < minimum:
            raise ValueError(f"{name} must be at least {minimum:g}")
        return result

    if name == "seed":
        return replace(spec, seed=int(value))
    if name == "times":
        return replace(spec, times=int(number(1)))
    if name == "retry-after":
        return replace(spec, retry_after=int(number(0)))
    if name == "stall-seconds":
        return replace(spec, stall_seconds=number(0))
    if name == "slow-seconds":
        return replace(spec, slow_seconds=number(0))
    if name == "huge-size":
        return replace(spec, huge_size=parse_size(value))
    if name == "bomb-size":
        return replace(spec, bomb_size=parse_size(value))
    if name == "other-host":
        if not re.fullmatch(r"[A-Za-z0-9.-]+", value):
            raise ValueError("other-host must be a host name")
        return replace(spec, other_host=value)
    options = "seed, times, retry-after, stall-seconds, slow-seconds, huge-size, bomb-size, "
    raise ValueError(
        f"unknown name {name!r}; faults: {', '.join(TRANSIENT)}; options: {options}other-host"
    )


def _unit(seed: int, salt: str, target: str) -> float:
    """A number in [0, 1) that depends only on seed, salt and target."""
    digest = hashlib.sha256(f"{seed}\x00{salt}\x00{target}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class FaultPlan:
    """Which fault each request gets: deterministic given the seed, counted per URL."""

    spec: FaultSpec
    seed: int
    _counts: Counter[str] = field(default_factory=Counter, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def assigned(self, target: str) -> str | None:
        """The fault URL *target* is chosen for (whatever the request count), or None."""
        for rule in self.spec.rules:
            if target in rule.paths:
                return self._resolve(rule.fault, target)
        if target.split("?", 1)[0] == "/robots.txt":
            return None
        point = _unit(self.seed, "fault", target)
        low = 0.0
        for rule in self.spec.rules:
            if rule.rate and low <= point < low + rule.rate:
                return self._resolve(rule.fault, target)
            low += rule.rate
        return None

    def _resolve(self, fault: str, target: str) -> str:
        if fault != "5xx":
            return fault
        return MIX_5XX[int(_unit(self.seed, "5xx", target) * len(MIX_5XX))]

    def decide(self, target: str) -> str | None:
        """Count a request for *target*; the fault it gets now (its first ``times``), or None."""
        with self._lock:
            self._counts[target] += 1
            nth = self._counts[target]
        return self.assigned(target) if nth <= self.spec.times else None

    def requests(self, target: str) -> int:
        """How many requests *target* has had."""
        with self._lock:
            return self._counts[target]


def error_resource(fault: str, retry_after: int) -> Resource:
    """The response of a status fault: a short HTML page, with Retry-After when it has one."""

    status, with_retry_after = STATUS_FAULTS[fault]
    phrase = HTTPStatus(status).phrase
    body = (
        f"<!DOCTYPE html>\n<html><head><title>{status} {phrase}</title></head>"
        f"<body><h1>{status} {phrase}</h1><p>Silakan coba lagi nanti.</p></body></html>\n"
    ).encode()
    headers = (("Retry-After", str(retry_after)),) if with_retry_after else ()
    return Resource(status, HTML, body, headers=headers)


class Connection(Protocol):
    """What the wire faults need of the request handler."""

    connection: socket.socket
    close_connection: bool

    def write_wire(self, data: bytes) -> bool:
        """Send bytes; False when the client has gone."""


def reset(handler: Connection) -> None:
    """Abort the connection with a TCP RST (SO_LINGER on, timeout 0, then close)."""
    handler.close_connection = True
    sock = handler.connection
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    # the handler's rfile holds a reference: detach the descriptor and close it now
    try:
        fd = sock.detach()
    except OSError:
        return
    socket.close(fd)


def wire_body(fault: str, body: bytes) -> bytes:
    """The part of *body* that a response with wire fault *fault* sends."""
    if fault in ("reset-body", "truncate"):
        return body[: len(body) // 2]
    return b"" if fault == "stall" else body


def send_faulty(
    handler: Connection,
    head: bytes,
    body: bytes,
    *,
    fault: str,
    spec: FaultSpec,
    stop: threading.Event,
) -> int:
    """Send a response with a wire fault; returns the body bytes sent.

    The head always goes out whole (with the full Content-Length); then:
    ``reset-body`` sends half of the body and resets, ``stall`` sends
    nothing for ``stall-seconds`` and closes, ``truncate`` sends half and
    closes cleanly, ``slow`` sends all of it in pieces over ``slow-seconds``.
    """
    handler.close_connection = True
    if not handler.write_wire(head):
        return 0
    half = body[: len(body) // 2]
    if fault == "reset-body":
        handler.write_wire(half)
        time.sleep(0.05)  # let the half reach the client before the RST overtakes it
        reset(handler)
        return len(half)
    if fault == "stall":
        stop.wait(spec.stall_seconds)
        return 0
    if fault == "truncate":
        handler.write_wire(half)
        return len(half)
    if fault == "slow":
        step = max(1, -(-len(body) // SLOW_PIECES))
        pause = spec.slow_seconds / SLOW_PIECES
        sent = 0
        for start in range(0, len(body), step):
            if stop.wait(pause) or not handler.write_wire(body[start : start + step]):
                break
            sent += len(body[start : start + step])
        return sent
    raise ValueError(f"not a wire fault: {fault}")


__all__ = [
    "MIX_5XX",
    "PAGES",
    "STATUS_FAULTS",
    "TRANSIENT",
    "WIRE_FAULTS",
    "FaultPlan",
    "FaultSpec",
    "FaultSpecError",
    "error_resource",
    "parse_rate",
    "parse_size",
    "reset",
    "send_faulty",
    "wire_body",
]
