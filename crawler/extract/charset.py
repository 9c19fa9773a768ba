"""Decode an HTML page's bytes the way a browser would, minus its mistakes.

Order: byte-order mark, the HTTP ``Content-Type`` charset, ``<meta charset>``
or ``http-equiv`` in the first 4 KB, else UTF-8, else windows-1252. A
declaration can lie: bytes declared ``iso-8859-1``/``windows-1252``/ASCII
that decode cleanly as UTF-8 and hold multibyte sequences are UTF-8 (the
"Sauli VÃ¤inÃ¤mÃ¶" mojibake otherwise); bytes declared UTF-8 that are not
UTF-8 are windows-1252. ``iso-8859-1`` and ASCII are read as windows-1252,
as the WHATWG Encoding standard says.

"Is UTF-8" is decided per document by evidence, not by a single byte: the
valid UTF-8 multibyte sequences are counted against the bytes that are no
UTF-8. A page declared (or not declared) UTF-8 whose text is UTF-8 but for
a stray invalid byte stays UTF-8, that byte becoming U+FFFD; only a page
where the invalid bytes outnumber the valid sequences is windows-1252 (the
whole article turned to mojibake by one bad byte otherwise). Bytes declared
windows-1252 are UTF-8 when the valid sequences outnumber the invalid bytes
ten to one.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

HeaderValue = str | bytes | list[str] | list[bytes] | list[str | bytes]
#: Response headers: str or bytes names (Scrapy's ``response.headers`` has bytes).
Headers = Mapping[str, HeaderValue] | Mapping[bytes, HeaderValue]

_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_META_RE = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_MULTIBYTE_RE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_LATIN1_FAMILY = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii"})
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def header_value(headers: Headers | None, name: str) -> str | None:
    """The first value of header *name* (any case), as text."""
    if not headers:
        return None
    wanted = name.lower()
    items: list[tuple[str | bytes, HeaderValue]] = list(headers.items())
    for key, value in items:
        key_text = key.decode("latin-1") if isinstance(key, bytes) else key
        if key_text.lower() != wanted:
            continue
        if isinstance(value, list):
            if not value:
                return None
            value = value[0]
        return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def _normalize(label: str | bytes | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    text = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    try:
        name = codecs.lookup(text.strip().strip("\"'")).name
    except LookupError:
        return None
    if name in _LATIN1_FAMILY:
        return "cp1252"
    if name == "utf-16":  # a UTF-16 label on ASCII-compatible bytes is a lie
        return "utf-8"
    return name


def _meta_charset(head: bytes) -> str | None:
    for tag in _META_RE.finditer(head):
        m = _CHARSET_RE.search(tag.group(0))
        if m:
            found = _normalize(m.group(1))
            if found:
                return found
    return None


def _as_utf8(body: bytes) -> str | None:
    """*body* decoded as UTF-8, or None when it is not valid UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _invalid_evidence(body: bytes) -> tuple[int, int]:
    """(valid UTF-8 multibyte sequences, bytes that are no UTF-8) in *body*, which
    is known not to be valid UTF-8 (`_sniff` tried it)."""
    valid = len(_MULTIBYTE_RE.findall(body))
    text = body.decode("utf-8", errors="replace")
    return valid, text.count("\ufffd") - body.count(b"\xef\xbf\xbd")


def _sniff(body: bytes, headers: Headers | None) -> tuple[str, str | None]:
    """(codec, *body* decoded when the codec is UTF-8 and the bytes are all valid)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, None
    declared: str | None = None
    content_type = header_value(headers, "content-type")
    if content_type:
        m = _CHARSET_RE.search(content_type.encode("latin-1", "ignore"))
        declared = _normalize(m.group(1)) if m else None
    if declared is None:
        declared = _meta_charset(body[:4096])
    if declared not in (None, "utf-8", "cp1252"):
        return declared, None
    text = _as_utf8(body)
    if text is not None:
        # No invalid byte: UTF-8 when declared or undeclared; when declared
        # windows-1252, when at least one multibyte sequence is there (pure ASCII
        # reads the same either way).
        if declared in ("utf-8", None) or not body.isascii():
            return "utf-8", text
        return "cp1252", None
    valid, invalid = _invalid_evidence(body)
    if declared in ("utf-8", None):
        return ("utf-8" if invalid <= valid else "cp1252"), None
    # declared windows-1252 (or Latin-1, ASCII): UTF-8 only on strong evidence
    return ("utf-8" if valid and invalid * 10 <= valid else "cp1252"), None


def sniff_encoding(body: bytes, headers: Headers | None = None) -> str:
    """The codec to decode *body* with (see the module docstring)."""
    return _sniff(body, headers)[0]


def decode_html(body: bytes, headers: Headers | None = None) -> tuple[str, str]:
    """*body* as text, and the codec used. Undecodable bytes become U+FFFD."""
    encoding, text = _sniff(body, headers)
    if text is not None:
        return text, encoding
    bom = next((b for b, name in _BOMS if name == encoding and body.startswith(b)), b"")
    return body[len(bom) :].decode(encoding, errors="replace"), encoding
