"""Durable files: what arsip writes, it writes whole or not at all.

A file is written under a temporary name beside its target, flushed and
fsynced, renamed over the target, and the rename is made durable by
fsyncing the folder. Every module that publishes a file (WARCs, indexes,
exports, JSON Lines, reports, ingested copies) goes through these helpers.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")


def fsync_path(path: Path, *, missing_ok: bool = False) -> None:
    """fsync the file or folder at *path* (a missing one is an error unless *missing_ok*)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in *folder* durable (a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    try:
        fsync_path(folder)
    except OSError:
        return


def write_atomically(target: Path, write: Callable[[IO[bytes]], T], *, mode: int = 0o644) -> T:
    """Call *write* on a temporary file beside *target*, then rename it to *target*.

    Returns what *write* returned. On any error the temporary file is removed
    and *target* is left as it was; OSError from creating the temporary file
    propagates for the caller to word.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            result = write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return result


def write_text_atomically(
    target: Path, text: str | Iterable[str], *, mode: int = 0o644, encoding: str = "utf-8"
) -> None:
    """`write_atomically` for text: a string, or the chunks of one (streamed)."""

    def write(fh: IO[bytes]) -> None:
        for chunk in (text,) if isinstance(text, str) else text:
            fh.write(chunk.encode(encoding))

    write_atomically(target, write, mode=mode)


def write_bytes_atomically(target: Path, data: bytes, *, mode: int = 0o644) -> None:
    """`write_atomically` for bytes in memory."""
    write_atomically(target, lambda fh: fh.write(data), mode=mode)
