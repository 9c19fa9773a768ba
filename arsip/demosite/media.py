"""Small, real, deterministic binary files for the replica: PNG, JPEG and PDF.

Standard library only. Every function is pure: the same arguments give the
same bytes, so the replica's images and attachments have stable digests.

- PNG: 8-bit RGB, one IDAT, filter type 0 on every row.
- JPEG: baseline (SOF0), three components without subsampling, images made of
  flat 8x8 blocks so that only DC coefficients are coded (every block ends
  with EOB); it decodes in any viewer.
- PDF: version 1.4, one page of Helvetica text, a correct cross-reference
  table and ``%%EOF`` as the very last bytes.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Sequence

Rgb = tuple[int, int, int]
#: A picture: (x, y) -> colour.
Painter = Callable[[int, int], Rgb]


def palette(key: str) -> tuple[Rgb, Rgb]:
    """Two colours derived from *key*, so each article's image looks different."""
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    first = (digest[0], digest[1], digest[2])
    second = (255 - digest[3] // 2, 255 - digest[4] // 2, 255 - digest[5] // 2)
    return first, second


def gradient(width: int, height: int, key: str) -> Painter:
    """A diagonal two-colour gradient with a band, seeded by *key*."""
    first, second = palette(key)
    span = max(width + height - 2, 1)

    def paint(x: int, y: int) -> Rgb:
        t = (x + y) / span
        if abs(y - height // 2) < max(height // 10, 1):
            t = 1.0 - t
        r, g, b = (round(a + (c - a) * t) for a, c in zip(first, second, strict=True))
        return r, g, b

    return paint


# --- PNG ---------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(width: int, height: int, paint: Painter) -> bytes:
    """An 8-bit RGB PNG of *width* x *height* pixels coloured by *paint*."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(paint(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


# --- JPEG --------------------------------------------------------------------

#: Standard DC luminance table (ITU T.81, K.3): code lengths 1..16 and symbols.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALS = tuple(range(12))
#: An AC table with the one symbol these images need: EOB (0x00), code ``0``.
_AC_BITS = (1,) + (0,) * 15
_AC_VALS = (0,)


def _huffman_codes(bits: Sequence[int], vals: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Symbol -> (code, length), built the way T.81 Annex C builds them."""
    codes: dict[int, tuple[int, int]] = {}
    code = 0
    index = 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


class _BitWriter:
    """Entropy-coded segment writer with 0xFF byte stuffing."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.count = 0

    def write(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> shift) & 1)
            self.count += 1
            if self.count == 8:
                self._emit()

    def _emit(self) -> None:
        self.out.append(self.acc)
        if self.acc == 0xFF:
            self.out.append(0x00)
        self.acc = 0
        self.count = 0

    def finish(self) -> bytes:
        if self.count:
            pad = 8 - self.count
            self.write((1 << pad) - 1, pad)  # pad with 1-bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _ycbcr(rgb: Rgb) -> tuple[float, float, float]:
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return y, cb, cr


def jpeg(width: int, height: int, paint: Painter) -> bytes:
    """A baseline JPEG whose 8x8 blocks take the colour *paint* gives their centre.

    *width* and *height* must be multiples of 8.
    """
    if width % 8 or height % 8 or width <= 0 or height <= 0:
        raise ValueError(f"JPEG size must be positive multiples of 8, got {width}x{height}")
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALS)
    eob_code, eob_len = _huffman_codes(_AC_BITS, _AC_VALS)[0]
    bits = _BitWriter()
    previous = [0, 0, 0]
    for by in range(0, height, 8):
        for bx in range(0, width, 8):
            for comp, level in enumerate(_ycbcr(paint(bx + 4, by + 4))):
                # With a quantizer of 1 the DC coefficient of a flat block is 8 * (level - 128).
                dc = max(-1024, min(1016, round(8 * (level - 128))))
                diff = dc - previous[comp]
                previous[comp] = dc
                size = abs(diff).bit_length()
                code, length = dc_codes[size]
                bits.write(code, length)
                if size:
                    bits.write(diff if diff > 0 else diff + (1 << size) - 1, size)
                bits.write(eob_code, eob_len)
    jfif = b"JFIF\x00" + struct.pack(">BBBHHBB", 1, 1, 0, 1, 1, 0, 0)
    dqt = bytes([0x00]) + bytes([1] * 64)
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(
        struct.pack(">BBB", ident, 0x11, 0) for ident in (1, 2, 3)
    )
    dht = (
        bytes([0x00, *_DC_BITS, *_DC_VALS])  # class 0 (DC), id 0
        + bytes([0x10, *_AC_BITS, *_AC_VALS])  # class 1 (AC), id 0
    )
    sos = struct.pack(">B", 3) + b"".join(struct.pack(">BB", i, 0x00) for i in (1, 2, 3))
    sos += bytes([0, 63, 0])
    return (
        b"\xff\xd8"
        + _segment(0xE0, jfif)
        + _segment(0xDB, dqt)
        + _segment(0xC0, sof)
        + _segment(0xC4, dht)
        + _segment(0xDA, sos)
        + bits.finish()
        + b"\xff\xd9"
    )


# --- PDF ---------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    """A PDF literal string body: Latin-1 only, with ``\\``, ``(`` and ``)`` escaped."""
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(title: str, lines: Sequence[str]) -> bytes:
    """A one-page PDF 1.4 document showing *title* and *lines* in Helvetica."""
    ops = [f"BT /F1 16 Tf 56 780 Td ({_pdf_text(title)}) Tj ET"]
    for number, line in enumerate(lines):
        ops.append(f"BT /F1 11 Tf 56 {750 - 16 * number} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        f"<< /Title ({_pdf_text(title)}) /Producer (arsip demo-site) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f\r\n"
    for offset in offsets:
        out += b"%010d 00000 n\r\n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF" % xref
    return bytes(out)
