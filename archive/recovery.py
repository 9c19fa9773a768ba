"""Repair WARC files left ``.open`` by a crash.

A writer that dies mid-record leaves ``NAME.warc.gz.open`` ending in a
partial gzip member. `recover_open_files` scans each such file member by
member, keeps the leading run of complete members that each hold one whole
WARC record, cuts the file after the last of them, and renames it to its
final name, so that every pointer handed out before the crash (which names
the final file) becomes valid. Nothing is rewritten: the kept bytes are the
bytes the writer wrote.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from archive.files import fsync_dir, fsync_path
from archive.naming import OPEN_SUFFIX, WarcName, final_name, safe_hostname

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16
#: How much of a member's decompressed start is kept to parse its WARC headers.
_HEAD_LIMIT = 1 << 16
_CONTENT_LENGTH_RE = re.compile(
    rb"^content-length:[ \t]*(\d+)[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_FIELD_RE = re.compile(
    rb"^(warc-type|warc-record-id|warc-concurrent-to):[ \t]*(\S+)[ \t]*\r?$",
    re.IGNORECASE | re.MULTILINE,
)
#: Record types the writer follows with their request record.
_PAIRED = (b"response", b"revisit")

Action = Literal["renamed", "truncated", "removed", "skipped"]


@dataclass(frozen=True, slots=True)
class GzipMember:
    """One gzip member of a file: its place and what it decompresses to."""

    offset: int
    length: int
    head: bytes  # the first `_HEAD_LIMIT` decompressed bytes
    tail: bytes  # the last 4 decompressed bytes
    size: int  # decompressed size
    complete: bool  # the member ended (and its CRC and size matched)
    error: str = ""

    def holds_whole_record(self) -> bool:
        """True if the member is one complete WARC record (headers, block, CRLF CRLF)."""
        if not self.complete or not self.head.startswith(b"WARC/"):
            return False
        end = self.head.find(b"\r\n\r\n")
        match = _CONTENT_LENGTH_RE.search(self.head, 0, end) if end >= 0 else None
        if match is None:
            return False
        expected = end + 4 + int(match[1]) + 4
        return self.size == expected and self.tail == b"\r\n\r\n"

    def warc_fields(self) -> tuple[bytes, bytes, list[bytes]]:
        """(WARC-Type, WARC-Record-ID, the WARC-Concurrent-To ids) of the member's record."""
        end = self.head.find(b"\r\n\r\n")
        kind, record_id, concurrent = b"", b"", []
        for match in _FIELD_RE.finditer(self.head, 0, max(end, 0)):
            name = match[1].lower()
            if name == b"warc-type":
                kind = match[2].lower()
            elif name == b"warc-record-id":
                record_id = match[2]
            else:
                concurrent.append(match[2])
        return kind, record_id, concurrent


def iter_gzip_members(fh: BinaryIO) -> Iterator[GzipMember]:
    """Scan `fh` (from its start) member by member; stop after the first bad one.

    Memory stays bounded whatever the member sizes: only a member's first
    `_HEAD_LIMIT` and last 4 decompressed bytes are kept.
    """
    offset = 0
    pending = b""
    while True:
        data = pending or fh.read(_CHUNK)
        pending = b""
        if not data:
            return
        inflater = zlib.decompressobj(wbits=31)  # gzip wrapper; checks CRC32 and ISIZE
        head, tail, size, consumed = b"", b"", 0, 0
        try:
            while True:
                chunk = data
                while chunk:
                    out = inflater.decompress(chunk, _CHUNK)
                    chunk = inflater.unconsumed_tail
                    size += len(out)
                    if len(head) < _HEAD_LIMIT:
                        head += out[: _HEAD_LIMIT - len(head)]
                    tail = (tail + out)[-4:]
                    if inflater.eof:
                        break
                if inflater.eof:
                    pending = inflater.unused_data
                    consumed += len(data) - len(pending)
                    break
                consumed += len(data)
                data = fh.read(_CHUNK)
                if not data:
                    yield GzipMember(offset, consumed, head, tail, size, False, "unexpected end")
                    return
        except zlib.error as exc:
            yield GzipMember(offset, consumed, head, tail, size, False, str(exc))
            return
        yield GzipMember(offset, consumed, head, tail, size, True)
        offset += consumed


