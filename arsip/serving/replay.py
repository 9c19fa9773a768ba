"""The replay process of `arsip serve`: pywb on the collection's WARC files.

``python -m arsip.serving.replay --fd N --warc DIR --index FILE --collection
NAME... --dataset URL`` runs pywb's ``FrontEndApp`` (the engine of
``wayback``) on the listening socket *N*, with one pywb collection per
replay collection name the dataset uses (the ``/COLL/`` of its replay
paths), each reading the CDXJ index *FILE* and the WARC files of *DIR*.
Nothing is written: the configuration is given in memory
(``pywb.yaml`` beside this module holds the fixed part).

The top frame of a replay is ``templates/frame_insert.html``: one line
naming the URL and capture time, with a link back to the article's record
in the dataset (*URL*``/-/arsip/record?url=...``), above pywb's replay
frame. Requests naming another host than 127.0.0.1 / localhost are
answered 421 (``arsip.serving.hosts``).
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from arsip.serving.hosts import REFUSED_STATUS, REFUSED_TEXT, allowed

HERE = Path(__file__).resolve().parent
#: The fixed part of the pywb configuration.
CONFIG_FILE = HERE / "pywb.yaml"
#: The top frame around every replayed page.
FRAME_TEMPLATE = HERE / "templates" / "frame_insert.html"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def pywb_config(
    warc: Path, index: Path, collections: Sequence[str], dataset: str
) -> dict[str, Any]:
    """pywb's configuration (the part that depends on the collection)."""
    return {
        "collections": {
            name: {"index_paths": str(index), "archive_paths": str(warc) + "/"}
            for name in collections
        },
        "frame_insert_html": str(FRAME_TEMPLATE),
        "ui": {"arsip_dataset": dataset.rstrip("/")},
    }


def host_checked(app: WsgiApp) -> WsgiApp:
    """*app*, answering 421 to requests whose ``Host`` is not a loopback name."""

    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not allowed(environ.get("HTTP_HOST")):
            body = REFUSED_TEXT.encode("utf-8")
            start_response(
                f"{REFUSED_STATUS} Misdirected Request",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return app(environ, start_response)

    return checked


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arsip-serve-replay")
    parser.add_argument("--fd", type=int, required=True, help="listening socket to serve on")
    parser.add_argument("--warc", type=Path, required=True, help="folder of the WARC files")
    parser.add_argument("--index", type=Path, required=True, help="CDXJ index of them")
    parser.add_argument("--collection", action="append", required=True, help="replay name")
    parser.add_argument("--dataset", default="", help="base URL of the Datasette server")
    args = parser.parse_args(argv)
    # pywb is built on gevent: patch the standard library before pywb (or
    # anything using sockets) is imported, as pywb's own `wayback` does.
    from gevent.monkey import patch_all  # noqa: PLC0415 - optional dependency, patched first

    patch_all()
    from gevent.pywsgi import WSGIServer  # noqa: PLC0415 - after patch_all
    from pywb.apps.frontendapp import FrontEndApp  # noqa: PLC0415 - after patch_all

    app = FrontEndApp(
        config_file=str(CONFIG_FILE),
        custom_config=pywb_config(args.warc, args.index, args.collection, args.dataset),
    )
    listener = socket.socket(fileno=args.fd)
    server = WSGIServer(listener, host_checked(app), log=None)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a normal stop
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
