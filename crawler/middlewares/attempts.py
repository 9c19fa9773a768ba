"""Failed attempts in the WARC: what was sent, and why no response came back.

A download that ends in an exception (connection reset before the
response, a stall past ``DOWNLOAD_TIMEOUT``, a refused connection) leaves
no response to archive, but it happened, and a crawl that retried it
should say so. `write_failed_attempt` writes:

- the ``request`` record, exactly as a normal exchange's (the request was
  sent: the headers every middleware added), unless the connection was
  never made (``ConnectError`` and its kind: nothing was sent);
- a ``metadata`` record (``application/warc-fields``), ``WARC-Concurrent-To``
  the request when there is one, with the fields of WARC 1.1 section 6.6
  (``via``, ``hopsFromSeed``) and these: ``fetchError`` (the exception:
  class and message), ``attempt`` (1 for the first try), and, when the
  response head had arrived, ``receivedBytes`` (body bytes before it stopped).

Nothing pretends to be a response: readers that look for responses (replay,
CDXJ, re-extraction) see none; `arsip verify` accepts a request without a
response. A response that did arrive, even an error status or a body cut
short, is archived as a ``response`` record by the capture middleware.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.utils.python import global_object_name
from twisted.internet.error import ConnectError
from twisted.python.failure import Failure

from archive.records import HttpRequestMessage, RawHttpHead, format_warc_date, warc_fields_block
from archive.writer import RecordLocation, WarcFileWriter

#: Exceptions raised before a connection existed: no request was sent.
NOT_SENT: tuple[type[BaseException], ...] = (
    ConnectError,
    CannotResolveHostError,
    DownloadConnectionRefusedError,
)


def was_sent(exception: BaseException) -> bool:
    """Whether the request had gone out when *exception* ended the attempt."""
    return not isinstance(exception, NOT_SENT)


def describe(exception: BaseException) -> str:
    """One line naming *exception* and, for Twisted's wrapped failures, their reasons.

    ``scrapy.exceptions.DownloadFailedError (ResponseNeverReceived:
    twisted.internet.error.ConnectionLost: Connection to the other side was
    lost in a non-clean fashion.)`` rather than a list of Failure reprs.
    """
    name = global_object_name(type(exception))
    cause = exception.__cause__
    reasons = getattr(cause, "reasons", None) or getattr(exception, "reasons", None)
    if isinstance(reasons, list) and reasons:
        inner = "; ".join(
            f"{global_object_name(r.type)}: {' '.join(r.getErrorMessage().split())}"
            for r in reasons
            if isinstance(r, Failure) and r.type is not None
        )
        return f"{name} ({type(cause or exception).__name__}: {inner})"
    message = " ".join(str(exception).split())
    return f"{name}: {message}" if message else name


def failure_fields(
    request: Request, exception: BaseException, base: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The metadata fields of a failed attempt: *base* (via, hops) plus what happened."""
    fields = [(name, value) for name, value in base if name != "fetchTimeMs"]
    fields.append(("fetchError", describe(exception)))
    fields.append(("attempt", str(int(request.meta.get("retry_times", 0)) + 1)))
    received = request.meta.get("response_bytes")
    if isinstance(received, int):
        fields.append(("receivedBytes", str(received)))
    return fields


def write_failed_attempt(
    writer: WarcFileWriter,
    url: str,
    request: HttpRequestMessage | None,
    fields: Sequence[tuple[str, str]],
) -> RecordLocation:
    """Write the request record (if given) and a metadata record; all or nothing.

    Returns the metadata record's location. Raises OSError when the records
    could not be written (the file then ends at its previous record).
    """
    # The writer has no public call for a request without a response; this
    # uses its record helpers, the way its own write_exchange does.
    builder = writer._ensure_open()
    date = format_warc_date(writer.now())
    records: list[Any] = []
    concurrent: str | None = None
    if request is not None:
        headers = writer._fields("request", url, date)
        concurrent = headers["WARC-Record-ID"]
        records.append(
            builder.create_warc_record(
                url,
                "request",
                payload=BytesIO(request.body),
                length=len(request.body),
                warc_headers_dict=headers,
                http_headers=RawHttpHead(request.head()),
            )
        )
    block = warc_fields_block(fields)
    meta_headers = writer._fields("metadata", url, date)
    if concurrent is not None:
        meta_headers["WARC-Concurrent-To"] = concurrent
    records.append(
        builder.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(block),
            length=len(block),
            warc_headers_dict=meta_headers,
        )
    )
    with writer._transaction():
        for record in records:
            location = writer._write(record)
    writer._roll_if_full()
    return location


__all__ = ["NOT_SENT", "describe", "failure_fields", "was_sent", "write_failed_attempt"]