def complete_prefix(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(records, bytes) of the leading run of whole-record members of `path`, up to the
    last whole exchange: no response or revisit at the end without its request."""
    records = 0
    kept = (0, 0)
    unpaired: set[bytes] = set()
    with open(path, "rb") as fh:
        for member in iter_gzip_members(fh):
            if not member.holds_whole_record():
                break
            records += 1
            kind, record_id, concurrent = member.warc_fields()
            if kind in _PAIRED:
                unpaired.add(record_id)
            elif kind == b"request":
                unpaired.difference_update(concurrent)
            if not unpaired:
                kept = (records, member.offset + member.length)
    return kept


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What `recover_open_file` did with one ``.open`` file."""

    path: Path
    action: Action
    final_path: Path | None = None
    records_kept: int = 0
    bytes_kept: int = 0
    bytes_discarded: int = 0
    reason: str = ""


def recover_open_file(path: str | os.PathLike[str], *, fsync: bool = True) -> RecoveryReport:
    """Cut `path` (a ``*.warc.gz.open`` file) after its last whole record and rename it.

    A file with no whole record is removed (it holds nothing readable). A file
    whose final name already exists is left alone and reported as skipped.
    """
    open_path = Path(path)
    target = open_path.with_name(final_name(open_path.name))
    if target.exists():
        return RecoveryReport(open_path, "skipped", reason=f"{target.name} already exists")
    records, keep = complete_prefix(open_path)
    total = open_path.stat().st_size
    if records == 0:
        open_path.unlink()
        return RecoveryReport(open_path, "removed", bytes_discarded=total, reason="no whole record")
    if keep < total:
        os.truncate(open_path, keep)
    if fsync:
        fsync_path(open_path)
    os.replace(open_path, target)
    if fsync and os.name == "posix":
        fsync_dir(open_path.parent)
    return RecoveryReport(
        open_path,
        "truncated" if keep < total else "renamed",
        final_path=target,
        records_kept=records,
        bytes_kept=keep,
        bytes_discarded=total - keep,
    )


def recover_open_files(
    directory: str | os.PathLike[str], *, skip_live: bool = True, fsync: bool = True
) -> list[RecoveryReport]:
    """Recover every ``*.warc.gz.open`` file in `directory` (not recursive).

    With `skip_live`, a file whose name says it is being written by a process
    that is still running on this host is skipped: it is not a leftover.
    Errors on one file are reported (action ``skipped``) and do not stop the others.
    """
    reports: list[RecoveryReport] = []
    folder = Path(directory)
    if not folder.is_dir():
        return reports
    for open_path in sorted(folder.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        if skip_live and _written_by_live_process(open_path.name):
            reports.append(RecoveryReport(open_path, "skipped", reason="its writer is running"))
            continue
        try:
            report = recover_open_file(open_path, fsync=fsync)
        except OSError as exc:
            logger.exception("Could not recover %s", open_path)
            report = RecoveryReport(open_path, "skipped", reason=f"error: {exc}")
        if report.action in ("truncated", "removed"):
            logger.warning(
                "Recovered %s: %s, %d record(s) kept, %d byte(s) discarded",
                open_path,
                report.action,
                report.records_kept,
                report.bytes_discarded,
            )
        elif report.action == "renamed":
            logger.info("Recovered %s: complete, renamed", open_path)
        reports.append(report)
    return reports


def _written_by_live_process(name: str) -> bool:
    """True if `name` was opened on this host by a process that still runs.

    Our own process counts as live: another writer in it may be using the file.
    """
    parsed = WarcName.parse(name)
    if parsed is None or parsed.host != safe_hostname():
        return False
    if parsed.pid == os.getpid():
        return True
    if os.name != "posix" or parsed.pid <= 0:  # no signal 0 off POSIX: rely on the lock
        return False
    try:
        os.kill(parsed.pid, 0)
    except PermissionError:
        return True  # alive, owned by someone else
    except (OSError, OverflowError):  # no such process (or no such pid at all)
        return False
    return True
