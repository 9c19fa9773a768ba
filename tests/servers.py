"""Real servers for the tests, on loopback: ``redis-server`` and Scrapyd.

Both are started as child processes in their own process group and stopped
(SIGTERM, then SIGKILL) when the ``with`` block ends. Neither can listen on
port 0 and report the port it got, so a free port is picked and, should
another process take it first, the server fails to start and another port
is tried (up to `ATTEMPTS` times).

``redis-server`` comes from the Debian package (``apt-get install -y
redis-server``; ``.ci/run`` installs it); tests that need it are skipped
with a message saying so when it is missing. Scrapyd comes from PyPI (the
``scrapyd`` and ``scrapyd-client`` test dependencies).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: How many ports to try before giving up.
ATTEMPTS = 5
#: Seconds a server has to start answering.
START_TIMEOUT = 30.0

REDIS_SERVER = shutil.which("redis-server")
REDIS_MISSING = (
    "REDIS-SERVER IS NOT INSTALLED: `apt-get install -y redis-server` (.ci/run does); "
    "distributed crawling was NOT tested"
)

#: No proxy from the environment: everything here is on loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop *proc* and its children: SIGTERM to its process group, then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


@dataclass
class RedisServer:
    """A running ``redis-server`` (no persistence) on 127.0.0.1."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    """Start ``redis-server`` on a free loopback port; stop it afterwards."""
    if REDIS_SERVER is None:
        raise RuntimeError(REDIS_MISSING)
    workdir.mkdir(parents=True, exist_ok=True)
    for attempt in range(ATTEMPTS):
        port = free_port()
        log = workdir / f"redis-{attempt}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    REDIS_SERVER,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                    "--protected-mode",
                    "yes",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None and not _redis_ping(port):
            time.sleep(0.05)
        if proc.poll() is None and _redis_ping(port):
            try:
                yield RedisServer(port, proc, log)
            finally:
                stop_group(proc)
            return
        stop_group(proc)
    raise RuntimeError(f"redis-server did not start: {_tail(log)}")


@dataclass
class ScrapydServer:
    """A running Scrapyd on 127.0.0.1 with its directories in a temporary folder."""

    port: int
    process: subprocess.Popen[bytes]
    root: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def get(self, endpoint: str) -> bytes:
        with OPENER.open(self.url + endpoint, timeout=10) as response:
            body: bytes = response.read()
            return body

    def post(self, endpoint: str, data: bytes, content_type: str) -> bytes:
        request = urllib.request.Request(
            self.url + endpoint, data=data, headers={"Content-Type": content_type}
        )
        with OPENER.open(request, timeout=30) as response:
            body: bytes = response.read()
            return body


SCRAPYD_CONF = """[scrapyd]
bind_address = 127.0.0.1
http_port    = {port}
eggs_dir     = {root}/eggs
logs_dir     = {root}/logs
items_dir    =
dbs_dir      = {root}/dbs
jobs_to_keep = 5
max_proc     = 2
poll_interval = 0.5
"""


def _scrapyd_ready(port: int) -> bool:
    try:
        with OPENER.open(f"http://127.0.0.1:{port}/daemonstatus.json", timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


@contextlib.contextmanager
def scrapyd_server(
    root: Path, python: str | None = None, env: dict[str, str] | None = None
) -> Iterator[ScrapydServer]:
    """Start Scrapyd (``python -m scrapyd`` in *root*, config written there); stop it after.

    *python* is the interpreter to run it with (default: this one); the
    crawls it launches use the same interpreter.
    """
    root.mkdir(parents=True, exist_ok=True)
    for attempt in range(ATTEMPTS):
        port = free_port()
        (root / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port, root=root))
        log = root / f"scrapyd-{attempt}.log"
        out: IO[bytes]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [python or sys.executable, "-m", "scrapyd"],
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None and not _scrapyd_ready(port):
            time.sleep(0.1)
        if proc.poll() is None and _scrapyd_ready(port):
            try:
                yield ScrapydServer(port, proc, root)
            finally:
                stop_group(proc)
            return
        stop_group(proc)
    raise RuntimeError(f"scrapyd did not start: {_tail(log)}")
