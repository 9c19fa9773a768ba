"""Replica site flavors: the same deterministic content as other kinds of institution sites.

``anri`` (the default) is the ANRI replica of `arsip.demosite.site`; the
others are `Flavor` subclasses served by `FlavorApp`. docs/demo-site-flavors.md
describes each one: URL scheme, pagination, markup, labels, zone and traps.
"""

from __future__ import annotations

from typing import Any

from arsip.demosite import render
from arsip.demosite.content import build_site
from arsip.demosite.flavors.base import Flavor, FlavorApp, Post
from arsip.demosite.flavors.codeigniter import CodeIgniter
from arsip.demosite.flavors.drupal import Drupal
from arsip.demosite.flavors.joomla import Joomla
from arsip.demosite.flavors.kampus import Kampus
from arsip.demosite.flavors.laravel import Laravel
from arsip.demosite.flavors.spbe import Spbe
from arsip.demosite.flavors.wordpress import WordPress
from arsip.demosite.model import SiteContent

#: The default flavor: the ANRI replica (`arsip.demosite.site.SiteApp`).
ANRI = "anri"
ANRI_SUMMARY = "ANRI's news section (WIB): /publikasi/berita/slug, ?page=N (the default)"
ANRI_SECTION = "/publikasi/berita"

#: Every flavor other than ANRI, by name.
FLAVORS: dict[str, type[Flavor]] = {
    cls.name: cls for cls in (WordPress, Joomla, CodeIgniter, Spbe, Laravel)
}
#: Held-out flavors: served like the others, but no rule is tuned on them; only
#: tests/test_zero_config_heldout.py crawls them, to measure generalization.
HELDOUT: dict[str, type[Flavor]] = {cls.name: cls for cls in (Kampus, Drupal)}
_ALL: dict[str, type[Flavor]] = {**FLAVORS, **HELDOUT}


def flavor_names() -> list[str]:
    """Every tuned flavor's name, ANRI first (the held-out ones are `heldout_names`)."""
    return [ANRI, *FLAVORS]


def heldout_names() -> list[str]:
    """The held-out flavors' names."""
    return list(HELDOUT)


def summaries() -> dict[str, str]:
    """One line per flavor (for `arsip demo-site --help`)."""
    return {ANRI: ANRI_SUMMARY, **{name: cls.summary for name, cls in _ALL.items()}}


def section_of(name: str) -> str:
    """The news section path of flavor *name*."""
    return ANRI_SECTION if name == ANRI else _ALL[name].section


def build_flavor(name: str, articles: int = 120, epoch: int = 0, seed: int = 1) -> Flavor:
    """Flavor *name* (not ANRI) over the content of (*articles*, *epoch*, *seed*)."""
    if name not in _ALL:
        names = ", ".join([*flavor_names(), *HELDOUT])
        raise ValueError(f"unknown flavor {name!r}; choose one of {names}")
    return _ALL[name](build_site(articles, epoch, seed, salt=name))


def anri_page_map(content: SiteContent, base_url: str) -> dict[str, Any]:
    """The ANRI replica's URL classes, in the shape of `Flavor.page_map`."""
    base = base_url.rstrip("/")
    pages = render.page_count(content)
    return {
        "flavor": ANRI,
        "site_name": render.SITE_NAME,
        "section": ANRI_SECTION,
        "zone": "WIB",
        "start_url": base + ANRI_SECTION,
        "listings": [base + render.live_page_href(n) for n in range(1, pages + 1)],
        "articles": [base + a.path for a in content.articles],
        "other_pages": [base + p for p in ("/", "/profil", "/layanan", "/admin/login")],
        "traps": [],
    }


__all__ = [
    "ANRI",
    "FLAVORS",
    "HELDOUT",
    "Flavor",
    "FlavorApp",
    "Post",
    "anri_page_map",
    "build_flavor",
    "flavor_names",
    "heldout_names",
    "section_of",
    "summaries",
]
