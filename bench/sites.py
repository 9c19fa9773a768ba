"""The sites the crawl measures fetch: the live replica, or its static export under nginx.

- `replica(...)`: ``arsip demo-site`` as a child process (`ReplicaProcess`),
  optionally with added latency and a response log;
- `StaticSite`: ``arsip demo-site --export`` served by the Debian nginx as a
  non-daemon child with a generated configuration on 127.0.0.1. The port is
  taken first (a listening socket bound to port 0) and handed to nginx
  through its ``NGINX`` inherited-sockets variable, so the export can carry
  the right base URL and no other process can take the port in between;
- `bench_profile`: the anri profile plus the static export's pagination
  (``/publikasi/berita/page/N/``), written as a TOML file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from arsip.replica_process import ReplicaProcess
from bench.harness import ROOT
from crawler.profiles import PROFILE_DIR

NEWS_PATH = "/publikasi/berita"
#: Pagination of the static export, as a listing pattern.
STATIC_PAGES = r"^/publikasi/berita/page/\d+/?$"


def replica(
    articles: int, *, latency_ms: float = 0, log: Path | None = None, epoch: int = 0
) -> ReplicaProcess:
    """The live replica (Python server) with *articles* articles, not started yet."""
    extra = ["--latency", str(latency_ms)] if latency_ms else []
    return ReplicaProcess(*extra, articles=articles, epoch=epoch, log=log, timeout=120)


def find_binary(name: str) -> str | None:
    """*name* on PATH, or in the sbin directories a non-root PATH leaves out."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dump_toml(data: dict[str, Any]) -> str:
    """Plain keys first, then one-level tables (all a profile uses)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def bench_profile(work: Path) -> Path:
    """The shipped anri profile, plus the static export's pagination links as listings."""
    data = tomllib.loads((PROFILE_DIR / "anri.toml").read_text(encoding="utf-8"))
    data["name"] = "anri-bench"
    data["listing_patterns"] = [*data.get("listing_patterns", []), STATIC_PAGES]
    path = work / "anri-bench.toml"
    path.write_text(dump_toml(data), encoding="utf-8")
    return path


class StaticSite:
    """The replica exported as static files and served by nginx on loopback."""

    def __init__(self, articles: int, work: Path, *, seed: int = 1) -> None:
        self.articles = articles
        self.seed = seed
        self.dir = work / f"static-{articles}"
        self.base_url = ""
        self.files = 0
        self.export_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._export: subprocess.Popen[bytes] | None = None
        self._export_started = 0.0

    def prepare(self) -> None:
        """Take the port and start exporting the site in the background (`start` waits)."""
        if find_binary("nginx") is None:
            raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1024)
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self._export_started = time.monotonic()
        self._export = subprocess.Popen(
            [
                sys.executable, "-m", "arsip", "demo-site",
                "--export", str(self.dir / "site"),
                "--articles", str(self.articles),
                "--seed", str(self.seed),
                "--base-url", self.base_url,
            ],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    @property
    def exporting_for(self) -> float:
        """Seconds since the background export started (0 when none was started)."""
        return time.monotonic() - self._export_started if self._export_started else 0.0

    def cancel(self) -> None:
        """Stop a background export and let the port go."""
        if self._export is not None and self._export.poll() is None:
            self._export.kill()
            self._export.communicate()
        self._export = None
        self.stop()
        self.remove()

    def start(self) -> str:
        """Export the site (or wait for `prepare`'s export), start nginx on it and return
        the base URL (no trailing slash)."""
        nginx = find_binary("nginx")
        if nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
        if self._export is None:
            self.prepare()
        assert self._export is not None and self._sock is not None
        _, err = self._export.communicate()
        self.export_seconds = time.monotonic() - self._export_started
        if self._export.returncode != 0:
            raise RuntimeError(f"export failed: {err.decode(errors='replace').strip()[-300:]}")
        self._export = None
        site_dir = self.dir / "site"
        port = self._sock.getsockname()[1]
        self.files = sum(1 for p in site_dir.rglob("*") if p.is_file()) - 1  # minus nginx.conf
        # nginx's workers drop to an unprivileged user when started as root: let it read.
        for folder in (self.dir.parent, self.dir, site_dir):
            folder.chmod(0o755)
        conf = self._config(site_dir, port)
        conf_path = self.dir / "nginx.conf"
        conf_path.write_text(conf, encoding="utf-8")
        fd = self._sock.fileno()
        self._sock.set_inheritable(True)
        self._proc = subprocess.Popen(
            [nginx, "-c", str(conf_path), "-p", str(self.dir), "-e", str(self.dir / "error.log")],
            env=dict(os.environ, NGINX=f"{fd};"),
            pass_fds=(fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()
        return self.base_url

    def _config(self, site_dir: Path, port: int) -> str:
        server = (site_dir / "nginx.conf").read_text(encoding="utf-8")
        server = re.sub(r"listen\s+\d+\s*;", f"listen 127.0.0.1:{port};", server)
        d = self.dir
        return f"""# generated by bench/sites.py: the static replica on loopback, in the foreground
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {d}/tmp-body;
    proxy_temp_path {d}/tmp-proxy;
    fastcgi_temp_path {d}/tmp-fastcgi;
    uwsgi_temp_path {d}/tmp-uwsgi;
    scgi_temp_path {d}/tmp-scgi;
{server}
}}
"""

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base_url + "/robots.txt", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        log = (self.dir / "error.log").read_text(encoding="utf-8", errors="replace")[-300:]
        self.stop()
        raise RuntimeError(f"nginx did not start: {log.strip() or 'no log'}")

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.send_signal(signal.SIGQUIT)  # graceful: finish, then exit
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            self._proc = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def remove(self) -> None:
        """Delete the exported files (after `stop`): the large sites are big."""
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> StaticSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def read_log(path: Path, start: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Response-log entries written after byte *start*, and the new end offset."""
    if not path.exists():
        return [], start
    with path.open("rb") as fh:
        fh.seek(start)
        data = fh.read()
    end = start + data.rfind(b"\n") + 1
    entries = [json.loads(line) for line in data[: end - start].splitlines() if line.strip()]
    return entries, end
