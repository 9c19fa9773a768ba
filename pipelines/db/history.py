"""An article's history: its versions (contents over time) and its view counts.

``history(db, "3f1c9a0b5d2e7f41")`` or ``history(db, URL)`` reads the
``articles`` row, every ``article_versions`` row (oldest first, each with
the content fields that differ from the version before) and every
``observations`` row (one per crawl that fetched the article, by fetch
time), on a read-only connection that leaves the dataset's folder as it
was (``pipelines.db.query.read_dataset``).
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.extract.urls import article_id, canonical_url
from pipelines.db.errors import read_failed
from pipelines.db.query import read_dataset
from pipelines.db.records import CONTENT_FIELDS, JSON_FIELDS


@dataclass(frozen=True, slots=True)
class Version:
    """One distinct content of the article."""

    content_hash: str
    first_seen: str
    last_seen: str
    crawl_ids: list[str]
    replay_url: str
    warc: dict[str, Any]
    content: dict[str, Any]
    changed: list[str] = field(default_factory=list)  # fields differing from the version before


@dataclass(frozen=True, slots=True)
class Observation:
    """One crawl's view of the article."""

    crawl_id: str
    fetched_at: str
    views: int | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class History:
    """The article's current row, its versions and its observations."""

    id: str
    url: str
    title: str | None
    first_seen: str
    last_seen: str
    content_hash: str
    versions: list[Version]
    observations: list[Observation]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values (dataclasses as objects)."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "content_hash": self.content_hash,
            "versions": [
                {
                    "content_hash": v.content_hash,
                    "first_seen": v.first_seen,
                    "last_seen": v.last_seen,
                    "crawl_ids": v.crawl_ids,
                    "changed": v.changed,
                    "replay_url": v.replay_url,
                    "warc": v.warc,
                    **v.content,
                }
                for v in self.versions
            ],
            "observations": [
                {
                    "crawl_id": o.crawl_id,
                    "fetched_at": o.fetched_at,
                    "views": o.views,
                    "content_hash": o.content_hash,
                }
                for o in self.observations
            ],
        }


def _content(row: sqlite3.Row) -> dict[str, Any]:
    return {
        name: json.loads(row[name]) if name in JSON_FIELDS else row[name] for name in CONTENT_FIELDS
    }


def _find(conn: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM articles WHERE id = ?", (key,)).fetchone()
    if row is None and "://" in key:
        row = conn.execute(
            "SELECT * FROM articles WHERE id = ? OR url = ? OR url = ?",
            (article_id(key), key, canonical_url(key)),
        ).fetchone()
    return row


def history(path: Path | str, key: str) -> History | None:
    """The history of the article with id or URL *key*, or None when there is none."""

    def read(conn: sqlite3.Connection) -> tuple[sqlite3.Row, list[Any], list[Any]] | None:
        conn.row_factory = sqlite3.Row
        article = _find(conn, key.strip())
        if article is None:
            return None
        version_rows = conn.execute(
            "SELECT * FROM article_versions WHERE id = ? ORDER BY first_seen, content_hash",
            (article["id"],),
        ).fetchall()
        observation_rows = conn.execute(
            "SELECT crawl_id, fetched_at, views, content_hash FROM observations"
            " WHERE article_id = ? ORDER BY fetched_at, crawl_id",
            (article["id"],),
        ).fetchall()
        return article, version_rows, observation_rows

    try:
        found = read_dataset(path, read)
    except sqlite3.Error as exc:
        raise read_failed(path, exc, "history") from exc
    if found is None:
        return None
    article, version_rows, observation_rows = found
    versions: list[Version] = []
    previous: dict[str, Any] | None = None
    for row in version_rows:
        content = _content(row)
        changed = (
            [name for name in CONTENT_FIELDS if content[name] != previous[name]]
            if previous is not None
            else []
        )
        versions.append(
            Version(
                content_hash=row["content_hash"],
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                crawl_ids=json.loads(row["crawl_ids"]),
                replay_url=row["replay_url"],
                warc={
                    key: row[f"warc_{key}"]
                    for key in ("filename", "offset", "length", "record_id", "payload_digest")
                },
                content=content,
                changed=changed,
            )
        )
        previous = content
    return History(
        id=article["id"],
        url=article["url"],
        title=article["title"],
        first_seen=article["first_seen"],
        last_seen=article["last_seen"],
        content_hash=article["content_hash"],
        versions=versions,
        observations=[
            Observation(r["crawl_id"], r["fetched_at"], r["views"], r["content_hash"])
            for r in observation_rows
        ],
    )


def describe_change(name: str, before: Any, after: Any, width: int = 100) -> list[str]:
    """Short human lines saying how field *name* changed (paragraph-level for the body)."""
    if name == "body" and isinstance(before, str) and isinstance(after, str):
        lines: list[str] = []
        old, new = before.split("\n\n"), after.split("\n\n")
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            lines += [f"- {_clip(p, width)}" for p in old[i1:i2]]
            lines += [f"+ {_clip(p, width)}" for p in new[j1:j2]]
        return lines
    return [f"- {_clip(_show(before), width)}", f"+ {_clip(_show(after), width)}"]


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _clip(text: str, width: int) -> str:
    """*text* on one line, its changed end kept visible when it is too long."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else "…" + flat[-(width - 1) :]
