"""WARC digests: parse ``algorithm:value`` fields and recompute them while streaming.

A digest field names its algorithm (``sha1``, ``sha256``, ``sha512``,
``md5``; ``sha-1`` style spellings accepted) and gives the value in base32
(what WARC writers use for sha1), hex or base64; the value is decoded to
bytes and compared with what the streamed data hashes to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import string
from dataclasses import dataclass

#: Spellings seen in the wild -> hashlib name.
ALGORITHMS: dict[str, str] = {
    "sha1": "sha1",
    "sha-1": "sha1",
    "sha256": "sha256",
    "sha-256": "sha256",
    "sha512": "sha512",
    "sha-512": "sha512",
    "md5": "md5",
}

_HEX = frozenset(string.hexdigits)
_B32 = frozenset(string.ascii_uppercase + "234567")


@dataclass(frozen=True, slots=True)
class DeclaredDigest:
    """A digest field's algorithm (hashlib name), expected value and spelling."""

    algorithm: str
    expected: bytes
    text: str  # as written
    encoding: str  # "base32", "hex" or "base64"
    label: str  # the algorithm as written (sha1, sha-1, ...)


class DigestFormatError(ValueError):
    """A digest field that cannot be read; the message says why."""


class UnsupportedDigest(ValueError):
    """A well-formed digest whose algorithm this verifier cannot compute."""


def parse_digest(value: str) -> DeclaredDigest:
    """Read ``sha1:BASE32`` (or hex, base64); raise `DigestFormatError`/`UnsupportedDigest`."""
    text = value.strip()
    label, sep, encoded = text.partition(":")
    label, encoded = label.strip().lower(), encoded.strip()
    if not sep or not label or not encoded:
        raise DigestFormatError(f"malformed digest {value!r} (expected ALGORITHM:VALUE)")
    name = ALGORITHMS.get(label)
    if name is None:
        raise UnsupportedDigest(f"digest algorithm {label!r} is not supported, value not checked")
    size = hashlib.new(name).digest_size
    decoded = _decode(encoded, size)
    if decoded is None:
        raise DigestFormatError(
            f"digest value {encoded!r} is not the base32, hex or base64 form of a "
            f"{size}-byte {name} digest"
        )
    return DeclaredDigest(name, decoded[1], text, decoded[0], label)


def _decode(encoded: str, size: int) -> tuple[str, bytes] | None:
    """(encoding, bytes) of a digest value, trying hex, base32 then base64."""
    if len(encoded) == 2 * size and set(encoded) <= _HEX:
        return "hex", bytes.fromhex(encoded)
    unpadded = encoded.rstrip("=").upper()
    if len(unpadded) == -(-size * 8 // 5) and set(unpadded) <= _B32:
        try:
            return "base32", base64.b32decode(unpadded + "=" * (-len(unpadded) % 8))
        except binascii.Error:
            return None
    bare = encoded.rstrip("=")
    if len(bare) == -(-size * 4 // 3):
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                raw = decode(bare + "=" * (-len(bare) % 4))
            except (binascii.Error, ValueError):
                continue
            if len(raw) == size:
                return "base64", raw
    return None


def spell_like(declared: DeclaredDigest, value: bytes) -> str:
    """`value` written the way `declared` was, so the two can be compared by eye."""
    if declared.encoding == "hex":
        text = value.hex().upper() if declared.text[-1:].isupper() else value.hex()
    elif declared.encoding == "base32":
        text = base32(value)
        if not declared.text.endswith("="):
            text = text.rstrip("=")
    else:
        text = base64.b64encode(value).decode("ascii")
    return f"{declared.label}:{text}"


def base32(digest: bytes) -> str:
    """*digest* in base32, as WARC writers spell digests (the one place that encodes it)."""
    return base64.b32encode(digest).decode("ascii")


def sha1_base32(digest: bytes) -> str:
    """``sha1:BASE32`` as WARC writers spell a sha1 digest."""
    return "sha1:" + base32(digest)


class MultiHash:
    """Several hashlib objects fed the same bytes."""

    def __init__(self, algorithms: set[str]) -> None:
        self._hashers = {name: hashlib.new(name) for name in sorted(algorithms)}

    def update(self, data: bytes) -> None:
        """Feed bytes to every hasher."""
        for hasher in self._hashers.values():
            hasher.update(data)

    def digest(self, algorithm: str) -> bytes:
        """The digest so far for `algorithm` (which must have been asked for)."""
        return self._hashers[algorithm].digest()
