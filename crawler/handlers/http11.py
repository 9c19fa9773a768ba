"""Scrapy's HTTP/1.1 download handler, recording the bytes of each exchange.

Two changes to ``scrapy.core.downloader.handlers.http11``:

- **Wire bytes.** The protocol tees what it writes for a request (request
  line, header lines, body: exactly the bytes sent) and what the server sent
  as the response head (status line and header lines up to the empty line,
  byte for byte: reason phrase, order, case, repeated fields, continuation
  lines, even lines Scrapy's lenient parser skips). Both reach the WARC
  capture middleware in ``request.meta``: `META_SENT` and
  `META_RESPONSE_HEAD` (bytes; set afresh on every download). When the
  download fails after the request went out, `META_SENT` is still set (the
  capture middleware records the failed attempt with it). Scrapy's parsed headers
  cannot give these: Twisted lower-cases names, moves ``Content-Length`` and
  ``Transfer-Encoding`` to its connection headers and drops the reason
  phrase. An interim ``1xx`` head is not kept (Twisted skips it; the final
  head is the response). The tee costs one list append per head line
  (see BENCHMARKS.md).
- **No silent retry.** Twisted's connection pool retries an idempotent
  request once, on a new connection, when a reused keep-alive connection
  fails before any byte of the response (``retryAutomatically``). Scrapy
  never hears of the first attempt, so neither the WARC nor the crawl report
  could show it. Here the failure reaches the downloader middlewares, the
  capture middleware records the failed attempt, and
  `crawler.middlewares.retry_after.RetryAfterMiddleware` retries it.

Set for ``http`` and ``https`` in ``DOWNLOAD_HANDLERS`` (crawler/settings.py).
It uses Scrapy's private ``_ScrapyAgent`` and ``_LenientHTTP11ClientProtocol``
(Scrapy 2.13+); tests/test_wire_heads.py fails if a Scrapy upgrade moves them.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.web._newclient import HTTP11ClientProtocol

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IAddress

logger = logging.getLogger("scrapy.core.downloader.handlers.http11")  # Scrapy's logger

#: ``request.meta`` key: the response's status line and header block as received.
META_RESPONSE_HEAD = "wire_response_head"
#: ``request.meta`` key: the request exactly as written to the connection.
META_SENT = "wire_request"

#: A head longer than this is not kept (Twisted refuses lines over 16 KiB anyway).
_MAX_HEAD = 1 << 20


class _RecordingParser(_LenientHTTPClientParser):
    """Scrapy's lenient response parser that also keeps the head's lines as received.

    Twisted's parser is a LineReceiver split on ``\\n``: each line it hands
    over plus that ``\\n`` is exactly what came off the socket, until the
    empty line switches it to raw (body) mode.
    """

    _wire_lines: list[bytes]
    _wire_size: int

    def lineReceived(self, line: bytes) -> None:
        if self._wire_size <= _MAX_HEAD:
            self._wire_lines.append(line + b"\n")
            self._wire_size += len(line) + 1
        super().lineReceived(line)

    def allHeadersReceived(self) -> None:
        response = self.response
        if self._wire_size <= _MAX_HEAD:
            response._wire_head = b"".join(self._wire_lines)
        response._wire_sent = getattr(self.request, "_wire_sent", None)
        super().allHeadersReceived()  # type: ignore[no-untyped-call]
        # a 1xx head was skipped (the parser starts over): keep only the next one
        self._wire_lines, self._wire_size = [], 0


class _Tee:
    """The connection's transport, copying what is written while a request is sent."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self.written: list[bytes] = []
        self.recording = True

    def write(self, data: bytes) -> None:
        if self.recording:
            self.written.append(bytes(data))
        self._transport.write(data)

    def writeSequence(self, data: list[bytes]) -> None:
        if self.recording:
            self.written.extend(bytes(d) for d in data)
        self._transport.writeSequence(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _RecordingProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's HTTP/1.1 client protocol, teeing the request and the response head."""

    def request(self, request: Any) -> Deferred[Any]:
        real = self.transport
        tee = _Tee(real)
        self.transport = tee  # type: ignore[assignment]  # a forwarding proxy
        try:
            # writeTo() writes the head and (Scrapy's producer is synchronous) the body
            deferred = super().request(request)
        finally:
            self.transport = real
            tee.recording = False
        sent = request._wire_sent = b"".join(tee.written)

        def failed(failure: Any) -> Any:
            # the request went out but no response came back: say what was sent
            with contextlib.suppress(AttributeError, TypeError):
                failure.value._wire_sent = sent
            return failure

        deferred.addErrback(failed)
        parser = self._parser
        if parser is not None:
            # as Scrapy's own protocol does: the parser class is hard-coded in Twisted
            parser.__class__ = _RecordingParser
            recording: _RecordingParser = parser  # type: ignore[assignment]
            recording._wire_lines, recording._wire_size = [], 0
        return deferred


class _RecordingFactory(_LenientHTTP11ClientFactory):
    """Builds `_RecordingProtocol` connections for the pool."""

    def buildProtocol(self, addr: IAddress | None) -> HTTP11ClientProtocol:
        return _RecordingProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]


class _RecordingAgent(_ScrapyAgent):
    """Scrapy's agent, moving the recorded bytes into the request's meta."""

    def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
        head = getattr(txresponse, "_wire_head", None)
        if head is not None:
            request.meta[META_RESPONSE_HEAD] = head
        sent = getattr(txresponse, "_wire_sent", None)
        if sent is not None:
            request.meta[META_SENT] = sent
        return super()._cb_bodyready(txresponse, request)


class AttemptVisibleHTTP11DownloadHandler(HTTP11DownloadHandler):
    """HTTP11DownloadHandler that records wire bytes and does not retry behind Scrapy's back."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False
        self._pool._factory = _RecordingFactory

    async def download_request(self, request: Request) -> Response:
        """Scrapy's download, with `_RecordingAgent` (the meta keys are set afresh)."""
        request.meta.pop(META_RESPONSE_HEAD, None)
        request.meta.pop(META_SENT, None)
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=getattr(self._crawler.spider, "download_maxsize", self._default_maxsize),
            warnsize=getattr(self._crawler.spider, "download_warnsize", self._default_warnsize),
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        return await self._download_with(agent, request)

    async def _download_with(self, agent: _ScrapyAgent, request: Request) -> Response:
        """Scrapy's error handling around one agent download (as in its download_request)."""
        try:
            with wrap_twisted_exceptions():
                response: Response = await maybe_deferred_to_future(agent.download_request(request))
                return response
        except BaseException as exc:
            sent = _sent_of(exc)
            if sent is not None:  # a failed attempt: the capture middleware records it
                request.meta[META_SENT] = sent
            if isinstance(exc, ResponseDataLossError) and not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise


def _sent_of(exc: BaseException | None) -> bytes | None:
    """The bytes a failed request had written, found on `exc` or what it wraps."""
    for _ in range(5):
        if exc is None:
            return None
        sent = getattr(exc, "_wire_sent", None)
        if isinstance(sent, bytes):
            return sent
        exc = exc.__cause__ or exc.__context__
    return None


__all__ = ["META_RESPONSE_HEAD", "META_SENT", "AttemptVisibleHTTP11DownloadHandler"]
