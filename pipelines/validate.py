"""Validate and normalize items before anything is written.

``ValidateItemPipeline`` normalizes each item (``pipelines.itemjson``) and
checks it against ``schema/article.schema.json``. An invalid item is
dropped with a ``DropItem`` whose reason names every offending field; Scrapy
logs the drop (at WARNING, with the item) and the pipeline counts it:

- ``item/dropped/invalid``: invalid items;
- ``item/dropped/invalid/<field>``: invalid items per offending field (an
  item with two bad fields counts under both).

Setting: ``ARSIP_VALIDATE_ENABLED`` (default ``True``). Put it first
(priority 100) so nothing invalid reaches a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from pipelines import defaults
from pipelines.schema import ItemCheck, SchemaValidator, Violation, invalid_reason

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class InvalidItem(DropItem):
    """An item that breaks the schema; ``violations`` says how."""

    def __init__(self, item: Any, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__(invalid_reason(item, violations), log_level="WARNING")


class ValidateItemPipeline:
    """Normalize items and drop the ones that break the item schema."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats
        self.validator = SchemaValidator.for_items()
        self._check = ItemCheck(self.validator)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateItemPipeline:
        """NotConfigured when ARSIP_VALIDATE_ENABLED is off."""
        if not crawler.settings.getbool("ARSIP_VALIDATE_ENABLED", defaults.ARSIP_VALIDATE_ENABLED):
            raise NotConfigured("ARSIP_VALIDATE_ENABLED is off")
        return cls(stats=crawler.stats)

    def check(self, item: Any) -> dict[str, Any]:
        """The normalized item; raises ``InvalidItem`` when it breaks the schema."""
        normalized, violations = self._check(item)
        if violations:
            raise InvalidItem(normalized, violations)
        valid: dict[str, Any] = normalized
        return valid

    def process_item(self, item: Any) -> dict[str, Any]:
        """The normalized item, or DropItem (``InvalidItem``) counted in the stats."""
        try:
            return self.check(item)
        except InvalidItem as exc:
            if self.stats is not None:
                self.stats.inc_value("item/dropped/invalid")
                for field in sorted({v.field for v in exc.violations}):
                    self.stats.inc_value(f"item/dropped/invalid/{field}")
            raise
