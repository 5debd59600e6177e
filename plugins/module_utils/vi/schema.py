"""The small VI type table: fields in WSDL order, arrays, scalar kinds and parent types.

The data lives in schema_types.py (generated from govmomi's transcription of the WSDL by
tools/gen_schema.py); this file turns it into lookups the encoder and decoder use.
"""

from __future__ import annotations

from functools import cache

from .schema_types import RETURNS, TYPES

__all__ = ["RETURNS", "TYPES", "Field", "fields", "is_known", "is_subtype"]

# XML Schema kinds that decode to a Python scalar other than str.
INT_KINDS = frozenset(("int", "long", "short", "byte"))
FLOAT_KINDS = frozenset(("float", "double"))
SCALAR_KINDS = INT_KINDS | FLOAT_KINDS | {"string", "boolean", "dateTime", "base64Binary"}


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
    entry = TYPES.get(type_name)
    if entry is None:
        return None
    parent, spec = entry
    inherited = fields(parent) if parent else None
    result = dict(inherited or {})
    for f in _parse(spec):
        result[f.name] = f
    return result


def is_known(type_name: str) -> bool:
    """Whether the table describes this type."""
    return type_name in TYPES


@cache
def is_subtype(type_name: str, ancestor: str) -> bool:
    """Whether type_name is ancestor or derives from it (per the table)."""
    while type_name:
        if type_name == ancestor:
            return True
        entry = TYPES.get(type_name)
        type_name = entry[0] if entry else None
    return False
