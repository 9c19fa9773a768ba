"""The `arsip` command: one entry point, subcommands grouped by user."""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Sequence

from arsip import __version__
from arsip.core.errors import ArsipError
from arsip.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OUTPUT, EXIT_USAGE, exit_code

#: Subcommand modules under arsip.commands, in help order.
COMMANDS: tuple[str, ...] = (
    # archivists
    "crawl",
    "profile",
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


def _requested(argv: Sequence[str]) -> str | None:
    """The command module *argv* names (``demo-site`` -> ``demo_site``), if any."""
    for arg in argv:
        if arg.startswith("-"):
            continue
        name = arg.replace("-", "_")
        return name if name in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with *argv* naming a command, only that command is loaded.

    Command modules import what their work needs (Scrapy, surt, the replica,
    ...), so loading all of them for one command would cost every run a few
    hundred milliseconds; `arsip --help` and bad commands still load them all.
    """
    parser = _Parser(prog="arsip", description=__doc__)
    parser.add_argument("--version", action="version", version=f"arsip {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = _requested(argv) if argv is not None else None
    for name in (wanted,) if wanted else COMMANDS:
        importlib.import_module(f"arsip.commands.{name}").register(sub)
    return parser


def unknown_command(argv: Sequence[str]) -> str | None:
    """The one-line error for a command name that is not one, with a "did you mean"."""
    names = [name.replace("_", "-") for name in COMMANDS]
    for arg in argv:
        if arg.startswith("-"):
            if arg in ("-h", "--help", "--version"):
                return None
            continue
        if arg.replace("-", "_") in COMMANDS:
            return None
        close = difflib.get_close_matches(arg, names, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"arsip: error: unknown command '{arg}'{hint} (see: arsip --help)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    typo = unknown_command(argv)
    if typo is not None:
        print(typo, file=sys.stderr)
        return EXIT_USAGE
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.func(args)
        return code
    except ArsipError as exc:
        if args.debug:
            raise
        print(f"arsip: {exc}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        print("arsip: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK_PIPE
    except Exception as exc:
        if args.debug:
            raise
        from pipelines.full_disk import is_full_disk, reason  # noqa: PLC0415 - start-up time: only a failing command pays for it

        if is_full_disk(exc):  # wherever it was met: no room is the user's to make
            print(
                f"arsip: no room to write ({reason(exc)}): free space (or choose another "
                "--out), then run the command again",
                file=sys.stderr,
            )
            return EXIT_OUTPUT
        print(
            f"arsip: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


EXIT_OK_PIPE = 0

if __name__ == "__main__":
    sys.exit(main())
