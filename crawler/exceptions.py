"""Exceptions of arsip's Scrapy components (as Scrapy keeps its own in scrapy/exceptions.py).

`Skipped` carries the reason a request was not processed as data, so that
the spider's errback files it under that reason (the report's skip reasons,
`crawler.report.SKIP_REASONS`) without reading the message.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

#: The outcome of a request whose retries all ended in an incomplete body: a failure.
GAVE_UP = "incomplete"


class Skipped(IgnoreRequest):
    """A request (or its response) not processed on purpose, and ``reason`` why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
