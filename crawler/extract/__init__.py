"""Pure field extraction: HTML bytes in, `Article` out, no I/O.

Used by the spider, by ``arsip reextract`` and by ``arsip extract``::

    from crawler.extract import extract
    article = extract(body, url, headers=headers)        # generic rules
    article = extract(body, url, headers=headers, site=site_for(profile, url))
    article.as_dict()                                     # the 14 item fields
    article.debug["fallback"]                             # -> stats extract/fallback/<field>

`Site` (selectors, site name, default zone, language) is built by the caller
from a profile (`crawler.profiles.site_for`); extraction knows no profiles.

Also `parse_date` (one date/time/range/relative phrase -> ISO 8601) and
`find_event_times` (the events of a body text).

The names are imported on first use (module ``__getattr__``, PEP 562):
``from crawler.extract import parse_date`` loads the date parser alone, not
lxml and the DOM code that `extract` needs, so a tool that
only reads dates starts in a few milliseconds.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from crawler.extract.dates import parse_date
    from crawler.extract.events import find_event_times
    from crawler.extract.extractor import extract, page_url
    from crawler.extract.model import Article, EventTime
    from crawler.extract.site import Site

#: Public name -> the submodule that defines it.
_SOURCES: dict[str, str] = {
    "Article": "crawler.extract.model",
    "EventTime": "crawler.extract.model",
    "extract": "crawler.extract.extractor",
    "find_event_times": "crawler.extract.events",
    "page_url": "crawler.extract.extractor",
    "parse_date": "crawler.extract.dates",
    "Site": "crawler.extract.site",
}

__all__ = ["Article", "EventTime", "Site", "extract", "find_event_times", "page_url", "parse_date"]


def __getattr__(name: str) -> object:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(source, fromlist=[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
