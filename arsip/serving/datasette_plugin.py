"""Datasette hooks of `arsip serve`: stemmed search, excerpts, replay links, limits, Host.

Registered by ``arsip.serving.datasette_app`` (``pm.register``) after
``configure`` has said where the replay server is:

- **search**: the articles' search box is wired to the stemmed index
  (``articles_fts_stem``, see ``pipelines.db.datasette``); Datasette matches
  it through the SQL function ``escape_fts``, which this plugin redefines
  (``trylast``: after Datasette's own) to stem the words the way ``arsip
  search`` does, so both give the same articles for ``pelatihan``,
  ``latih`` or ``melatih``;
- **excerpts**: ``body`` shows its first ``EXCERPT_CHARS`` characters in
  table views and the full text (paragraphs kept) on the row page; the
  column descriptions are folded into one "Column descriptions" line;
- **replay**: ``replay_url`` cells link to the capture in pywb (framed
  replay, not the raw ``id_`` payload); ``/-/arsip/record?url=URL`` is where
  the replay's top frame links back to: the row of the article at *URL*;
- **limits**: no value (string or blob, also intermediate ones such as
  ``zeroblob(1000000000)``) longer than ``MAX_VALUE_BYTES``, SQLite's heap
  capped at ``HEAP_LIMIT_BYTES``: such a query is answered with SQLite's
  error ("string or blob too big", "out of memory") and the server stays up;
- **Host**: requests naming another host than 127.0.0.1 / localhost are
  answered 421 (``arsip.serving.hosts``).
"""

from __future__ import annotations

import contextvars
import html
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from arsip.serving.hosts import REFUSED_STATUS, REFUSED_TEXT, allowed
from pipelines.db.search import SearchQuery

#: Characters of ``body`` shown in a table view.
EXCERPT_CHARS = 160
#: Characters of a ``url`` shown in a table view.
URL_CHARS = 56
#: JSON array columns summarised in table views (the row page shows them whole).
_ARRAY_COLUMNS = {"event_times": "date", "images": "image", "attachments": "attachment"}
#: Longest string or blob any SQL value may be (SQLITE_LIMIT_LENGTH).
MAX_VALUE_BYTES = 8 * 1024 * 1024
#: SQLite's whole heap in the Datasette process (PRAGMA hard_heap_limit).
HEAP_LIMIT_BYTES = 512 * 1024 * 1024

#: The replay path of a capture as stored (``/COLL/TIMESTAMPid_/URL``): the
#: framed replay drops the ``id_`` (raw payload) modifier.
_RAW_REPLAY_RE = re.compile(r"^/([^/]+)/(\d{14})id_/")

#: Path of the request being answered (set by the ASGI wrapper; read by
#: ``render_cell``, whose hook has no request in Datasette 0.65).
_PATH: contextvars.ContextVar[str] = contextvars.ContextVar("arsip_path", default="")

_ROW_SCRIPT = """
var style = document.createElement("style");
style.textContent = "td.col-body { min-width: 36em; } td.col-title { min-width: 14em; }";
document.head.appendChild(style);
"""

_TABLE_SCRIPT = """
var style = document.createElement("style");
style.textContent = "td.col-body { min-width: 26em; } td.col-title { min-width: 14em; }" +
  " td.col-url { min-width: 16em; overflow-wrap: anywhere; }";
document.head.appendChild(style);
document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
  var box = document.createElement("details");
  var label = document.createElement("summary");
  label.textContent = "Column descriptions (" + dl.querySelectorAll("dt").length + ")";
  dl.parentNode.insertBefore(box, dl);
  box.appendChild(label);
  box.appendChild(dl);
});
"""


@dataclass
class Config:
    """What the hooks need to know: the database's name and the replay server."""

    database: str = "arsip"
    replay: str = ""  # http://127.0.0.1:PORT of pywb, "" when there is none


CONFIG = Config()


def configure(database: str, replay: str) -> None:
    """Set the database name and the replay server's base URL (before Datasette starts)."""
    CONFIG.database = database
    CONFIG.replay = replay.rstrip("/")


def stemmed_match(text: str | None) -> str:
    """The FTS5 expression ``arsip search`` matches for *text* (stemmed words, phrases)."""
    query = SearchQuery.parse(text or "")
    return query.match(stemmed=True) if query.phrases else '""'


