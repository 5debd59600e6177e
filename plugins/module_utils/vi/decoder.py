"""Decoding VI values from lxml elements with the type table (the hot loop of every read).

Decoded values: str, bool, int, float, MoRef, list (an array field, however many elements it
has), dict (a data object, its "_type" key naming its VI type). dateTime stays its ISO 8601
text, base64Binary its base64 text. What the wire says that the table forbids (a boolean
"yes", a MoRef without its type, an xsi:type that is no subtype of the field's type) raises
BadValue with the element; envelope.parse_response turns it into a ResponseError with the path.
docs/reliability.md "What the decoder promises" lists these rules.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from functools import cache
from typing import Any, NamedTuple

from . import schema

NS_VIM = "urn:vim25"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = "{%s}type" % NS_XSI
_VIM_NAME, _VIM_VAL = "{%s}name" % NS_VIM, "{%s}val" % NS_VIM


class MoRef(NamedTuple):
    """A managed object reference: its type ("VirtualMachine") and id ("vm-42")."""

    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


class BadValue(Exception):
    """A value the wire holds that its type forbids; `element` is where it is."""

    def __init__(self, element, message: str):
        super().__init__(message)
        self.element = element


_LOCAL: dict[str, str] = {}  # "{urn:vim25}name" -> "name"
_XSI_LOCAL: dict[str, str] = {}  # "xsd:int" -> "int"
_new_moref = tuple.__new__  # MoRef(t, v) without the NamedTuple constructor's overhead


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def _xsi(el) -> str | None:
    t = el.get(XSI_TYPE)
    if not t:
        return None
    name = _XSI_LOCAL.get(t)
    if name is None:
        name = _XSI_LOCAL[t] = t.rpartition(":")[2]
    return name


_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def _to_bool(text: str | None) -> bool:
    value = _BOOLS.get(text)  # type: ignore[arg-type]
    if value is None:
        value = _BOOLS.get((text or "").strip())  # xsd:boolean collapses white space
        if value is None:
            raise ValueError(f"{(text or '')!r} is not an xsd:boolean (true, false, 1 or 0)")
    return value


def _to_base64(text: str | None) -> str:
    """The base64 text, checked and without the line breaks xsd:base64Binary allows."""
    if not text:
        return ""
    text = "".join(text.split())
    try:
        b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError(f"{text[:40]!r} is not xsd:base64Binary") from None
    return text


_SCALARS = {
    "string": lambda t: t or "",
    "int": int,
    "long": int,
    "short": int,
    "byte": int,
    "boolean": _to_bool,
    "float": float,
    "double": float,
    "dateTime": lambda t: t,
    "base64Binary": _to_base64,
    "anyURI": lambda t: t or "",
}
_ARRAY_ITEM = {"String": "string", "Int": "int", "Long": "long", "Short": "short",
               "Byte": "byte", "Boolean": "boolean", "Float": "float", "Double": "double",
               "DateTime": "dateTime", "AnyType": "anyType", "URI": "anyURI",
               "AnyURI": "anyURI", "Base64Binary": "base64Binary",
               "ManagedObjectReference": "ManagedObjectReference"}  # fmt: skip


# How _decode_object reads a field, by its kind in the table (_TEXT: a string, its text inline;
# _BOOL: a boolean, its common forms looked up inline).
_SCALAR, _REF, _FINAL, _OBJECT, _ANY, _ARRAY, _TEXT, _BOOL = range(8)
_TEXT_KINDS = frozenset(("string", "anyURI"))
_NO_FIELDS: dict = {}  # the plan of a type the table does not know
# The property collector's own result types: final in the VI API (no type derives from them),
# so an xsi:type on them can name nothing else and is not read. They are most of every read.
_FINAL_TYPES = frozenset(
    ("RetrieveResult", "ObjectContent", "DynamicProperty", "MissingProperty", "UpdateSet",
     "PropertyFilterUpdate", "ObjectUpdate", "PropertyChange", "LocalizedMethodFault")
)  # fmt: skip


# The plans _plan made, for a lookup without a call. A plan is keyed by the child's full tag
# ("{urn:vim25}key", as lxml gives it), so a field is found without taking its local name; an
# element in another namespace (or none) is found by its local name in _BY_NAME, as before.
_PLANS: dict[str, dict] = {}
_BY_NAME: dict[str, dict] = {}
# Per declared type: {raw xsi:type: the type it decodes as}, for the pairs that were checked and
# fit, and whose type has a plan, so the next value with this xsi:type goes to _decode_object.
_SEEN: dict[str, dict[str, str]] = {}


@cache
def _plan(type_name: str) -> dict[str, tuple] | None:
    """Per field of a type: (name, kind, is an array, how to read it, its reader if it has one;
    for a data-object or anyType field, the _SEEN entry of its kind)."""
    known = schema.fields(type_name)
    if known is None:
        return None
    by_name = _BY_NAME[type_name] = {}
    for name, f in known.items():
        read = _SCALARS.get(f.kind)  # a converter of the element's text
        if read is not None:
            how = _TEXT if f.kind in _TEXT_KINDS else _BOOL if f.kind == "boolean" else _SCALAR
        elif f.kind == "ManagedObjectReference":
            how = _REF
        elif f.kind in _FINAL_TYPES:
            how, read = _FINAL, _final_reader(f.kind)  # a decoder of the element
        else:
            how = _OBJECT if schema.is_known(f.kind) else _ANY
            read = _SEEN.setdefault(f.kind, {})
        by_name[name] = (name, f.kind, f.array, how, read)
    plan = _PLANS[type_name] = {f"{{{NS_VIM}}}{n}": e for n, e in by_name.items()}
    return plan


def _remember(seen: dict, xsi: str, t: str) -> None:
    """Note that xsi:type `xsi` decodes as `t` by _decode_object, once `t` fits its declared type
    (the caller checked) and has a plan (_decode_as would go straight to _decode_object)."""
    if _PLANS.get(t) is not None:
        seen[xsi] = t


def _final_reader(type_name: str):
    if type_name == "DynamicProperty":
        return _decode_property
    return lambda el: _decode_object(el, type_name)


_FITS: set[tuple[str, str | None]] = set()  # (xsi:type, declared) pairs that fit as they are


@cache
def fits(xsi_type: str, declared: str | None) -> str | None:
    """The type to decode a value of `declared` type as, given its xsi:type: the xsi:type when
    it is the declared type or one of its subtypes; the declared type for a type the table does
    not know (a newer server's subtype); None when the xsi:type names a known type that is not
    a subtype (the wire is wrong)."""
    if declared is None or declared == "anyType" or xsi_type == declared:
        return xsi_type
    if schema.is_known(xsi_type) or xsi_type in schema.ENUMS or xsi_type in schema.MANAGED:
        if schema.is_known(declared) and schema.is_subtype(xsi_type, declared):
            return xsi_type
        return None
    return declared if schema.is_known(declared) else xsi_type


def decode(el, kind: str | None = None) -> Any:
    """Decode one element as `kind` (its xsi:type, when present, wins if it fits)."""
    t = _xsi(el)
    if t is None or t == kind:
        return _decode_as(el, kind)
    if _SCALARS.get(t) is not None or t.startswith("ArrayOf"):
        return _decode_as(el, t)
    as_type = fits(t, kind)
    if as_type is None:
        raise BadValue(el, f"xsi:type {t} is not a {kind}")
    if as_type == t:
        _FITS.add((t, kind))
    value = _decode_as(el, as_type)
    if as_type != t and isinstance(value, dict):
        value["_type"] = t  # a newer server's type, read as the known type it derives from
    return value


def _ref(el) -> MoRef:
    ref_type = el.get("type")
    if not ref_type:
        raise BadValue(el, "a ManagedObjectReference without its type attribute")
    return _new_moref(MoRef, (ref_type, el.text))


def _decode_as(el, t: str | None) -> Any:
    """Decode one element as type `t` (already resolved from its xsi:type)."""
    conv = _SCALARS.get(t)
    if conv is not None:
        return conv(el.text)
    if t == "ManagedObjectReference":
        return _ref(el)
    if t is None or t == "anyType":
        return _decode_untyped(el)
    if t.startswith("ArrayOf"):
        return _decode_array(el, _ARRAY_ITEM.get(t[7:], t[7:]))
    if _PLANS.get(t) is None and _plan(t) is None and len(el) == 0:
        text = el.text
        if text:
            return text  # an enum value (or a newer server's)
        if t in schema.ENUMS:
            return ""
        if el.get("type") is not None:
            return _ref(el)
        return {"_type": t}  # a newer server's data object with no field set
    return _decode_object(el, t)


def _decode_array(el, item: str) -> list:
    """The items of an ArrayOf<item> wrapper, each typed by its xsi:type when it fits."""
    out = []
    seen = _SEEN.get(item) or _SEEN.setdefault(item, {})
    conv = _SCALARS.get(item)  # an array of scalars: an item without xsi:type is its text
    following = el[0] if len(el) else None
    while following is not None:
        c = following
        following = c.getnext()
        if not isinstance(c.tag, str):
            continue
        xsi = c.get(XSI_TYPE)
        if not xsi:
            out.append(conv(c.text) if conv is not None else _decode_as(c, item))
            continue
        t = seen.get(xsi)
        if t is not None:
            out.append(_decode_object(c, t))
            continue
        t = _XSI_LOCAL.get(xsi) or _xsi(c)
        if t == item or (t, item) in _FITS or t in _SCALARS:
            out.append(_decode_as(c, t))
            _remember(seen, xsi, t)
        else:
            out.append(decode(c, item))  # checks the xsi:type, remembers a fit
    return out


def _decode_object(el, type_name: str | None) -> dict:
    # The hot loop of every read, so lookups are hoisted and the common cases are inline.
    # A field the WSDL types as a primitive or a MoRef is read without its xsi:type: servers
    # only type polymorphic fields (data objects, anyType), so there it can say nothing else.
    plan = (_PLANS.get(type_name) or _plan(type_name)) if type_name else None
    out: dict = {"_type": type_name} if type_name else {}
    repeated: set | None = None
    field = (plan or _NO_FIELDS).get
    child = el
    following = el[0] if len(el) else None
    try:
        # Siblings by getnext(): lxml's child iterator costs more to make than a small object's
        # fields cost to read; both visit the same nodes (elements, comments, PIs).
        while following is not None:
            child = following
            following = child.getnext()
            entry = field(child.tag)
            if entry is None:
                tag = child.tag
                if not isinstance(tag, str):
                    continue  # a comment or processing instruction
                name = _local(tag)
                entry = _BY_NAME.get(type_name, _NO_FIELDS).get(name) if plan else None
                if entry is None:
                    repeated = _unknown_field(out, name, decode(child), repeated)
                    continue
            name, kind, array, how, read = entry
            if how == _TEXT:
                value = child.text or ""
            elif how == _BOOL:
                value = _BOOLS.get(child.text)  # type: ignore[arg-type]
                if value is None:
                    value = read(child.text)  # white space around, or refused
            elif how == _SCALAR:
                value = read(child.text)
            elif how == _FINAL:
                value = read(child)
            elif how == _REF:
                ref_type = child.get("type")
                if not ref_type:
                    raise BadValue(child, "a ManagedObjectReference without its type attribute")
                value = _new_moref(MoRef, (ref_type, child.text))
            else:
                value = _polymorphic(child, kind, how, read)
            if array:
                lst = out.get(name)
                if lst is None:
                    out[name] = [value]
                else:
                    lst.append(value)
            else:
                out[name] = value
    except (ValueError, TypeError) as e:  # e.g. an int field that holds no number
        raise BadValue(child, str(e)) from None
    return out


def _polymorphic(child, kind: str, how: int, seen: dict) -> Any:
    """A data-object or anyType field: read by its xsi:type when it has one (checked against
    the declared type the first time a pair is seen), else as declared."""
    xsi = child.get(XSI_TYPE)
    if xsi:
        t = seen.get(xsi)
        if t is not None:
            return _decode_object(child, t)
        t = _XSI_LOCAL.get(xsi) or _xsi(child)
        conv = _SCALARS.get(t)  # e.g. a property value typed xsd:int
        if conv is not None:
            return conv(child.text)
        if t == kind or (t, kind) in _FITS:
            value = _decode_as(child, t)
            _remember(seen, xsi, t)
            return value
        return decode(child, kind)  # checks the xsi:type, remembers a fit
    if how == _OBJECT:
        return _decode_object(child, kind)
    return _decode_as(child, kind)


def _unknown_field(out: dict, name: str, value, repeated: set | None) -> set | None:
    """Add a field the table does not know (a newer server's): repeated elements form a list."""
    if name not in out:
        out[name] = value
    elif repeated and name in repeated:
        out[name].append(value)
    else:
        out[name] = [out[name], value]
        repeated = repeated or set()
        repeated.add(name)
    return repeated


# A property value's raw xsi:type -> how _decode_as reads it, as (how, what): _SCALAR and the
# converter of its text, _OBJECT and a type with a plan, _ARRAY and the item type of an ArrayOf
# wrapper, _REF, or _ANY and the type to hand to _decode_as (an enum, a newer server's type).
_VAL_READS: dict[str, tuple] = {}


def _val_read(xsi: str, t: str) -> tuple:
    conv = _SCALARS.get(t)
    if conv is not None:
        read = (_SCALAR, conv)
    elif t == "ManagedObjectReference":
        read = (_REF, None)
    elif t.startswith("ArrayOf"):
        read = (_ARRAY, _ARRAY_ITEM.get(t[7:], t[7:]))
    elif t != "anyType" and _plan(t) is not None:
        read = (_OBJECT, t)
    else:
        read = (_ANY, t or "anyType")
    return _VAL_READS.setdefault(xsi, read)


def _decode_property(el) -> dict:
    """A DynamicProperty (name, val): what _decode_object makes of it, with its loop unrolled."""
    if len(el) == 2:
        name, val = el[0], el[1]
        if name.tag == _VIM_NAME and val.tag == _VIM_VAL:
            xsi = val.get(XSI_TYPE)
            try:
                if xsi:
                    how, what = _VAL_READS.get(xsi) or _val_read(
                        xsi, _XSI_LOCAL.get(xsi) or _xsi(val)
                    )
                    if how == _SCALAR:
                        value = what(val.text)
                    elif how == _OBJECT:
                        value = _decode_object(val, what)
                    elif how == _ARRAY:
                        value = _decode_array(val, what)
                    elif how == _REF:
                        value = _ref(val)
                    else:
                        value = _decode_as(val, what)
                else:
                    value = _decode_as(val, "anyType")
            except (ValueError, TypeError) as e:
                raise BadValue(val, str(e)) from None
            return {"_type": "DynamicProperty", "name": name.text or "", "val": value}
    return _decode_object(el, "DynamicProperty")


def _decode_untyped(el) -> Any:
    """Decode an element the table does not describe: text, MoRef, or a dict of children."""
    if len(el):
        return _decode_object(el, None)
    ref_type = el.get("type")
    if ref_type is not None:
        return _ref(el)
    return el.text or ""
