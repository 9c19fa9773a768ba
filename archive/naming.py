"""WARC file names: ``PREFIX-YYYYMMDDhhmmssfff-SERIAL-PID~HOST.warc.gz``.

The layout follows Heritrix's convention so that archivists recognise it:
a collection prefix, the UTC time the file was opened (to the millisecond),
a five-digit serial that counts the files of one writer, and the process id
and host of the writer (so two crawlers writing to one directory never pick
the same name). While a file is being written it carries an extra ``.open``
suffix; it is renamed to its final name only once it is complete.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

#: Extension of every WARC file arsip writes (one gzip member per record).
WARC_SUFFIX = ".warc.gz"
#: Suffix of a file still being written (or left behind by a crash).
OPEN_SUFFIX = ".open"
#: Highest serial that fits the five-digit field.
MAX_SERIAL = 99_999

_PREFIX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NAME_RE = re.compile(
    r"(?P<prefix>[A-Za-z0-9][A-Za-z0-9._-]*)"
    r"-(?P<timestamp>\d{17})"
    r"-(?P<serial>\d{5})"
    r"-(?P<pid>\d+)"
    r"~(?P<host>[A-Za-z0-9._-]+)"
    r"\.warc\.gz(?P<open>\.open)?"
)
_HOST_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def check_prefix(prefix: str) -> str:
    """Return `prefix` if it can start a file name, else raise ValueError."""
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(
            f"invalid WARC prefix {prefix!r}: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return prefix


def safe_hostname(hostname: str | None = None) -> str:
    """The host part of a name: `hostname` (default: this machine's) made file-name safe."""
    raw = hostname if hostname is not None else socket.gethostname()
    cleaned = _HOST_UNSAFE_RE.sub("-", raw).strip("-.")
    return cleaned or "localhost"


def filename_timestamp(when: datetime) -> str:
    """``YYYYMMDDhhmmssfff`` of `when` in UTC (17 digits, milliseconds last)."""
    utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return f"{utc:%Y%m%d%H%M%S}{utc.microsecond // 1000:03d}"


@dataclass(frozen=True, slots=True)
class WarcName:
    """The parts of a WARC file name."""

    prefix: str
    timestamp: str
    serial: int
    pid: int
    host: str

    @property
    def final(self) -> str:
        """The name of the finished file."""
        return (
            f"{self.prefix}-{self.timestamp}-{self.serial:05d}-{self.pid}~{self.host}{WARC_SUFFIX}"
        )

    @property
    def open(self) -> str:
        """The name of the file while it is written."""
        return self.final + OPEN_SUFFIX

    @classmethod
    def new(
        cls, prefix: str, when: datetime, serial: int, pid: int, host: str | None = None
    ) -> WarcName:
        """A name for a file opened at `when`; `host` defaults to this machine."""
        if not 0 <= serial <= MAX_SERIAL:
            raise ValueError(f"WARC serial {serial} does not fit five digits")
        return cls(check_prefix(prefix), filename_timestamp(when), serial, pid, safe_hostname(host))

    @classmethod
    def parse(cls, name: str) -> WarcName | None:
        """The parts of `name` (final or ``.open``), or None if it is not an arsip name."""
        match = _NAME_RE.fullmatch(name)
        if match is None:
            return None
        return cls(
            prefix=match["prefix"],
            timestamp=match["timestamp"],
            serial=int(match["serial"]),
            pid=int(match["pid"]),
            host=match["host"],
        )


def final_name(open_name: str) -> str:
    """The final name of a ``*.open`` file name (`open_name` without the suffix)."""
    if not open_name.endswith(OPEN_SUFFIX):
        raise ValueError(f"{open_name!r} does not end with {OPEN_SUFFIX!r}")
    return open_name[: -len(OPEN_SUFFIX)]
