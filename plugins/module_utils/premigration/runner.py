"""Run the pre-migration checks: select, run every one, grade, and decide what blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vi.faults import InvalidArgument
from .check import FAILED, SKIPPED, WARNING, Check, Result, Severity, grade, problem
from .checks import REGISTRY, SNAPSHOT_CHAIN

FAIL_ON = (Severity.CRITICAL, Severity.WARNING)
REGRADES = (*Severity.ALL, Severity.IGNORE)


@dataclass(frozen=True)
class Options:
    """What the user asked of the checks: skip some, regrade some, and what blocks."""

    skip: tuple = ()
    severity: dict = field(default_factory=dict)
    fail_on: str = Severity.CRITICAL
    snapshot_depth: int = SNAPSHOT_CHAIN  # the deepest chain the snapshots check passes

    def validate(self, registry=REGISTRY) -> None:
        """Refuse unknown checks and bad grades: errors name the option and the value."""
        names = [c.name for c in registry]
        for name in self.skip:
            _known("checks.skip", name, names)
        for name, value in self.severity.items():
            _known("checks.severity", name, names)
            if value not in REGRADES:
                raise InvalidArgument(
                    f"checks.severity.{name}: '{value}' is not one of {', '.join(REGRADES)}"
                )
            if name in self.skip:  # a skipped check has no grade to change
                raise InvalidArgument(
                    f"checks.severity.{name}: check '{name}' is also in checks.skip; skip it "
                    "or regrade it, not both"
                )
        depth = self.snapshot_depth
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise InvalidArgument(
                f"checks.snapshot_depth must be 0 or more snapshots, got {depth!r}"
            )
        if self.fail_on not in FAIL_ON:
            raise InvalidArgument(
                f"checks.fail_on: '{self.fail_on}' is not one of {', '.join(FAIL_ON)}"
            )

    def runs(self, name: str) -> bool:
        """Whether the check called `name` runs (not skipped)."""
        return name not in self.skip


def _known(option: str, name: str, names: list[str]) -> None:
    if name not in names:
        raise InvalidArgument(f"{option}: unknown check '{name}' (known: {', '.join(names)})")


@dataclass(frozen=True)
class Report:
    """Every result in registry order, the names that block, and the verdict."""

    results: tuple
    blocked_by: tuple

    @property
    def verdict(self) -> str:
        """`blocked` when a result blocks the migration, else `ready`."""
        return "blocked" if self.blocked_by else "ready"

    def as_dicts(self) -> list[dict]:
        return [r.as_dict() for r in self.results]


def run_check(check: Check, snapshot: dict, options: Options) -> Result:
    """One check's Result; a check that raises is reported as having found a problem."""
    if not options.runs(check.name):
        return Result(check.name, check.severity, SKIPPED, "skipped by request")
    severity = options.severity.get(check.name, check.severity)
    try:
        finding = check.function(snapshot)
    except Exception as e:  # noqa: BLE001 - one broken check must not hide the others
        finding = problem(f"the check could not run: {type(e).__name__}: {e}")
    if severity == Severity.IGNORE:
        message = f"ignored by request; it found: {finding.message}"
        details = dict(finding.details, found=finding.status)
        return Result(check.name, Severity.INFO, SKIPPED, message, details)
    return Result(check.name, severity, grade(finding, severity), finding.message, finding.details)


def blocks(result: Result, fail_on: str) -> bool:
    """A failed result always blocks; a warning blocks when fail_on is warning."""
    return result.status == FAILED or (result.status == WARNING and fail_on == Severity.WARNING)


def run(snapshot: dict, options: Options | None = None, registry=REGISTRY) -> Report:
    """Run every selected check (never stopping early) and grade the results."""
    options = options or Options()
    snapshot = dict(snapshot, limits={"snapshot_depth": options.snapshot_depth})
    results = tuple(run_check(check, snapshot, options) for check in registry)
    return Report(results, tuple(r.name for r in results if blocks(r, options.fail_on)))
