"""`Site`: what extraction knows about the site a page comes from.

A small value the caller builds (from a profile: `crawler.profiles.site_for`,
``Profile.site_hints``), so that extraction reads no file and knows nothing of
profiles. ``Site()`` is a site with no hints: generic rules only, dates
without a default zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Site:
    """Hints for extracting pages of one site."""

    #: The site's name: ``Article.site``, and a word a ``<title>`` suffix may hold.
    name: str = ""
    #: CSS selectors pinned for fields (keys: container, title, date, body, byline,
    #: author, editor, views); generic rules apply where one finds nothing.
    selectors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: UTC offset of the site's default zone (``+07:00``), for dates written without one.
    offset: str | None = None
    #: The site's language (``id``) when the page does not declare one.
    language: str = ""
