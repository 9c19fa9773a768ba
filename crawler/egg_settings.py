"""Scrapy settings of arsip when Scrapyd runs it from an egg (``setup.py``'s entry point).

Scrapyd puts the egg, a zip file, on ``sys.path`` and imports the code from
it. Everything in arsip works from there except the shipped site profiles,
which `crawler.profiles` reads from its folder on disk. So when that folder
is inside a zip file, the profiles are unpacked once into a folder of the
temporary directory (named after their content, so eggs of different
versions never share one) and ``ARSIP_PROFILES_DIR`` points there: the
spider's ``-d profile=anri`` then finds them. A user's own profiles
directory (``-d setting=ARSIP_PROFILES_DIR=DIR``) replaces it; put the
shipped profiles you use in it too.

Otherwise these are the project settings, `crawler.settings`, unchanged.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import resources
from pathlib import Path

from crawler import settings as _project
from crawler.profiles import PROFILE_DIR

globals().update({name: getattr(_project, name) for name in dir(_project) if name.isupper()})


def unpack_profiles() -> Path:
    """The shipped profiles as files on disk (unpacked from the egg when needed)."""
    shipped = resources.files("crawler.profiles")
    files = {
        entry.name: entry.read_bytes()
        for entry in shipped.iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    }
    digest = hashlib.sha256(b"".join(n.encode() + data for n, data in sorted(files.items())))
    folder = Path(tempfile.gettempdir()) / f"arsip-profiles-{digest.hexdigest()[:16]}"
    if folder.is_dir():
        return folder
    staging = Path(tempfile.mkdtemp(prefix=".arsip-profiles-", dir=folder.parent))
    for name, data in files.items():
        (staging / name).write_bytes(data)
    try:
        os.replace(staging, folder)
    except OSError:  # another process unpacked them first
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    return folder


if not PROFILE_DIR.is_dir():  # imported from a zipped egg
    ARSIP_PROFILES_DIR = str(unpack_profiles())
