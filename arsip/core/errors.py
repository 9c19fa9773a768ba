"""Domain errors: what went wrong, in one line for the user, without an exit code.

Every layer raises these (or subclasses of them); none of them knows
whether a command line is above it (``arsip crawl``, ``scrapy crawl``,
Scrapyd, a script). The ``arsip`` command maps each class to its exit code
in one place, `arsip.errors.exit_code`; Scrapy's own commands show the
message and stop.

``str(exc)`` is one line saying what is wrong and what to do.
"""

from __future__ import annotations


class ArsipError(Exception):
    """An error the user can fix; ``str(exc)`` is one line saying what and what to do."""


class UsageError(ArsipError):
    """A request that cannot be carried out as asked (arguments, a query)."""


class ConfigError(ArsipError):
    """A profile, setting or installation that cannot be used (a missing optional extra)."""


class InputError(ArsipError):
    """An input file that is missing, unreadable or not what was expected."""


class OutputError(ArsipError):
    """An output place that cannot be written."""


class LockedError(ArsipError):
    """Another process holds what this one needs (a collection, a dataset)."""


class InvalidError(ArsipError):
    """Verification found problems."""
