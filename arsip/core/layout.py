"""Where things live in a collection folder (``--out DIR``, ``ARSIP_OUT_DIR``).

::

    DIR/
      warc/                  WARC files (``*.warc.gz``; ``*.open`` while written)
      json/                  one JSON Lines file per crawl (``CRAWL_ID.jsonl``)
      state/                 crawl state (``CRAWL_ID.sqlite``), ``known.sqlite``,
                             ``digests.sqlite``, ``crawl.lock``
      reports/               ``CRAWL_ID.json`` and ``CRAWL_ID.html``
      indexes/               ``index.cdxj``
      arsip.sqlite           the dataset (unless ``DATASET_PATH`` says otherwise)

Every module that names one of these goes through this one: a path spelled
out twice drifts.
"""

from __future__ import annotations

import os
from pathlib import Path

WARC_DIR = "warc"
JSON_DIR = "json"
STATE_DIR = "state"
REPORTS_DIR = "reports"
INDEXES_DIR = "indexes"
DATASET_FILE = "arsip.sqlite"
KNOWN_FILE = "known.sqlite"
DIGESTS_FILE = "digests.sqlite"
LOCK_FILE = "crawl.lock"
INDEX_FILE = "index.cdxj"
ITEMS_SUFFIX = ".jsonl"

PathLike = str | os.PathLike[str]


def warc_dir(out: PathLike) -> Path:
    """The folder of the collection's WARC files."""
    return Path(out) / WARC_DIR


def json_dir(out: PathLike) -> Path:
    """The folder of the crawls' JSON Lines."""
    return Path(out) / JSON_DIR


def state_dir(out: PathLike) -> Path:
    """The folder of crawl state, the URL and digest indexes and the lock."""
    return Path(out) / STATE_DIR


def reports_dir(out: PathLike) -> Path:
    """The folder of crawl reports."""
    return Path(out) / REPORTS_DIR


def indexes_dir(out: PathLike) -> Path:
    """The folder of replay indexes."""
    return Path(out) / INDEXES_DIR


def dataset_path(out: PathLike, configured: PathLike | None = None) -> Path:
    """The dataset: *configured* (``DATASET_PATH``) when given, else ``DIR/arsip.sqlite``."""
    return Path(configured) if configured else Path(out) / DATASET_FILE


def items_path(out: PathLike, crawl_id: str) -> Path:
    """The JSON Lines of crawl *crawl_id*."""
    return json_dir(out) / f"{crawl_id}{ITEMS_SUFFIX}"


def state_path(out: PathLike, crawl_id: str) -> Path:
    """The state (frontier, responses, skips) of crawl *crawl_id*."""
    return state_dir(out) / f"{crawl_id}.sqlite"


def known_path(out: PathLike) -> Path:
    """The URLs every crawl of the collection has fetched (incremental crawls)."""
    return state_dir(out) / KNOWN_FILE


def digests_path(out: PathLike) -> Path:
    """The payload digests of the collection's WARCs (revisit records)."""
    return state_dir(out) / DIGESTS_FILE


def lock_path(out: PathLike) -> Path:
    """The lock that lets one crawl at a time work on the collection."""
    return state_dir(out) / LOCK_FILE


def index_path(out: PathLike) -> Path:
    """The collection's CDXJ index."""
    return indexes_dir(out) / INDEX_FILE


def report_paths(out: PathLike, crawl_id: str) -> tuple[Path, Path]:
    """The JSON and HTML report of crawl *crawl_id*."""
    folder = reports_dir(out)
    return folder / f"{crawl_id}.json", folder / f"{crawl_id}.html"
