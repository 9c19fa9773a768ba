"""Full-text search of the dataset, ranked, with highlighted snippets.

``search(path, "kata kunci")`` matches the words in any of their forms
(``pelatihan`` finds ``latih``, ``melatih``, ``pelatihan``) through the
stemmed index ``articles_fts_stem``; with ``exact=True`` it matches the
words as written through ``articles_fts``. Every word must occur (in the
title or the body); text in double quotes is a phrase. Hits are ranked by
BM25 with the title weighted ``TITLE_WEIGHT`` times the body, so an article
whose title holds the words comes before those that only mention them.

Snippets come from FTS5's ``snippet()`` and ``highlight()`` on the original
text (never the stemmed one), with the matched words wrapped in
``MARK_START`` / ``MARK_END`` for the caller to render (ANSI colours on a
terminal, brackets elsewhere: ``render_marks``).

The search runs on a read-only connection that leaves the dataset's folder
as it was (``pipelines.db.query.read_dataset``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipelines.db.errors import QueryError, read_failed
from pipelines.db.query import read_dataset
from pipelines.db.stemming import fold, stem_word, words

#: BM25 weight of the title relative to the body (weight 1).
TITLE_WEIGHT = 10.0
#: Tokens of context around the matches in a snippet.
SNIPPET_TOKENS = 24
#: Marks around a matched word in titles and snippets (control characters,
#: so they cannot clash with the text).
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"

_PHRASE_RE = re.compile(r'"([^"]*)"|([^"\s]+)')


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching article: who, where, and the marked title and snippet."""

    rank: int
    score: float
    id: str
    url: str
    title: str | None
    published: str | None
    author: str | None
    views: int | None
    replay_url: str
    title_marked: str
    snippet_marked: str

    def as_dict(self, start: str = "[", end: str = "]") -> dict[str, Any]:
        """The hit as JSON-ready values, marks rendered with *start*/*end*."""
        data = asdict(self)
        data["title_marked"] = render_marks(self.title_marked, start, end)
        data["snippet_marked"] = render_marks(self.snippet_marked, start, end)
        return data


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: the phrases (each a tuple of words) that must all occur."""

    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        """Words and "quoted phrases" of *text*; FTS5 operators have no meaning here."""
        phrases: list[tuple[str, ...]] = []
        for quoted, bare in _PHRASE_RE.findall(text):
            found = tuple(words(quoted if quoted else bare))
            if found:
                phrases.append(found)
        return cls(tuple(phrases))

    def match(self, *, stemmed: bool) -> str:
        """The FTS5 MATCH expression: every phrase, each word quoted (stemmed or folded)."""
        convert = stem_word if stemmed else fold
        return " AND ".join(
            '"' + " ".join(convert(word) for word in phrase) + '"' for phrase in self.phrases
        )

    def stems(self) -> frozenset[str]:
        return frozenset(stem_word(word) for phrase in self.phrases for word in phrase)


def render_marks(text: str, start: str, end: str) -> str:
    """*text* with the match marks replaced by *start* and *end*."""
    return text.replace(MARK_START, start).replace(MARK_END, end)


def search(
    path: Path | str,
    text: str,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    author: str | None = None,
    limit: int = 20,
    exact: bool = False,
) -> list[SearchHit]:
    """The best *limit* articles matching *text* (see the module docstring).

    *date_from*/*date_to* (``YYYY-MM-DD``, inclusive) filter on the
    publication date; *author* keeps articles whose author contains it
    (any case). Raises ``QueryError`` for a query without words.
    """
    query = SearchQuery.parse(text)
    index, where, params = _matching(
        path, text, query, date_from=date_from, date_to=date_to, author=author, exact=exact
    )
    sql = [
        f"SELECT a.rowid, a.id, a.url, a.title, a.published, a.author, a.views, a.replay_url,"
        f" a.body, bm25({index}, ?, 1.0) AS score {where}"
        " ORDER BY score, a.published DESC, a.id LIMIT ?"
    ]
    params = [TITLE_WEIGHT, *params, max(0, limit)]

    def run(conn: sqlite3.Connection) -> list[SearchHit]:
        if not exact and _has_table(conn, "articles") and not _has_table(conn, index):
            raise QueryError(
                path,
                "this dataset has no stemmed index yet (made by an older arsip); any crawl "
                "or 'arsip reextract' adds it, or search with --exact",
            )
        rows = conn.execute(" ".join(sql), params).fetchall()
        return [_hit(conn, rank, row, query, exact) for rank, row in enumerate(rows, start=1)]

    try:
        return read_dataset(path, run)
    except sqlite3.Error as exc:
        raise read_failed(path, exc, "search") from exc


def count(
    path: Path | str,
    text: str,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    author: str | None = None,
    exact: bool = False,
) -> int:
    """How many articles match (``search`` shows the best *limit* of them)."""
    query = SearchQuery.parse(text)
    index, where, params = _matching(
        path, text, query, date_from=date_from, date_to=date_to, author=author, exact=exact
    )

    def run(conn: sqlite3.Connection) -> int:
        if not exact and _has_table(conn, "articles") and not _has_table(conn, index):
            return 0  # search() says why
        return int(conn.execute(f"SELECT count(*) {where}", params).fetchone()[0])

    try:
        return read_dataset(path, run)
    except sqlite3.Error as exc:
        raise read_failed(path, exc, "search") from exc


def _matching(
    path: Path | str,
    text: str,
    query: SearchQuery,
    *,
    date_from: str | None,
    date_to: str | None,
    author: str | None,
    exact: bool,
) -> tuple[str, str, list[Any]]:
    """(index, ``FROM ... WHERE ...`` of the matching articles, its parameters)."""
    if not query.phrases:
        raise QueryError(path, f"the search {text!r} has no words to look for")
    index = "articles_fts" if exact else "articles_fts_stem"
    sql = [f"FROM {index} JOIN articles AS a ON a.rowid = {index}.rowid WHERE {index} MATCH ?"]
    params: list[Any] = [query.match(stemmed=not exact)]
    if date_from:
        sql.append("AND substr(a.published, 1, 10) >= ?")
        params.append(date_from)
    if date_to:
        sql.append("AND substr(a.published, 1, 10) <= ?")
        params.append(date_to)
    if author:
        sql.append("AND instr(lower(a.author), lower(?)) > 0")
        params.append(author)
    return index, " ".join(sql), params


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return row is not None


def _hit(
    conn: sqlite3.Connection, rank: int, row: Sequence[Any], query: SearchQuery, exact: bool
) -> SearchHit:
    rowid, article_id, url, title, published, author, views, replay, body, score = row
    title_marked, snippet = _marked(conn, (rowid, title, body), query, exact)
    return SearchHit(
        rank=rank,
        score=float(score),
        id=article_id,
        url=url,
        title=title,
        published=published,
        author=author,
        views=views,
        replay_url=replay,
        title_marked=title_marked,
        snippet_marked=snippet,
    )


def _marked(
    conn: sqlite3.Connection,
    article: tuple[int, str | None, str | None],
    query: SearchQuery,
    exact: bool,
) -> tuple[str, str]:
    """The title and a body snippet of one hit (rowid, title, body), matched words marked.

    For a stemmed search the words to mark are the article's own words
    whose root is one of the query's roots, matched in the unstemmed index.
    """
    rowid, title, body = article
    if exact:
        expression = query.match(stemmed=False).replace(" AND ", " OR ")
    else:
        stems = query.stems()
        forms = sorted(
            {fold(w) for w in words(f"{title or ''} {body or ''}") if stem_word(w) in stems}
        )
        expression = " OR ".join(f'"{form}"' for form in forms)
    if expression:
        row = conn.execute(
            "SELECT highlight(articles_fts, 0, ?, ?), snippet(articles_fts, 1, ?, ?, ?, ?)"
            " FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
            (
                MARK_START,
                MARK_END,
                MARK_START,
                MARK_END,
                ELLIPSIS,
                SNIPPET_TOKENS,
                expression,
                rowid,
            ),
        ).fetchone()
        if row is not None:
            return row[0] or "", " ".join((row[1] or "").split())
    lead = " ".join((body or "").split()[:SNIPPET_TOKENS])
    return title or "", lead
