"""The reliability components one by one, without a crawl.

Retry waits and Retry-After, incomplete bodies, size and time limits,
host scope, trap rules, the XML guard, and how a failed attempt is
described and written to WARC. Each builds its component from settings
with Scrapy's ``get_crawler``, as a crawl would.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DownloadFailedError, IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost, ConnectionRefusedError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived
from warcio.archiveiterator import ArchiveIterator

from archive.writer import WarcFileWriter
from arsip.core.errors import ArsipError
from arsip.demosite.fault_pages import billion_laughs, xxe_sitemap
from crawler.middlewares.attempts import describe, failure_fields, was_sent, write_failed_attempt
from crawler.middlewares.limits import RECEIVED, TRUNCATED, ResponseLimitsMiddleware
from crawler.middlewares.retry_after import (
    NOT_BEFORE,
    RetryAfterMiddleware,
    retry_after_seconds,
)
from crawler.middlewares.scope import HostScope, ScopeMiddleware
from crawler.middlewares.traps import TrapMiddleware
from crawler.middlewares.warc_capture import request_message, truncation_reason
from crawler.middlewares.xml_guard import XmlGuardMiddleware, declared_entities, is_xml

URL = "http://anri.go.id/publikasi/berita/x"


class _Spider(Spider):
    name = "units"
    allowed_hosts = frozenset({"anri.go.id"})


def crawler_with(**settings: Any) -> Any:
    crawler = get_crawler(_Spider, settings_dict=settings)
    crawler.spider = crawler._create_spider()
    return crawler


def response(
    status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"<p>x</p>", **kw: Any
) -> Response:
    return HtmlResponse(URL, status=status, headers=headers or {}, body=body, **kw)


# -- retries --------------------------------------------------------------------------


def test_retry_after_reads_seconds_and_dates_against_the_servers_clock() -> None:
    assert retry_after_seconds(response(503, {"Retry-After": "120"})) == 120
    dated = {
        "Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT",
        "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
    }
    assert retry_after_seconds(response(503, dated)) == 30
    assert retry_after_seconds(response(503, {"Retry-After": "soon"})) is None
    assert retry_after_seconds(response(503)) is None


def test_backoff_doubles_up_to_the_maximum() -> None:
    middleware = RetryAfterMiddleware.from_crawler(
        crawler_with(RETRY_BACKOFF_BASE=1.0, RETRY_BACKOFF_MAX=5.0)
    )
    assert [middleware.backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_a_503_with_retry_after_is_retried_not_before_it() -> None:
    crawler = crawler_with()
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    request = Request(URL)
    retry = middleware.process_response(request, response(503, {"Retry-After": "7"}))
    assert isinstance(retry, Request) and retry.dont_filter
    assert retry.meta["retry_times"] == 1

    assert 6.5 < retry.meta[NOT_BEFORE] - time.time() <= 7
    assert crawler.stats.get_value("retry/retry_after") == 1


def test_a_retry_after_beyond_the_maximum_is_not_waited_for() -> None:
    crawler = crawler_with(RETRY_AFTER_MAX=60)
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    answer = response(429, {"Retry-After": "3600"})
    assert middleware.process_response(Request(URL), answer) is answer
    assert crawler.stats.get_value("retry/retry_after_too_long") == 1


def test_an_incomplete_body_is_retried_then_never_handed_on() -> None:
    crawler = crawler_with(RETRY_TIMES=1)
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    cut = response(flags=["dataloss"])
    retry = middleware.process_response(Request(URL), cut)
    assert isinstance(retry, Request)
    with pytest.raises(IgnoreRequest, match="incomplete body"):
        middleware.process_response(retry, response(flags=["dataloss"]))
    assert crawler.stats.get_value("retry/dataloss") == 2


def wrapped_reset() -> DownloadFailedError:
    """A reset before the response, as Scrapy's HTTP/1.1 handler raises it."""
    error = DownloadFailedError("reset")
    lost = Failure(ConnectionLost("gone"))  # type: ignore[no-untyped-call]
    error.__cause__ = ResponseNeverReceived([lost])  # type: ignore[no-untyped-call]
    return error


def test_a_download_error_is_retried() -> None:
    crawler = crawler_with()
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    retry = middleware.process_exception(Request(URL), wrapped_reset())
    assert isinstance(retry, Request) and retry.meta[NOT_BEFORE] > 0
    assert crawler.stats.get_value("retry/reason_count/scrapy.exceptions.DownloadFailedError") == 1


def test_a_negative_wait_setting_is_refused() -> None:
    with pytest.raises(NotConfigured, match="RETRY_BACKOFF_BASE"):
        RetryAfterMiddleware.from_crawler(crawler_with(RETRY_BACKOFF_BASE=-1))


