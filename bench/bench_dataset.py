"""Benchmark the dataset: search and export of 100,000 articles vs scanning JSON Lines.

    .venv/bin/python bench/bench_dataset.py                    # 100,000 articles
    .venv/bin/python bench/bench_dataset.py --articles 5000    # quicker
    .venv/bin/python bench/bench_dataset.py recall             # stemming recall on the replica

``speed`` (the default) builds a synthetic dataset (the replica's article
texts, re-dated and re-numbered, paragraphs rotated so no two articles are
equal) through ``Dataset.upsert`` (the crawl's path: FTS and stemmed FTS
triggers included) and the same items as one JSON Lines file, then times
``arsip search``'s query function and each export format against a full
scan of the JSON Lines answering the same question (a substring scan of
the raw lines, and a scan that parses every line). Times are medians of
several runs, on this machine; the numbers are printed as a Markdown table.

``recall`` measures what Indonesian stemming does for recall: on the
replica's articles (epoch 2, 128 articles), for root words and affixed
forms, the articles the plain FTS index, a prefix query, a trigram index
and the stemmed index return, against the articles that contain any form
of the word (a hand-made list of each word's forms, not the stemmer's).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from arsip.core import layout  # noqa: E402
from arsip.demosite.content import build_site  # noqa: E402
from crawler.extract.urls import article_id  # noqa: E402
from pipelines.datapackage import Format  # noqa: E402
from pipelines.db import Dataset  # noqa: E402
from pipelines.db.export import export  # noqa: E402
from pipelines.db.search import SearchQuery, search  # noqa: E402
from pipelines.db.stemming import stem_text, stem_word  # noqa: E402
from pipelines.itemjson import dumps_line  # noqa: E402

BASE = "https://anri.go.id"
QUERIES = ("restorasi", "pelatihan arsip", "kearsipan", '"arsip statis"')


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """(median seconds, last result) of *repeats* calls."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def synthetic_items(count: int) -> Any:
    """*count* items made from the replica's articles (see the module docstring)."""
    pool = build_site(2000, 0, 11).truth(BASE)
    for n in range(count):
        source = pool[n % len(pool)]
        paragraphs = (source["body"] or "").split("\n\n")
        turn = (n // len(pool)) % max(1, len(paragraphs))
        url = f"{BASE}/publikasi/berita/artikel-{n:06d}"
        year = 2015 + n % 10
        item = {
            **source,
            "id": article_id(url),
            "url": url,
            "title": f"{source['title']} ({n})",
            "published": f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "views": (n * 7919) % 50_000,
            "body": "\n\n".join(paragraphs[turn:] + paragraphs[:turn]),
            "fetched_at": "2026-01-01T00:00:00.000Z",
            "crawl_id": "bench-crawl",
            "warc": {
                "filename": "BENCH-1.warc.gz",
                "offset": n * 4096,
                "length": 4000,
                "record_id": f"<urn:uuid:bench-{n}>",
                "payload_digest": "sha1:AAAA",
            },
            "schema_version": 1,
        }
        yield item


def build(folder: Path, count: int) -> tuple[Path, Path, float]:
    """(the dataset, the JSON Lines file, seconds to build the dataset)."""
    db, jsonl = layout.dataset_path(folder), folder / "articles.jsonl"
    if db.exists() and jsonl.exists():
        return db, jsonl, float("nan")
    start = time.perf_counter()
    with (
        Dataset(db, collection="bench", batch_size=2000, commit_interval=30) as dataset,
        jsonl.open("w", encoding="utf-8") as fh,
    ):
        for item in synthetic_items(count):
            dataset.upsert(item)
            fh.write(dumps_line(item) + "\n")
    return db, jsonl, time.perf_counter() - start


def scan_raw(jsonl: Path, words: list[str]) -> int:
    """Lines whose raw text holds every word (case-insensitive): the cheapest scan."""
    found = 0
    with jsonl.open(encoding="utf-8") as fh:
        for line in fh:
            low = line.lower()
            found += all(word in low for word in words)
    return found


def scan_parsed(jsonl: Path, words: list[str]) -> int:
    """Items whose title or body holds every word as a word (parses every line)."""
    patterns = [re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE) for word in words]
    found = 0
    with jsonl.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            text = f"{item['title']}\n{item['body']}"
            found += all(p.search(text) for p in patterns)
    return found


def speed(args: argparse.Namespace) -> None:
    lines: list[str] = []

    def emit(line: str = "") -> None:
        print(line)
        lines.append(line)

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-dataset-"))
    folder.mkdir(parents=True, exist_ok=True)
    db, jsonl, built = build(folder, args.articles)
    size = db.stat().st_size / 2**20
    emit(
        f"dataset: {args.articles} articles in {db} ({size:.0f} MB), "
        + ("reused from an earlier build" if math.isnan(built) else f"built in {built:.1f} s")
    )
    emit(f"JSON Lines: {jsonl} ({jsonl.stat().st_size / 2**20:.0f} MB)\n")
    emit("| operation | arsip | JSONL scan (raw) | JSONL scan (parsed) | results |")
    emit("|---|---|---|---|---|")
    repeats = args.repeats
    for query in QUERIES:
        words = [w.lower() for w in re.findall(r"\w+", query)]
        seconds, hits = timed(functools.partial(search, db, query, limit=20), repeats)
        count = matches(db, query)
        raw, raw_count = timed(functools.partial(scan_raw, jsonl, words), repeats)
        parsed, parsed_count = timed(functools.partial(scan_parsed, jsonl, words), 1)
        emit(
            f"| search `{query}`: top 20 with snippets | {seconds * 1000:.0f} ms | "
            f"{raw * 1000:.0f} ms | {parsed * 1000:.0f} ms | {len(hits)} shown of {count} "
            f"(the scans find {raw_count} and {parsed_count}: no stemming) |"
        )
    parse, _ = timed(functools.partial(scan_parsed, jsonl, []), 1)
    formats: tuple[Format, ...] = ("jsonl", "csv", "parquet")
    for fmt in formats:
        target = folder / "export" / f"articles.{fmt}"
        seconds, result = timed(functools.partial(export, db, target, fmt), 3)
        emit(
            f"| export {fmt} ({result.bytes / 2**20:.0f} MB) | {seconds:.2f} s | — | "
            f"{parse:.2f} s (read + parse every line) | {result.rows} rows |"
        )
    if args.output:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        head = [f"Measured by `make bench-dataset` (bench/bench_dataset.py) on {when}.", ""]
        Path(args.output).write_text("\n".join(head + lines) + "\n", encoding="utf-8")


