"""WARC header fields: which are mandatory, forbidden, repeatable, and well-formed.

The rules are those of WARC 1.1 (ISO 28500:2017) section 5 and 6, applied to
every version this verifier reads (0.17, 0.18, 1.0, 1.1). `check_fields`
returns (severity, message) pairs for one record's header.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime

from archive.verify_digest import DigestFormatError, UnsupportedDigest, parse_digest
from archive.verify_report import Severity

KNOWN_VERSIONS = frozenset({"WARC/0.17", "WARC/0.18", "WARC/1.0", "WARC/1.1"})
KNOWN_TYPES = frozenset(
    {
        "warcinfo",
        "response",
        "resource",
        "request",
        "metadata",
        "revisit",
        "conversion",
        "continuation",
    }
)
MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
NEEDS_TARGET_URI = frozenset(
    {"response", "resource", "request", "revisit", "conversion", "continuation"}
)

#: Standard field names by their lower-case form; only WARC-Concurrent-To may repeat.
STANDARD_FIELDS: dict[str, str] = {
    name.lower(): name
    for name in (
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Date",
        "Content-Length",
        "Content-Type",
        "WARC-Concurrent-To",
        "WARC-Block-Digest",
        "WARC-Payload-Digest",
        "WARC-IP-Address",
        "WARC-Refers-To",
        "WARC-Refers-To-Target-URI",
        "WARC-Refers-To-Date",
        "WARC-Target-URI",
        "WARC-Truncated",
        "WARC-Warcinfo-ID",
        "WARC-Filename",
        "WARC-Profile",
        "WARC-Identified-Payload-Type",
        "WARC-Segment-Number",
        "WARC-Segment-Origin-ID",
        "WARC-Segment-Total-Length",
    )
}
REPEATABLE = frozenset({"warc-concurrent-to"})

#: field -> record types it shall not be used in (WARC 1.1 section 5).
FORBIDDEN_IN: dict[str, frozenset[str]] = {
    "warc-concurrent-to": frozenset({"warcinfo", "conversion", "continuation"}),
    "warc-refers-to": frozenset({"warcinfo", "response", "resource", "request", "continuation"}),
}
#: field -> the only record types it may be used in.
ONLY_IN: dict[str, frozenset[str]] = {
    "warc-filename": frozenset({"warcinfo"}),
    "warc-segment-origin-id": frozenset({"continuation"}),
    "warc-segment-total-length": frozenset({"continuation"}),
    "warc-refers-to-target-uri": frozenset({"revisit"}),
    "warc-refers-to-date": frozenset({"revisit"}),
}

_RECORD_ID = re.compile(r"^<[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]+>$")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z\-]+"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}\s*(;.*)?$")

Finding = tuple[Severity, str]


class Header:
    """A record's header fields in order, looked up case-insensitively."""

    def __init__(self, version: str, fields: list[tuple[str, str]]) -> None:
        self.version = version
        self.fields = fields

    def get_all(self, name: str) -> list[str]:
        """Every value of `name`."""
        wanted = name.lower()
        return [v for k, v in self.fields if k.lower() == wanted]

    def get(self, name: str) -> str | None:
        """The first value of `name` (None when absent)."""
        values = self.get_all(name)
        return values[0] if values else None

    @property
    def rec_type(self) -> str:
        """WARC-Type, lower case ('' when absent)."""
        return (self.get("WARC-Type") or "").strip().lower()

    @property
    def record_id(self) -> str | None:
        """WARC-Record-ID as written (None when absent or empty)."""
        return (self.get("WARC-Record-ID") or "").strip() or None


def parse_warc_date(value: str) -> datetime | None:
    """A WARC-Date as a datetime, or None when it is not W3C-ISO8601 UTC."""
    if not _DATE.match(value):
        return None
    try:
        return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None


