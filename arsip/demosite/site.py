"""The replica as a function from request target to response: routes and validators.

`SiteApp.resolve("/publikasi/berita?page=2")` returns a `Resource` (status,
type, body, Last-Modified, strong ETag, extra headers, whether to send it
chunked). The HTTP server and the static export both build on it.

URL map (all under the base URL):

=====================================  ============================================
``/``                                  home; two ``Set-Cookie`` headers
``/publikasi/berita[?page=N]``         listing, 10 per page, newest first; chunked
``/publikasi/berita/SLUG``             article
``/publikasi/berita/OLD-SLUG``         301 to the moved article (``SiteContent.moved_from``)
``/sitemap.xml``                       listing and every article; chunked
``/robots.txt``                        ``Disallow: /admin/`` and the sitemap
``/admin/login``                       a login form (robots.txt forbids it)
``/profil``, ``/layanan``              plain pages
``/assets/css/style.css``, ``/assets/js/main.js``, ``/assets/img/*.png``
``/uploads/berita/*.jpg|png``          lead and content images
``/uploads/lampiran/*.pdf``            attachments
anything else                          404 (HTML); ``PATH/`` answers 301 to ``PATH``
=====================================  ============================================
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from arsip.demosite import media, render, textfiles
from arsip.demosite.content import ASSETS_MODIFIED
from arsip.demosite.model import NEWS_PATH, Media, SiteContent

HTML = "text/html; charset=utf-8"
TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "application/javascript; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "pdf": "application/pdf",
}
_COMPRESSIBLE = ("text/", "application/javascript", "application/xml")


@dataclass(frozen=True, slots=True)
class Resource:
    """What the site answers for one target, before content coding."""

    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None
    etag: str | None = None  # strong validator of the identity body
    headers: tuple[tuple[str, str], ...] = ()
    chunked: bool = False

    @property
    def compressible(self) -> bool:
        return self.content_type.startswith(_COMPRESSIBLE)


def ok(
    content_type: str,
    body: bytes | str,
    modified: datetime,
    *,
    chunked: bool = False,
    headers: tuple[tuple[str, str], ...] = (),
) -> Resource:
    """A 200 with a strong ETag computed from the body."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    etag = f'"{hashlib.sha1(data).hexdigest()[:20]}"'
    return Resource(200, content_type, data, modified, etag, headers, chunked)


def draw(spec: Media) -> bytes:
    """The bytes of an image or PDF of the site."""
    if spec.kind == "pdf":
        return media.pdf(spec.title, spec.lines)
    paint = media.gradient(spec.width, spec.height, spec.key)
    if spec.kind == "png":
        return media.png(spec.width, spec.height, paint)
    return media.jpeg(spec.width, spec.height, paint)


def gzip_body(body: bytes) -> bytes:
    """Deterministic gzip (no file name, mtime 0)."""
    return gzip.compress(body, compresslevel=6, mtime=0)


class SiteApp:
    """Routes request targets to resources; caches what it renders (thread-safe)."""

    def __init__(self, content: SiteContent, base_url: str) -> None:
        self.content = content
        self.base_url = base_url.rstrip("/")
        self._cache: dict[str, Resource] = {}
        self._gzip: dict[str, bytes] = {}
        self._lock = threading.Lock()
        token = hashlib.sha1(f"{content.seed}:{content.epoch}".encode()).hexdigest()
        self.cookies = (
            ("Set-Cookie", f"ci_session={token[:32]}; Path=/; HttpOnly; SameSite=Lax"),
            ("Set-Cookie", f"XSRF-TOKEN={token[8:40]}; Path=/; SameSite=Lax"),
        )

    def resolve(self, target: str) -> Resource:
        """The resource for *target* (path plus optional query, as requested)."""
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        key = f"{path}?{parts.query}" if path == NEWS_PATH else path
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        resource = self._route(path, parts.query)
        with self._lock:
            self._cache[key] = resource
        return resource

    def encoded(self, resource: Resource) -> bytes:
        """The gzip coding of *resource*'s body (cached by ETag)."""
        key = resource.etag or hashlib.sha1(resource.body).hexdigest()
        with self._lock:
            found = self._gzip.get(key)
        if found is None:
            found = gzip_body(resource.body)
            with self._lock:
                self._gzip[key] = found
        return found

    def not_found(self) -> Resource:
        return Resource(404, HTML, render.not_found_page().encode("utf-8"))

    def redirect(self, location: str) -> Resource:
        body = render.moved_page(location).encode("utf-8")
        return Resource(301, HTML, body, headers=(("Location", self.base_url + location),))

    def _route(self, path: str, query: str) -> Resource:
        site = self.content
        if path == "/":
            return ok(HTML, render.home_page(site), site.last_changed, headers=self.cookies)
        if path == NEWS_PATH:
            return self._listing(query)
        if path.startswith(NEWS_PATH + "/"):
            slug = path[len(NEWS_PATH) + 1 :]
            article = site.by_slug.get(slug)
            if article is not None:
                modified = max(a.modified for a in render.referenced(site, article))
                return ok(HTML, render.article_page(site, article), modified)
            if path == site.moved_from:
                return self.redirect(site.by_slug[site.moved_to].path)
        fixed = self._fixed(path)
        if fixed is not None:
            return fixed
        spec = site.media.get(path)
        if spec is not None and spec.modified is not None:
            return ok(TYPES[spec.kind], draw(spec), spec.modified)
        if path.endswith("/") and path != "/":
            stripped = path.rstrip("/")
            if self.resolve(stripped).status == 200:
                return self.redirect(stripped)
        return self.not_found()

    def _listing(self, query: str) -> Resource:
        site = self.content
        values = parse_qs(query, keep_blank_values=True).get("page", ["1"])
        pages = render.page_count(site)
        if len(values) != 1 or not values[0].isdigit() or not 1 <= int(values[0]) <= pages:
            return self.not_found()
        html = render.listing_page(site, int(values[0]))
        return ok(HTML, html, site.last_changed, chunked=True)

    def _fixed(self, path: str) -> Resource | None:
        site = self.content
        if path == "/robots.txt":
            return ok(TYPES["txt"], textfiles.robots_txt(self.base_url), ASSETS_MODIFIED)
        if path == "/sitemap.xml":
            xml = textfiles.sitemap_xml(site, self.base_url)
            return ok(TYPES["xml"], xml, site.last_changed, chunked=True)
        if path == "/assets/css/style.css":
            return ok(TYPES["css"], textfiles.STYLE_CSS, ASSETS_MODIFIED)
        if path == "/assets/js/main.js":
            return ok(TYPES["js"], textfiles.MAIN_JS, ASSETS_MODIFIED)
        if path == "/admin/login":
            return ok(HTML, render.login_page(), ASSETS_MODIFIED)
        pages = {
            "/profil": ("Profil", PROFILE_TEXT),
            "/layanan": ("Layanan", SERVICES_TEXT),
        }
        if path in pages:
            title, text = pages[path]
            return ok(HTML, render.simple_page(title, text), ASSETS_MODIFIED)
        return None


PROFILE_TEXT = (
    "Arsip Nasional Republik Indonesia (ANRI) adalah lembaga pemerintah nonkementerian "
    "yang melaksanakan tugas negara di bidang kearsipan.",
    "ANRI berkedudukan di Jakarta dan bertanggung jawab kepada Presiden.",
)
SERVICES_TEXT = (
    "ANRI melayani penelusuran arsip statis, reproduksi arsip, dan konsultasi kearsipan.",
    "Jam layanan: Senin - Jumat, 08.00 WIB - 15.00 WIB. Telp. (021) 7805851.",
)
