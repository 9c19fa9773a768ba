"""A Scrapy extension for the benchmarks: when the crawl reaches each stage.

Its own module (not bench.crawl_child, which runs as ``__main__``), so that
the class Scrapy loads by name is the one crawl_child reads the marks from.
`Timeline` is loaded first (EXTENSIONS order 0), `TimelineLast` last: Scrapy
calls a signal's handlers in the order they were connected.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any, ClassVar
from xml.etree import ElementTree

from scrapy import signals

STAGES = ("spider_opened", "spider_idle", "spider_closed")


def _malloc_totals() -> dict[str, int]:
    """glibc's malloc_info (every arena, unlike mallinfo2): bytes taken from the system,
    free inside them, and mmapped chunks. Empty where there is no glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        fopen, fclose, malloc_info = libc.fopen, libc.fclose, libc.malloc_info
    except (OSError, AttributeError, TypeError):
        return {}
    fopen.restype = ctypes.c_void_p
    fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    fclose.argtypes = [ctypes.c_void_p]
    malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    with tempfile.NamedTemporaryFile(suffix=".xml") as tmp:
        handle = fopen(tmp.name.encode(), b"w")
        if not handle:
            return {}
        malloc_info(0, handle)
        fclose(handle)
        root = ElementTree.parse(tmp.name).getroot()
    # the totals over all arenas are the direct children of <malloc>
    sizes = {
        (e.tag, e.get("type")): int(e.get("size") or 0)
        for e in root
        if e.tag in ("total", "system")
    }
    free = sizes.get(("total", "fast"), 0) + sizes.get(("total", "rest"), 0)
    current = sizes.get(("system", "current"), 0)
    return {
        "malloc_in_use": current - free,
        "malloc_free": free,
        "malloc_mmapped": sizes.get(("total", "mmap"), 0),
    }


def _status() -> dict[str, int]:
    """RssAnon / RssFile / RssShmem of /proc/self/status, in bytes."""
    found: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile", "RssShmem"):
                    found[key.lower()] = int(value.split()[0]) * 1024
    except (OSError, ValueError):
        return {}
    return found


def memory() -> dict[str, int]:
    """Where this process's memory is (bytes): the peak RSS so far, resident anonymous /
    file / shared memory now, C heap in use and free-but-kept (glibc malloc, all
    arenas), malloc's mmapped chunks, and the number of live Python memory blocks."""
    return {
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "python_blocks": sys.getallocatedblocks(),
        **_status(),
        **_malloc_totals(),
    }


class Timeline:
    """Notes the first time each of `STAGES` happens, as ``time.monotonic()`` (the same
    clock as the harness's): opened, idle (the last page is done), closed."""

    marks: ClassVar[dict[str, float]] = {}
    memory: ClassVar[dict[str, dict[str, int]]] = {}  # stage -> `memory()` then

    @classmethod
    def from_crawler(cls, crawler: Any) -> Timeline:
        ext = cls()
        for name in STAGES:
            crawler.signals.connect(ext._mark(name), signal=getattr(signals, name), weak=False)
        return ext

    def _mark(self, name: str) -> Callable[..., None]:
        def handler(*args: Any, **kwargs: Any) -> None:
            if name not in self.marks:
                self.marks[name] = time.monotonic()
                self.memory[name] = memory()

        return handler


class TimelineLast(Timeline):
    """The same, loaded last (EXTENSIONS order 1000): its ``spider_closed`` handler runs
    after the other extensions' (the crawl report), so ``spider_closed_last`` minus
    ``spider_closed`` is what they cost."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Timeline:
        ext = cls()
        crawler.signals.connect(
            ext._mark("spider_closed_last"), signal=signals.spider_closed, weak=False
        )
        return ext
