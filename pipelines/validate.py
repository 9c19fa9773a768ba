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

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from pipelines import defaults
from pipelines.itemjson import normalize_item
from pipelines.schema import SchemaValidator, Violation

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class InvalidItem(DropItem):
    """An item that breaks the schema; ``violations`` says how."""

    def __init__(self, item: Any, violations: list[Violation]) -> None:
        self.violations = violations
        fields = sorted({v.field for v in violations})
        label = (item.get("id") or item.get("url")) if isinstance(item, dict) else None
        details = "; ".join(str(v) for v in violations)
        super().__init__(
            f"invalid item {label or '(no id)'}: bad {', '.join(fields)} ({details})",
            log_level="WARNING",
        )


class ValidateItemPipeline:
    """Normalize items and drop the ones that break the item schema."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats
        self.validator = SchemaValidator.for_items()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateItemPipeline:
        """NotConfigured when ARSIP_VALIDATE_ENABLED is off."""
        if not crawler.settings.getbool("ARSIP_VALIDATE_ENABLED", defaults.ARSIP_VALIDATE_ENABLED):
            raise NotConfigured("ARSIP_VALIDATE_ENABLED is off")
        return cls(stats=crawler.stats)

    def check(self, item: Any) -> dict[str, Any]:
        """The normalized item; raises ``InvalidItem`` when it breaks the schema."""
        if not ItemAdapter.is_item(item):
            raise InvalidItem(
                item, [Violation("item", "item", f"{type(item).__name__} is not an item")]
            )
        normalized = normalize_item(ItemAdapter(item).asdict())
        violations = self.validator.violations(normalized)
        if violations:
            raise InvalidItem(normalized, violations)
        return normalized

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
