"""Rebuild a collection's ``json/`` and ``arsip.sqlite`` from its WARC files alone.

``reextract([warc files or folders], out)`` reads every WARC in order
(arsip file names sort by the time the file was opened), turns each article
capture (`arsip.reextract_source`) into the item the live crawl made of it
(`arsip.reextract_work.build_item`: the same extraction, ``fetched_at`` = the record's
WARC-Date, ``crawl_id`` = the ``crawl-id`` of the file's warcinfo record,
the record's location as ``warc``), and sends it through the same
pipeline logic: validation and normalization (`ValidateItemPipeline.check`),
the per-crawl JSON Lines writer (`JsonLinesWriter`, one ``CRAWL_ID.jsonl``
per crawl id, items in capture order, each id once per crawl) and the
dataset (`Dataset.upsert`, crawls registered with the warcinfo's
``isPartOf`` collection so replay URLs are the same). No network.

Safety: the collection's crawl lock (``state/crawl.lock``) is held
throughout, so no crawl writes *out* meanwhile (and a running crawl makes
reextract fail with exit code 7). Everything is built in a hidden folder
inside *out* and moved into place only when complete (the database by an
atomic rename; ``json/`` by two renames). An *out* that already holds
``arsip.sqlite`` or JSON Lines is refused unless ``force`` is set; then
they are replaced as a whole (JSON Lines of crawls not in the WARC files
read are gone too). A read-only dataset (or folder) is never replaced: it is
refused (exit 5) before anything is read or written, and if the final rename
fails all the same, ``json/`` is put back, so *out* is left as it was. The
Datasette metadata is written beside the database.

Extraction is pure, so ``jobs`` worker processes can share it
(`arsip.parallel`): this process reads the records and writes the outputs
in record order, the workers extract and validate
(`arsip.reextract_work`, which only they import); any number of jobs gives
the same JSON Lines and tables, byte for byte.

Memory stays flat as archives grow: records are streamed; what is kept in
memory is one id per article per crawl (to write each once, as the live
crawl does); the locations of article responses (to resolve revisits) go
to a SQLite file in the build folder.

The ``crawls`` rows differ from the live crawl's: ``started_at`` and
``finished_at`` are the first and last WARC-Date of the crawl's records,
and ``stats`` are those of the re-extraction.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.files import describe_unreadable
from archive.naming import OPEN_SUFFIX, WarcName
from arsip.core import layout
from arsip.core.errors import ArsipError
from arsip.core.lock import CrawlLock
from arsip.errors import EXIT_CONFIG, EXIT_INPUT, EXIT_OUTPUT, UserError
from arsip.parallel import Named, Workers
from arsip.reextract_source import (
    Capture,
    Extracted,
    FileInfo,
    OriginalsIndex,
    read_captures,
    read_warcinfo,
)
from crawler.profiles import Profile, ProfileError, load_profile, shipped_profiles
from pipelines.db import Dataset, stemming
from pipelines.db.datasette import write_metadata
from pipelines.db.store import check_not_locked
from pipelines.defaults import CRAWL_ID_RE, utc_now
from pipelines.jsonlines import JsonLinesWriter

WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")

Report = Callable[[str], None]


@dataclass(slots=True)
class ReextractStats:
    """What a re-extraction read and wrote."""

    files: int = 0
    records: int = 0
    captures: int = 0  # article responses found
    items: int = 0  # written to JSON Lines and the dataset
    duplicates: int = 0  # the same article again in the same crawl
    unusable: int = 0  # records or files that could not be used (reported)
    skipped: int = 0  # responses that are no article
    crawls: dict[str, int] = field(default_factory=dict)  # crawl id -> items
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "reextract/files": self.files,
            "reextract/records": self.records,
            "reextract/captures": self.captures,
            "reextract/items": self.items,
            "reextract/duplicates": self.duplicates,
            "reextract/unusable": self.unusable,
        }


#: What the worker processes of ``--jobs N`` run, and import as they start
#: (this process imports it only to extract itself, with one job).
EXTRACT = Named("arsip.reextract_work", "extract_capture")
WORKER_PRELOAD = (EXTRACT.module,)


# -- inputs ----------------------------------------------------------------------


def _order(path: Path) -> tuple[str, int, str]:
    name = WarcName.parse(path.name)
    return (name.timestamp, name.serial, path.name) if name else ("", 0, path.name)


def warc_files(inputs: Sequence[Path], report: Report) -> list[Path]:
    """The WARC/ARC files named, or found under the folders named (only under ``warc/``
    in a collection folder), oldest first; files still ``.open`` are reported and
    left out."""
    found: list[Path] = []
    for given in inputs:
        wrong = describe_unreadable(given)
        if wrong is not None:
            raise UserError(wrong, EXIT_INPUT)
        if given.is_file():
            found.append(given)
            continue
        if not given.is_dir():
            raise UserError(f"{given}: no such WARC file or folder", EXIT_INPUT)
        # A collection folder: its warc/ only (packages elsewhere in it hold copies).
        folder = layout.warc_dir(given) if layout.warc_dir(given).is_dir() else given
        for path in sorted(folder.rglob("*")):
            if path.name.endswith(OPEN_SUFFIX) and path.is_file():
                report(
                    f"{path}: still open (a crawl is writing it, or crashed: the next "
                    "crawl into this collection repairs it); not read"
                )
            elif path.name.endswith(WARC_SUFFIXES) and path.is_file():
                found.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in found))
    if not unique:
        names = ", ".join(str(p) for p in inputs)
        raise UserError(f"no WARC files in {names}", EXIT_INPUT)
    return sorted(unique, key=_order)


def resolve_profile(name: str | None, collection: str | None) -> Profile | None:
    """--profile, else the shipped profile named like the WARC's collection, else None
    (by each URL's host)."""
    try:
        if name:
            return load_profile(name)
        if collection and collection in shipped_profiles():
            return load_profile(collection)
    except ProfileError as exc:
        raise UserError(str(exc), EXIT_CONFIG) from None
    return None


def _fallback_crawl_id(path: Path) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in path.name)
    crawl_id = ("reextract-" + stem)[:128]
    return crawl_id if CRAWL_ID_RE.match(crawl_id) else "reextract"


