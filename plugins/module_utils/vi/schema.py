"""The vim25 type table: fields in WSDL order, arrays, scalar kinds, parents, methods, enums.

The data lives in schema_types.py (generated from pyVmomi's type info by tools/gen_schema.py)
as 64 compressed shards; a shard is unpacked and parsed the first time a name in it is looked
up, so a program that reads three types parses a few dozen records, not the table's 4,500.
"""

from __future__ import annotations

from binascii import a2b_base64
from collections.abc import Mapping
from functools import cache
from zlib import crc32, decompress

from .schema_types import SHARDS, VERSIONS

__all__ = [
    "ENUMS", "MANAGED", "RETURNS", "TYPES", "VERSIONS", "Field", "fields", "is_known",
    "is_subtype",
]  # fmt: skip

# XML Schema kinds that decode to a Python scalar other than str.
INT_KINDS = frozenset(("int", "long", "short", "byte"))
FLOAT_KINDS = frozenset(("float", "double"))
SCALAR_KINDS = INT_KINDS | FLOAT_KINDS | {"string", "boolean", "dateTime", "base64Binary", "anyURI"}

# name -> (record letter, second word, rest of the line), filled a shard at a time.
_records: dict[str, tuple[str, str, str]] = {}
_loaded = [False] * len(SHARDS)


def _record(name: str) -> tuple[str, str, str] | None:
    found = _records.get(name)
    if found is None:
        index = crc32(name.encode()) % len(SHARDS)
        if not _loaded[index]:
            _load(index)
            found = _records.get(name)
    return found


def _load(index: int) -> None:
    for line in decompress(a2b_base64(SHARDS[index])).decode().splitlines():
        letter, name, *rest = line.split(" ", 3)
        _records[name] = (letter, rest[0] if rest else "-", rest[1] if len(rest) > 1 else "")
    _loaded[index] = True


def _all() -> dict[str, tuple[str, str, str]]:
    for index in range(len(SHARDS)):
        if not _loaded[index]:
            _load(index)
    return _records


class _View(Mapping):
    """A read-only, lazily loaded view of the records of some letters."""

    def __init__(self, letters: str, value):
        self._letters, self._value = letters, value

    def __getitem__(self, name: str):
        rec = _record(name) if isinstance(name, str) else None
        if rec is None or rec[0] not in self._letters:
            raise KeyError(name)
        return self._value(rec)

    def __contains__(self, name) -> bool:
        rec = _record(name) if isinstance(name, str) else None
        return rec is not None and rec[0] in self._letters

    def __iter__(self):
        return (n for n, rec in sorted(_all().items()) if rec[0] in self._letters)

    def __len__(self) -> int:
        return sum(1 for rec in _all().values() if rec[0] in self._letters)


def _parent_spec(rec) -> tuple[str | None, str]:
    # A method's "parent" word is its return kind: methods have no parent.
    if rec[0] == "M":
        return None, rec[2]
    return (None if rec[1] == "-" else rec[1]), rec[2]


# Data types and methods (a method's entry lists its arguments): name -> (parent, spec).
TYPES = _View("DM", _parent_spec)
# Method -> return kind ("" when it returns nothing; "[]" marks an array).
RETURNS = _View("M", lambda rec: "" if rec[1] == "-" else rec[1])
# Enum types (strings on the wire) and managed object types (name -> parent or None).
ENUMS = _View("E", lambda rec: None)
MANAGED = _View("O", lambda rec: None if rec[1] == "-" else rec[1])


class Field:
    """One field of a VI data type."""

    __slots__ = ("name", "kind", "array")

    def __init__(self, name: str, kind: str, array: bool):
        self.name, self.kind, self.array = name, kind, array

    def __repr__(self) -> str:
        return f"Field({self.name}:{self.kind}{'[]' if self.array else ''})"


def _parse(spec: str) -> list[Field]:
    fields = []
    for item in spec.split():
        name, kind = item.split(":", 1)
        array = kind.endswith("[]")
        fields.append(Field(name, kind[:-2] if array else kind, array))
    return fields


@cache
def fields(type_name: str) -> dict[str, Field] | None:
    """All fields of a type, inherited ones first, in WSDL order; None for an unknown type."""
    rec = _record(type_name)
    if rec is None or rec[0] not in "DM":
        return None
    parent, spec = _parent_spec(rec)
    inherited = fields(parent) if parent else None
    result = dict(inherited or {})
    for f in _parse(spec):
        result[f.name] = f
    return result


def is_known(type_name: str) -> bool:
    """Whether the table describes this data type (or method)."""
    return type_name in TYPES


@cache
def is_subtype(type_name: str, ancestor: str) -> bool:
    """Whether type_name is ancestor or derives from it (per the table)."""
    while type_name:
        if type_name == ancestor:
            return True
        rec = _record(type_name)
        type_name = rec[1] if rec and rec[0] in "DO" and rec[1] != "-" else None
    return False
