"""The exit codes of the `arsip` command, and the one place errors become codes.

Code below the CLI raises the domain errors of `arsip.core.errors` (no exit
codes); a command or the orchestration beside it (`arsip/`) may raise
`UserError(message, code)` for a code of its own. `arsip.cli.main` prints
the message as one line (no traceback unless ``--debug``) and exits with
`exit_code(exc)`.
"""

from __future__ import annotations

from arsip.core.errors import (
    ArsipError,
    ConfigError,
    InputError,
    InvalidError,
    LockedError,
    OutputError,
    UsageError,
)

#: Exit codes, documented in the README.
EXIT_OK = 0
EXIT_FAILURE = 1  # an unexpected error (a bug): reported with --debug for a traceback
EXIT_USAGE = 2  # wrong command-line arguments
EXIT_CONFIG = 3  # a profile or setting that cannot be used
EXIT_INPUT = 4  # an input file that is missing, unreadable or not what was expected
EXIT_OUTPUT = 5  # an output place that cannot be written
EXIT_PARTIAL = 6  # the crawl ran but did not finish everything (errors, limits)
EXIT_LOCKED = 7  # another crawl holds the collection's lock
EXIT_INVALID = 8  # verification found problems
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C

#: The exit code of each kind of domain error (the first class in an error's MRO wins).
EXIT_CODES: dict[type[ArsipError], int] = {
    UsageError: EXIT_USAGE,
    ConfigError: EXIT_CONFIG,
    InputError: EXIT_INPUT,
    OutputError: EXIT_OUTPUT,
    LockedError: EXIT_LOCKED,
    InvalidError: EXIT_INVALID,
}


class UserError(ArsipError):
    """An error of the command layer that names its exit code itself."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def exit_code(exc: ArsipError) -> int:
    """The exit code of *exc*: its own for a `UserError`, else that of its class."""
    if isinstance(exc, UserError):
        return exc.code
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return EXIT_FAILURE
