"""What a pre-migration check is: its record, its severities, and the Result it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Result statuses.
PASSED, WARNING, FAILED, SKIPPED = "passed", "warning", "failed", "skipped"


class Severity:
    """How much a problem a check finds matters; users may regrade a check or ignore it."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"
    ALL = (CRITICAL, WARNING, INFO)
    IGNORE = "ignore"  # only as a user's regrade: the check runs, its finding never counts


@dataclass(frozen=True)
class Finding:
    """What a check function says: passed, a problem (`failed`), a lesser one, or n/a."""

    status: str  # passed | failed (a problem) | warning (at most a warning) | skipped (n/a)
    message: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """One check's outcome as reported to the user."""

    name: str
    severity: str
    status: str
    message: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The plain dict modules return."""
        return {
            "name": self.name,
            "severity": self.severity,
            "status": self.status,
            "message": self.message,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Check:
    """A registered check: its API name, default severity, one-line description, function."""

    name: str
    severity: str
    description: str
    function: Callable[[dict], Finding]


def passed(message: str, **details) -> Finding:
    """Nothing wrong."""
    return Finding(PASSED, message, details)


def problem(message: str, **details) -> Finding:
    """Something that can make the migration fail; the severity decides how it is reported."""
    return Finding(FAILED, message, details)


def notice(message: str, **details) -> Finding:
    """Something to know that is never worse than a warning (e.g. a server's warning)."""
    return Finding(WARNING, message, details)


def not_applicable(message: str, **details) -> Finding:
    """The check does not apply to this migration; the message says why."""
    return Finding(SKIPPED, message, details)


def grade(finding: Finding, severity: str) -> str:
    """The status a finding gets under a severity.

    A problem is `failed` when critical, `warning` when warning, and `passed` (with its
    message kept) when info; a notice is at most a `warning`.
    """
    if finding.status == FAILED:
        return {Severity.CRITICAL: FAILED, Severity.WARNING: WARNING}.get(severity, PASSED)
    if finding.status == WARNING:
        return WARNING if severity in (Severity.CRITICAL, Severity.WARNING) else PASSED
    return finding.status
