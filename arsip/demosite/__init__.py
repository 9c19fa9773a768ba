"""The replica site (`arsip demo-site`): a deterministic copy of ANRI's news section.

Tests and benchmarks crawl it instead of the internet; its ground truth says
what extraction must find on every article page.

- `content.build_site(articles, epoch, seed)` -> `model.SiteContent`: the
  articles (newest first) and their truth (`SiteContent.truth(base_url)`);
- `site.SiteApp`: request target -> `Resource` (routes, ETag, Last-Modified);
- `server.DemoSite`: an HTTP/1.1 server in a thread, with a response log;
- `export.export_site`: the same site as static files plus an nginx.conf;
- `flavors`: the same content as other kinds of institution sites
  (WordPress, Joomla, CodeIgniter, SPBE, Laravel; `DemoSite(flavor=NAME)`),
  with their truth, page map and traps (docs/demo-site-flavors.md).

Module map: `lexicon` (vocabulary), `events` (event sentences and their
truth), `writer` (an article's copy), `seed` (the real 9 December 2021
article), `media` (PNG/JPEG/PDF bytes), `render` (HTML), `textfiles`
(robots.txt, sitemap, CSS, JS).
"""

from __future__ import annotations

from arsip.demosite.content import build_site
from arsip.demosite.server import DemoSite, start_in_thread

__all__ = ["DemoSite", "build_site", "start_in_thread"]