# -- the rebuild -----------------------------------------------------------------


def _body_size(task: tuple[Capture, str]) -> int:
    return len(task[0].body)


class Rebuild:
    """Items into ``json/`` and the dataset of a folder (the temporary build folder)."""

    def __init__(
        self, folder: Path, profile_name: str | None, report: Report, workers: Workers
    ) -> None:
        self.folder = folder
        self.profile_name = profile_name
        self.report = report
        self.workers = workers
        self.stats = ReextractStats()
        self.dataset = Dataset(layout.dataset_path(folder), batch_size=500, commit_interval=5.0)
        self.writers: dict[str, Any] = {}
        self.crawl_times: dict[str, list[str | None]] = {}
        self.index = OriginalsIndex(folder / "originals.sqlite")

    def read(self, path: Path) -> None:
        """Add every article capture of one WARC file."""
        self.stats.files += 1
        info = read_warcinfo(path)
        crawl_id = self._begin(path, info)
        profile = resolve_profile(self.profile_name, info.collection)
        captures = read_captures(path, info, profile, self.index, self._bad, warn=self.report)
        tasks = ((capture, crawl_id) for capture in captures)
        for outcome in self.workers.map(EXTRACT, tasks, weigh=_body_size):
            self.stats.captures += 1
            self._add(outcome, crawl_id)
        self.stats.records += info.records
        self.stats.skipped += info.skipped
        times = self.crawl_times[crawl_id]
        times[1] = max(filter(None, (times[1], info.last_date)), default=None)

    def _bad(self, line: str) -> None:
        self.stats.unusable += 1
        self.report(line)

    def _begin(self, path: Path, info: FileInfo) -> str:
        crawl_id = info.crawl_id
        if crawl_id is None or not CRAWL_ID_RE.match(crawl_id):
            crawl_id = _fallback_crawl_id(path)
            self.report(
                f"warning: {path.name}: no usable crawl-id in its warcinfo record; "
                f"its items get crawl id {crawl_id}"
            )
        if crawl_id not in self.crawl_times:
            profile = resolve_profile(self.profile_name, info.collection)
            collection = info.collection or (profile.collection if profile else "") or "arsip"
            self.dataset.begin_crawl(
                crawl_id, profile.name if profile else None, collection, info.date
            )
            self.writers[crawl_id] = JsonLinesWriter(layout.items_path(self.folder, crawl_id))
            self.crawl_times[crawl_id] = [info.date, info.date]
            self.stats.crawls[crawl_id] = 0
        return crawl_id

    def _add(self, outcome: Extracted, crawl_id: str) -> None:
        if outcome.problem:
            self._bad(outcome.problem)
            return
        item = outcome.item
        if not self.writers[crawl_id].write(item):
            self.stats.duplicates += 1
            return
        for text, stem in outcome.stems:
            stemming.know(text, stem)
        try:
            self.dataset.upsert(item)
        finally:
            stemming.forget()
        self.stats.items += 1
        self.stats.crawls[crawl_id] += 1

    def close(self) -> None:
        """Finish the JSON Lines files and the dataset (crawls get their times and stats)."""
        self.index.close()
        for writer in self.writers.values():
            writer.close()
        try:
            for crawl_id, (started, finished) in self.crawl_times.items():
                stats = {**self.stats.as_dict(), "reextract/items": self.stats.crawls[crawl_id]}
                self.dataset.finish_crawl(crawl_id, finished or started or utc_now(), stats)
        finally:
            self.dataset.close()

    def abort(self) -> None:
        """Close what is open after a failure (the folder is thrown away)."""
        self.index.close()
        for writer in self.writers.values():
            with contextlib.suppress(OSError):
                writer.close()
        self.dataset.close()


