"""Pages with ground truth, and the extractors compared on them.

- `replica_pages(n)`: article pages of the replica rendered in memory
  (`build_site` + `SiteApp`, no server), with the replica's truth;
- `corpus_pages()`: the article pages of tests/corpus/pages with their
  expected.json;
- `EXTRACTORS`: name -> function(html bytes, url) -> `Fields` for arsip,
  trafilatura (``bare_extraction(with_metadata=True)``) and newspaper4k.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arsip.demosite import build_site
from arsip.demosite.site import SiteApp
from bench.harness import CORPUS, installed
from crawler.extract import extract
from crawler.extract.charset import decode_html

FIELDS = ("title", "published", "author", "editor", "views")
REPLICA_BASE = "http://127.0.0.1:8080"

Fields = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    url: str
    html: bytes
    truth: Fields  # FIELDS; published as ISO 8601 (date, or date-time with offset)


def replica_pages(articles: int) -> list[Page]:
    """The replica's article pages (*articles* of them) and their truth."""
    site = build_site(articles)
    app = SiteApp(site, REPLICA_BASE)
    pages = []
    for article in site.articles:
        truth = article.truth(REPLICA_BASE)
        pages.append(
            Page(
                name=article.slug,
                url=truth["url"],
                html=app.resolve(article.path).body,
                truth={k: truth[k] for k in FIELDS},
            )
        )
    return pages


def corpus_pages() -> list[Page]:
    """The shared corpus's article pages (page_type article...) and their expected fields."""
    pages: list[Page] = []
    folder = CORPUS / "pages"
    if not folder.is_dir():
        return pages
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        expected = json.loads((sub / "expected.json").read_text(encoding="utf-8"))
        if not str(expected.get("page_type", "")).startswith("article"):
            continue
        truth = {
            "title": expected["title"],
            "published": expected["date_iso"],
            "author": expected["author"],
            "editor": expected["editor"],
            "views": expected["views"],
        }
        url = expected.get("url") or f"http://{expected['site']}/"
        pages.append(Page(sub.name, url, (sub / "page.html").read_bytes(), truth))
    return pages


# -- scoring ---------------------------------------------------------------------

_SPACE_RE = re.compile(r"\s+")


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACE_RE.sub(" ", value).strip().casefold() or None
    return value


def same_published(got: str | None, expected: str | None, *, precise: bool) -> bool:
    """Equal as a day (precise=False), or at the precision *expected* gives (minutes, offset)."""
    if got is None or expected is None:
        return got == expected
    if not precise or len(expected) == 10:
        return got[:10] == expected[:10] and (not precise or len(got) >= 10)
    if len(got) == 10:
        return False
    try:
        a, b = datetime.fromisoformat(got), datetime.fromisoformat(expected)
    except ValueError:
        return False
    if a.utcoffset() != b.utcoffset():
        return False
    if b.second == 0:
        a = a.replace(second=0)
    return a.replace(microsecond=0) == b


def score(got: Fields, truth: Fields) -> dict[str, bool]:
    """Per field: right or wrong (case and whitespace ignored in names and titles)."""
    result = {
        name: _norm(got.get(name)) == _norm(truth.get(name))
        for name in ("title", "author", "editor", "views")
    }
    result["published"] = same_published(got.get("published"), truth["published"], precise=False)
    result["published (time + zone)"] = same_published(
        got.get("published"), truth["published"], precise=True
    )
    return result


# -- extractors ------------------------------------------------------------------


def arsip_fields(html: bytes, url: str) -> Fields:
    article = extract(html, url)
    return {
        "title": article.title,
        "published": article.published,
        "author": article.author,
        "editor": article.editor,
        "views": article.views,
    }


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def trafilatura_fields(html: bytes, url: str) -> Fields:
    import trafilatura  # noqa: PLC0415 - optional dependency (a peer)

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {}
    data: dict[str, Any] = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {
        "title": data.get("title"),
        "published": _iso(data.get("date")),
        "author": data.get("author"),
        "editor": None,  # no such field
        "views": None,  # no such field
    }


def newspaper_fields(html: bytes, url: str) -> Fields:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": NLP is not used here
        import newspaper  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415 - optional dependency (a peer)

    text, _ = decode_html(html, None)  # newspaper4k takes text; decoding is timed with it
    article = newspaper.Article(url, fetch_images=False)
    article.download(input_html=text)
    article.parse()
    authors = list(article.authors or [])
    return {
        "title": article.title or None,
        "published": _iso(article.publish_date),
        "author": "; ".join(authors) or None,
        "editor": None,
        "views": None,
    }


#: Extractor name -> (module that must be importable, function).
EXTRACTORS: dict[str, tuple[str, Callable[[bytes, str], Fields]]] = {
    "arsip": ("crawler.extract", arsip_fields),
    "trafilatura": ("trafilatura", trafilatura_fields),
    "newspaper4k": ("newspaper", newspaper_fields),
}


def available(name: str) -> bool:
    return installed(EXTRACTORS[name][0])
