"""Which VMs the inventory lists and under which names: `filters` and `hostnames` evaluated
over the records, each failing expression reported once, and unique hostnames.

No Ansible here: plugins/inventory/esx.py passes its templating as `evaluate(expression,
record)`, shows the returned warnings, and turns ExpressionFailed (strict) into its own error.
"""

from __future__ import annotations

import re

from ..vi.faults import InvalidArgument
from . import hostvars

# A bare variable name, optionally `or []` (so an unset value makes no group, even with strict).
_BARE = re.compile(r"^([A-Za-z_][0-9A-Za-z_]*)(\s+or\s+\[\])?$")
# What bare_value() returns for an expression it cannot answer without templating.
NOT_BARE = object()


class ExpressionFailed(Exception):
    """A `filters` or `hostnames` expression failed in strict mode (its cause is the error)."""


def strings(option: str, entries: list | None) -> None:
    """Every entry of a list option is a string (Ansible does not check the entries)."""
    from .source import kind

    for n, entry in enumerate(entries or [], 1):
        if not isinstance(entry, str):
            raise InvalidArgument(f"{option}[{n}] must be a string, got {entry!r} ({kind(entry)})")


def bare_value(template, variables: dict):
    """What a bare variable name (or `name or []`) gives, as Jinja2 would; else NOT_BARE."""
    match = _BARE.match(template) if isinstance(template, str) else None
    if not match or match.group(1) not in variables:
        return NOT_BARE
    value = variables[match.group(1)]
    return (value or []) if match.group(2) else value


def selected(records: list, filters: list, evaluate, strict: bool) -> tuple[list, list[str]]:
    """The records for which every expression of `filters` is true, and the warnings."""
    kept, failures = [], {}
    for record in records:
        for expression in filters:
            try:
                if not evaluate(expression, record):
                    break
            except Exception as e:
                _failed("filters", expression, record, e, strict, failures)
                break
        else:
            kept.append(record)
    return kept, _warnings("filters", failures, "which were left out")


def hostnames(records: list, entries: list, evaluate, strict: bool) -> tuple[list, list[str]]:
    """The hostname of each record, and one warning per `hostnames` entry that failed."""
    failures = {}
    names = [_hostname(record, entries, evaluate, strict, failures) for record in records]
    return names, _warnings("hostnames", failures, "which were named by the next entry")


def _hostname(record: dict, entries: list, evaluate, strict: bool, failures: dict) -> str:
    """The first non-empty value of `hostnames` for a VM, else its name."""
    for entry in entries:
        name = hostvars.bare_name(entry, record)
        try:
            value = record[name] if name else evaluate(entry, record)
        except Exception as e:
            _failed("hostnames", entry, record, e, strict, failures)
            continue
        if value not in (None, ""):
            return str(value)
    return record.get("esx_name") or hostvars.identity(record)


def unique(names: list[str], records: list[dict]) -> tuple[list[str], list[str]]:
    """The names made unique (hostvars.unique_hostnames), and a warning when some were taken."""
    names, duplicates = hostvars.unique_hostnames(names, records)
    if not duplicates:
        return names, []
    shown = ", ".join(sorted(set(duplicates))[:10])
    return names, [
        f"viapi.esx.esx: {len(duplicates)} VM(s) got a hostname already taken ({shown}); "
        "they are listed with their instance uuid appended (their BIOS uuid, or endpoint and "
        "moid, where the server gives none)"
    ]


def _failed(option: str, expression, record: dict, error: Exception, strict, failures) -> None:
    """Count a failed expression, keeping the first VM it failed for; with strict, raise."""
    if strict:
        raise ExpressionFailed(
            f"{option}: {expression!r} failed for VM {record.get('esx_name')}: {error}"
        ) from error
    failures.setdefault(expression, [0, f"{record.get('esx_name')}: {error}"])[0] += 1


def _warnings(option: str, failures: dict, outcome: str) -> list[str]:
    return [
        f"viapi.esx.esx: {option}: {expression!r} could not be evaluated for {count} VM(s), "
        f"{outcome} (first: {first})"
        for expression, (count, first) in failures.items()
    ]
