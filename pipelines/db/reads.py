"""arsip's own reads of a dataset: its crawls, the articles it knows, what a crawl changed.

Every statement on the dataset schema lives in pipelines/db/; these are the
reads other layers need (the incremental crawl, the crawl report, ``arsip
crawls``, ``arsip ingest``). Each opens the file read-only and closes it;
`sqlite3.Error` is left to the caller, which knows what the failure means
for its user.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def _readonly(dataset: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{dataset}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        yield conn


def read_crawls(dataset: Path, *, finished: bool = False) -> list[dict[str, Any]]:
    """The ``crawls`` rows, oldest first (*finished*: only those that have ended)."""
    where = " WHERE finished_at IS NOT NULL" if finished else ""
    with _readonly(dataset) as conn:
        rows = conn.execute(
            "SELECT id, profile, collection, started_at, finished_at, stats FROM crawls"
            f"{where} ORDER BY started_at, id"
        ).fetchall()
    return [dict(row) for row in rows]


def known_articles(dataset: Path) -> Iterator[tuple[str, str, str | None, int | None]]:
    """(id, url, published, views) of every article of the dataset."""
    with _readonly(dataset) as conn:
        for row in conn.execute("SELECT id, url, published, views FROM articles"):
            yield row["id"], row["url"], row["published"], row["views"]


def crawl_changes(dataset: Path, crawl_id: str, ids: list[str]) -> dict[str, list[str]]:
    """Article ids of this crawl by ``new`` / ``changed`` / ``unchanged``, from observations.

    One query over the crawl's observations (each compared with the same
    article's previous one); the result follows the order of *ids*.
    """
    result: dict[str, list[str]] = {"new": [], "changed": [], "unchanged": []}
    if not dataset.exists() or not ids:
        return result
    verdicts: dict[str, str] = {}
    wanted = set(ids)
    conn = sqlite3.connect(f"file:{dataset}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT o.article_id, o.content_hash,"
            " (SELECT p.content_hash FROM observations p WHERE p.article_id = o.article_id"
            "  AND p.crawl_id != o.crawl_id AND p.fetched_at < o.fetched_at"
            "  ORDER BY p.fetched_at DESC LIMIT 1),"
            " EXISTS (SELECT 1 FROM observations p WHERE p.article_id = o.article_id"
            "  AND p.crawl_id != o.crawl_id AND p.fetched_at < o.fetched_at)"
            " FROM observations o WHERE o.crawl_id = ?",
            (crawl_id,),
        )
        for article_id, mine, before, earlier in rows:
            if article_id not in wanted or article_id in verdicts:
                continue
            if not earlier:
                verdicts[article_id] = "new"
            elif before != mine:
                verdicts[article_id] = "changed"
            else:
                verdicts[article_id] = "unchanged"
    except sqlite3.Error:
        return result
    finally:
        conn.close()
    for article_id in ids:
        verdict = verdicts.get(article_id)
        if verdict is not None:
            result[verdict].append(article_id)
    return result
