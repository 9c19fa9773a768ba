"""Serve the replica over HTTP/1.1 like a real web server, and log every response.

Conditional requests (``If-None-Match`` before ``If-Modified-Since``) get
304s; text types are gzipped for clients that accept it, with
``Vary: Accept-Encoding`` and a ``-gzip`` ETag; listings and the sitemap go
out chunked to HTTP/1.1 clients; keep-alive is the default.

Each response is logged as one JSON line (see `ResponseLog`) immediately
before its bytes are handed to the socket, so a client that has read a
response completely can rely on its log line being there.

With a fault SPEC (`arsip.demosite.faults`) some requests fail on purpose
(error statuses, resets, stalls, truncated bodies) and fault pages are
served; the log says which fault each response got.

Python API::

    with DemoSite(articles=30) as site:
        urlopen(site.base_url + "/publikasi/berita")
        site.truth()   # ground truth, newest first
        site.log       # responses sent so far

    with DemoSite(articles=35, flavor="joomla") as site:   # another kind of site
        site.page_map()["start_url"]   # .../index.php/berita
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from arsip.demosite import faults as fault_modes
from arsip.demosite.content import build_site
from arsip.demosite.fault_pages import FaultPages
from arsip.demosite.faults import FaultPlan, FaultSpec
from arsip.demosite.flavors import ANRI, Flavor, FlavorApp, anri_page_map, build_flavor
from arsip.demosite.model import SiteContent
from arsip.demosite.render import simple_page
from arsip.demosite.site import HTML, Resource, SiteApp

SERVER_NAME = "Apache/2.4.57 (arsip demo-site)"
CHUNK_SIZE = 4096


class ResponseLog:
    """Responses sent: kept in memory and, optionally, appended to a JSON Lines file.

    Fields: method, path (as requested, with query), status, bytes (body bytes
    sent, after content coding, without chunk framing), content_type (of the
    representation, also for a 304), encoding (``gzip`` or null), chunked,
    sha1 (of the body as sent), ua (User-Agent or null), host (the Host
    header or null), fault (the fault injected, or null; a ``reset`` before
    any byte has status null).
    """

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self.entries: list[dict[str, Any]] = []
        self._fh: IO[str] | None = path.open("w", encoding="utf-8") if path else None

    def add(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            self.entries.append(entry)
            if self._fh is not None:
                self._fh.write(line + "\n")
                self._fh.flush()

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``q=0`` refuses it)."""
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().lower()
        if quality.startswith("q="):
            try:
                return float(quality[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for ``If-None-Match``."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def not_modified(headers: Any, etag: str, modified: datetime | None) -> bool:
    """Whether the request's validators still match the representation."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = headers.get("If-Modified-Since")
    if ims is None or modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return bool(modified.replace(microsecond=0) <= since)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    app: SiteApp
    log: ResponseLog
    latency: float
    faults: FaultPlan | None
    fault_pages: FaultPages | None
    stopping: threading.Event


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    sys_version = ""
    timeout = 60
    server: _Server

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = simple_page("Akses Ditolak", ["Anda tidak berhak mengakses halaman ini."])
        self._send(Resource(403, HTML, body.encode("utf-8")), head=False, extra=())

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log: `ResponseLog` is the record."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found while parsing a request: a short HTML page, logged, then close."""
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        body = f"<!DOCTYPE html>\n<html><body><h1>{code} {text}</h1></body></html>\n"
        self._send(Resource(code, HTML, body.encode("utf-8")), head=False, extra=())

    def write_wire(self, data: bytes) -> bool:
        """Send *data*; False when the client has gone away."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # BrokenPipe, ConnectionReset, a socket a fault closed
            self.close_connection = True
            return False
        return True

    def _serve(self, head: bool) -> None:
        app, server = self.server.app, self.server
        if server.latency:
            time.sleep(server.latency)
        fault = server.faults.decide(self.path) if server.faults else None
        if fault == "reset":
            self._log(None, b"", HTML, encoding=None, chunked=False, fault=fault)
            fault_modes.reset(self)
            return
        page = server.fault_pages.resolve(self.path) if server.fault_pages else None
        if page is not None:
            fault = fault or page[0]
            resource = page[1]
        else:
            resource = app.resolve(self.path)
        if server.faults is not None and fault in fault_modes.STATUS_FAULTS:
            resource = fault_modes.error_resource(fault, server.faults.spec.retry_after)
        extra: list[tuple[str, str]] = []
        own_coding = any(name.lower() == "content-encoding" for name, _ in resource.headers)
        compressible = resource.compressible and not own_coding
        if compressible:
            extra.append(("Vary", "Accept-Encoding"))
        body, etag = resource.body, resource.etag
        encoding = None
        if compressible and accepts_gzip(self.headers.get("Accept-Encoding")):
            body, encoding = app.encoded(resource), "gzip"
            if etag:
                etag = etag[:-1] + '-gzip"'
        if resource.status == 200 and etag:
            extra.append(("ETag", etag))
            if resource.last_modified is not None:
                extra.append(
                    ("Last-Modified", format_datetime(resource.last_modified, usegmt=True))
                )
            if not_modified(self.headers, etag, resource.last_modified):
                self._send(
                    resource, head=True, extra=tuple(extra), status=304, body=b"", fault=fault
                )
                return
        if encoding:
            extra.append(("Content-Encoding", encoding))
        self._send(
            resource, head=head, extra=tuple(extra), body=body, encoding=encoding, fault=fault
        )

    def _send(
        self,
        resource: Resource,
        *,
        head: bool,
        extra: tuple[tuple[str, str], ...],
        status: int | None = None,
        body: bytes | None = None,
        encoding: str | None = None,
        fault: str | None = None,
    ) -> None:
        status = status or resource.status
        payload = resource.body if body is None else body
        wire_fault = fault if fault in fault_modes.WIRE_FAULTS else None
        chunked = (
            resource.chunked
            and status == 200
            and self.request_version == "HTTP/1.1"
            and wire_fault is None  # a faulty body is framed by Content-Length
        )
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"Date: {formatdate(usegmt=True)}",
            f"Server: {SERVER_NAME}",
        ]
        if status != 304:
            lines.append(f"Content-Type: {resource.content_type}")
        lines += [f"{name}: {value}" for name, value in (*extra, *resource.headers)]
        if status != 304:
            if chunked:
                lines.append("Transfer-Encoding: chunked")
            else:
                lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head_wire = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        with_body = not head and status != 304
        sent = payload if with_body else b""
        if wire_fault is not None and with_body:
            spec = self.server.faults.spec if self.server.faults else FaultSpec()
            planned = fault_modes.wire_body(wire_fault, sent)
            self._log(
                status,
                planned,
                resource.content_type,
                encoding=encoding,
                chunked=False,
                fault=wire_fault,
            )
            fault_modes.send_faulty(
                self, head_wire, sent, fault=wire_fault, spec=spec, stop=self.server.stopping
            )
            return
        wire = head_wire
        if with_body and chunked:
            wire += b"".join(
                b"%x\r\n%s\r\n" % (len(piece), piece)
                for piece in (sent[i : i + CHUNK_SIZE] for i in range(0, len(sent), CHUNK_SIZE))
            )
            wire += b"0\r\n\r\n"
        else:
            wire += sent
        self._log(
            status,
            sent,
            resource.content_type,
            encoding=encoding if status != 304 else None,
            chunked=bool(chunked and with_body),
            fault=fault,
        )
        self.write_wire(wire)

    def _log(
        self,
        status: int | None,
        sent: bytes,
        content_type: str,
        *,
        encoding: str | None,
        chunked: bool,
        fault: str | None,
    ) -> None:
        """Log a response (or a reset: status None) before its bytes go out."""
        headers = getattr(self, "headers", None)
        self.server.log.add(
            {
                "method": self.command or None,
                "path": getattr(self, "path", None),
                "status": status,
                "bytes": len(sent),
                "content_type": content_type,
                "encoding": encoding,
                "chunked": chunked,
                "sha1": hashlib.sha1(sent).hexdigest(),
                "ua": headers.get("User-Agent") if headers is not None else None,
                "host": headers.get("Host") if headers is not None else None,
                "fault": fault,
            }
        )


class DemoSite:
    """The replica in a background thread: a context manager for tests and tools."""

    def __init__(
        self,
        articles: int = 120,
        epoch: int = 0,
        seed: int = 1,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0,
        log_path: Path | None = None,
        faults: FaultSpec | None = None,
        flavor: str = ANRI,
    ) -> None:
        self.flavor: Flavor | None = None
        if flavor == ANRI:
            self.content: SiteContent = build_site(articles, epoch, seed)
        else:
            self.flavor = build_flavor(flavor, articles, epoch, seed)
            self.content = self.flavor.content
            if faults is not None and faults.pages:
                raise ValueError("fault pages (--faults PAGE items) exist only on the anri flavor")
        self.seed = seed
        self.faults = faults
        self.host = host
        self.port = port
        self.latency = latency_ms / 1000
        self.log_path = log_path
        self.base_url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._log: ResponseLog | None = None

    def start(self) -> str:
        """Bind, start serving in a daemon thread and return the base URL (no slash)."""
        server = _Server((self.host, self.port), _Handler)
        host, port = server.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else str(host)
        self.port = int(port)
        self.base_url = f"http://{shown}:{self.port}"
        try:
            self._log = ResponseLog(self.log_path)
        except OSError:
            server.server_close()
            raise
        if self.flavor is None:
            server.app = SiteApp(self.content, self.base_url)
        else:
            server.app = FlavorApp(self.flavor, self.base_url)
        server.log = self._log
        server.latency = self.latency
        server.stopping = threading.Event()
        server.faults = server.fault_pages = None
        if self.faults is not None:
            seed = self.seed if self.faults.seed is None else self.faults.seed
            server.faults = FaultPlan(self.faults, seed)
            server.fault_pages = FaultPages(self.faults, server.app, seed)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close the socket and the log."""
        if self._server is not None:
            self._server.stopping.set()  # wakes stalled and slow fault responses
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._log is not None:
            self._log.close()

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def truth(self) -> list[dict[str, Any]]:
        """Ground truth of every article (newest first), with URLs on this server."""
        if self.flavor is not None:
            return self.flavor.truth(self.base_url)
        return self.content.truth(self.base_url)

    def page_map(self) -> dict[str, Any]:
        """The site's URL classes (listings, articles, other pages, traps) on this server."""
        if self.flavor is not None:
            return self.flavor.page_map(self.base_url)
        return anri_page_map(self.content, self.base_url)

    @property
    def log(self) -> list[dict[str, Any]]:
        """A copy of the responses logged so far."""
        return list(self._log.entries) if self._log else []

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_in_thread(articles: int = 120, epoch: int = 0, seed: int = 1, **kwargs: Any) -> DemoSite:
    """A started `DemoSite` (call ``.stop()`` when done)."""
    site = DemoSite(articles, epoch, seed, **kwargs)
    site.start()
    return site
