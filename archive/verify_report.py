"""The verifier's findings: problems with a severity, and the report they make.

A problem is one line: ``PATH: offset N: record <id>: error: what is wrong``.
Errors make verification fail (exit code 8); warnings are reported but do
not (they mark what a foreign archive does differently from our own rules,
or what cannot be checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a problem is: errors fail verification, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, located as precisely as the file allows."""

    path: str
    severity: Severity
    message: str
    offset: int | None = None
    record_id: str | None = None

    def line(self) -> str:
        """``PATH: offset N: record <id>: severity: message`` (absent parts left out)."""
        parts = [self.path]
        if self.offset is not None:
            parts.append(f"offset {self.offset}")
        if self.record_id:
            parts.append(f"record {self.record_id}")
        parts.append(f"{self.severity.value}: {self.message}")
        return ": ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "path": self.path,
            "offset": self.offset,
            "record_id": self.record_id,
            "severity": self.severity.value,
            "message": self.message,
        }


@dataclass(slots=True)
class Report:
    """Everything one verification run found."""

    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    records: int = 0

    @property
    def errors(self) -> int:
        """Number of error-level problems."""
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning-level problems."""
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return self.errors == 0

    def summary(self) -> str:
        """``verified K files, R records: OK`` or ``...: P problems (E errors, W warnings)``."""
        head = f"verified {_plural(self.files, 'file')}, {_plural(self.records, 'record')}"
        if not self.problems:
            return f"{head}: OK"
        if self.ok:
            return f"{head}: OK ({_plural(self.warnings, 'warning')})"
        return (
            f"{head}: {_plural(len(self.problems), 'problem')} "
            f"({_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')})"
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the ``--json`` output)."""
        return {
            "ok": self.ok,
            "files": self.files,
            "records": self.records,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.as_dict() for p in self.problems],
            "summary": self.summary(),
        }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Sink:
    """Collects the problems of one file, with its display path filled in."""

    def __init__(self, path: str, report: Report) -> None:
        self.path = path
        self.report = report

    def error(self, message: str, offset: int | None = None, record_id: str | None = None) -> None:
        """Add an error-level problem."""
        self.report.problems.append(Problem(self.path, Severity.ERROR, message, offset, record_id))

    def warning(
        self, message: str, offset: int | None = None, record_id: str | None = None
    ) -> None:
        """Add a warning-level problem."""
        self.report.problems.append(
            Problem(self.path, Severity.WARNING, message, offset, record_id)
        )

    def add(
        self,
        severity: Severity,
        message: str,
        offset: int | None = None,
        record_id: str | None = None,
    ) -> None:
        """Add a problem of the given severity."""
        self.report.problems.append(Problem(self.path, severity, message, offset, record_id))
