"""The `arsip` command: one entry point, subcommands grouped by user."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from arsip import __version__
from arsip.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UserError

#: Subcommand modules under arsip.commands, in help order.
COMMANDS: tuple[str, ...] = (
    # archivists
    "crawl",
    "profiles",
    "crawls",
    "schedule",
    "demo_site",
    "demo",
    # researchers
    "query",
    "search",
    "export",
    "history",
    "serve",
    "extract",
    "parse_date",
    "reextract",
    # preservation
    "index",
    "package",
    "verify",
    "ingest",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line on stderr and exit code 2, as for every other bad input."""
        self.exit(EXIT_USAGE, f"arsip: error: {message} (see: arsip --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="arsip", description=__doc__)
    parser.add_argument("--version", action="version", version=f"arsip {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"arsip.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"arsip.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.func(args)
        return code
    except UserError as exc:
        if args.debug:
            raise
        print(f"arsip: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("arsip: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK_PIPE
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"arsip: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


EXIT_OK_PIPE = 0

if __name__ == "__main__":
    sys.exit(main())
