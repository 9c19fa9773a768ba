"""`arsip verify PATH...`: check WARC files, crawl directories, WACZ files and bags."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive.verify import VerifyInputError, verify_paths
from archive.verify_report import Severity
from arsip.errors import EXIT_INPUT, EXIT_INVALID, EXIT_OK, UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `verify` subcommand."""
    p = sub.add_parser(
        "verify",
        help="check WARC files, a crawl directory, a WACZ or a bag (preservation)",
        description="Verify what arsip preserves: every record's header fields, block and "
        "payload digests, HTTP framing (Content-Length, Content-Encoding, chunking), "
        "request/response pairs, revisit targets, gzip members, truncation; the CDXJ index "
        "of a crawl directory; a WACZ's hashes, pages and index; a bag's manifests. "
        "Prints one line per problem (PATH: offset N: record <id>: error|warning: what) "
        "and a summary; exits 8 when any error is found, 0 otherwise (warnings allowed).",
    )
    p.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a WARC/ARC file, a crawl directory (with warc/), a .wacz file or a bag directory",
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument(
        "--strict",
        action="store_true",
        help="apply arsip's own rules (warcinfo first, WARC/1.1, digests present, revisits "
        "resolvable) to loose WARC files, WACZ and bags too; crawl directories always get them",
    )
    p.add_argument(
        "--errors-only", action="store_true", help="leave warnings out of the problem lines"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify, print the report, and return 0 (no error) or 8 (errors found)."""
    try:
        report = verify_paths(list(args.paths), strict=True if args.strict else None)
    except VerifyInputError as exc:
        raise UserError(str(exc), EXIT_INPUT) from exc
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for problem in report.problems:
            if args.errors_only and problem.severity is not Severity.ERROR:
                continue
            print(problem.line())
        print(report.summary())
    sys.stdout.flush()
    return EXIT_OK if report.ok else EXIT_INVALID