def check_fields(header: Header, block_length: int, *, strict: bool) -> list[Finding]:
    """Every header-level problem of one record."""
    counts: dict[str, int] = {}
    found: list[Finding] = []
    for name, value in header.fields:
        low = name.lower()
        if low in STANDARD_FIELDS:
            counts[low] = counts.get(low, 0) + 1
            if not value.strip():
                found.append((Severity.ERROR, f"field {name} is empty"))
    found.extend(_presence_checks(header.rec_type, counts))
    found.extend(_value_checks(header, strict))
    found.extend(_type_checks(header, header.rec_type, block_length))
    return found


def _presence_checks(rec_type: str, counts: dict[str, int]) -> list[Finding]:
    """Fields missing, repeated, or used in a record type that may not have them."""
    found: list[Finding] = []
    for low, count in counts.items():
        if count > 1 and low not in REPEATABLE:
            found.append((Severity.ERROR, f"field {STANDARD_FIELDS[low]} appears {count} times"))
    for name in MANDATORY:
        if name.lower() not in counts:
            found.append((Severity.ERROR, f"missing mandatory field {name}"))
    if rec_type in NEEDS_TARGET_URI and "warc-target-uri" not in counts:
        found.append((Severity.ERROR, f"missing WARC-Target-URI (mandatory in {rec_type} records)"))
    if rec_type and rec_type not in KNOWN_TYPES:
        found.append((Severity.WARNING, f"unknown record type {rec_type!r}"))
    for low in counts:
        name = STANDARD_FIELDS[low]
        if rec_type in FORBIDDEN_IN.get(low, frozenset()):
            found.append((Severity.ERROR, f"field {name} is not allowed in {rec_type} records"))
        allowed = ONLY_IN.get(low)
        if allowed is not None and rec_type and rec_type not in allowed:
            kinds = "/".join(sorted(allowed))
            found.append((Severity.ERROR, f"field {name} is only allowed in {kinds} records"))
    return found


def _value_checks(header: Header, strict: bool) -> list[Finding]:
    found: list[Finding] = []
    if header.rec_type in ("warcinfo", "metadata") and header.get("WARC-Payload-Digest"):
        # 5.9: "shall not be used on records without a well-defined payload"
        found.append(
            (
                Severity.ERROR if strict else Severity.WARNING,
                f"WARC-Payload-Digest on a {header.rec_type} record, which has no payload "
                "(WARC 1.1 section 5.9)",
            )
        )
    rid = header.get("WARC-Record-ID")
    if rid and rid.strip() and not _RECORD_ID.match(rid.strip()):
        found.append((Severity.ERROR, f"WARC-Record-ID {rid.strip()!r} is not a <URI>"))
    for name in (
        "WARC-Concurrent-To",
        "WARC-Refers-To",
        "WARC-Warcinfo-ID",
        "WARC-Segment-Origin-ID",
    ):
        for value in header.get_all(name):
            if value.strip() and not _RECORD_ID.match(value.strip()):
                found.append((Severity.ERROR, f"{name} {value.strip()!r} is not a <URI>"))
    date = (header.get("WARC-Date") or "").strip()
    if date:
        if parse_warc_date(date) is None:
            found.append(
                (Severity.ERROR, f"WARC-Date {date!r} is not YYYY-MM-DDThh:mm:ss[.fraction]Z")
            )
        elif "." in date and header.version in ("WARC/1.0", "WARC/0.17", "WARC/0.18"):
            found.append(
                (
                    Severity.WARNING,
                    f"WARC-Date {date!r} has fractional seconds ({header.version} allows none)",
                )
            )
    refers_date = (header.get("WARC-Refers-To-Date") or "").strip()
    if refers_date and parse_warc_date(refers_date) is None:
        found.append((Severity.ERROR, f"WARC-Refers-To-Date {refers_date!r} is not a WARC date"))
    length = (header.get("Content-Length") or "").strip()
    if length and not length.isdigit():
        found.append((Severity.ERROR, f"Content-Length {length!r} is not a number"))
    ctype = (header.get("Content-Type") or "").strip()
    if ctype and not _MEDIA_TYPE.match(ctype):
        found.append((Severity.ERROR, f"Content-Type {ctype!r} is not a media type"))
    for name in ("WARC-Target-URI", "WARC-Refers-To-Target-URI"):
        uri = (header.get(name) or "").strip()
        if uri:
            found.extend(_uri_checks(name, uri, strict))
    ip = (header.get("WARC-IP-Address") or "").strip()
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            found.append((Severity.ERROR, f"WARC-IP-Address {ip!r} is not an IP address"))
    for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
        value = (header.get(name) or "").strip()
        if not value:
            continue
        try:
            parse_digest(value)
        except DigestFormatError as exc:
            found.append((Severity.ERROR, f"{name}: {exc}"))
        except UnsupportedDigest as exc:
            found.append((Severity.WARNING, f"{name}: {exc}"))
    for name in ("WARC-Segment-Number", "WARC-Segment-Total-Length"):
        value = (header.get(name) or "").strip()
        if value and not value.isdigit():
            found.append((Severity.ERROR, f"{name} {value!r} is not a number"))
    return found


