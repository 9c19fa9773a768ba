"""One crawl at a time per output directory: a lock file held with ``fcntl.flock``.

`CrawlLock(out_dir)` opens ``OUT/state/crawl.lock`` and takes an exclusive,
non-blocking ``flock`` on it for the life of the crawl, then writes who holds
it (pid, host, start time, crawl id) into the file. The kernel drops a
``flock`` when its process dies, however it dies (SIGKILL, power loss: the
lock is not on disk at all), so a lock file left by a dead process is free
to take: it is detected as stale (its pid is gone, or its lock was simply
not held), reported, and overwritten. A second crawl of the same directory
while one runs gets `CollectionLockedError` naming the holder.

Not for network file systems whose ``flock`` is not shared between hosts.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from arsip.core.errors import LockedError, OutputError
from arsip.core.layout import lock_path

logger = logging.getLogger(__name__)

#: Locks this process holds, by resolved path (so nested users share one).
_HELD: dict[Path, CrawlLock] = {}


class CollectionLockedError(LockedError):
    """Another live crawl holds the lock; ``holder`` is what its lock file says."""

    def __init__(self, message: str, holder: dict[str, Any]) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True, slots=True)
class StaleLock:
    """What a lock file left by a dead crawl said."""

    pid: int | None
    host: str
    started_at: str
    crawl_id: str


def _read_holder(fh: IO[str]) -> dict[str, Any]:
    fh.seek(0)
    try:
        data = json.loads(fh.read() or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class CrawlLock:
    """The exclusive lock of one output directory (a context manager)."""

    def __init__(self, out_dir: str | os.PathLike[str], crawl_id: str = "") -> None:
        self.path = lock_path(out_dir)
        self.crawl_id = crawl_id
        self.stale: StaleLock | None = None
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> CrawlLock:
        """Take the lock or raise `CollectionLockedError`; a stale lock goes in ``self.stale``."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                f"cannot create the lock file {self.path}: {exc.strerror or exc}; "
                "choose a writable --out"
            ) from None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fh)
            fh.close()
            raise locked_error(self.path.parent.parent, holder) from None
        previous = _read_holder(fh)
        if previous.get("pid") is not None:
            self.stale = StaleLock(
                previous.get("pid"),
                str(previous.get("host", "")),
                str(previous.get("started_at", "")),
                str(previous.get("crawl_id", "")),
            )
            alive = previous.get("host") == socket.gethostname() and _pid_alive(
                int(previous["pid"])
            )
            logger.warning(
                "Cleared a stale crawl lock in %s (pid %s on %s%s, started %s)",
                self.path,
                previous.get("pid"),
                previous.get("host"),
                "" if not alive else ", alive but not holding it",
                previous.get("started_at"),
            )
        self._fh = fh
        self.write()
        _HELD[self.path.resolve()] = self
        return self

    def write(self, crawl_id: str | None = None) -> None:
        """(Re)write the holder's details, e.g. once the crawl id is known."""
        if crawl_id is not None:
            self.crawl_id = crawl_id
        if self._fh is None:
            return
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "crawl_id": self.crawl_id,
        }
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(json.dumps(info) + "\n")
        self._fh.flush()

    def release(self) -> None:
        """Empty the file and drop the lock (idempotent)."""
        if self._fh is None:
            return
        _HELD.pop(self.path.resolve(), None)
        with contextlib.suppress(OSError):
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.flush()
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def locked_error(out_dir: str | os.PathLike[str], holder: dict[str, Any]) -> CollectionLockedError:
    """The one line saying that *holder* (what its lock file says) crawls *out_dir*."""
    return CollectionLockedError(
        f"another crawl is running in {out_dir} "
        f"(pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"started {holder.get('started_at', '?')}, crawl {holder.get('crawl_id') or '?'}); "
        "wait for it to finish, or stop it first",
        holder,
    )


def check_unlocked(out_dir: str | os.PathLike[str]) -> None:
    """Raise `CollectionLockedError` when a live crawl holds the lock of *out_dir*; create nothing.

    A check before the checks that touch the collection (its dataset), so that
    a second crawl is told about the first one rather than about what the
    first one holds open. `CrawlLock.acquire` is still what takes the lock.
    """
    try:
        holder = read_lock(out_dir)
    except OSError:
        return  # an unreadable lock file: `CrawlLock.acquire` says what is wrong
    if holder is not None:
        raise locked_error(out_dir, holder)


def held_lock(out_dir: str | os.PathLike[str]) -> CrawlLock | None:
    """The lock of *out_dir* if this process holds it."""
    return _HELD.get(lock_path(out_dir).resolve())


def read_lock(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Who holds the lock of *out_dir* now, or None when no live crawl does."""
    path = lock_path(out_dir)
    if not path.exists():
        return None
    with path.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fh)
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return None
