"""`arsip serve [--db PATH] [--port N] [--replay-port N] [--get PATH]`: the dataset and the archive.

Two servers on 127.0.0.1, started and stopped together:

- **Datasette** (``--port``, default 8001) on the dataset, opened immutable
  (read-only, no locking: nothing can be written through it; its SQL page
  runs read-only queries), with the articles' search box on the stemmed
  index (the same articles as ``arsip search``), short excerpts of ``body``
  in tables (the full text on an article's page) and, in every row, a link
  to the archived capture;
- **pywb** (``--replay-port``, default 8002) replaying the collection's WARC
  files (``warc/`` beside the dataset, through ``indexes/index.cdxj``, which
  is (re)built first when missing or older than a WARC file): each capture
  opens under a line that links back to the article's record.

Both answer only requests for 127.0.0.1 or localhost (a page elsewhere
cannot reach them through DNS rebinding), and Datasette runs behind limits:
one second per query, 1,000 rows per page, no value over 8 MiB (``select
zeroblob(1000000000)`` is an error, not a crash), a capped memory.
``--port 0`` / ``--replay-port 0`` pick free ports (the first lines say
which). Nothing is written but the CDXJ index, in the collection.
``--get PATH`` answers one Datasette request (e.g.
``/arsip/articles.json?_search=arsip``) on standard output without starting
a server; an error response exits 2 with one line. pywb is optional
(``pip install 'arsip[serve]'`` installs both); without it, or without WARC
files, only the dataset is served.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from archive.cdxj import sorted_unique, write_lines_atomic
from arsip.commands.index import WARC_GLOBS, index_lines
from arsip.commands.query import add_dataset_options, dataset_path
from arsip.core.layout import index_path, warc_dir
from arsip.errors import EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, UserError

#: The only address the servers are bound to.
HOST = "127.0.0.1"
#: Seconds each server has to stop after SIGTERM before it is killed.
STOP_SECONDS = 10.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="browse and search the dataset and replay its archived pages (researchers)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dataset_options(parser)
    parser.add_argument(
        "--port", type=int, default=8001, metavar="N", help="Datasette's port (default 8001)"
    )
    parser.add_argument(
        "--replay-port",
        type=int,
        default=8002,
        metavar="N",
        help="the replay server's port (default 8002)",
    )
    parser.add_argument(
        "--get", metavar="PATH", help="print the response to one GET request and exit"
    )
    parser.set_defaults(func=run)


def datasette_argv(
    db: Path, replay: str, *, fd: int | None = None, get: str | None = None
) -> list[str]:
    """The command line of the Datasette process (serving socket *fd*, or answering *get*)."""
    argv = [sys.executable, "-m", "arsip.serving.datasette_app", "--db", str(db)]
    argv += ["--replay", replay]
    argv += ["--get", get] if get is not None else ["--fd", str(fd)]
    return argv


def replay_argv(
    fd: int, warc: Path, index: Path, collections: list[str], dataset: str
) -> list[str]:
    """The command line of the pywb process serving socket *fd*."""
    argv = [sys.executable, "-m", "arsip.serving.replay", "--fd", str(fd)]
    argv += ["--warc", str(warc), "--index", str(index), "--dataset", dataset]
    for name in collections:
        argv += ["--collection", name]
    return argv


def listen(port: int, option: str) -> socket.socket:
    """A listening socket on HOST:*port*; one line when the port is taken."""
    if not 0 <= port <= 65535:
        raise UserError(f"{option} must be 0..65535, got {port}", EXIT_USAGE)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise UserError(
            f"{option} {port}: cannot listen on {HOST}:{port} ({exc.strerror or exc}; "
            f"another server?); choose another {option} N, or {option} 0 for a free port",
            EXIT_USAGE,
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def replay_collections(db: Path) -> list[str]:
    """The replay collection names the dataset's replay paths use (``/COLL/...``)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT DISTINCT substr(replay_url, 2, instr(substr(replay_url, 2), '/') - 1)"
            " FROM articles WHERE replay_url LIKE '/%/%'"
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return sorted(str(r[0]) for r in rows if r[0])


def collection_warcs(collection: Path) -> list[Path]:
    """The finished WARC files beside the dataset (``warc/``), sorted by name."""
    folder = warc_dir(collection)
    return sorted({p for g in WARC_GLOBS for p in folder.glob(g) if p.is_file()})