def matches(db: Path, query: str) -> int:
    """How many articles the stemmed index matches for *query*."""
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM articles_fts_stem WHERE articles_fts_stem MATCH ?",
            (SearchQuery.parse(query).match(stemmed=True),),
        ).fetchone()
    return int(row[0])


FAMILIES: dict[str, set[str]] = {
    "arsip": {"arsip", "kearsipan", "arsipnya", "arsiparis", "mengarsipkan", "pengarsipan"},
    "latih": {"latih", "pelatihan", "melatih", "dilatih", "latihan"},
    "layan": {"layan", "layanan", "dilayankan", "pelayanan", "melayani"},
    "selenggara": {"selenggara", "diselenggarakan", "penyelenggaraan", "menyelenggarakan"},
    "bina": {"bina", "pembinaan", "membina", "dibina"},
    "guna": {"guna", "digunakan", "penggunaan", "penggunanya", "menggunakan", "pengguna"},
    "simpan": {"simpan", "tersimpan", "penyimpanan", "menyimpan", "disimpan"},
    "ajar": {"ajar", "pelajar", "belajar", "pembelajaran", "mengajar"},
    "didik": {"didik", "pendidikan", "pendidik"},
    "kelola": {"kelola", "pengelolaan", "mengelola", "dikelola", "pengelola"},
    "tata": {"tata", "tertata", "penataan", "ditata"},
}
RECALL_QUERIES = (
    *(("arsip", q) for q in ("arsip", "kearsipan")),
    *(("latih", q) for q in ("latih", "pelatihan")),
    *(("layan", q) for q in ("layan", "layanan", "pelayanan")),
    *(("selenggara", q) for q in ("selenggara", "diselenggarakan")),
    *(("bina", q) for q in ("bina", "pembinaan")),
    *(("guna", q) for q in ("guna", "penggunaan")),
    *(("simpan", q) for q in ("simpan", "tersimpan")),
    *(("ajar", q) for q in ("belajar", "pelajar")),
    *(("didik", q) for q in ("didik", "pendidikan")),
    *(("kelola", q) for q in ("kelola", "pengelolaan")),
    *(("tata", q) for q in ("tata", "penataan")),
)


def recall(_args: argparse.Namespace) -> None:
    items = build_site(120, 2, 1).truth(BASE)
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE plain USING fts5 (t, tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("CREATE VIRTUAL TABLE tri USING fts5 (t, tokenize='trigram')")
    db.execute("CREATE VIRTUAL TABLE stem USING fts5 (t, tokenize='unicode61 remove_diacritics 2')")
    texts = [f"{i['title']}\n{i['body']}" for i in items]
    for n, text in enumerate(texts):
        for table, value in (("plain", text), ("tri", text), ("stem", stem_text(text))):
            db.execute(f"INSERT INTO {table} (rowid, t) VALUES (?, ?)", (n, value))
    vocab = [set(re.findall(r"\w+", text.lower())) for text in texts]

    def hits(table: str, expression: str) -> set[int]:
        rows = db.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (expression,))
        return {row[0] for row in rows}

    totals = {name: [0, 0] for name in ("plain", "prefix", "trigram", "stemmed")}
    relevant_total = 0
    print(f"{len(items)} replica articles (epoch 2)\n")
    print("| query | relevant | plain | prefix* | trigram | stemmed |\n|---|---|---|---|---|---|")
    for family, query in RECALL_QUERIES:
        relevant = {n for n, words in enumerate(vocab) if words & FAMILIES[family]}
        found = {
            "plain": hits("plain", f'"{query}"'),
            "prefix": hits("plain", f'"{query}"*'),
            "trigram": hits("tri", f'"{query}"'),
            "stemmed": hits("stem", f'"{stem_word(query)}"'),
        }
        cells = []
        for name, got in found.items():
            totals[name][0] += len(got & relevant)
            totals[name][1] += len(got)
            cells.append(f"{len(got & relevant)}/{len(got)}")
        relevant_total += len(relevant)
        print(f"| {query} | {len(relevant)} | " + " | ".join(cells) + " |")
    print("\n| index | recall | precision |\n|---|---|---|")
    for name, (right, returned) in totals.items():
        precision = right / returned if returned else 0.0
        print(f"| {name} | {right / relevant_total:.2f} | {precision:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("speed", "recall"), default="speed")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--dir", help="where to build (reused when it holds a dataset)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--output",
        help="also write the table here (bench/results/dataset.md: BENCHMARKS.md includes it)",
    )
    args = parser.parse_args(argv)
    (recall if args.what == "recall" else speed)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
