"""Pure field extraction: HTML bytes in, `Article` out, no I/O.

Used by the spider, by ``arsip reextract`` and by ``arsip extract``::

    from crawler.extract import extract
    article = extract(body, url, headers=headers)        # profile by URL host
    article.as_dict()                                     # the 14 item fields
    article.debug["fallback"]                             # -> stats extract/fallback/<field>

Also `parse_date` (one date/time/range/relative phrase -> ISO 8601) and
`find_event_times` (the events of a body text).
"""

from __future__ import annotations

from crawler.extract.dates import parse_date
from crawler.extract.events import find_event_times
from crawler.extract.extractor import extract, page_url
from crawler.extract.model import Article, EventTime

__all__ = ["Article", "EventTime", "extract", "find_event_times", "page_url", "parse_date"]
