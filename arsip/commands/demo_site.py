"""`arsip demo-site`: serve (or export) the deterministic replica of ANRI's news section,
or (``--flavor``) another kind of institution site over the same machinery.

The first line on stdout is ``serving http://127.0.0.1:PORT/``; the ground
truth (``--truth``) and the page map (``--pages``) are completely written
before it. The server runs until SIGTERM or SIGINT and then exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from archive.files import write_text_atomically
from arsip.core.errors import ArsipError
from arsip.demosite.content import build_site
from arsip.demosite.export import export_site, write_records, write_truth
from arsip.demosite.faults import FaultSpec, FaultSpecError
from arsip.demosite.flavors import ANRI, flavor_names, heldout_names, section_of, summaries
from arsip.demosite.model import SiteContent
from arsip.demosite.server import DemoSite
from arsip.errors import EXIT_CONFIG, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, UserError


def _flavor_list() -> str:
    lines = [
        f"  {name:<12} {summary} (section {section_of(name)})"
        for name, summary in summaries().items()
    ]
    return "flavors (--flavor):\n" + "\n".join(lines)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo-site",
        help="serve a deterministic replica of the ANRI news section on loopback",
        description="Serve (or export as static files) a replica of the ANRI news section, or "
        "with --flavor another kind of Indonesian institution site: the same "
        "--flavor/--articles/--epoch/--seed always give the same pages, byte for byte. "
        "Prints 'serving http://HOST:PORT/' first and runs until SIGTERM or Ctrl-C.",
        epilog=_flavor_list() + "\n\ndocs/demo-site-flavors.md describes each flavor.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--flavor",
        default=ANRI,
        choices=[*flavor_names(), *heldout_names()],
        metavar="NAME",
        help=f"which site to serve: {', '.join(flavor_names())} (default {ANRI}; see below)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    p.add_argument(
        "--articles", type=int, default=120, metavar="N", help="articles in epoch 0 (default 120)"
    )
    p.add_argument(
        "--epoch",
        type=int,
        default=0,
        metavar="K",
        help="evolve the site K steps: new articles, more views, edits (default 0)",
    )
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.add_argument(
        "--truth", type=Path, metavar="FILE", help="write the ground truth here (JSON Lines)"
    )
    p.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="write the site as static files (plus nginx.conf) and exit instead of serving",
    )
    p.add_argument(
        "--base-url",
        default="http://127.0.0.1:8080",
        metavar="URL",
        help="with --export: where the files will be served, for the sitemap, robots.txt "
        "and --truth (default http://127.0.0.1:8080)",
    )
    p.add_argument(
        "--pages",
        type=Path,
        metavar="FILE",
        help="write the page map here (JSON: section, listing, article and other URLs, traps)",
    )
    p.add_argument("--log", type=Path, metavar="FILE", help="log every response as a JSON line")
    p.add_argument(
        "--latency", type=float, default=0, metavar="MS", help="delay before each response, in ms"
    )
    p.add_argument(
        "--faults",
        metavar="SPEC",
        help="fail on purpose, deterministically: e.g. '5xx=5%%,reset=2%%,stall=2%%,"
        "truncate=1%%,offsite' (docs/reliability.md has the grammar)",
    )
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    if args.articles < 1:
        raise UserError(f"--articles must be 1 or more, got {args.articles}", EXIT_USAGE)
    if args.epoch < 0:
        raise UserError(f"--epoch must be 0 or more, got {args.epoch}", EXIT_USAGE)
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be 0..65535, got {args.port}", EXIT_USAGE)
    if args.latency < 0:
        raise UserError(f"--latency must be 0 or more milliseconds, got {args.latency}", EXIT_USAGE)
    base = urlsplit(args.base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise UserError(f"--base-url {args.base_url!r} is not an absolute http(s) URL", EXIT_USAGE)
    if args.faults is not None and args.export is not None:
        raise UserError("--faults applies to the served site, not to --export", EXIT_USAGE)
    if args.pages is not None and args.export is not None:
        raise UserError("--pages applies to the served site, not to --export", EXIT_USAGE)
    if args.flavor != ANRI and args.export is not None:
        raise UserError(
            f"--export exists for the {ANRI} flavor only; serve --flavor {args.flavor} instead",
            EXIT_USAGE,
        )


def _faults(text: str | None, flavor: str) -> FaultSpec | None:
    if text is None:
        return None
    try:
        spec = FaultSpec.parse(text)
    except FaultSpecError as exc:
        raise UserError(f"--faults: {exc}", EXIT_USAGE) from None
    if spec.pages and flavor != ANRI:
        raise UserError(
            f"--faults: fault pages ({', '.join(sorted(spec.pages))}) exist on the {ANRI} "
            f"flavor only; --flavor {flavor} takes the transient faults (5xx, reset, ...)",
            EXIT_USAGE,
        )
    return spec


def _truth(site: SiteContent, base_url: str, path: Path | None) -> None:
    if path is None:
        return
    try:
        write_truth(site, base_url, path)
    except OSError as exc:
        raise UserError(f"cannot write --truth {path}: {exc.strerror or exc}", EXIT_OUTPUT) from exc


def _served_truth(demo: DemoSite, args: argparse.Namespace) -> None:
    """Write --truth and --pages of the running *demo* (before the 'serving' line)."""
    if args.truth is not None:
        try:
            write_records(demo.truth(), args.truth)
        except OSError as exc:
            raise UserError(
                f"cannot write --truth {args.truth}: {exc.strerror or exc}", EXIT_OUTPUT
            ) from exc
    if args.pages is not None:
        text = json.dumps(demo.page_map(), ensure_ascii=False, indent=2) + "\n"
        try:
            write_text_atomically(args.pages, text)
        except OSError as exc:
            raise UserError(
                f"cannot write --pages {args.pages}: {exc.strerror or exc}", EXIT_OUTPUT
            ) from exc


def _export(args: argparse.Namespace) -> int:
    site = build_site(args.articles, args.epoch, args.seed)
    base = args.base_url.rstrip("/")
    existed = args.export.exists()
    try:
        try:
            written = export_site(site, args.export, base)
        except OSError as exc:
            raise UserError(
                f"cannot write --export {args.export}: {exc.strerror or exc}", EXIT_OUTPUT
            ) from exc
        _truth(site, base, args.truth)
    except ArsipError:
        if not existed:  # leave nothing half-written behind
            shutil.rmtree(args.export, ignore_errors=True)
        raise
    print(f"exported {len(written)} files to {args.export} (see {args.export / 'nginx.conf'})")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    _check(args)
    if args.export is not None:
        return _export(args)
    demo = DemoSite(
        args.articles,
        args.epoch,
        args.seed,
        host=args.host,
        port=args.port,
        latency_ms=args.latency,
        log_path=args.log,
        faults=_faults(args.faults, args.flavor),
        flavor=args.flavor,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            demo.start()
        except OSError as exc:
            where = args.log if exc.filename else f"{args.host}:{args.port}"
            what = "write --log" if exc.filename else "listen on"
            code = EXIT_OUTPUT if exc.filename else EXIT_CONFIG
            raise UserError(f"cannot {what} {where}: {exc.strerror or exc}", code) from exc
        try:
            _served_truth(demo, args)
            print(f"serving {demo.base_url}/", flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            demo.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    sys.stdout.flush()
    return EXIT_OK
