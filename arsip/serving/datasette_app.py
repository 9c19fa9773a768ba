"""The Datasette process of `arsip serve`: the dataset, read-only, behind limits.

``python -m arsip.serving.datasette_app --db PATH --fd N --replay URL`` serves
on the listening socket *N* (bound by ``arsip serve`` on 127.0.0.1);
``--get PATH`` answers one request on standard output instead (exit 0 for
status 200, 1 otherwise), as ``datasette --get`` does.

The database is opened immutable (read-only, no locking: nothing can be
written through Datasette); the metadata (titles, descriptions, the stemmed
search box) is handed over in memory, so nothing is written anywhere. The
limits: ``SETTINGS`` (time per query, rows per page), the plugin's caps on
value length and SQLite's heap, and ``MEMORY_LIMIT_BYTES`` of address space
for the whole process, so no request can take the machine's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Datasette settings of `arsip serve` (``--setting NAME VALUE`` in Datasette terms).
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 1000,  # a query running longer is stopped with an error
    "facet_time_limit_ms": 200,
    "max_returned_rows": 1000,  # at most this many rows per page or query
    "max_csv_mb": 50,  # a streamed CSV stops there
    "num_sql_threads": 3,
}
#: Address space of the Datasette process (RLIMIT_AS): a request beyond it
#: fails with MemoryError, answered as an error, instead of growing the process.
MEMORY_LIMIT_BYTES = 3 * 1024**3


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arsip-serve-datasette")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--replay", default="", help="base URL of the replay server")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--fd", type=int, help="listening socket to serve on")
    where.add_argument("--get", metavar="PATH", help="answer one GET request and exit")
    args = parser.parse_args(argv)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    # Without Rich, Datasette prints no traceback full of local variables for
    # every error it answers (even a 400 "Statement must be a SELECT"): it is
    # only imported when importable, so make it not importable, before the import.
    sys.modules["rich"] = None  # type: ignore[assignment]
    # Imported here, after that: Datasette is an optional dependency ('arsip[serve]').
    from datasette.app import Datasette  # noqa: PLC0415 - optional dependency, after Rich is blocked
    from datasette.plugins import pm  # noqa: PLC0415 - as above
    from datasette.utils.testing import TestClient  # noqa: PLC0415 - as above

    from arsip.serving import datasette_plugin  # noqa: PLC0415 - imports Datasette
    from pipelines.db.datasette import metadata_for  # noqa: PLC0415 - with Datasette

    datasette_plugin.configure(args.db.stem, args.replay)
    pm.register(datasette_plugin, name="arsip")
    ds = Datasette(
        [],
        immutables=[str(args.db)],
        metadata=metadata_for(args.db),
        settings=SETTINGS,
        crossdb=False,
    )
    asyncio.run(ds.invoke_startup())
    if args.get is not None:
        response = TestClient(ds).get(args.get)
        sys.stdout.write(response.text + "\n")
        return 0 if response.status == 200 else 1
    return _serve(ds.app(), args.fd)


def _serve(app: Any, fd: int) -> int:
    """Serve *app* on the listening socket *fd* until SIGINT / SIGTERM."""
    import uvicorn  # noqa: PLC0415 - optional dependency: with Datasette, which depends on it

    sock = socket.socket(fileno=fd)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", workers=1)
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a normal stop
        server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
