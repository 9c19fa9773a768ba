"""A spider and its runner for tests/test_warc_capture.py.

Run in a subprocess (a Twisted reactor cannot be restarted inside pytest)::

    python capture_spider.py CONFIG.json

CONFIG holds ``urls`` (start URLs), ``follow`` (path → link to follow from
it), ``settings`` (Scrapy settings) and ``stats`` (where to dump the final
stats as JSON). Items (one per response the spider sees) go wherever the
``FEEDS`` setting says.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.http import Response


class CaptureSpider(scrapy.Spider):
    """Fetch the start URLs, follow the configured links, report what each response carried."""

    name = "capture"

    def __init__(
        self, urls: Sequence[str], follow: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls = list(urls)
        self.follow = follow or {}

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield {
            "url": response.url,
            "status": response.status,
            "warc": response.meta.get("warc"),
            "fetched_at": response.meta.get("fetched_at"),
            "body": response.body.decode("latin-1"),
        }
        path = urlsplit(response.url).path
        if path in self.follow:
            yield response.follow(self.follow[path], callback=self.parse)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one crawl as configured by the JSON file named in `argv`."""
    args = list(sys.argv[1:] if argv is None else argv)
    with open(args[0], encoding="utf-8") as fh:
        config = json.load(fh)
    # Components must use current Scrapy signatures: a deprecation fails the crawl.
    warnings.filterwarnings("error", category=ScrapyDeprecationWarning)
    process = CrawlerProcess(settings=config["settings"])
    crawler = process.create_crawler(CaptureSpider)
    process.crawl(crawler, urls=config["urls"], follow=config.get("follow"))
    process.start()
    with open(config["stats"], "w", encoding="utf-8") as fh:
        json.dump(crawler.stats.get_stats(), fh, default=str, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
