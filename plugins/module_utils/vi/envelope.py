"""SOAP envelopes: build a request from Python values, decode a response with the type table.

Python values on the wire: str, bool, int, float, MoRef, list (repeated element), dict (a data
object; its "_type" key names the VI type and is sent as xsi:type), None (omitted: unset).
Decoded values: the same, with ints as ints, booleans as bools, dateTime as ISO 8601 strings,
ArrayOfX wrappers unwrapped into lists, and every data object a dict carrying "_type".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

from lxml import etree

from . import schema
from .faults import Fault, ResponseError, make_fault

NS_SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS_VIM = "urn:vim25"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = "{%s}type" % NS_XSI
_BODY = "{%s}Body" % NS_SOAPENV
_FAULT = "{%s}Fault" % NS_SOAPENV
# libxml2 refuses trees deeper than 256 levels unless huge_tree is set; the VI API needs ~20.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False
)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class MoRef(NamedTuple):
    """A managed object reference: its type ("VirtualMachine") and id ("vm-42")."""

    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


# ---------------------------------------------------------------- encoding


def _escape(text: str) -> str:
    if _XML_INVALID.search(text):
        raise ValueError("text contains characters that XML 1.0 cannot carry")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


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

_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def _xsi(el) -> str | None:
    t = el.get(XSI_TYPE)
    return t.rpartition(":")[2] if t else None


def _to_bool(text: str | None) -> bool:
    return text in ("true", "1")


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
    "base64Binary": lambda t: t or "",
    "anyURI": lambda t: t or "",
}
_ARRAY_ITEM = {"String": "string", "Int": "int", "Long": "long", "Short": "short",
               "Byte": "byte", "Boolean": "boolean", "Float": "float", "Double": "double",
               "DateTime": "dateTime", "AnyType": "anyType", "URI": "anyURI"}  # fmt: skip


def decode(el, kind: str | None = None) -> Any:
    """Decode one element as `kind` (its xsi:type, when present, wins)."""
    t = _xsi(el) or kind
    conv = _SCALARS.get(t) if t else None
    if conv is not None:
        return conv(el.text)
    if t == "ManagedObjectReference":
        return MoRef(el.get("type"), el.text)
    if t and t.startswith("ArrayOf"):
        item = _ARRAY_ITEM.get(t[7:], t[7:])
        return [decode(child, item) for child in el if isinstance(child.tag, str)]
    if t is None or t == "anyType":
        return _decode_untyped(el)
    if len(el) == 0 and not schema.is_known(t):
        return _decode_untyped(el)  # an enum (xsi:type names it) or a type newer than the table
    return _decode_object(el, t)


def _decode_object(el, type_name: str | None) -> dict:
    known = schema.fields(type_name) if type_name else None
    out: dict = {"_type": type_name} if type_name else {}
    repeated: set = set()
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = _local(tag)
        field = known.get(name) if known else None
        if field is None:
            # A field the table does not know (a newer server): repeated elements form a list.
            value = decode(child)
            if name in repeated:
                out[name].append(value)
            elif name in out:
                out[name] = [out[name], value]
                repeated.add(name)
            else:
                out[name] = value
        elif field.array:
            lst = out.get(name)
            if lst is None:
                lst = out[name] = []
            lst.append(decode(child, field.kind))
        else:
            out[name] = decode(child, field.kind)
    return out


def _decode_untyped(el) -> Any:
    """Decode an element the table does not describe: text, MoRef, or a dict of children."""
    if el.get("type") is not None and len(el) == 0:
        return MoRef(el.get("type"), el.text)
    if len(el) == 0:
        return el.text or ""
    return _decode_object(el, None)


def _parse(body: bytes):
    first = _FIRST_ELEMENT.search(body)
    if first is None:
        raise ResponseError("the server's answer is not XML")
    if b"<!DOCTYPE" in body[: first.start()].upper() or b"<!ENTITY" in body[: first.start()]:
        raise ResponseError("the server's answer declares a DTD; refused (XML entity attacks)")
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as e:
        msg = str(e)
        if "Premature end" in msg or "EndTag" in msg or "not properly terminated" in msg:
            raise ResponseError(f"the server's answer is truncated ({msg})") from None
        raise ResponseError(f"the server's answer is not well-formed XML ({msg})") from None


def _body_child(root):
    body = root.find(_BODY)
    if body is None or len(body) == 0:
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
                detail = decoded if isinstance(decoded, dict) else {}
                break
    if not name:
        code = (el.findtext("faultcode") or "").rpartition(":")[2]
        name = code or "SoapFault"
    return make_fault(name, message, detail)


def parse_response(method: str, status: int, body: bytes) -> Any:
    """Decode the answer to `method`: its return value, or raise the Fault it carries."""
    child = _body_child(_parse(body))
    if child.tag == _FAULT:
        raise decode_fault(child)
    if status != 200:
        raise ResponseError(f"HTTP {status} without a SOAP fault")
    if _local(child.tag) != method + "Response":
        raise ResponseError(f"expected {method}Response, the server answered {_local(child.tag)}")
    ret = schema.RETURNS.get(method)
    array = ret is not None and ret.endswith("[]")
    kind = ret[:-2] if array else (ret or None)
    values = [decode(rv, kind) for rv in child if isinstance(rv.tag, str)]
    if array:
        return values
    return values[0] if values else None