def _uri_checks(name: str, uri: str, strict: bool) -> list[Finding]:
    found: list[Finding] = []
    inner = uri
    if uri.startswith("<") and uri.endswith(">"):
        inner = uri[1:-1]
        found.append(
            (
                Severity.ERROR if strict else Severity.WARNING,
                f"{name} is written in <angle brackets> "
                "(WARC/1.0 draft style; WARC/1.1 forbids them)",
            )
        )
    if any(c.isspace() for c in inner):
        found.append(
            (
                Severity.ERROR if strict else Severity.WARNING,
                f"{name} {inner[:80]!r} contains whitespace (it must be %-escaped)",
            )
        )
    if not _URI_SCHEME.match(inner):
        found.append((Severity.ERROR, f"{name} {inner[:80]!r} is not an absolute URI"))
    return found


def _type_checks(header: Header, rec_type: str, block_length: int) -> list[Finding]:
    found: list[Finding] = []
    ctype = (header.get("Content-Type") or "").strip()
    if rec_type == "revisit" and not (header.get("WARC-Profile") or "").strip():
        found.append((Severity.ERROR, "revisit record without WARC-Profile"))
    segment = (header.get("WARC-Segment-Number") or "").strip()
    if rec_type == "continuation":
        if not (header.get("WARC-Segment-Origin-ID") or "").strip():
            found.append((Severity.ERROR, "continuation record without WARC-Segment-Origin-ID"))
        if not segment:
            found.append((Severity.ERROR, "continuation record without WARC-Segment-Number"))
        elif segment.isdigit() and int(segment) < 2:
            found.append(
                (
                    Severity.ERROR,
                    f"continuation record with WARC-Segment-Number {segment} (must be 2 or more)",
                )
            )
    elif segment.isdigit() and int(segment) != 1:
        found.append(
            (
                Severity.ERROR,
                f"WARC-Segment-Number {segment} in a {rec_type or 'untyped'} record "
                "(only a first segment, 1, may be)",
            )
        )
    if block_length > 0 and not ctype and rec_type not in ("continuation", ""):
        found.append((Severity.WARNING, "no Content-Type for a non-empty block (recommended)"))
    if (
        rec_type == "warcinfo"
        and ctype
        and ctype.split(";")[0].strip() != "application/warc-fields"
    ):
        found.append(
            (Severity.WARNING, f"warcinfo Content-Type is {ctype!r}, not application/warc-fields")
        )
    truncated = (header.get("WARC-Truncated") or "").strip()
    if truncated:
        found.append(
            (Severity.WARNING, f"record is marked truncated (WARC-Truncated: {truncated})")
        )
    return found
