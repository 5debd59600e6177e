"""The differential check: the same answer decoded by our decoder and by pyVmomi's SoapAdapter.

For every leaf the two must agree, apart from the representation choices docs/reliability.md
("What the decoder promises") lists, applied here and nowhere else:
- a data object is a dict whose "_type" is pyVmomi's WSDL type name; an unset field is absent
  (pyVmomi: None, or [] for an array), and so is a required field the server left out
  (pyVmomi: its type's default, False, 0 or ""; the simulator's Login leaves out
  UserSession.callCount, which pyVmomi reads as 0);
- a MoRef is MoRef(type, value) (pyVmomi: a stub object with _wsdlName and _moId);
- dateTime is its ISO 8601 text (pyVmomi: datetime), equal as an instant;
- base64Binary is its base64 text (pyVmomi: the bytes);
- a fault field is the LocalizedMethodFault as sent ({"fault": ..., "localizedMessage": ...});
  pyVmomi hands the fault over with the message as its .msg;
- xsd:TypeName / MethodName values are their names (pyVmomi: the type or method object; an
  empty type name None).
pyVmomi is a test dependency (requirements-test.txt); the runtime never imports it.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef


@dataclass
class Mismatch:
    path: str
    ours: Any
    theirs: Any
    type_name: str

    def __str__(self) -> str:
        return f"{self.path} ({self.type_name}): ours {self.ours!r}, pyVmomi {self.theirs!r}"


def pyvmomi_decode(method: str, body: bytes):
    """pyVmomi's reading of an answer to `method` (a fault answer: the fault object)."""
    from pyVmomi import SoapAdapter, VmomiSupport

    try:
        result = VmomiSupport.GuessWsdlMethod(method).info.result
    except KeyError:  # "Fetch": pyVmomi's property read, answered with a typed anyType
        result = object
    # pyVmomi refuses a required field it reads as None: an empty type name is one, and the
    # simulator's QueryConfigOptionEx sends GuestOsDescriptor.recommendedDiskController empty.
    # Ours reads it as '', so pyVmomi reads it here with that one refusal turned off.
    check_field = VmomiSupport.CheckField

    def lenient(info, val):
        if val is None or (isinstance(val, list) and not val):
            return None
        return check_field(info, val)

    VmomiSupport.CheckField = lenient
    try:
        return SoapAdapter.SoapResponseDeserializer(None).Deserialize(body, result)
    finally:
        VmomiSupport.CheckField = check_field


def ours_decode(method: str, status: int, body: bytes):
    """Our reading: the return value, or the fault's detail dict."""
    try:
        return envelope.parse_response(method, status, body)
    except faults.Fault as e:
        return {"_type": e.name, **{k: v for k, v in (e.detail or {}).items() if k != "_type"}}


def differences(ours: Any, theirs: Any, path: str = "returnval") -> list[Mismatch]:
    """Every leaf where the two readings differ."""
    from pyVmomi import VmomiSupport

    if isinstance(theirs, VmomiSupport.ManagedObject):
        want = MoRef(theirs._wsdlName, theirs._moId)
        return [] if ours == want else [Mismatch(path, ours, want, "ManagedObjectReference")]
    if isinstance(theirs, VmomiSupport.DataObject):
        return _object(ours, theirs, path)
    if isinstance(theirs, list):
        return _array(ours, theirs, path)
    return _scalar(ours, theirs, path)


