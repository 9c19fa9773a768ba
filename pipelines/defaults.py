"""Settings of the item pipelines: names, defaults, and how derived values are resolved.

Each pipeline reads its settings once, in ``from_crawler``, with the
defaults below (alphabetical). The crawl-wide ``ARSIP_*`` settings are
declared in ``crawler/settings.py``; the pipelines only read them.

- ``ARSIP_COLLECTION`` (``""``): collection name used in replay URLs;
  empty means the profile name.
- ``ARSIP_CRAWL_ID`` (``""``): id of this crawl; empty means "the
  ``crawl_id`` of the items" (each item carries it).
- ``ARSIP_OUT_DIR`` (``""``): output folder; empty means ``data/PROFILE``.
- ``ARSIP_PROFILE`` (``"anri"``): profile name or path to its ``.toml``.
- ``ARSIP_VALIDATE_ENABLED`` (``True``): validate and normalize items
  (``pipelines.validate.ValidateItemPipeline``).
- ``DATASET_BATCH_SIZE`` (``100``): upserts per SQLite transaction.
- ``DATASET_ENABLED`` (``True``): maintain the SQLite dataset
  (``pipelines.dataset.DatasetPipeline``).
- ``DATASET_PATH`` (``""``): the SQLite file; empty means
  ``ARSIP_OUT_DIR/arsip.sqlite``.
- ``DATASET_TIMEOUT`` (``5.0``): seconds to wait for a lock held by
  another process before failing with ``DatasetLockedError``.
- ``JSONL_ENABLED`` (``True``): write ``ARSIP_OUT_DIR/json/CRAWL_ID.jsonl``
  (``pipelines.jsonlines.JsonLinesPipeline``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from arsip.core import layout

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

ARSIP_COLLECTION = ""
ARSIP_CRAWL_ID = ""
ARSIP_OUT_DIR = ""
ARSIP_PROFILE = "anri"
ARSIP_VALIDATE_ENABLED = True
DATASET_BATCH_SIZE = 100
DATASET_ENABLED = True
DATASET_FILE = layout.DATASET_FILE  # not a setting: the file name inside ARSIP_OUT_DIR
DATASET_PATH = ""
DATASET_TIMEOUT = 5.0
JSONL_ENABLED = True

#: A crawl id is also a file name: letters, digits, ``.``, ``_``, ``-``.
CRAWL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$", re.ASCII)


def profile_name(settings: BaseSettings) -> str:
    """The profile's short name: ``anri`` for ``anri`` or ``crawler/profiles/anri.toml``."""
    profile = str(settings.get("ARSIP_PROFILE") or ARSIP_PROFILE)
    return Path(profile).stem if profile.endswith(".toml") else profile


def out_dir(settings: BaseSettings) -> Path:
    """``ARSIP_OUT_DIR``, or ``data/PROFILE`` when it is empty."""
    configured = str(settings.get("ARSIP_OUT_DIR") or ARSIP_OUT_DIR)
    return Path(configured) if configured else Path("data") / profile_name(settings)


def collection(settings: BaseSettings) -> str:
    """``ARSIP_COLLECTION``, or the profile name when it is empty."""
    return str(settings.get("ARSIP_COLLECTION") or ARSIP_COLLECTION) or profile_name(settings)


def crawl_id(settings: BaseSettings) -> str | None:
    """``ARSIP_CRAWL_ID`` checked for safe characters, or None when it is empty.

    Raises ValueError naming the setting when it cannot be used as a file name.
    """
    value = str(settings.get("ARSIP_CRAWL_ID") or ARSIP_CRAWL_ID)
    if not value:
        return None
    if not CRAWL_ID_RE.match(value):
        raise ValueError(
            f"ARSIP_CRAWL_ID {value!r} is not a usable crawl id: "
            "use letters, digits, '.', '_' and '-' (at most 128), starting with a letter or digit"
        )
    return value


def utc_now() -> str:
    """The current time as the items write it: ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
