"""`arsip serve [--db PATH] [--port N] [--get PATH]`: browse the dataset in Datasette.

Starts Datasette (the optional extra: ``pip install 'arsip[serve]'``) on
127.0.0.1 only, with the database opened immutable (``-i``: read-only,
no locking, nothing can be written through Datasette; its SQL page runs
read-only queries) and the metadata of ``arsip.metadata.json`` (written
beside the database first, or in a temporary folder when that folder is
read-only, a file in the temporary folder): table titles and descriptions, column labels, sortable
columns, and the articles' search box wired to the full-text index.
``--port 0`` picks a free port (Datasette prints the address). ``--get
PATH`` answers one request (e.g. ``/arsip/articles.json?_search=arsip``)
on standard output without starting a server; an error response (a write
on the SQL page: "Statement must be a SELECT") exits 2 with one line.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from arsip.commands.query import add_dataset_options, dataset_path
from arsip.errors import EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UserError

#: The only address Datasette is bound to.
HOST = "127.0.0.1"

#: How Datasette is started: its own command line, without Rich. With Rich
#: importable, Datasette prints a full traceback with every local variable for
#: each error it answers, even a 400 (a write refused on its SQL page: "Statement
#: must be a SELECT"); without it, a 4xx is only its JSON or HTML error
#: response, and a 500 (a bug in Datasette) a plain traceback in its log.
LAUNCHER = (
    "import sys; sys.modules['rich'] = None; "
    "from datasette.cli import cli; cli(prog_name='datasette')"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="browse and search the dataset in Datasette, read-only (researchers)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dataset_options(parser)
    parser.add_argument(
        "--port", type=int, default=8001, metavar="N", help="port on 127.0.0.1 (default 8001)"
    )
    parser.add_argument(
        "--get", metavar="PATH", help="print the response to one GET request and exit"
    )
    parser.set_defaults(func=run)


def datasette_argv(db: Path, metadata: Path, port: int, get: str | None) -> list[str]:
    """The Datasette command line for *db* (immutable, loopback only, no Rich tracebacks)."""
    argv = [
        sys.executable,
        "-c",
        LAUNCHER,
        "serve",
        "-i",
        str(db),
        "-m",
        str(metadata),
        "-h",
        HOST,
        "-p",
        str(port),
    ]
    if get is not None:
        argv += ["--get", get]
    return argv


def _metadata(db: Path) -> Path:
    """Write the metadata beside *db*, or (read-only folder) in the temporary folder."""
    from pipelines.db.datasette import METADATA_FILE, write_metadata  # noqa: PLC0415 - start-up time: arsip --help loads every command

    try:
        return write_metadata(db)
    except OSError:
        digest = hashlib.sha1(str(db.resolve()).encode("utf-8")).hexdigest()[:12]
        spare = Path(tempfile.gettempdir()) / f"arsip-{digest}-{METADATA_FILE}"
        return write_metadata(db, spare)


def _get(argv: list[str], path: str, *, debug: bool) -> int:
    """Print Datasette's response to GET *path*; one line on stderr when it is an error.

    Datasette exits 1 for any status but 200: a response on stdout then is a
    request it refused (e.g. a write on its SQL page: 400), so exit 2 (wrong
    arguments); no response means Datasette itself failed, whose output only
    ``--debug`` shows.
    """
    result = subprocess.run(
        argv, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False
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


def run(args: argparse.Namespace) -> int:
    """Answer ``--get`` and exit, or become the Datasette server (exec: signals go to it)."""
    if importlib.util.find_spec("datasette") is None:
        raise UserError("arsip serve needs Datasette: pip install 'arsip[serve]'", EXIT_CONFIG)
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be 0..65535, got {args.port}", EXIT_USAGE)
    db = dataset_path(args)
    argv = datasette_argv(db, _metadata(db), args.port, args.get)
    if args.get is not None:
        return _get(argv, args.get, debug=args.debug)
    where = f"http://{HOST}:{args.port}/" if args.port else f"a free port on {HOST}"
    print(f"serving {db} read-only with Datasette on {where} (Ctrl-C stops it)", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
    return EXIT_FAILURE  # not reached: exec replaced this process
