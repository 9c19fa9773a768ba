"""Merge the output directories of a distributed crawl's workers into one collection.

Each worker of a distributed crawl (`crawler.distributed`) writes its own
WARC files, JSON Lines, dataset and report into its own directory. `ingest`
makes one collection of them, the way a single crawl would have written it,
without duplicates, and can be run again (with more directories, or the
same ones) without changing what is already there:

1. **WARC files** are hard-linked into ``OUT/warc/`` (copied when the
   directories are on different file systems, or with ``link=False``). A
   file already there with the same bytes is left alone; one with the same
   name and other bytes stops the ingest. A ``*.warc.gz.open`` file left by
   a worker that was killed is cut after its last whole record (the part
   before is exactly what the writer wrote: `archive.recovery`) and copied
   under its final name, so the items pointing into it stay valid. The
   worker directories themselves are never changed.
2. **The CDXJ index** ``OUT/indexes/index.cdxj`` gets the records of every
   new WARC file (`archive.cdxj.CdxjIndex.append_records`: sorted, no
   duplicate lines).
3. **Items** are read from every ``json/*.jsonl`` (and the complete lines of
   a killed worker's ``*.jsonl.part``). An article that two workers both
   fetched (a request whose worker died after writing the item but before
   finishing the request is fetched again by another) is kept once per
   crawl: the latest capture, as the dataset would. Items whose WARC file is
   not in the collection are left out (and counted).
4. **The dataset** ``OUT/arsip.sqlite``: every crawl is recorded (profile,
   collection, start and end from the workers' own datasets; stats summed),
   and every item upserted (`pipelines.db.Dataset.upsert`, idempotent).
5. **JSON Lines** ``OUT/json/CRAWL_ID.jsonl``: one line per article of the
   crawl (merged with the lines already there), written atomically.

A worker directory whose crawl is still running (its lock is held) is
refused, and the collection's own lock is held while ingesting.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from archive import files
from archive.cdxj import CdxjIndex, index_file
from archive.naming import OPEN_SUFFIX, WARC_SUFFIX, final_name
from archive.recovery import complete_prefix
from arsip.core import layout
from arsip.core.lock import CrawlLock, read_lock
from arsip.errors import EXIT_INPUT, EXIT_LOCKED, EXIT_OUTPUT, UserError
from pipelines.db import Dataset
from pipelines.db.reads import read_crawls
from pipelines.itemjson import dumps_line
from pipelines.jsonlines import read_items

logger = logging.getLogger(__name__)

Placed = Literal["linked", "copied", "recovered", "present"]
_CHUNK = 1 << 20


@dataclass
class CrawlMerge:
    """What one crawl got from the ingest."""

    crawl_id: str
    items: int = 0  # distinct articles
    duplicates: int = 0  # item lines dropped: the same article from another worker
    sources: set[str] = field(default_factory=set)
    upserts: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestReport:
    """What `ingest` did."""

    out: Path
    sources: list[Path]
    warcs: dict[str, Placed] = field(default_factory=dict)
    index_lines: int = 0
    crawls: dict[str, CrawlMerge] = field(default_factory=dict)
    orphan_items: int = 0  # items whose WARC file is not in the collection

    def count(self, how: Placed) -> int:
        return sum(1 for placed in self.warcs.values() if placed == how)

    def lines(self) -> list[str]:
        """The summary `arsip ingest` prints."""
        added = len(self.warcs) - self.count("present")
        lines = [
            f"ingested {len(self.sources)} worker director"
            f"{'y' if len(self.sources) == 1 else 'ies'} into {self.out}",
            f"  WARC files  {added} added ({self.count('linked')} linked, "
            f"{self.count('copied')} copied, {self.count('recovered')} recovered from .open), "
            f"{self.count('present')} already there",
            f"  index       {layout.index_path(self.out)} ({self.index_lines} records)",
        ]
        for merge in self.crawls.values():
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(merge.upserts.items()))
            lines.append(
                f"  crawl       {merge.crawl_id}: {merge.items} articles from "
                f"{len(merge.sources)} worker(s), {merge.duplicates} duplicate line(s) dropped; "
                f"dataset: {counts or 'nothing new'}"
            )
            lines.append(f"  JSON Lines  {self.out / 'json' / f'{merge.crawl_id}.jsonl'}")
        lines.append(f"  dataset     {self.out / 'arsip.sqlite'}")
        if self.orphan_items:
            lines.append(
                f"  left out    {self.orphan_items} item(s) whose WARC file is not in the "
                "collection"
            )
        return lines


# -- inputs ----------------------------------------------------------------


def check_sources(sources: Sequence[Path], out: Path) -> list[Path]:
    """The worker directories, checked: they exist, are not *out*, and are not being crawled."""
    if not sources:
        raise UserError("give at least one worker directory to ingest", EXIT_INPUT)
    checked: list[Path] = []
    target = out.resolve()
    for source in sources:
        if not layout.warc_dir(source).is_dir() and not layout.json_dir(source).is_dir():
            raise UserError(
                f"{source}: not a crawl directory (no warc/ or json/ inside); give the --out "
                "directory of each worker",
                EXIT_INPUT,
            )
        if source.resolve() == target:
            raise UserError(
                f"{source} is the collection itself; give the workers' directories", EXIT_INPUT
            )
        holder = read_lock(source)
        if holder is not None:
            raise UserError(
                f"{source}: a crawl is still running there (pid {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')}); ingest it once that worker has finished",
                EXIT_LOCKED,
            )
        if source.resolve() not in (c.resolve() for c in checked):
            checked.append(source)
    return checked


def source_items(source: Path) -> Iterator[dict[str, Any]]:
    """Items of a worker directory: ``json/*.jsonl`` and ``json/*.jsonl.part``."""
    folder = layout.json_dir(source)
    if not folder.is_dir():
        return
    for path in sorted([*folder.glob("*.jsonl"), *folder.glob("*.jsonl.part")]):
        yield from read_items(path)


def source_crawls(source: Path) -> dict[str, dict[str, Any]]:
    """The ``crawls`` rows of a worker's dataset (empty when it has none)."""
    path = layout.dataset_path(source)
    if not path.is_file():
        return {}
    try:
        rows = read_crawls(path)
    except sqlite3.Error as exc:
        logger.warning("Could not read the crawls of %s: %s", path, exc)
        return {}
    return {str(row["id"]): row for row in rows}


# -- WARC files -------------------------------------------------------------


def _sha256(path: Path, limit: int | None = None) -> str:
    digest = hashlib.sha256()
    remaining = limit
    with path.open("rb") as fh:
        while remaining is None or remaining > 0:
            chunk = fh.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
            if not chunk:
                break
            digest.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return digest.hexdigest()


def _copy_prefix(src: Path, dest: Path, size: int | None) -> None:
    """Copy the first *size* bytes of *src* (all when None) to *dest*, atomically."""

    def copy(out: IO[bytes]) -> None:
        with src.open("rb") as fh:
            if size is None:
                shutil.copyfileobj(fh, out, _CHUNK)
                return
            remaining = size
            while remaining > 0:
                chunk = fh.read(min(_CHUNK, remaining))
                if not chunk:
                    raise OSError(f"{src} is shorter than {size} bytes")
                out.write(chunk)
                remaining -= len(chunk)

    files.write_atomically(dest, copy)


def _link(src: Path, dest: Path) -> bool:
    """Hard-link *src* as *dest* (atomically); False when the file system cannot."""
    tmp = dest.with_name(f".{dest.name}.link")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        return False
    os.replace(tmp, dest)
    return True


def place_warc(src: Path, warc_dir: Path, *, link: bool) -> tuple[str, Placed] | None:
    """Put one worker WARC file into the collection; None when it holds nothing to keep."""
    size: int | None = None
    name = src.name
    placed: Placed
    if name.endswith(OPEN_SUFFIX):
        name = final_name(name)
        if (src.parent / name).exists():
            return None  # recovered in place already: the final file is ingested
        records, size = complete_prefix(src)
        if records == 0:
            logger.warning("%s holds no whole record: nothing to ingest", src)
            return None
    dest = warc_dir / name
    if dest.exists():
        if dest.stat().st_size == (size if size is not None else src.stat().st_size) and (
            _sha256(dest) == _sha256(src, size)
        ):
            return name, "present"
        raise UserError(
            f"{dest} exists with other content than {src}; WARC file names are unique per "
            "worker, so these are not outputs of the same crawls: ingest into another --out",
            EXIT_INPUT,
        )
    if size is not None:
        _copy_prefix(src, dest, size)
        placed = "recovered"
    elif link and _link(src, dest):
        placed = "linked"
    else:
        _copy_prefix(src, dest, None)
        placed = "copied"
    return name, placed


def source_warcs(source: Path) -> list[Path]:
    folder = layout.warc_dir(source)
    if not folder.is_dir():
        return []
    return sorted([*folder.glob(f"*{WARC_SUFFIX}"), *folder.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")])


# -- items -----------------------------------------------------------------


def _newer(item: dict[str, Any], than: dict[str, Any]) -> bool:
    return str(item.get("fetched_at") or "") > str(than.get("fetched_at") or "")


def merge_items(
    batches: Iterable[tuple[Path, dict[str, Any]]], warc_names: set[str], report: IngestReport
) -> dict[str, dict[str, dict[str, Any]]]:
    """Items by crawl id, then article id: the latest capture of each article per crawl."""
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    for source, item in batches:
        crawl_id, item_id = item.get("crawl_id"), item.get("id")
        if not isinstance(crawl_id, str) or not isinstance(item_id, str):
            continue
        warc = item.get("warc")
        filename = warc.get("filename") if isinstance(warc, dict) else None
        if filename not in warc_names:
            report.orphan_items += 1
            continue
        merge = report.crawls.setdefault(crawl_id, CrawlMerge(crawl_id))
        merge.sources.add(str(source))
        articles = merged.setdefault(crawl_id, {})
        known = articles.get(item_id)
        if known is None:
            articles[item_id] = item
            continue
        merge.duplicates += 1
        if _newer(item, known):
            articles[item_id] = item
    return merged


def _merged_stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The workers' stats together: numbers summed, anything else from the first worker."""
    total: dict[str, Any] = {"workers": len(rows)}
    for row in rows:
        try:
            stats = json.loads(row.get("stats") or "{}")
        except ValueError:
            continue
        if not isinstance(stats, dict):
            continue
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                previous = total.get(key, 0)
                if isinstance(previous, int | float):
                    total[key] = previous + value
            else:
                total.setdefault(key, value)
    return total


def write_jsonl(path: Path, items: dict[str, dict[str, Any]]) -> None:
    """*items* merged with the lines already in *path*, one per article, atomically."""
    merged = dict(items)
    if path.exists():
        for record in read_items(path):
            item_id = record.get("id")
            if not isinstance(item_id, str):
                continue
            mine = merged.get(item_id)
            if mine is None or _newer(record, mine):
                merged[item_id] = record
    ordered = sorted(merged.values(), key=lambda i: (str(i.get("fetched_at")), str(i["id"])))

    def write(out: IO[bytes]) -> None:
        for item in ordered:
            out.write((dumps_line(item) + "\n").encode("utf-8"))

    files.write_atomically(path, write)


# -- the whole ---------------------------------------------------------------


def ingest(sources: Sequence[Path], out: Path, *, link: bool = True) -> IngestReport:
    """Merge worker directories *sources* into the collection *out* (module docstring)."""
    sources = check_sources(sources, out)
    report = IngestReport(out, list(sources))
    warc_dir = layout.warc_dir(out)
    try:
        warc_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot write to {warc_dir}: {exc.strerror or exc}; choose another --out",
            EXIT_OUTPUT,
        ) from None
    with CrawlLock(out, "ingest"):
        new_lines: list[str] = []
        for source in sources:
            for path in source_warcs(source):
                try:
                    placed = place_warc(path, warc_dir, link=link)
                except OSError as exc:
                    raise UserError(
                        f"cannot bring {path} into {warc_dir}: {exc.strerror or exc}", EXIT_OUTPUT
                    ) from None
                if placed is None:
                    continue
                name, how = placed
                report.warcs[name] = how
                if how != "present":
                    new_lines.extend(index_file(warc_dir / name))
        files.fsync_dir(warc_dir)
        report.index_lines = CdxjIndex(layout.index_path(out)).append_records(new_lines)

        warc_names = {p.name for p in warc_dir.glob(f"*{WARC_SUFFIX}")}
        batches = ((source, item) for source in sources for item in source_items(source))
        merged = merge_items(batches, warc_names, report)
        crawl_rows: dict[str, list[dict[str, Any]]] = {}
        for source in sources:
            for crawl_id, row in source_crawls(source).items():
                crawl_rows.setdefault(crawl_id, []).append(row)

        with Dataset(layout.dataset_path(out)) as dataset:
            for crawl_id, articles in merged.items():
                merge = report.crawls[crawl_id]
                merge.items = len(articles)
                rows = crawl_rows.get(crawl_id, [])
                first = next(iter(articles.values()))
                starts = [str(r["started_at"]) for r in rows if r.get("started_at")]
                ends = [str(r["finished_at"]) for r in rows if r.get("finished_at")]
                dataset.begin_crawl(
                    crawl_id,
                    next((r["profile"] for r in rows if r.get("profile")), None),
                    next((r["collection"] for r in rows if r.get("collection")), first["site"]),
                    min(starts) if starts else None,
                )
                ordered = sorted(articles.values(), key=lambda i: str(i.get("fetched_at")))
                for item in ordered:
                    result = dataset.upsert(item)
                    merge.upserts[result] = merge.upserts.get(result, 0) + 1
                if ends:
                    dataset.finish_crawl(crawl_id, max(ends), _merged_stats(rows))
                write_jsonl(layout.items_path(out, crawl_id), articles)
    return report
