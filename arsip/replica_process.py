"""Start the replica site (`arsip demo-site`) as a child process.

Used by `arsip demo`, the test suite and the benchmarks: the child listens on
port 0 and prints ``serving http://127.0.0.1:PORT/`` first; we read that line
and stop the child (SIGTERM, then SIGKILL) when done.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from arsip.errors import EXIT_FAILURE, UserError

SERVING_PREFIX = "serving "


class ReplicaProcess:
    """Context manager around an `arsip demo-site` child process."""

    def __init__(
        self,
        *args: str,
        articles: int = 120,
        epoch: int = 0,
        seed: int = 1,
        truth: Path | None = None,
        log: Path | None = None,
        timeout: float = 30.0,
        flavor: str = "anri",
        pages: Path | None = None,
    ) -> None:
        self.argv = [
            sys.executable,
            "-m",
            "arsip",
            "demo-site",
            "--port",
            "0",
            "--articles",
            str(articles),
            "--epoch",
            str(epoch),
            "--seed",
            str(seed),
        ]
        if truth is not None:
            self.argv += ["--truth", str(truth)]
        if log is not None:
            self.argv += ["--log", str(log)]
        if flavor != "anri":
            self.argv += ["--flavor", flavor]
        if pages is not None:
            self.argv += ["--pages", str(pages)]
        self.argv += list(args)
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def start(self) -> str:
        """Start the child and return its base URL (``http://127.0.0.1:PORT/``)."""
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith(SERVING_PREFIX):
                    self.base_url = line[len(SERVING_PREFIX) :].strip()
                    return self.base_url
                if not line and self.proc.poll() is not None:
                    break
            elif self.proc.poll() is not None:
                break
        err = self.proc.stderr.read() if self.proc.stderr and self.proc.poll() is not None else ""
        self.stop()
        last = err.strip().splitlines()[-1] if err.strip() else "no output"
        raise UserError(f"the replica site did not start ({last})", EXIT_FAILURE)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        self.proc = None

    def __enter__(self) -> ReplicaProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
