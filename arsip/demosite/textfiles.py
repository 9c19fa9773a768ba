"""The replica's non-HTML text files: robots.txt, sitemap.xml, CSS and JavaScript."""

from __future__ import annotations

from xml.sax.saxutils import escape

from arsip.demosite.model import NEWS_PATH, SiteContent


def robots_txt(base_url: str) -> str:
    """Everyone may crawl everything but the admin area; the sitemap is announced."""
    return f"User-agent: *\nDisallow: /admin/\n\nSitemap: {base_url.rstrip('/')}/sitemap.xml\n"


def sitemap_xml(site: SiteContent, base_url: str) -> str:
    """The news listing and every article (newest first), with last modification times."""
    base = base_url.rstrip("/")
    changed = site.last_changed.isoformat()
    rows = [
        f"  <url><loc>{escape(base + NEWS_PATH)}</loc><lastmod>{changed}</lastmod>"
        "<changefreq>daily</changefreq></url>",
    ]
    rows += [
        f"  <url><loc>{escape(base + a.path)}</loc>"
        f"<lastmod>{a.modified.isoformat()}</lastmod></url>"
        for a in site.articles
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )


STYLE_CSS = """/* Arsip Nasional Republik Indonesia: main stylesheet */
* { box-sizing: border-box; }
body { margin: 0; font-family: "Source Sans Pro", Arial, sans-serif; color: #2b2b2b; }
a { color: #8a1c1c; text-decoration: none; }
a:hover { text-decoration: underline; }
.container { max-width: 1140px; margin: 0 auto; padding: 0 15px; }
.row { display: flex; flex-wrap: wrap; gap: 30px; }
.topbar { background: #6d1313; color: #fff; font-size: 13px; padding: 6px 0; }
.topbar span { margin-right: 24px; }
.header { background: #fff; border-bottom: 3px solid #c9a227; }
.header .container { display: flex; align-items: center; justify-content: space-between; }
.logo img { height: 40px; }
.main-nav ul { list-style: none; display: flex; gap: 18px; margin: 0; padding: 0; }
.page-banner { background: #f4efe6; padding: 28px 0; margin-bottom: 30px; }
.banner-title { margin: 0 0 8px; font-size: 26px; }
.breadcrumb { list-style: none; display: flex; gap: 8px; margin: 0; padding: 0; font-size: 13px; }
.breadcrumb li + li::before { content: "/"; margin-right: 8px; color: #999; }
.col-main { flex: 3 1 600px; }
.col-side { flex: 1 1 260px; }
.news-head { display: flex; gap: 16px; align-items: flex-start; }
.date-block { background: #8a1c1c; color: #fff; text-align: center; padding: 8px 12px; }
.date-block .day { display: block; font-size: 28px; font-weight: 700; }
.date-block .month-year { display: block; font-size: 13px; }
.news-title { font-size: 28px; margin: 0; }
.news-image img { width: 100%; height: auto; }
.news-content p { line-height: 1.7; text-align: justify; }
.news-meta { font-size: 14px; color: #555; border-top: 1px solid #eee; padding-top: 10px; }
.share a { display: inline-block; margin-right: 8px; padding: 4px 10px; border: 1px solid #ddd; }
.views { font-size: 13px; color: #777; margin-top: 10px; }
.related h4 { margin-bottom: 6px; }
.widget-title { border-bottom: 2px solid #c9a227; padding-bottom: 6px; }
.widget ul { list-style: none; padding: 0; }
.widget li { padding: 8px 0; border-bottom: 1px dashed #ddd; }
.widget .date { display: block; font-size: 12px; color: #888; }
.news-item { display: flex; gap: 16px; padding: 14px 0; border-bottom: 1px solid #eee; }
.news-item .thumb img { width: 160px; height: 96px; object-fit: cover; }
.news-item-title { margin: 4px 0; font-size: 18px; }
.pagination { list-style: none; display: flex; gap: 6px; padding: 0; }
.pagination a, .pagination span { display: block; padding: 6px 12px; border: 1px solid #ddd; }
.pagination .active span { background: #8a1c1c; color: #fff; }
.footer { background: #3b0b0b; color: #eee; margin-top: 40px; padding: 30px 0; font-size: 14px; }
.footer img { height: 36px; }
@media (max-width: 768px) { .row { display: block; } .main-nav ul { display: none; } }
"""

MAIN_JS = """/* Arsip Nasional Republik Indonesia: small page behaviours */
(function () {
  "use strict";
  function openShare(event) {
    var link = event.currentTarget;
    event.preventDefault();
    window.open(link.href, "bagikan", "width=600,height=480,noopener");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll(".share a");
    for (var i = 0; i < links.length; i++) {
      links[i].addEventListener("click", openShare);
    }
    var nav = document.querySelector(".main-nav");
    var logo = document.querySelector(".logo");
    if (nav && logo) {
      logo.addEventListener("dblclick", function () {
        nav.classList.toggle("open");
      });
    }
  });
})();
"""
