"""The byte layer under the verifier: a WARC/ARC file as one decoded stream.

`ArchiveStream` reads a plain or gzip-compressed archive in bounded chunks
and hands out its decoded bytes, remembering where each gzip member starts
and ends (decoded position <-> compressed offset). The record layer uses
that to check that every record is exactly one gzip member. Damage at this
layer (a truncated or corrupt member, non-gzip bytes after the last member)
is reported to the sink and ends the stream instead of raising; only an I/O
error of the underlying file propagates.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from typing import IO

from archive.verify_report import Sink

GZIP_MAGIC = b"\x1f\x8b"
_RAW_CHUNK = 1 << 16
_MAX_OUT = 1 << 18  # decoded bytes per inflate call: bounds memory on gzip bombs


class ArchiveStream:
    """Decoded bytes of one archive file, across gzip members, read on demand."""

    def __init__(self, raw: IO[bytes], sink: Sink, start: int = 0) -> None:
        self._fh = raw
        self._sink = sink
        self._raw = b""  # compressed (or plain) bytes read but not yet used
        self._raw_pos = start  # file offset of self._raw[0] (`raw` is read from there)
        self._buf = bytearray()  # decoded bytes not yet consumed
        self._buf_pos = 0  # decoded position of self._buf[0]
        self._decoded_end = 0  # decoded position after the last decoded byte
        self._eof = False
        self._inflater: zlib._Decompress | None = None
        first = self._read_raw(2)
        self.gzipped = first[:2] == GZIP_MAGIC
        #: decoded positions where a gzip member starts, and its file offset
        self.member_starts: list[int] = []
        self.member_offsets: list[int] = []
        #: decoded position -> file offset at which a gzip member ended there
        self.member_ends: dict[int, int] = {}
        #: set when the stream stopped on damage (truncated/corrupt gzip, garbage)
        self.damaged = False
        #: file offset of the gzip member the damage is in (None: not a gzip member)
        self.damaged_at: int | None = None

    # -- raw input -------------------------------------------------------

    def _read_raw(self, at_least: int) -> bytes:
        while len(self._raw) < at_least:
            chunk = self._fh.read(_RAW_CHUNK)
            if not chunk:
                break
            self._raw += chunk
        return self._raw

    # -- decoding --------------------------------------------------------

    def _pull(self) -> bool:
        """Decode more bytes into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        if not self.gzipped:
            data = self._read_raw(1)
            if not data:
                self._eof = True
                return False
            self._raw = b""
            self._raw_pos += len(data)
            self._append(data)
            return True
        while True:
            if self._inflater is None and not self._start_member():
                return False
            assert self._inflater is not None
            if not self._raw and not self._read_raw(1):
                self._sink.error(
                    f"gzip member starting at offset {self.member_offsets[-1]} is truncated "
                    "(the file ends inside it)",
                    self.member_offsets[-1],
                )
                self.damaged, self.damaged_at = True, self.member_offsets[-1]
                self._eof = True
                return False
            try:
                out = self._inflater.decompress(self._raw, _MAX_OUT)
            except zlib.error as exc:
                self._sink.error(
                    f"corrupt gzip data in the member starting at offset "
                    f"{self.member_offsets[-1]}: {exc}",
                    self.member_offsets[-1],
                )
                self.damaged, self.damaged_at = True, self.member_offsets[-1]
                self._eof = True
                return False
            if self._inflater.eof:
                rest = self._inflater.unused_data
                self._raw_pos += len(self._raw) - len(rest)
                self._raw = rest
                self._inflater = None
                self.member_ends[self._decoded_end + len(out)] = self._raw_pos
            else:
                rest = self._inflater.unconsumed_tail
                self._raw_pos += len(self._raw) - len(rest)
                self._raw = rest
            if out:
                self._append(out)
                return True

    def _start_member(self) -> bool:
        head = self._read_raw(2)
        if not head:
            self._eof = True
            return False
        if head[:2] != GZIP_MAGIC:
            size = len(self._raw)
            while chunk := self._fh.read(_RAW_CHUNK):
                size += len(chunk)
            self._sink.error(
                f"{size} bytes that are not a gzip member after the last record "
                f"(at offset {self._raw_pos})",
                self._raw_pos,
            )
            self._raw = b""
            self.damaged = True
            self._eof = True
            return False
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.member_starts.append(self._decoded_end)
        self.member_offsets.append(self._raw_pos)
        return True

    def _append(self, data: bytes) -> None:
        self._buf += data
        self._decoded_end += len(data)

    def _fill(self, size: int) -> bool:
        """Make `size` bytes available; False when the stream ends first."""
        while len(self._buf) < size:
            if not self._pull():
                return False
        return True

    # -- public reading --------------------------------------------------

    @property
    def pos(self) -> int:
        """Decoded position of the next byte to be read."""
        return self._buf_pos

    def read(self, size: int) -> bytes:
        """Up to `size` decoded bytes (fewer only at the end of the stream)."""
        self._fill(size)
        data = bytes(self._buf[:size])
        del self._buf[:size]
        self._buf_pos += len(data)
        return data

    def read_some(self, size: int) -> bytes:
        """Between 1 and `size` bytes without waiting for more input; b"" at the end."""
        if not self._buf and not self._pull():
            return b""
        data = bytes(self._buf[:size])
        del self._buf[:size]
        self._buf_pos += len(data)
        return data

    def peek(self, size: int) -> bytes:
        """The next `size` bytes (fewer at the end) without consuming them."""
        self._fill(size)
        return bytes(self._buf[:size])

    def readline(self, limit: int) -> bytes:
        """One line including its LF, or at most `limit` bytes, or what is left."""
        start = 0
        while True:
            idx = self._buf.find(b"\n", start)
            if idx >= 0:
                return self.read(min(idx + 1, limit))
            if len(self._buf) >= limit:
                return self.read(limit)
            start = len(self._buf)
            if not self._pull():
                return self.read(len(self._buf))

    def at_end(self) -> bool:
        """True when no decoded byte is left."""
        return not self._fill(1)

    def skip_to(self, position: int) -> None:
        """Discard decoded bytes up to `position` (or the end of the stream)."""
        while self._buf_pos < position:
            if not self._buf and not self._pull():
                return
            step = min(len(self._buf), position - self._buf_pos)
            del self._buf[:step]
            self._buf_pos += step

    # -- gzip member geometry -------------------------------------------

    def ensure_known(self, position: int) -> None:
        """Decode far enough to know whether a member ends at `position`."""
        self._fill(position - self._buf_pos + 1)

    def member_containing(self, position: int) -> tuple[int, int] | None:
        """(decoded start, file offset) of the gzip member holding `position`."""
        i = bisect_right(self.member_starts, position) - 1
        if i < 0:
            return None
        return self.member_starts[i], self.member_offsets[i]

    def starts_member(self, position: int) -> bool:
        """Whether a gzip member begins exactly at decoded `position`."""
        i = bisect_right(self.member_starts, position) - 1
        return i >= 0 and self.member_starts[i] == position

    def members_between(self, start: int, end: int) -> int:
        """Number of gzip members that begin strictly inside (start, end)."""
        lo = bisect_right(self.member_starts, start)
        hi = bisect_right(self.member_starts, end - 1)
        return max(0, hi - lo)

    def next_member_start(self, position: int) -> int | None:
        """The first member start after decoded `position`, if already known."""
        i = bisect_right(self.member_starts, position)
        return self.member_starts[i] if i < len(self.member_starts) else None

    def file_offset_at(self, position: int) -> int | None:
        """File offset of decoded `position` when it is a member boundary (or plain file)."""
        if not self.gzipped:
            return position
        if position in self.member_ends:
            return self.member_ends[position]
        i = bisect_right(self.member_starts, position) - 1
        if i >= 0 and self.member_starts[i] == position:
            return self.member_offsets[i]
        return None