def _object(ours, theirs, path: str) -> list[Mismatch]:
    from pyVmomi import VmomiSupport

    name = type(theirs)._wsdlName
    fault_msg = None
    if isinstance(ours, dict) and ours.get("_type") == "LocalizedMethodFault":
        fault_msg, ours = ours.get("localizedMessage"), ours.get("fault")
        path += ".fault"
    if not isinstance(ours, dict) or ours.get("_type") != name:
        got = ours.get("_type") if isinstance(ours, dict) else ours
        return [Mismatch(path, got, name, "data object type")]
    out = []
    seen = {"_type"}
    for prop in theirs._GetPropertyList():
        value = getattr(theirs, prop.name, None)
        if prop.name == "msg" and isinstance(
            theirs, VmomiSupport.GetVmodlType("vmodl.MethodFault")
        ):
            if fault_msg is not None and (value or "") != (fault_msg or ""):
                out.append(Mismatch(path + ".localizedMessage", fault_msg, value, "string"))
            continue  # pyVmomi's own field, not on the wire
        seen.add(prop.name)
        mine = ours.get(prop.name)
        if mine is None and _is_default(prop, value):
            continue  # a required field the server left out: pyVmomi fills in its default
        if value is None and prop.type is type and mine == "":
            continue  # an empty type name: pyVmomi reads it as None
        if value is None or (isinstance(value, list) and not value):
            if mine not in (None, []):
                out.append(Mismatch(f"{path}.{prop.name}", mine, value, _type_name(prop.type)))
            continue
        out.extend(differences(mine, value, f"{path}.{prop.name}"))
    for key in set(ours) - seen:
        out.append(Mismatch(f"{path}.{key}", ours[key], "(no such field)", name))
    return out


def _is_default(prop, value) -> bool:
    from pyVmomi.VmomiSupport import F_OPTIONAL

    # isinstance: pyVmomi's xsd:long (UserSession.callCount) is an int subclass of its own.
    return not prop.flags & F_OPTIONAL and isinstance(value, (bool, int, float, str)) and not value


def _array(ours, theirs, path: str) -> list[Mismatch]:
    if not isinstance(ours, list):
        return [Mismatch(path, ours, theirs, "array")]
    if len(ours) != len(theirs):
        return [Mismatch(path, f"{len(ours)} elements", f"{len(theirs)} elements", "array")]
    out = []
    for i, (mine, value) in enumerate(zip(ours, theirs)):
        out.extend(differences(mine, value, f"{path}[{i}]"))
    return out


def _scalar(ours, theirs, path: str) -> list[Mismatch]:
    from pyVmomi import VmomiSupport

    kind = type(theirs).__name__
    if isinstance(theirs, datetime.datetime):
        stamp = envelope.to_timestamp(ours) if isinstance(ours, str) else None
        ok = stamp is not None and abs(stamp - theirs.timestamp()) < 1e-5
    elif isinstance(theirs, bytes):
        ok = isinstance(ours, str) and base64.b64decode(ours) == theirs
    elif isinstance(theirs, type):
        ok = ours == getattr(theirs, "_wsdlName", theirs.__name__)
    elif isinstance(theirs, VmomiSupport.UnknownManagedMethod):
        ok = ours == theirs.name
    elif isinstance(theirs, VmomiSupport.ManagedMethod):  # read by WSDL or VMODL name
        info = theirs.info
        vmodl = f"{VmomiSupport.GetVmodlName(info.type)}.{info.name[0].lower()}{info.name[1:]}"
        ok = ours in (info.wsdlName, vmodl)
    elif isinstance(theirs, bool):
        ok = ours is theirs
    elif isinstance(theirs, (int, float)):
        ok = type(ours) in (int, float) and not isinstance(ours, bool) and ours == theirs
        ok = ok and isinstance(ours, float) == isinstance(theirs, float)
    elif isinstance(theirs, str):
        ok = isinstance(ours, str) and ours == str(theirs)
    else:
        ok = ours == theirs
    return [] if ok else [Mismatch(path, ours, theirs, kind)]


def _type_name(t) -> str:
    return getattr(t, "_wsdlName", getattr(t, "__name__", str(t)))


@dataclass(frozen=True)
class Answer:
    """One recorded answer: where it comes from, the method it answers, status and body."""

    source: str
    method: str
    status: int
    body: bytes


def recorded_dir(directory: Path) -> list[Answer]:
    """The answers the transport's recording hook wrote (<pid>-<n>-<random>-<method>-<status>.xml)."""
    out = []
    for path in sorted(directory.glob("*.xml")):
        _pid_n, _random, method, status = path.stem.rsplit("-", 3)
        out.append(Answer(path.name, method, int(status), path.read_bytes()))
    return out


def check(answer: Answer) -> list[Mismatch]:
    """The differences between the two readings of one answer."""
    theirs = pyvmomi_decode(answer.method, answer.body)
    ours = ours_decode(answer.method, answer.status, answer.body)
    return differences(ours, theirs)
