"""Durable files: what arsip writes, it writes whole or not at all.

A file is written under a temporary name beside its target, flushed and
fsynced, renamed over the target, and the rename is made durable by
fsyncing the folder. Every module that publishes a file (WARCs, indexes,
exports, JSON Lines, reports, ingested copies) goes through these helpers.
"""

from __future__ import annotations

import os
import stat
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


def user_file_mode() -> int:
    """The mode a new file gets from ``open()``: 0o666 less the process umask.

    ``tempfile.mkstemp`` creates files 0600 whatever the umask; a file made
    that way and renamed into place is chmodded to this, so every output
    file gets the user's normal permissions.
    """
    mask = os.umask(0o022)  # the only way to read the umask is to set it: put it back
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(
    target: Path, write: Callable[[IO[bytes]], T], *, mode: int | None = None
) -> T:
    """Call *write* on a temporary file beside *target*, then rename it to *target*.

    The file gets *mode*, by default the user's (`user_file_mode`).

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
        os.chmod(temp, user_file_mode() if mode is None else mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return result


def write_text_atomically(
    target: Path, text: str | Iterable[str], *, mode: int | None = None, encoding: str = "utf-8"
) -> None:
    """`write_atomically` for text: a string, or the chunks of one (streamed)."""

    def write(fh: IO[bytes]) -> None:
        for chunk in (text,) if isinstance(text, str) else text:
            fh.write(chunk.encode(encoding))

    write_atomically(target, write, mode=mode)


def write_bytes_atomically(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """`write_atomically` for bytes in memory."""
    write_atomically(target, lambda fh: fh.write(data), mode=mode)


#: What a path is when it is none of a file or a folder (`os.stat` modes).
_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(path: str | os.PathLike[str]) -> str | None:
    """What *path* is (``a FIFO (named pipe)``, ``a character device``, ...) when it is
    neither a regular file nor a folder, following symbolic links; None otherwise
    (also when it does not exist). Reading a FIFO or a device never ends: a reader
    asks first. Raises OSError when a link cannot be followed (a loop)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    return next((what for test, what in _SPECIAL if test(mode)), None)


def describe_unreadable(path: str | os.PathLike[str], noun: str = "file") -> str | None:
    """One line saying why *path* cannot be read as a *noun* (a special file, a link
    loop), or None when nothing is wrong with it in that way."""
    try:
        kind = special_kind(path)
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    return f"{path}: is {kind}, not a {noun}" if kind else None