# -- output ----------------------------------------------------------------------


def existing_outputs(out: Path) -> list[Path]:
    """What a rebuild into *out* would replace: the dataset and JSON Lines files."""
    found = [p for p in (layout.dataset_path(out),) if p.exists()]
    json_dir = layout.json_dir(out)
    if json_dir.is_dir():
        found += sorted(p for p in json_dir.iterdir() if p.name.endswith((".jsonl", ".part")))
    return found


def check_replaceable(out: Path) -> None:
    """Refuse (exit 5) to rebuild into *out* when its dataset cannot be replaced.

    Run before anything is read or written (the lock file included), so a
    refused rebuild leaves *out* as it was. Replacing the dataset is a rename
    in *out*, and a read-only dataset (``chmod a-w``, ``chattr +i``) is taken
    as the owner's wish to keep it, ``--force`` or not.
    """
    db = layout.dataset_path(out)
    if not db.exists():
        return
    if not os.access(db, os.W_OK):
        what = "the file is read-only"
    elif not os.access(out, os.W_OK | os.X_OK):
        what = "its folder is read-only"
    else:
        return
    raise UserError(
        f"cannot replace the dataset {db}: {what}; make it writable, or rebuild into another --out",
        EXIT_OUTPUT,
    )


def _move_into_place(build: Path, out: Path, report: Report) -> None:
    """Replace *out*'s ``json/`` and dataset with *build*'s; on failure put ``json/`` back."""
    db = layout.dataset_path(out)
    check_not_locked(db)
    old = Path(tempfile.mkdtemp(prefix=".reextract-old-", dir=out))
    keep_old = False
    try:
        moved: list[tuple[Path, Path]] = []  # (from, to), to undo in reverse order
        try:
            if layout.json_dir(out).exists():
                os.replace(layout.json_dir(out), layout.json_dir(old))
                moved.append((layout.json_dir(out), layout.json_dir(old)))
            os.replace(layout.json_dir(build), layout.json_dir(out))
            moved.append((layout.json_dir(build), layout.json_dir(out)))
            check_replaceable(out)  # again: it may have changed during the rebuild
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            os.replace(layout.dataset_path(build), db)
        except (OSError, ArsipError) as exc:
            keep_old = not _undo(moved)
            if isinstance(exc, ArsipError):
                raise
            kept = f"; the old JSON Lines are kept in {old}" if keep_old else ""
            raise UserError(
                f"cannot replace the dataset {db}: {exc.strerror or exc}; nothing was "
                f"replaced{kept}; make {out} and its files writable, or rebuild into "
                "another --out",
                EXIT_OUTPUT,
            ) from None
        meta = build / "arsip.metadata.json"
        if meta.exists():
            try:
                os.replace(meta, out / meta.name)
            except OSError as exc:
                report(f"warning: {out / meta.name}: not replaced ({exc.strerror or exc})")
    finally:
        if not keep_old:
            shutil.rmtree(old, ignore_errors=True)


