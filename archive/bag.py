"""Package a collection's files as a BagIt bag (RFC 8493) with the `bagit` library.

The payload (WARC files, their index, whatever the caller adds) is copied
into ``data/`` of a new directory, with sha256 and sha512 manifests and a
``bag-info.txt`` describing the crawl. The bag is built under a temporary
name next to the destination and renamed when complete, so a half-written
bag never carries the final name.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import bagit
from warcio.exceptions import ArchiveLoadFailed

from archive.limits import archive_iterator

CHECKSUMS: tuple[str, ...] = ("sha256", "sha512")

#: warcinfo fields summarised in bag-info.txt (name in the WARC -> bag-info label).
WARCINFO_LABELS: dict[str, str] = {
    "crawl-id": "Crawl-Id",
    "isPartOf": "Collection",
    "operator": "Operator",
    "software": "Crawl-Software",
}

BagInfo = Mapping[str, str | list[str]]


@dataclass(frozen=True, slots=True)
class BagResult:
    """What was written."""

    path: Path
    files: int
    payload_bytes: int

    @property
    def oxum(self) -> str:
        """Payload-Oxum: ``BYTES.FILES``."""
        return f"{self.payload_bytes}.{self.files}"


def warcinfo_summary(warc_paths: Sequence[Path]) -> dict[str, list[str]]:
    """Distinct values of the `WARCINFO_LABELS` fields of each file's warcinfo record."""
    found: dict[str, list[str]] = {}
    for path in warc_paths:
        for name, value in _first_warcinfo(path):
            label = WARCINFO_LABELS.get(name)
            if label and value not in found.setdefault(label, []):
                found[label].append(value)
    return found


def _first_warcinfo(path: Path) -> list[tuple[str, str]]:
    try:
        with path.open("rb") as fh:
            for record in archive_iterator(fh):
                if record.rec_type != "warcinfo":
                    return []
                text = record.content_stream().read(1 << 16).decode("utf-8", "replace")
                pairs = []
                for line in text.splitlines():
                    name, sep, value = line.partition(":")
                    if sep and value.strip():
                        pairs.append((name.strip(), value.strip()))
                return pairs
    except (ArchiveLoadFailed, OSError, ValueError):
        return []
    return []


def crawl_bag_info(
    *,
    source_organization: str,
    description: str,
    warc_paths: Sequence[Path],
    crawl_ids: Sequence[str] = (),
    extra: BagInfo | None = None,
    when: datetime | None = None,
) -> dict[str, str | list[str]]:
    """bag-info.txt fields for a crawl collection (Payload-Oxum is added by bagit)."""
    info: dict[str, str | list[str]] = {
        "Source-Organization": source_organization,
        "External-Description": description,
        "Bagging-Date": (when or datetime.now(UTC)).strftime("%Y-%m-%d"),
        "WARC-File-Count": str(len(warc_paths)),
    }
    summary = warcinfo_summary(warc_paths)
    ids = list(dict.fromkeys([*crawl_ids, *summary.pop("Crawl-Id", [])]))
    if ids:
        info["Crawl-Id"] = ids
    for label, values in summary.items():
        info[label] = values if len(values) > 1 else values[0]
    if extra:
        info.update(extra)
    return info


def write_bag(
    out: Path,
    payload: Sequence[tuple[Path, str]],
    info: BagInfo,
) -> BagResult:
    """Create the bag `out` holding each (source file, path under data/) of `payload`.

    `FileExistsError` when `out` exists; `ValueError` on an unsafe payload path.
    """
    if out.exists():
        raise FileExistsError(f"{out} already exists")
    for _, rel in payload:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"unsafe payload path {rel!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp's 0700 would carry over to the finished bag
    try:
        total = 0
        for source, rel in payload:
            target = tmp.joinpath(*PurePosixPath(rel).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            total += target.stat().st_size
        _quiet_bagit()
        bagit.make_bag(
            str(tmp),
            bag_info={k: (list(v) if isinstance(v, list) else v) for k, v in info.items()},
            processes=1,
            checksums=list(CHECKSUMS),
        )
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BagResult(out, len(payload), total)


def _quiet_bagit() -> None:
    """bagit logs every file it moves at INFO; keep that out of our output."""
    logging.getLogger("bagit").setLevel(logging.WARNING)
