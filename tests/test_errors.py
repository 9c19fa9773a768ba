"""Domain errors carry no exit code; `arsip.errors.exit_code` maps each class to one."""

from __future__ import annotations

import pytest

from arsip.core.errors import ArsipError, ConfigError, InputError, OutputError, UsageError
from arsip.core.lock import CollectionLockedError
from arsip.errors import (
    EXIT_CONFIG,
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_LOCKED,
    EXIT_OUTPUT,
    EXIT_PARTIAL,
    EXIT_USAGE,
    UserError,
    exit_code,
)
from crawler.distributed import DistributedError
from pipelines.db import DatasetCorruptError, DatasetLockedError, DatasetReadOnlyError, QueryError
from pipelines.db.errors import DatasetUnreadableError, NotADatasetError


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigError("x"), EXIT_CONFIG),
        (InputError("x"), EXIT_INPUT),
        (OutputError("x"), EXIT_OUTPUT),
        (UsageError("x"), EXIT_USAGE),
        (DistributedError("x"), EXIT_CONFIG),
        (CollectionLockedError("x", {}), EXIT_LOCKED),
        (DatasetLockedError("db"), EXIT_LOCKED),
        (DatasetReadOnlyError("db"), EXIT_OUTPUT),
        (DatasetCorruptError("db", "x"), EXIT_INPUT),
        (DatasetUnreadableError("db", "x"), EXIT_INPUT),
        (NotADatasetError("db", "x"), EXIT_INPUT),
        (QueryError("db", "x"), EXIT_USAGE),
        (UserError("x", EXIT_PARTIAL), EXIT_PARTIAL),
        (ArsipError("x"), EXIT_FAILURE),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_each_kind_of_error_has_its_exit_code(error: ArsipError, code: int) -> None:
    assert exit_code(error) == code


def test_no_domain_error_knows_an_exit_code() -> None:
    for error in (ConfigError("x"), DatasetLockedError("db"), DistributedError("x")):
        assert not hasattr(error, "code")
