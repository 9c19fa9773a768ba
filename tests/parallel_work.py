"""Work for tests/test_parallel.py, imported by worker processes only."""

from __future__ import annotations

import os


def times_ten_and_pid(n: int) -> tuple[int, int]:
    return n * 10, os.getpid()