# -- limits ---------------------------------------------------------------------------


def limited(**settings: Any) -> ResponseLimitsMiddleware:
    return ResponseLimitsMiddleware.from_crawler(crawler_with(**settings))


def test_the_size_limit_stops_a_body_that_goes_on() -> None:
    middleware = limited(DOWNLOAD_MAXSIZE=1000, DOWNLOAD_TIMEOUT=60)
    request = Request(URL)
    middleware.process_request(request)
    assert request.meta["download_maxsize"] == 0  # the handler reads past Content-Length
    middleware.headers_received(headers=None, body_length=5000, request=request)  # type: ignore[arg-type]
    middleware.bytes_received(data=b"x" * 600, request=request)
    with pytest.raises(StopDownload):
        middleware.bytes_received(data=b"x" * 600, request=request)
    assert request.meta[TRUNCATED] == "length" and request.meta[RECEIVED] == 1200
    stopped = response(flags=["download_stopped"], request=request)
    with pytest.raises(IgnoreRequest, match="WARC-Truncated: length"):
        middleware.process_response(request, stopped)
    assert request.meta["download_maxsize"] == 1000  # back for HttpCompression


def test_a_body_that_ends_exactly_at_the_limit_is_whole() -> None:
    middleware = limited(DOWNLOAD_MAXSIZE=1000, DOWNLOAD_TIMEOUT=60)
    request = Request(URL)
    middleware.process_request(request)
    middleware.headers_received(headers=None, body_length=1000, request=request)  # type: ignore[arg-type]
    middleware.bytes_received(data=b"x" * 1000, request=request)
    assert TRUNCATED not in request.meta


def test_the_time_limit_stops_a_trickle_and_lets_it_be_retried() -> None:
    middleware = limited(DOWNLOAD_TIMEOUT=10, LIMITS_TIME=0.001)
    request = Request(URL)
    middleware.process_request(request)
    request.meta["download_latency"] = 0.5
    middleware.headers_received(headers=None, body_length=10_000, request=request)  # type: ignore[arg-type]
    with pytest.raises(StopDownload):
        middleware.bytes_received(data=b"x", request=request)
    assert request.meta[TRUNCATED] == "time"
    stopped = response(flags=["download_stopped"], request=request)
    assert middleware.process_response(request, stopped) is stopped  # the retry middleware's


def test_a_time_limit_past_the_timeout_is_a_configuration_error() -> None:
    with pytest.raises(ArsipError, match="LIMITS_TIME is 90 s: use a number of seconds below"):
        limited(DOWNLOAD_TIMEOUT=60, LIMITS_TIME=90)


def test_the_capture_takes_the_reason_of_a_deliberate_stop() -> None:
    request = Request(URL, meta={TRUNCATED: "time"})
    assert truncation_reason(request, response(flags=["download_stopped"])) == "time"
    assert truncation_reason(Request(URL), response(flags=["download_stopped"])) == "unspecified"
    assert truncation_reason(Request(URL), response(flags=["dataloss"])) == "disconnect"
    assert truncation_reason(request, response()) is None


# -- scope ----------------------------------------------------------------------------


def test_host_scope_exact_hosts_or_domains() -> None:
    exact = HostScope(hosts=frozenset({"anri.go.id"}))
    assert exact.allows(URL) and not exact.allows("http://www.anri.go.id/")
    domains = HostScope(domains=frozenset({"anri.go.id"}))
    assert domains.allows("http://www.anri.go.id/") and not domains.allows("http://xanri.go.id/")
    assert HostScope().allows("http://anywhere.example/")


def test_scope_refuses_other_hosts_even_with_dont_filter() -> None:
    middleware = ScopeMiddleware.from_crawler(crawler_with())
    middleware.process_request(Request(URL))
    with pytest.raises(IgnoreRequest, match=r"offsite request to 'luar\.example'"):
        middleware.process_request(Request("http://luar.example/x", dont_filter=True))


def test_scope_stops_a_redirect_to_another_host_but_not_one_within() -> None:
    crawler = crawler_with()
    middleware = ScopeMiddleware.from_crawler(crawler)
    inside = response(301, {"Location": "/publikasi/berita/y"})
    assert middleware.process_response(Request(URL), inside) is inside
    with pytest.raises(IgnoreRequest, match=r"offsite redirect to 'luar\.example'"):
        middleware.process_response(Request(URL), response(302, {"Location": "//luar.example/"}))
    assert crawler.stats.get_value("scope/offsite_redirect") == 1


# -- traps ----------------------------------------------------------------------------