def _undo(moved: list[tuple[Path, Path]]) -> bool:
    """Move things back, last first; False when one could not be."""
    for source, target in reversed(moved):
        try:
            os.replace(target, source)
        except OSError:
            return False
    return True


def reextract(
    inputs: Sequence[Path],
    out: Path,
    *,
    profile: str | None = None,
    force: bool = False,
    jobs: int = 1,
    report: Report,
) -> ReextractStats:
    """Rebuild *out*'s ``json/`` and ``arsip.sqlite`` from the WARC files in *inputs*.

    Holds *out*'s crawl lock (``state/crawl.lock``, `arsip.core.lock.CrawlLock`)
    throughout, so no crawl writes the collection meanwhile. *jobs* worker
    processes extract and validate the captures (`arsip.parallel.Workers`):
    reading, JSON Lines and the dataset stay in this process, in record order,
    so the output is the same, byte for byte, for any *jobs*.
    """
    if profile:
        resolve_profile(profile, None)  # fail on a bad name before reading anything
    skipped_files: list[str] = []

    def skip(line: str) -> None:
        skipped_files.append(line)
        report(line)

    files = warc_files(inputs, skip)
    if force:
        check_replaceable(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create --out {out} ({exc.strerror})", EXIT_OUTPUT) from None
    with CrawlLock(out, "reextract"):
        if not force and existing_outputs(out):
            raise UserError(
                f"{out} already holds a dataset or JSON Lines; give --force to replace them, "
                "or another --out",
                EXIT_OUTPUT,
            )
        started = time.perf_counter()
        stats = _build(files, out, profile, report, jobs)
    stats.unusable += len(skipped_files)
    stats.seconds = time.perf_counter() - started
    return stats


def _build(
    files: list[Path], out: Path, profile: str | None, report: Report, jobs: int
) -> ReextractStats:
    """Rebuild into a hidden folder of *out*, then move the result into place."""
    try:
        build = Path(tempfile.mkdtemp(prefix=".reextract-", dir=out))
    except OSError as exc:
        raise UserError(f"cannot write in --out {out} ({exc.strerror})", EXIT_OUTPUT) from None
    try:
        layout.json_dir(build).mkdir()
        # The workers start first, before any database is open (see arsip.parallel).
        with Workers(jobs, preload=WORKER_PRELOAD) as workers:
            rebuild = Rebuild(build, profile, report, workers)
            try:
                for path in files:
                    rebuild.read(path)
            except BaseException:
                rebuild.abort()
                raise
        rebuild.close()
        write_metadata(layout.dataset_path(build))
        _move_into_place(build, out, report)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return rebuild.stats


def summary(stats: ReextractStats, out: Path) -> list[str]:
    """The lines printed at the end of ``arsip reextract``."""
    rate = stats.records / stats.seconds if stats.seconds else 0.0
    item_rate = stats.captures / stats.seconds if stats.seconds else 0.0
    lines = [
        f"reextract: {stats.files} WARC files, {stats.records} records, "
        f"{stats.captures} article captures",
        f"  items      {stats.items} in {len(stats.crawls)} crawls "
        f"({stats.duplicates} repeated captures left out)",
        f"  unusable   {stats.unusable} (see the lines above)",
        f"  JSON Lines {out / 'json'}",
        f"  dataset    {layout.dataset_path(out)}",
        f"  duration   {stats.seconds:.1f} s ({rate:.0f} records/s, {item_rate:.1f} articles/s)",
    ]
    return lines
