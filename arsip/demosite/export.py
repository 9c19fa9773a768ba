"""Write the replica as static files that a plain web server (nginx) can serve.

Layout (``DIR`` is the export directory)::

    index.html                               /
    publikasi/berita/index.html              /publikasi/berita       (listing page 1)
    publikasi/berita/page/N/index.html       listing page N (1..last)
    publikasi/berita/SLUG/index.html         /publikasi/berita/SLUG
    publikasi/berita/OLD-SLUG/index.html     meta-refresh page (nginx.conf answers 301)
    sitemap.xml, robots.txt                  with absolute URLs on --base-url
    assets/..., uploads/...                  CSS, JS, images, PDFs
    admin/login/index.html, profil/index.html, layanan/index.html
    404.html                                 the not-found page
    nginx.conf                               a server block for all of the above

A static server cannot answer ``?page=N`` from files, so in an export the
listing's pagination links point at ``/publikasi/berita/page/N/`` (page 1 at
``/publikasi/berita/``): they work on any static server, even without the
nginx.conf. Every other page has the same bytes as on the live replica.
nginx.conf also maps ``/publikasi/berita?page=N`` to the page files, serves
``/publikasi/berita/SLUG`` without the directory redirect, and turns the
moved article's old address into a real 301.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive import files as files_mod
from arsip.demosite import render
from arsip.demosite.model import NEWS_PATH, SiteContent
from arsip.demosite.site import SiteApp

_FIXED = (
    "/robots.txt",
    "/sitemap.xml",
    "/assets/css/style.css",
    "/assets/js/main.js",
    "/admin/login",
    "/profil",
    "/layanan",
)


def _file_for(path: str) -> str:
    """``/publikasi/berita/x`` -> ``publikasi/berita/x/index.html``; files keep their name."""
    name = path.strip("/")
    if not name:
        return "index.html"
    if "." in name.rsplit("/", 1)[-1]:
        return name
    return f"{name}/index.html"


def nginx_conf(site: SiteContent, root: Path) -> str:
    """A server block that serves the export like the live replica."""
    target = site.by_slug[site.moved_to].path
    return f"""# nginx server block for the static export of `arsip demo-site`:
# include it inside the http {{ }} block of a configuration that includes mime.types.
server {{
    listen 8080;
    server_name 127.0.0.1 localhost;
    root {root};
    charset utf-8;
    charset_types text/css application/javascript application/xml text/xml text/plain;
    etag on;
    gzip on;
    gzip_vary on;
    gzip_types text/css application/javascript application/xml text/xml text/plain;
    error_page 404 /404.html;

    location = /nginx.conf {{ return 404; }}
    location = {site.moved_from} {{ return 301 {target}; }}
    location = {NEWS_PATH} {{
        if ($arg_page) {{ rewrite ^ {NEWS_PATH}/page/$arg_page/index.html last; }}
        try_files {NEWS_PATH}/index.html =404;
    }}
    location / {{
        try_files $uri $uri/index.html =404;
    }}
}}
"""


def export_site(site: SiteContent, out_dir: Path, base_url: str) -> list[Path]:
    """Write every page and file of *site* under *out_dir*; return the files written."""
    app = SiteApp(site, base_url)
    files: dict[str, bytes] = {}

    def add(path: str) -> None:
        resource = app.resolve(path)
        if resource.status != 200:
            raise RuntimeError(f"export: {path} answered {resource.status}")
        files[_file_for(path)] = resource.body

    add("/")
    for path in _FIXED:
        add(path)
    for article in site.articles:
        add(article.path)
    for path in site.media:
        add(path)
    for page in range(1, render.page_count(site) + 1):
        html = render.listing_page(site, page, render.static_page_href).encode("utf-8")
        files[f"{NEWS_PATH.strip('/')}/page/{page}/index.html"] = html
        if page == 1:
            files[f"{NEWS_PATH.strip('/')}/index.html"] = html
    target = site.by_slug[site.moved_to].path
    files[_file_for(site.moved_from)] = render.moved_page(target).encode("utf-8")
    files["404.html"] = app.not_found().body
    root = out_dir.resolve()
    files["nginx.conf"] = nginx_conf(site, root).encode("utf-8")
    written: list[Path] = []
    for name, data in sorted(files.items()):
        target_file = root / name
        files_mod.write_bytes_atomically(target_file, data)
        written.append(target_file)
    return written


def write_truth(site: SiteContent, base_url: str, path: Path) -> int:
    """Write the ground truth as JSON Lines, atomically (temp file + rename); return the count."""
    return write_records(site.truth(base_url), path)


def write_records(records: list[dict[str, Any]], path: Path) -> int:
    """Write *records* as JSON Lines, atomically (temp file + rename); return the count."""
    lines = (json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    files_mod.write_text_atomically(path, lines)
    return len(records)
