"""The news spider with extraction switched off, for the "bare Scrapy" baseline.

It follows exactly the links `NewsSpider` follows (listings, pagination,
sitemap, articles, requisites) and emits nothing: the article callback
yields the article's links and stops before `crawler.extract`. Used while
the spider has no setting to switch extraction off (see bench/README.md).
"""

from __future__ import annotations

from typing import Any

from scrapy.http import TextResponse

from crawler.spiders.news import NewsSpider


class BareNewsSpider(NewsSpider):
    """`NewsSpider` minus extraction: same requests, no items."""

    name = "news-bare"

    def article_item(self, response: TextResponse) -> dict[str, Any] | None:
        self._count("bench/articles_not_extracted")
        return None
