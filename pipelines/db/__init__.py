"""The SQLite dataset: schema, migrations and idempotent upserts (no Scrapy needed).

``Dataset(path)`` opens (creating and migrating) the file; ``begin_crawl``,
``upsert(item)``, ``finish_crawl`` and ``close`` maintain it. The tables are
described in ``pipelines.db.migrations``; ``query_readonly`` runs a
researcher's SQL without any way to write.
"""

from __future__ import annotations

from pipelines.db.errors import (
    DatasetCorruptError,
    DatasetError,
    DatasetLockedError,
    DatasetReadOnlyError,
    DatasetVersionError,
    QueryError,
)
from pipelines.db.query import query_readonly
from pipelines.db.records import CONTENT_FIELDS, content_hash, replay_url
from pipelines.db.store import Dataset, UpsertResult

__all__ = [
    "CONTENT_FIELDS",
    "Dataset",
    "DatasetCorruptError",
    "DatasetError",
    "DatasetLockedError",
    "DatasetReadOnlyError",
    "DatasetVersionError",
    "QueryError",
    "UpsertResult",
    "content_hash",
    "query_readonly",
    "replay_url",
]
