"""SOAP envelopes: build a request from Python values, decode a response with the type table.

Python values on the wire: str, bool, int, float, MoRef, list (repeated element), dict (a data
object; its "_type" key names the VI type and is sent as xsi:type), None (omitted: unset).
Decoded values: the same, with ints as ints, booleans as bools, dateTime as ISO 8601 strings,
ArrayOfX wrappers unwrapped into lists, and every data object a dict carrying "_type".
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

try:
    from lxml import etree

    LXML_IMPORT_ERROR = None
except ImportError as e:  # module.py reports it as a missing library
    etree, LXML_IMPORT_ERROR = None, e

from . import schema
from .faults import Fault, ResponseError, make_fault
from .schema import TYPES

NS_SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS_VIM = "urn:vim25"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = "{%s}type" % NS_XSI
_BODY = "{%s}Body" % NS_SOAPENV
_VIM_NAME, _VIM_VAL = "{%s}name" % NS_VIM, "{%s}val" % NS_VIM
_FAULT = "{%s}Fault" % NS_SOAPENV
# libxml2 refuses trees deeper than 256 levels unless huge_tree is set; the VI API needs ~20.
_PARSER = etree and etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False
)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_FIRST_NAME = re.compile(rb"<([\w.:-]*)(.?)", re.S)
_ENVELOPE_END = re.compile(rb"</(?:[\w.-]+:)?Envelope\s*>\s*$")
_DTD_REFUSED = "the server's answer declares a DTD; refused (XML entity attacks)"
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class MoRef(NamedTuple):
    """A managed object reference: its type ("VirtualMachine") and id ("vm-42")."""

    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


# ---------------------------------------------------------------- encoding


def _escape(text: str) -> str:
    if XML_INVALID.search(text):
        raise ValueError("text contains characters that XML 1.0 cannot carry")
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _scalar_text(value: Any) -> tuple[str, str]:
    """The wire text of a Python scalar and its xsd type (for anyType fields)."""
    if isinstance(value, bool):
        return ("true" if value else "false"), "xsd:boolean"
    if isinstance(value, int):
        return str(value), ("xsd:int" if -(2**31) <= value < 2**31 else "xsd:long")
    if isinstance(value, float):
        return repr(value), "xsd:double"
    return _escape(str(value)), "xsd:string"


def _encode(out: list, name: str, value: Any, kind: str | None) -> None:
    if value is None:
        return
    if isinstance(value, (list, tuple)) and not isinstance(value, MoRef):
        for item in value:
            _encode(out, name, item, kind)
        return
    if isinstance(value, MoRef):
        out.append(f'<{name} type="{_escape(value.type)}">{_escape(value.value)}</{name}>')
    elif isinstance(value, dict):
        type_name = value.get("_type") or kind
        attr = f' xsi:type="{type_name}"' if value.get("_type") else ""
        out.append(f"<{name}{attr}>")
        _encode_fields(out, type_name, value)
        out.append(f"</{name}>")
    else:
        text, xsd = _scalar_text(value)
        attr = f' xsi:type="{xsd}"' if kind == "anyType" else ""
        out.append(f"<{name}{attr}>{text}</{name}>")


def _encode_fields(out: list, type_name: str | None, value: dict) -> None:
    known = schema.fields(type_name) if type_name else None
    if known:
        for fname, field in known.items():
            if fname in value:
                _encode(out, fname, value[fname], field.kind)
    for fname, fvalue in value.items():
        if fname != "_type" and (not known or fname not in known):
            _encode(out, fname, fvalue, None)


def build_request(method: str, this: MoRef, args: dict) -> bytes:
    """The SOAP envelope for one method call; arguments go in the order the server expects."""
    body: list = [
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{NS_SOAPENV}" xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
        f' xmlns:xsi="{NS_XSI}"><soapenv:Body><{method} xmlns="{NS_VIM}">'
    ]
    _encode(body, "_this", this, "ManagedObjectReference")
    _encode_fields(body, method, args)
    body.append(f"</{method}></soapenv:Body></soapenv:Envelope>")
    return "".join(body).encode("utf-8")


# ---------------------------------------------------------------- decoding

_DATETIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def to_timestamp(value: str | None) -> float | None:
    """Seconds since the epoch of an xsd:dateTime string (any fraction length), or None."""
    m = _DATETIME.match(value or "")
    if not m:
        return None
    fraction = float(m.group(2) or 0)
    zone = m.group(3) or "+00:00"
    zone = "+00:00" if zone == "Z" else zone
    return datetime.fromisoformat(m.group(1) + zone).timestamp() + fraction


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


def _to_bool(text: str | None) -> bool:
    return text in ("true", "1")


def _to_byte(text: str | None) -> int | str:
    # govmomi's types.go, which the table comes from, writes xsd:base64Binary fields (e.g.
    # VirtualMachineConfigInfo.vmxConfigChecksum) as byte arrays too: base64 text stays text.
    try:
        return int(text)
    except (TypeError, ValueError):
        return text or ""


_SCALARS = {
    "string": lambda t: t or "",
    "int": int,
    "long": int,
    "short": int,
    "byte": _to_byte,
    "boolean": _to_bool,
    "float": float,
    "double": float,
    "dateTime": lambda t: t,
    "base64Binary": lambda t: t or "",
    "anyURI": lambda t: t or "",
}
_ARRAY_ITEM = {"String": "string", "Int": "int", "Long": "long", "Short": "short",
               "Byte": "byte", "Boolean": "boolean", "Float": "float", "Double": "double",
               "DateTime": "dateTime", "AnyType": "anyType", "URI": "anyURI"}  # fmt: skip


# How _decode_object reads a field, by its kind in the table.
_SCALAR, _REF, _FINAL, _OBJECT, _ANY = range(5)
_NO_FIELDS: dict = {}  # the plan of a type the table does not know
# The property collector's own result types: final in the VI API (no type derives from them),
# so an xsi:type on them can name nothing else and is not read. They are most of every read.
_FINAL_TYPES = frozenset(
    ("RetrieveResult", "ObjectContent", "DynamicProperty", "MissingProperty", "UpdateSet",
     "PropertyFilterUpdate", "ObjectUpdate", "PropertyChange", "LocalizedMethodFault")
)  # fmt: skip


@cache
def _plan(type_name: str) -> dict[str, tuple] | None:
    """Per field of a type: (kind, is an array, how to read it, its reader when it has one)."""
    known = schema.fields(type_name)
    if known is None:
        return None
    plan = {}
    for name, f in known.items():
        read = _SCALARS.get(f.kind)  # a converter of the element's text
        if read is not None:
            how = _SCALAR
        elif f.kind == "ManagedObjectReference":
            how = _REF
        elif f.kind in _FINAL_TYPES:
            how, read = _FINAL, _final_reader(f.kind)  # a decoder of the element
        else:
            how = _OBJECT if f.kind in TYPES else _ANY
        plan[name] = (f.kind, f.array, how, read)
    return plan


def _final_reader(type_name: str):
    if type_name == "DynamicProperty":
        return _decode_property
    return lambda el: _decode_object(el, type_name)


def decode(el, kind: str | None = None) -> Any:
    """Decode one element as `kind` (its xsi:type, when present, wins)."""
    return _decode_as(el, _xsi(el) or kind)


def _decode_as(el, t: str | None) -> Any:
    """Decode one element as type `t` (already resolved from its xsi:type)."""
    conv = _SCALARS.get(t)
    if conv is not None:
        return conv(el.text)
    if t == "ManagedObjectReference":
        return _new_moref(MoRef, (el.get("type"), el.text))
    if t is None or t == "anyType":
        return _decode_untyped(el)
    if t.startswith("ArrayOf"):
        item = _ARRAY_ITEM.get(t[7:], t[7:])
        return [_decode_as(c, _xsi(c) or item) for c in el if isinstance(c.tag, str)]
    if t not in TYPES and len(el) == 0 and el.text:
        return _decode_untyped(el)  # an enum (xsi:type names it) or a type newer than the table
    # An empty data object of a type newer than the table (CustomizationVirtualMachineName)
    # keeps its type, so a value read can be sent back as it came.
    return _decode_object(el, t)


def _decode_object(el, type_name: str | None) -> dict:
    # The hot loop of every read, so lookups are hoisted and the common cases are inline.
    # A field the WSDL types as a primitive or a MoRef is read without its xsi:type: servers
    # only type polymorphic fields (data objects, anyType), so there it can say nothing else.
    plan = _plan(type_name) if type_name else None
    out: dict = {"_type": type_name} if type_name else {}
    repeated: set | None = None
    local, field = _LOCAL.get, (plan or _NO_FIELDS).get
    for child in el:
        tag = child.tag
        name = local(tag)
        if name is None:
            if not isinstance(tag, str):
                continue  # a comment or processing instruction
            name = _local(tag)
        entry = field(name)
        if entry is None:
            # A field the table does not know (a newer server): repeated elements form a list.
            value = decode(child)
            if name not in out:
                out[name] = value
            elif repeated and name in repeated:
                out[name].append(value)
            else:
                out[name] = [out[name], value]
                repeated = repeated or set()
                repeated.add(name)
            continue
        kind, array, how, read = entry
        if how == _SCALAR:
            value = read(child.text)
        elif how == _FINAL:
            value = read(child)
        elif how == _REF:
            value = _new_moref(MoRef, (child.get("type"), child.text))
        else:
            xsi = child.get(XSI_TYPE)
            if xsi:
                t = _XSI_LOCAL.get(xsi) or _xsi(child) or kind
                conv = _SCALARS.get(t)  # e.g. a property value typed xsd:int
                value = conv(child.text) if conv is not None else _decode_as(child, t)
            elif how == _OBJECT:
                value = _decode_object(child, kind)
            else:
                value = _decode_as(child, kind)
        if array:
            lst = out.get(name)
            if lst is None:
                out[name] = [value]
            else:
                lst.append(value)
        else:
            out[name] = value
    return out


def _decode_property(el) -> dict:
    """A DynamicProperty (name, val): what _decode_object makes of it, with its loop unrolled."""
    if len(el) == 2:
        name, val = el
        if name.tag == _VIM_NAME and val.tag == _VIM_VAL:
            xsi = val.get(XSI_TYPE)
            t = (_XSI_LOCAL.get(xsi) or _xsi(val)) if xsi else None
            conv = _SCALARS.get(t)
            value = conv(val.text) if conv is not None else _decode_as(val, t or "anyType")
            return {"_type": "DynamicProperty", "name": name.text or "", "val": value}
    return _decode_object(el, "DynamicProperty")


def _decode_untyped(el) -> Any:
    """Decode an element the table does not describe: text, MoRef, or a dict of children."""
    if len(el):
        return _decode_object(el, None)
    ref_type = el.get("type")
    if ref_type is not None:
        return _new_moref(MoRef, (ref_type, el.text))
    return el.text or ""


def _parse(body: bytes):
    first = _FIRST_ELEMENT.search(body)
    if first is None:
        head = body.lstrip()[:5]
        if not head:
            raise ResponseError("the server's answer is empty")
        if b"<?xml".startswith(head):
            raise ResponseError(f"the server's answer is truncated after {len(body)} bytes")
        raise ResponseError("the server's answer is not XML")
    if b"<!DOCTYPE" in body[: first.start()].upper() or b"<!ENTITY" in body[: first.start()]:
        raise ResponseError(_DTD_REFUSED)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as e:
        msg = str(e)
        if _is_cut(body, first.start()):
            raise ResponseError(
                f"the server's answer is truncated after {len(body)} bytes ({msg})"
            ) from None
        raise ResponseError(f"the server's answer is not well-formed XML ({msg})") from None
    # A DTD hidden behind a comment gets past the quick check above; it is never loaded or
    # expanded (resolve_entities=False), and it is refused all the same.
    if root.getroottree().docinfo.internalDTD is not None:
        raise ResponseError(_DTD_REFUSED)
    return root


def _is_cut(body: bytes, start: int) -> bool:
    """Whether a body that failed to parse is a SOAP envelope that ends before its end tag."""
    if _ENVELOPE_END.search(body[-64:]):
        return False
    m = _FIRST_NAME.match(body, start)
    if not m.group(2):
        return True  # the body ends inside the first tag's name
    return m.group(1).rpartition(b":")[2] == b"Envelope"


def _body_child(root):
    body = root.find(_BODY)
    if body is None:
        raise ResponseError("the server's answer is not a SOAP envelope")
    for child in body:
        if isinstance(child.tag, str):
            return child
    raise ResponseError("the server's answer has an empty SOAP body")


def decode_fault(el) -> Fault:
    """A soapenv:Fault element as a typed Fault."""
    message = (el.findtext("faultstring") or "").strip()
    detail_el = el.find("detail")
    name, detail = None, {}
    if detail_el is not None:
        for child in detail_el:
            if isinstance(child.tag, str):
                name = _xsi(child) or _local(child.tag).removesuffix("Fault")
                decoded = decode(child, name)
                detail = decoded if isinstance(decoded, dict) else {"_type": name}
                break
    if not name:
        code = (el.findtext("faultcode") or "").rpartition(":")[2]
        name = code or "SoapFault"
    return make_fault(name, message, detail)


def parse_response(method: str, status: int, body: bytes) -> Any:
    """Decode the answer to `method`: its return value, or raise the Fault it carries."""
    child = _body_child(_parse(body))
    try:
        if child.tag == _FAULT:
            raise decode_fault(child)
        if status != 200:
            raise ResponseError(f"HTTP {status} without a SOAP fault")
        if _local(child.tag) != method + "Response":
            raise ResponseError(
                f"expected {method}Response, the server answered {_local(child.tag)}"
            )
        ret = schema.RETURNS.get(method)
        array = ret is not None and ret.endswith("[]")
        kind = ret[:-2] if array else (ret or None)
        values = [decode(rv, kind) for rv in child if isinstance(rv.tag, str)]
    except (ValueError, TypeError) as e:  # e.g. an int field that holds no number
        raise ResponseError(
            f"the answer to {method} holds a value that does not decode: {e}"
        ) from None
    if array:
        return values
    return values[0] if values else None
