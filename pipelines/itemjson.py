"""Item normalization and the JSON encodings shared by the pipelines and the dataset.

Normalization is deterministic and idempotent, so a live crawl and
``arsip reextract`` turn the same extracted values into the same item:

- keys in ``ITEM_FIELDS`` order (unknown keys kept after them, for the
  validator to reject);
- strings stripped, at any depth (``event_times`` entries, list elements,
  the ``warc`` object);
- a nullable text field that is empty after stripping becomes ``null``;
- ``language`` reduced to its lower-case primary subtag (``id-ID`` → ``id``);
- ``images`` and ``attachments``: empty entries dropped, duplicates dropped
  (first occurrence kept).

Values of the wrong type are left alone: the validator names them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crawler.extract.model import ITEM_FIELDS

#: Text fields that are ``null`` when the page does not show them.
NULLABLE_TEXT_FIELDS: tuple[str, ...] = ("title", "author", "editor", "place", "body", "language")

#: List-of-URL fields: document order, no duplicates.
URL_LIST_FIELDS: tuple[str, ...] = ("images", "attachments")


def _strip(value: Any) -> Any:
    """Strip every string inside *value* (dicts keep their key order)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {key: _strip(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_strip(inner) for inner in value]
    return value


def ordered(item: Mapping[str, Any]) -> dict[str, Any]:
    """*item* as a dict with the ``ITEM_FIELDS`` first, in order, then any other keys."""
    result = {name: item[name] for name in ITEM_FIELDS if name in item}
    result.update((key, value) for key, value in item.items() if key not in result)
    return result


#: The types of JSON values: a dict of these is an item as it is (see `plain_item`).
_JSON_TYPES: frozenset[type] = frozenset((dict, list, tuple, str, int, float, bool, type(None)))


def _json_only(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _json_only(inner) for key, inner in value.items())
    if kind is list or kind is tuple:
        return all(_json_only(inner) for inner in value)
    return kind in _JSON_TYPES


def plain_item(item: Any) -> Mapping[str, Any] | None:
    """*item* as a mapping of its fields, as ``ItemAdapter(item).asdict()`` has them
    (for `normalize_item`); None when *item* is not an item.

    A dict of JSON values (what the spider and ``arsip reextract`` make) is
    returned as it is: `normalize_item` copies it anyway, and itemadapter,
    which imports Scrapy, pydantic and attrs (~0.3 s), is imported only for
    anything else (Scrapy ``Item``, dataclass, attrs or pydantic objects).
    """
    if type(item) is dict and _json_only(item):
        return item
    # itemadapter imports Scrapy: plain dict items (reextract, ingest) never need it.
    from itemadapter import ItemAdapter  # noqa: PLC0415 - start-up time

    if not ItemAdapter.is_item(item):
        return None
    fields: dict[str, Any] = ItemAdapter(item).asdict()
    return fields


def normalize_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A normalized copy of *item* (see the module docstring); *item* is not changed."""
    result: dict[str, Any] = _strip(ordered(item))
    for name in NULLABLE_TEXT_FIELDS:
        if result.get(name) == "":
            result[name] = None
    language = result.get("language")
    if isinstance(language, str):
        result["language"] = language.replace("_", "-").split("-", 1)[0].lower() or None
    for name in URL_LIST_FIELDS:
        urls = result.get(name)
        if isinstance(urls, list) and all(isinstance(url, str) for url in urls):
            # dict.fromkeys keeps the first occurrence, in order.
            result[name] = list(dict.fromkeys(url for url in urls if url))
    return result


def compact_json(value: Any) -> str:
    """JSON in the value's own key order, no spaces, real UTF-8 text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


#: Characters that ``str.splitlines`` (and some editors) take as line breaks but
#: JSON leaves unescaped; escaped in JSON Lines so one record is always one line.
_LINE_BREAKS: tuple[tuple[str, str], ...] = (
    ("\x85", "\\u0085"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def dumps_line(item: Mapping[str, Any]) -> str:
    """One JSON Lines record: fields in ``ITEM_FIELDS`` order, compact, no newline."""
    line = compact_json(ordered(item))
    # str.replace, each only when needed: str.translate with a dict looks up every
    # character of the body (~0.25 ms per article).
    for char, escaped in _LINE_BREAKS:
        if char in line:
            line = line.replace(char, escaped)
    return line


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and real UTF-8 text: equal values give equal strings."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
