"""Write WARC 1.1 files: one gzip member per record, rollover, atomic close.

`WarcFileWriter` owns a directory of WARC files. Each file is written as
``NAME.warc.gz.open``, opens with a ``warcinfo`` record, and is renamed to
``NAME.warc.gz`` (after an fsync of the file and of the directory) when it is
closed: when it reaches `max_size`, when a write to it fails, or when the
writer is closed. Every exchange is a ``response`` record followed by its
``request`` record (``WARC-Concurrent-To`` the response, as warcio and
Heritrix do); both are flushed to the operating system before
`write_exchange` returns the response record's location, so anything derived
from a response is produced only after the response is on disk.

`write_revisit` writes a ``revisit`` record instead of the response when the
payload need not be stored again: the server said "not modified"
(``server-not-modified``) or sent a payload whose digest equals an earlier
capture's (``identical-payload-digest``). The record keeps the HTTP head as
received and names the earlier record holding the payload (`RefersTo`).
Both methods can add a ``metadata`` record (``WARC-Concurrent-To`` the
response or revisit) in the same all-or-nothing group.

warcio builds the records and computes the digests; arsip supplies the
record ids and dates through `new_record_id` and `now`, which tests override
to get byte-identical output.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from io import BufferedWriter, BytesIO
from pathlib import Path
from typing import Any, TypedDict

from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from archive.files import fsync_dir, fsync_path
from archive.naming import MAX_SERIAL, WarcName, check_prefix, safe_hostname
from archive.records import (
    REVISIT_IDENTICAL_PAYLOAD_DIGEST,
    REVISIT_PROFILES,
    WARC_VERSION,
    HttpRequestMessage,
    HttpResponseMessage,
    RawHttpHead,
    RefersTo,
    WarcinfoFields,
    format_warc_date,
    new_record_id,
    warc_fields_block,
)

logger = logging.getLogger(__name__)

#: Defaults of the writer's options (the Scrapy settings use the same values).
DEFAULT_PREFIX = "ARSIP"
DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_DIGEST_ALGORITHM = "sha1"
#: Digest algorithms a writer accepts (``WARC-*-Digest: ALGORITHM:BASE32``).
DIGEST_ALGORITHMS = ("sha1", "sha256")


class RecordLocation(TypedDict):
    """Where a record is: enough to seek to it and to check it.

    `filename` is the final name (never the ``.open`` one), `offset` and
    `length` delimit the record's gzip member in that file.
    """

    filename: str
    offset: int
    length: int
    record_id: str
    payload_digest: str
    warc_date: str


class _RecordBuilder(WARCWriter):  # type: ignore[misc]  # warcio is untyped
    """warcio's writer with a selectable digest algorithm.

    No ``WARC-Payload-Digest`` on ``metadata`` records: WARC 1.1 (5.9) says
    the field "shall not be used on records without a well-defined payload",
    and a metadata block is warc-fields, no payload (fastwarc and warcat
    reject the field there). warcio leaves it out of warcinfo and revisit
    records itself (a revisit's is set by `write_revisit`).
    """

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")

    def __init__(self, fh: BufferedWriter, digest_algorithm: str) -> None:
        super().__init__(fh, gzip=True, warc_version=WARC_VERSION)
        self.digest_algorithm = digest_algorithm

    def _create_digester(self) -> Digester:
        # warcio calls self._create_digester(); its own version hard-codes sha1.
        return Digester(self.digest_algorithm)


class WarcFileWriter:
    """Writes records into rolling WARC files in `directory`.

    Not thread-safe: one writer per crawl process, called from one thread.
    Files are opened lazily, on the first record.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        info: WarcinfoFields | None = None,
        prefix: str = DEFAULT_PREFIX,
        max_size: int = DEFAULT_MAX_SIZE,
        digest_algorithm: str = DEFAULT_DIGEST_ALGORITHM,
        hostname: str | None = None,
        fsync: bool = True,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be a positive number of bytes, not {max_size}")
        if digest_algorithm not in DIGEST_ALGORITHMS:
            raise ValueError(
                f"digest algorithm {digest_algorithm!r} is not one of "
                f"{', '.join(DIGEST_ALGORITHMS)}"
            )
        check_prefix(prefix)
        self.directory = Path(directory)
        self.info = info or WarcinfoFields()
        self.prefix = prefix
        self.max_size = max_size
        self.digest_algorithm = digest_algorithm
        self.hostname = hostname if hostname is not None else safe_hostname()
        self.fsync = fsync
        #: Final paths of the files this writer has finished, in order.
        self.finished: list[Path] = []
        self.records_written = 0
        self.bytes_written = 0
        self.files_opened = 0
        self._next_serial = 0
        self._fh: BufferedWriter | None = None
        self._builder: _RecordBuilder | None = None
        self._name: WarcName | None = None
        self._warcinfo_id = ""

    # -- hooks for deterministic output --------------------------------------

    def now(self) -> datetime:
        """The current time (UTC): WARC-Date of records and time in file names."""
        return datetime.now(UTC)

    def new_record_id(self) -> str:
        """A new ``WARC-Record-ID``."""
        return new_record_id()

    def pid(self) -> int:
        """The process id written in file names."""
        return os.getpid()

    # -- public API ------------------------------------------------------------

    @property
    def current_path(self) -> Path | None:
        """The ``.open`` file being written, if any."""
        return self.directory / self._name.open if self._name else None

    def payload_digest(self, payload: bytes) -> str:
        """``ALGORITHM:BASE32`` of `payload`, exactly as a response record would declare it.

        Lets a caller compare a payload with earlier captures before deciding
        whether to store it again.
        """
        digester = Digester(self.digest_algorithm)
        digester.update(payload)
        return str(digester)

    def write_exchange(
        self,
        url: str,
        request: HttpRequestMessage,
        response: HttpResponseMessage,
        *,
        ip_address: str | None = None,
        truncated: str | None = None,
        metadata: Sequence[tuple[str, str]] | None = None,
    ) -> RecordLocation:
        """Write a response record and its request record; return the response's location.

        `url` is the target URI (no fragment). `truncated` is a WARC-Truncated
        reason (``length``, ``time``, ``disconnect``, ``unspecified``) when the
        body is known to be incomplete. `metadata`, when given, are the fields
        of a ``metadata`` record written after the request (see
        `write_metadata`). Raises OSError when the records could not be
        written; the file then ends at the previous record.
        """
        builder = self._ensure_open()
        date = format_warc_date(self.now())
        fields = self._fields("response", url, date)
        if ip_address:
            fields["WARC-IP-Address"] = ip_address
        if truncated:
            fields["WARC-Truncated"] = truncated
        response_record = self._http_record(builder, url, fields, response.head(), response.body)
        return self._write_group(
            builder,
            response_record,
            url=url,
            date=date,
            request=request,
            metadata=metadata,
            ip_address=ip_address,
        )

    def write_revisit(
        self,
        url: str,
        request: HttpRequestMessage,
        response: HttpResponseMessage,
        *,
        profile: str,
        refers_to: RefersTo,
        ip_address: str | None = None,
        metadata: Sequence[tuple[str, str]] | None = None,
    ) -> RecordLocation:
        """Write a ``revisit`` record and its request record; return the revisit's location.

        The revisit's block is `response`'s HTTP head as received (its body is
        not stored: it is `refers_to`'s payload, or there was none, for a 304).
        `profile` is a ``WARC-Profile`` URI (`archive.records.REVISIT_PROFILES`).
        An ``identical-payload-digest`` revisit is marked ``WARC-Truncated:
        length``, as WARC 1.1 section 6.7.2 requires of a block cut short of
        its payload, and gets `refers_to`'s ``WARC-Payload-Digest``; a
        ``server-not-modified`` one (a 304: no payload at all) has no
        ``WARC-Payload-Digest`` (5.9: not on records without a payload; warcat
        and ``fastwarc check -p`` reject one). The returned location's
        ``payload_digest`` is `refers_to`'s either way.
        """
        if profile not in REVISIT_PROFILES.values():
            raise ValueError(f"unknown revisit profile {profile!r}")
        builder = self._ensure_open()
        date = format_warc_date(self.now())
        fields = self._fields("revisit", url, date)
        if ip_address:
            fields["WARC-IP-Address"] = ip_address
        fields |= {
            "WARC-Profile": profile,
            "WARC-Refers-To": refers_to.record_id,
            "WARC-Refers-To-Target-URI": refers_to.target_uri,
            "WARC-Refers-To-Date": refers_to.date,
        }
        if profile == REVISIT_IDENTICAL_PAYLOAD_DIGEST:
            # 6.7.2: the digest of the payload not stored again (the original's)
            fields["WARC-Payload-Digest"] = refers_to.payload_digest
            fields["WARC-Truncated"] = "length"
        revisit_record = self._http_record(builder, url, fields, response.head(), b"")
        location = self._write_group(
            builder,
            revisit_record,
            url=url,
            date=date,
            request=request,
            metadata=metadata,
            ip_address=ip_address,
        )
        # callers compare and index by the original's payload digest
        location["payload_digest"] = refers_to.payload_digest
        return location

    def write_metadata(
        self, url: str, concurrent_to: str, fields: Sequence[tuple[str, str]]
    ) -> RecordLocation:
        """Write a ``metadata`` record about `url` (e.g. ``via``, ``hopsFromSeed``,
        ``outlink`` fields) linked to the record `concurrent_to`."""
        builder = self._ensure_open()
        date = format_warc_date(self.now())
        record = self._metadata_record(builder, url, date, concurrent_to, fields)
        with self._transaction():
            location = self._write(record)
        self._roll_if_full()
        return location

    def close(self) -> None:
        """Finish the current file (fsync, rename). Safe to call twice."""
        if self._fh is not None:
            self._finish()

    def __enter__(self) -> WarcFileWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- files -----------------------------------------------------------------

    def _ensure_open(self) -> _RecordBuilder:
        if self._builder is not None:
            return self._builder
        self.directory.mkdir(parents=True, exist_ok=True)
        when = self.now()
        while True:
            if self._next_serial > MAX_SERIAL:
                raise OSError(f"no free WARC serial left in {self.directory}")
            name = WarcName.new(self.prefix, when, self._next_serial, self.pid(), self.hostname)
            self._next_serial += 1
            if not (self.directory / name.final).exists():
                try:
                    fh = (self.directory / name.open).open("xb")
                except FileExistsError:
                    continue
                break
        self._fh, self._name = fh, name
        self._builder = _RecordBuilder(fh, self.digest_algorithm)
        self.files_opened += 1
        logger.info("Writing WARC file %s", self.directory / name.open)
        with self._transaction():
            self._write(self._warcinfo_record(self._builder, name.final))
        return self._builder

    def _warcinfo_record(self, builder: _RecordBuilder, filename: str) -> Any:
        self._warcinfo_id = self.new_record_id()
        block = warc_fields_block(self.info.fields(self.hostname))
        return builder.create_warc_record(
            "",
            "warcinfo",
            payload=BytesIO(block),
            length=len(block),
            warc_headers_dict={
                "WARC-Type": "warcinfo",
                "WARC-Record-ID": self._warcinfo_id,
                "WARC-Date": format_warc_date(self.now()),
                "WARC-Filename": filename,
            },
        )

    def _roll_if_full(self) -> None:
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self._finish()

    def _finish(self, truncate_at: int | None = None) -> None:
        """Close the current file and give it its final name.

        With `truncate_at`, the file is first cut back to that offset (the
        end of its last complete record) after a failed write.
        """
        fh, name = self._fh, self._name
        assert fh is not None and name is not None
        self._fh = self._builder = self._name = None
        open_path = self.directory / name.open
        final_path = self.directory / name.final
        try:
            if truncate_at is not None:
                with suppress(OSError):  # the failed write may fail again on flush
                    fh.close()
                if truncate_at == 0:  # not even the warcinfo: no file at all
                    open_path.unlink()
                    self.files_opened -= 1
                    return
                os.truncate(open_path, truncate_at)
                if self.fsync:
                    fsync_path(open_path)
            else:
                fh.flush()
                if self.fsync:
                    os.fsync(fh.fileno())
                fh.close()
            if final_path.exists():
                raise FileExistsError(f"{final_path} exists; {open_path} left as it is")
            os.replace(open_path, final_path)
            if self.fsync:
                fsync_dir(self.directory)
        finally:
            if not fh.closed:
                with suppress(OSError):
                    fh.close()
        self.finished.append(final_path)
        logger.info("Closed WARC file %s", final_path)

    # -- records ---------------------------------------------------------------

    def _fields(self, rec_type: str, url: str, date: str) -> dict[str, str]:
        """The WARC header fields every record about `url` starts with."""
        return {
            "WARC-Type": rec_type,
            "WARC-Record-ID": self.new_record_id(),
            "WARC-Date": date,
            "WARC-Target-URI": url,
            "WARC-Warcinfo-ID": self._warcinfo_id,
        }

    def _write_group(
        self,
        builder: _RecordBuilder,
        main_record: Any,
        *,
        url: str,
        date: str,
        request: HttpRequestMessage,
        metadata: Sequence[tuple[str, str]] | None,
        ip_address: str | None = None,
    ) -> RecordLocation:
        """Write `main_record` (response or revisit), its request and metadata; all or none.

        The request record gets the `ip_address` it was sent to (WARC 1.1
        5.14 "should" for request records too, as wget writes it).
        """
        main_id = main_record.rec_headers.get_header("WARC-Record-ID")
        request_fields = self._fields("request", url, date)
        if ip_address:
            request_fields["WARC-IP-Address"] = ip_address
        request_fields["WARC-Concurrent-To"] = main_id
        records = [
            main_record,
            self._http_record(builder, url, request_fields, request.head(), request.body),
        ]
        if metadata is not None:
            records.append(self._metadata_record(builder, url, date, main_id, metadata))
        with self._transaction():
            location = self._write(records[0])
            for record in records[1:]:
                self._write(record)
        self._roll_if_full()
        return location

    def _metadata_record(
        self,
        builder: _RecordBuilder,
        url: str,
        date: str,
        concurrent_to: str,
        fields: Sequence[tuple[str, str]],
    ) -> Any:
        block = warc_fields_block(fields)
        headers = self._fields("metadata", url, date)
        headers["WARC-Concurrent-To"] = concurrent_to
        return builder.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(block),
            length=len(block),
            warc_headers_dict=headers,
        )

    def _http_record(
        self,
        builder: _RecordBuilder,
        url: str,
        fields: dict[str, str],
        head: bytes,
        body: bytes,
    ) -> Any:
        return builder.create_warc_record(
            url,
            fields["WARC-Type"],
            payload=BytesIO(body),
            length=len(body),
            warc_headers_dict=fields,
            http_headers=RawHttpHead(head),
        )

    def _write(self, record: Any) -> RecordLocation:
        assert self._fh is not None and self._builder is not None and self._name is not None
        offset = self._fh.tell()
        self._builder.write_record(record)  # ends with a flush of the gzip member
        length = self._fh.tell() - offset
        self.records_written += 1
        self.bytes_written += length
        headers = record.rec_headers
        return RecordLocation(
            filename=self._name.final,
            offset=offset,
            length=length,
            record_id=headers.get_header("WARC-Record-ID"),
            payload_digest=headers.get_header("WARC-Payload-Digest") or "",
            warc_date=headers.get_header("WARC-Date"),
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """All records written inside, or none: a failure cuts the file back and closes it."""
        assert self._fh is not None
        start = self._fh.tell()
        records, written = self.records_written, self.bytes_written
        try:
            yield
        except BaseException:
            self.records_written, self.bytes_written = records, written
            try:
                self._finish(truncate_at=start)
            except OSError:
                logger.exception(
                    "Could not cut back the WARC file after a failed write; it stays "
                    "'.open' and is repaired by recover_open_files() at the next start"
                )
            raise