def fresh_index(collection: Path) -> Path | None:
    """The collection's CDXJ index, (re)built when missing or older than a WARC file.

    None when the collection has no WARC files (nothing to replay).
    """
    files = collection_warcs(collection)
    if not files:
        return None
    index = index_path(collection)
    newest = max(p.stat().st_mtime for p in files)
    if index.is_file() and index.stat().st_mtime >= newest:
        return index
    lines, problems = index_lines(files)
    for line in problems:
        print(f"arsip: serve: {line}", file=sys.stderr)
    try:
        write_lines_atomic(index, sorted_unique(lines))
    except OSError as exc:
        raise UserError(
            f"{index}: cannot write the index the replay needs ({exc.strerror or exc}); "
            "make the collection writable, or run 'arsip index' on a writable copy",
            EXIT_OUTPUT,
        ) from None
    return index


@dataclass
class Server:
    """One child server: what it is, where it answers, its process."""

    name: str
    url: str
    process: subprocess.Popen[bytes]


def _stop(servers: list[Server]) -> None:
    """SIGTERM every server still running, then SIGKILL what is left after STOP_SECONDS."""
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for server in servers:
        try:
            server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _get(db: Path, path: str, replay: str, *, debug: bool) -> int:
    """Print Datasette's response to GET *path*; one line on stderr when it is an error.

    Datasette's answer to any status but 200 on stdout is a request it
    refused (e.g. a write on its SQL page: 400), so exit 2 (wrong
    arguments); no answer means Datasette itself failed, whose output only
    ``--debug`` shows.
    """
    result = subprocess.run(
        datasette_argv(db, replay, get=path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    if result.returncode == 0:
        return EXIT_OK
    if debug:
        sys.stderr.write(result.stderr)
    if result.stdout.strip():
        raise UserError(
            f"serve --get {path}: Datasette answered with an error (its response is above)",
            EXIT_USAGE,
        )
    last = next((ln.strip() for ln in reversed(result.stderr.splitlines()) if ln.strip()), "")
    raise UserError(
        f"serve --get {path}: Datasette failed (exit {result.returncode}: {last or 'no message'}); "
        "run with --debug for its output",
        EXIT_FAILURE,
    )


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Answer ``--get`` and exit, or run both servers until Ctrl-C / SIGTERM / one stops."""
    if importlib.util.find_spec("datasette") is None:
        raise UserError("arsip serve needs Datasette: pip install 'arsip[serve]'", EXIT_CONFIG)
    db = dataset_path(args)
    if args.get is not None:
        return _get(db, args.get, f"http://{HOST}:{args.replay_port}", debug=args.debug)
    has_pywb = importlib.util.find_spec("pywb") is not None
    replayable = has_pywb and bool(collection_warcs(db.parent))
    data_sock = listen(args.port, "--port")  # first: a busy port changes nothing
    replay_sock: socket.socket | None = None
    try:
        replay_sock = listen(args.replay_port, "--replay-port") if replayable else None
        index = fresh_index(db.parent) if replayable else None
    except BaseException:
        for sock in (data_sock, replay_sock):
            if sock is not None:
                sock.close()
        raise
    data_url = f"http://{HOST}:{data_sock.getsockname()[1]}"
    replay_url = f"http://{HOST}:{replay_sock.getsockname()[1]}" if replay_sock else ""
    servers: list[Server] = []
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        if replay_sock is not None and index is not None:
            argv = replay_argv(
                replay_sock.fileno(), warc_dir(db.parent), index, replay_collections(db), data_url
            )
            child = subprocess.Popen(argv, pass_fds=(replay_sock.fileno(),))
            servers.append(Server("replay (pywb)", replay_url, child))
        argv = datasette_argv(db, replay_url, fd=data_sock.fileno())
        child = subprocess.Popen(argv, pass_fds=(data_sock.fileno(),))
        servers.append(Server("dataset (Datasette)", data_url, child))
        data_sock.close()  # the children hold the sockets now
        if replay_sock is not None:
            replay_sock.close()
        print(f"serving {db} read-only (Ctrl-C stops both servers)")
        print(f"  dataset  {data_url}/{db.stem}/articles")
        if replay_url:
            print(f"  archive  {replay_url}/  (each article row links to its capture)")
        elif not has_pywb:
            print("  archive  not served: the replay needs pywb (pip install 'arsip[serve]')")
        else:
            print(f"  archive  not served: no WARC files in {warc_dir(db.parent)}")
        sys.stdout.flush()
        while all(s.process.poll() is None for s in servers):
            time.sleep(0.2)
        gone = next(s for s in servers if s.process.poll() is not None)
        _stop(servers)
        raise UserError(
            f"serve: the {gone.name} server stopped (exit {gone.process.returncode}); "
            "the other one was stopped with it (its output is above)",
            EXIT_FAILURE,
        )
    except KeyboardInterrupt:
        _stop(servers)
        print("arsip: serve: stopped", file=sys.stderr)
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(servers)
        for sock in (data_sock, replay_sock):
            if sock is not None:
                sock.close()