def framed_replay(path: str) -> str:
    """The framed replay URL of a stored replay path (``/COLL/TSid_/URL`` -> ``/COLL/TS/URL``)."""
    return CONFIG.replay + _RAW_REPLAY_RE.sub(r"/\1/\2/", path, count=1)


def _row_page(path: str) -> bool:
    """Whether *path* is a row page (``/DB/TABLE/PK``), which shows the full text."""
    parts = [p for p in path.split("/") if p]
    return len(parts) == 3 and not parts[0].startswith("-")


@hookimpl(trylast=True)  # after Datasette's own prepare_connection: ours wins
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("escape_fts", 1, stemmed_match, deterministic=True)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")


@hookimpl
def render_cell(value: Any, column: str, table: str | None) -> Markup | None:
    if column == "replay_url" and isinstance(value, str) and CONFIG.replay:
        link = html.escape(framed_replay(value))
        return Markup(f'<a href="{link}">archived capture</a>')
    if table != "articles" or not isinstance(value, str) or _row_page(_PATH.get()):
        if column == "body" and isinstance(value, str):
            return Markup(f'<div style="white-space: pre-wrap">{html.escape(value)}</div>')
        if column in _ARRAY_COLUMNS and table == "articles" and isinstance(value, str):
            return _listed(value)
        return None
    if column == "body" and len(value) > EXCERPT_CHARS:
        cut = value[:EXCERPT_CHARS].rsplit(" ", 1)[0]
        return Markup(f"{html.escape(' '.join(cut.split()))} …")
    if column == "url" and len(value) > URL_CHARS:
        shown = value.split("://", 1)[-1]
        shown = shown if len(shown) <= URL_CHARS else shown[: URL_CHARS - 1] + "…"
        link = html.escape(value)
        return Markup(f'<a href="{link}" title="{link}">{html.escape(shown)}</a>')
    if column in _ARRAY_COLUMNS:
        shown = _summary(value, _ARRAY_COLUMNS[column])
        # An empty Markup would not count as rendered: Datasette would show "[]".
        return Markup(html.escape(shown) if shown else '<span style="color:#888">none</span>')
    return None


def _listed(value: str) -> Markup | None:
    """A JSON array cell on the row page: one line per entry (an event: its text and times)."""
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    lines = []
    for item in items:
        if isinstance(item, dict):
            span = " – ".join(str(item[k]) for k in ("start", "end") if item.get(k))
            lines.append(
                f"{html.escape(str(item.get('text', '')))}<br><small>{html.escape(span)}</small>"
            )
        else:
            text = html.escape(str(item))
            lines.append(f'<a href="{text}">{text}</a>' if text.startswith("http") else text)
    return Markup("<br>".join(lines) if lines else '<span style="color:#888">none</span>')


def _summary(value: str, noun: str) -> str:
    """A JSON array cell in a table view: its length (and the first event's text)."""
    try:
        items = json.loads(value)
    except ValueError:
        return value
    if not isinstance(items, list) or not items:
        return "" if isinstance(items, list) else value
    count = f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
    first = items[0]
    if isinstance(first, dict) and isinstance(first.get("text"), str):
        return f"{first['text']} ({count})" if len(items) > 1 else first["text"]
    return count


@hookimpl
def extra_body_script(view_name: str) -> str:
    if view_name == "table":
        return _TABLE_SCRIPT
    if view_name == "row":
        return _ROW_SCRIPT
    return ""


async def _record(request: Any, datasette: Any) -> Response:
    """Redirect to the row of the article captured at ``?url=`` (the replay's back link)."""
    url = request.args.get("url") or ""
    db = datasette.get_database(CONFIG.database)
    found = await db.execute(
        "SELECT id FROM articles WHERE url = ? ORDER BY fetched_at DESC LIMIT 1", [url]
    )
    row = found.first()
    base = datasette.urls.table(CONFIG.database, "articles")
    if row is None:  # a page that is not an article (listing, image...): the table, filtered
        return Response.redirect(f"{base}?url__contains={quote(url, safe='')}")
    return Response.redirect(f"{base}/{quote(row[0], safe='')}")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/arsip/record$", _record)]


@hookimpl
def asgi_wrapper() -> Any:
    def wrap(app: Any) -> Any:
        async def checked(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if not allowed(host):
                await Response.text(REFUSED_TEXT, status=REFUSED_STATUS).asgi_send(send)
                return
            token = _PATH.set(scope.get("path", ""))
            try:
                await app(scope, receive, send)
            finally:
                _PATH.reset(token)

        return checked

    return wrap
