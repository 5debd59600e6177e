"""Check a module's real result against its RETURN documentation, both ways.

Every key a module returns must be documented with the right type (recursively through
`contains`), and every key documented as returned always / on success must be present.
Keys documented with another `returned` condition are checked when present.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

MODULES = Path(__file__).resolve().parents[2] / "plugins" / "modules"
# What Ansible itself adds to every result.
STANDARD = {"changed", "failed", "msg", "invocation", "warnings", "deprecations", "diff",
            "skipped", "exception", "_ansible_no_log", "_ansible_verbose_always"}  # fmt: skip
TYPES = {
    "str": str, "int": int, "bool": bool, "float": (int, float), "dict": dict, "list": list,
    "raw": object, "complex": object, "path": str,
}  # fmt: skip


def return_doc(module: str) -> dict:
    """The parsed RETURN block of plugins/modules/<module>.py."""
    tree = ast.parse((MODULES / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "RETURN" for t in node.targets
        ):
            return yaml.safe_load(node.value.value) or {}
    raise AssertionError(f"{module} has no RETURN")


def _always(spec: dict) -> bool:
    returned = str(spec.get("returned", "")).strip().lower()
    return returned in ("always", "success")


def check_value(path: str, value, spec: dict, problems: list) -> None:
    """Type-check one value against its RETURN spec, recursing into dicts and lists."""
    if value is None:
        return  # documented fields may be null ("missing on the server")
    kind = spec.get("type", "raw")
    expected = TYPES.get(kind, object)
    if kind in ("int", "float") and isinstance(value, bool) or not isinstance(value, expected):
        problems.append(f"{path}: {type(value).__name__} where RETURN says {kind}")
        return
    contains = spec.get("contains")
    if not contains:
        return
    if kind == "dict":
        check_fields(path, value, contains, problems)
    elif kind == "list":
        element = spec.get("elements", "dict")
        for i, item in enumerate(value):
            if element == "dict" and isinstance(item, dict):
                check_fields(f"{path}[{i}]", item, contains, problems)


def check_fields(path: str, result: dict, doc: dict, problems: list, top: bool = False) -> None:
    """Every key documented and typed; every always/success key present."""
    for key, value in result.items():
        if top and key in STANDARD and key not in doc:
            continue
        if key not in doc:
            problems.append(f"{path}.{key}: returned but not documented")
            continue
        check_value(f"{path}.{key}", value, doc[key], problems)
    for key, spec in doc.items():
        if key not in result and _always(spec) and not (top and result.get("failed")):
            problems.append(
                f"{path}.{key}: documented as returned {spec.get('returned')} but absent"
            )


def assert_matches_return(module: str, result: dict) -> None:
    """Fail with every mismatch between `result` and the module's RETURN."""
    problems: list = []
    check_fields(module, result, return_doc(module), problems, top=True)
    assert not problems, "RETURN does not match the result:\n" + "\n".join(problems)
