"""User-facing errors and the exit codes of the `arsip` command.

Code that detects bad input raises `UserError(message, code)`; `arsip.cli.main`
prints the message as one line (no traceback unless `--debug`) and exits
with the code.
"""

from __future__ import annotations

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


class UserError(Exception):
    """An error the user can fix; `str(exc)` is one line saying what and what to do."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code