def test_trap_rules() -> None:
    crawler = crawler_with(TRAPS_MAX_QUERY_VARIANTS=2, TRAPS_MAX_DEPTH=3)
    traps = TrapMiddleware.from_crawler(crawler)
    assert traps.trap(Request("http://a/agenda?month=1")) is None
    assert traps.trap(Request("http://a/agenda?month=1")) is None  # the same URL again
    assert traps.trap(Request("http://a/agenda?month=2")) is None
    assert traps.trap(Request("http://a/agenda?month=3")) == "query_variants"
    assert traps.trap(Request("http://a/x", meta={"depth": 4})) == "depth"
    assert traps.trap(Request("http://a/a/b/a/b/a/b/a")) == "repeated_segment"
    assert traps.get_processed_request(Request("http://a/agenda?month=4"), None) is None
    assert crawler.stats.get_value("traps/query_variants") == 1


# -- the XML guard --------------------------------------------------------------------


def test_the_guard_finds_entities_only_in_the_prolog() -> None:
    assert len(declared_entities(billion_laughs("http://a/").encode(), 65536)) == 10
    assert declared_entities(xxe_sitemap("http://a").encode(), 65536) == [
        "rahasia (SYSTEM)",
        "probe (SYSTEM)",
    ]
    plain = b'<?xml version="1.0"?><urlset><url><loc>&lt;!ENTITY x</loc></url></urlset>'
    assert declared_entities(plain, 65536) == []
    typed = {"Content-Type": "application/xml"}
    assert is_xml(XmlResponse("http://a/s.xml", headers=typed, body=b"<urlset/>"))
    untyped = Response("http://a/feed", body=b'<?xml version="1.0"?><rss/>')
    assert is_xml(untyped)
    xhtml = b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x "y">]><html/>'
    assert not is_xml(response(headers={"Content-Type": "application/xhtml+xml"}, body=xhtml))
    assert not is_xml(response())


def test_the_guard_refuses_entity_declarations_and_passes_plain_xml() -> None:
    crawler = crawler_with()
    guard = XmlGuardMiddleware.from_crawler(crawler)
    plain = XmlResponse("http://a/s.xml", body=b'<?xml version="1.0"?><urlset/>')
    assert guard.process_response(Request(plain.url), plain) is plain
    bomb = XmlResponse("http://a/lol.xml", body=billion_laughs("http://a/").encode())
    with pytest.raises(IgnoreRequest, match=r"declares 10 XML entities \(lol0, lol1, lol2, ...\)"):
        guard.process_response(Request(bomb.url), bomb)
    assert crawler.stats.get_value("xml/refused_entities") == 1


# -- failed attempts in WARC ----------------------------------------------------------


def test_describe_unwraps_twisted_failures() -> None:
    described = describe(wrapped_reset())
    assert described.startswith(
        "scrapy.exceptions.DownloadFailedError (ResponseNeverReceived: "
        "twisted.internet.error.ConnectionLost: Connection to the other side was lost"
    )
    assert "<twisted.python.failure.Failure" not in described
    assert describe(ValueError("two\nlines")) == "builtins.ValueError: two lines"


def test_a_failed_attempt_is_a_request_and_a_metadata_record(tmp_path: Path) -> None:
    request = Request(URL, headers={"Referer": "http://anri.go.id/publikasi/berita"})
    request.meta.update(depth=1, retry_times=1, **{RECEIVED: 512})
    error = TimeoutError("took too long")
    fields = failure_fields(request, error, [("via", "http://anri.go.id/"), ("fetchTimeMs", "9")])
    refused = ConnectionRefusedError()  # type: ignore[no-untyped-call]
    assert was_sent(error) and not was_sent(refused)
    with WarcFileWriter(tmp_path) as writer:
        write_failed_attempt(writer, URL, request_message(request), fields)
        write_failed_attempt(writer, URL, None, fields)  # never sent: metadata alone
    (path,) = tmp_path.glob("*.warc.gz")
    records = [
        (r.rec_type, r.rec_headers, r.content_stream().read().decode("utf-8", "replace"))
        for r in ArchiveIterator(io.BytesIO(path.read_bytes()))
    ]
    assert [r[0] for r in records] == ["warcinfo", "request", "metadata", "metadata"]
    request_id = records[1][1].get_header("WARC-Record-ID")
    assert records[2][1].get_header("WARC-Concurrent-To") == request_id
    assert records[3][1].get_header("WARC-Concurrent-To") is None
    block = records[2][2]
    assert "fetchError: builtins.TimeoutError: took too long" in block
    assert "attempt: 2" in block and "receivedBytes: 512" in block
    assert "via: http://anri.go.id/" in block and "fetchTimeMs" not in block
