#!/usr/bin/env python
"""Generate plugins/module_utils/vi/schema_types.py: the whole vim25 API from pyVmomi's type info.

pyVmomi ships the vSphere API's metadata as generated Python (pyVmomi/_typeinfo_core.py,
_typeinfo_query.py, _typeinfo_vim.py: CreateDataType / CreateManagedType / CreateEnumType calls,
each field with the API version that added it). This script runs those files against recording
stand-ins of the Create* functions (pyVmomi itself is never imported, so nothing of its runtime
gets in) and writes, for every data object, method, enum and managed object of the vim25
namespace up to TARGET: fields in WSDL order with their kinds, arrays, parents, each method's
arguments and return type. Fields newer than TARGET are left out: the client speaks TARGET at most.

The output is sharded (a type's shard is crc32(name) % SHARDS), each shard compressed, so
vi/schema.py unpacks and parses only the shards a program touches. pyVmomi is a development and
test dependency only; the runtime reads the generated file.

Usage: python tools/gen_schema.py [path/to/site-packages/pyVmomi]  (rewrites schema_types.py)
       python tools/gen_schema.py --text   (prints the committed table's records, readable)
"""

from __future__ import annotations

import base64
import sys
import textwrap
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "plugins/module_utils/vi/schema_types.py"
TARGET = "vim.version.v9_0_0_0"  # the newest API version the table describes (9.0.0.0)
SOURCES = ("_typeinfo_core.py", "_typeinfo_query.py", "_typeinfo_vim.py")
SHARDS = 64

# pyVmomi's names of the XML Schema kinds and VMODL built-ins, as the WSDL types them.
PRIMITIVES = {
    "string": "string", "boolean": "boolean", "bool": "boolean", "byte": "byte",
    "short": "short", "int": "int", "long": "long", "float": "float", "double": "double",
    "anyType": "anyType", "vmodl.DateTime": "dateTime", "vmodl.Binary": "base64Binary",
    "vmodl.URI": "anyURI", "vmodl.TypeName": "string", "vmodl.MethodName": "string",
    "vmodl.PropertyPath": "string", "vmodl.ManagedObject": "ManagedObjectReference",
    "vmodl.DataObject": "anyType", "vmodl.DynamicData": "anyType",
}  # fmt: skip
# Built into pyVmomi's VmomiSupport rather than emitted; written here as the WSDL has them
# (pyVmomi's own MethodFault adds "msg", which is not on the wire).
BUILTINS = {
    "MethodFault": (None, "faultCause:LocalizedMethodFault faultMessage:LocalizableMessage[]"),
    "RuntimeFault": ("MethodFault", ""),
    "LocalizedMethodFault": (None, "fault:MethodFault localizedMessage:string"),
}
F_LINK = 1  # VmomiSupport's flag of a field that holds a link: the linked object's key
ROOT_TYPES = {"vmodl.DynamicData", "vmodl.DataObject", None}


class Recorder:
    """Stand-ins for VmomiSupport's Create* / AddVersion* functions, recording their arguments."""

    def __init__(self):
        self.data, self.managed, self.enums = {}, {}, {}
        self.versions, self.parents = {}, {}

    def namespace(self) -> dict:
        def add_version(name, ns, version_id, _legacy, _service_ns):
            self.versions[name] = (ns, version_id)

        return {
            "CreateDataType": lambda v, w, p, ver, props: self.data.setdefault(
                v, (w, p, ver, props or [])
            ),
            "CreateManagedType": lambda v, w, p, ver, props, methods: self.managed.setdefault(
                v, (w, p, ver, props or [], methods or [])
            ),
            "CreateEnumType": lambda v, w, ver, values: self.enums.setdefault(v, (w, ver)),
            "AddVersion": add_version,
            "AddVersionParent": lambda v, p: self.parents.setdefault(v, set()).add(p),
            "AddBreakingChangesInfo": lambda *a: None,
            "F_LINK": F_LINK, "F_LINKABLE": 2, "F_OPTIONAL": 4, "F_SECRET": 8,
        }  # fmt: skip

    def run(self, path: Path) -> None:
        src = path.read_text()
        # Keep the definitions; drop the imports and the maturity registrations (pyVmomi runtime).
        lines = [
            line
            for line in src.splitlines()
            if line.startswith(("Create", "AddVersion", "AddBreaking"))
        ]
        exec(compile("\n".join(lines), str(path), "exec"), self.namespace())  # noqa: S102


class Table:
    """What the recorded definitions say, restricted to the vim25 API up to TARGET."""

    def __init__(self, rec: Recorder):
        self.rec = rec
        self.known = rec.parents[TARGET]  # the versions TARGET includes (itself among them)
        self.wsdl = {v: d[0] for v, d in rec.data.items()}
        self.wsdl.update({f"vmodl.{name}": name for name in BUILTINS})
        self.managed = {v: d[0] for v, d in rec.managed.items()}
        self.enums = {v: d[0] for v, d in rec.enums.items()}

    def has(self, version: str) -> bool:
        return version in self.known

    def kind(self, vmodl_type: str) -> tuple[str, bool]:
        """The table's kind of a pyVmomi type name, and whether it is an array."""
        array = vmodl_type.endswith("[]")
        t = vmodl_type[:-2] if array else vmodl_type
        if t in PRIMITIVES:
            return PRIMITIVES[t], array
        if t in self.managed:
            return "ManagedObjectReference", array
        if t in self.enums:
            return "string", array  # enums are strings on the wire
        if t in self.wsdl:
            return self.wsdl[t], array
        raise SystemExit(f"unknown type {vmodl_type!r} in pyVmomi's type info")

    def is_fault(self, vmodl_type: str) -> bool:
        while vmodl_type and vmodl_type not in ROOT_TYPES:
            if vmodl_type in ("vmodl.MethodFault", "vmodl.RuntimeFault"):
                return True
            vmodl_type = self.rec.data.get(vmodl_type, (None, None))[1]
        return False

    def field_kind(self, prop) -> tuple[str, bool]:
        """The wire kind of a field or argument: a link is its target's key (a string), a fault
        travels wrapped in a LocalizedMethodFault (as pyVmomi's SoapAdapter writes and reads)."""
        array = prop[1].endswith("[]")
        item = prop[1][:-2] if array else prop[1]
        if prop[3] & F_LINK:
            key = [p for p in self.rec.data[item][3] if p[0] == "key"]
            return (self.kind(key[0][1])[0] if key else "string"), array
        if self.is_fault(item):
            return "LocalizedMethodFault", array
        return self.kind(prop[1])

    def spec(self, props) -> str:
        out = []
        for prop in props:
            if self.has(prop[2]):
                t, array = self.field_kind(prop)
                out.append(f"{prop[0]}:{t}{'[]' if array else ''}")
        return " ".join(out)

    def parent(self, vmodl_parent: str | None) -> str:
        return "-" if vmodl_parent in ROOT_TYPES else self.wsdl.get(vmodl_parent, "-")

    def records(self) -> dict[str, str]:
        """Each name -> its record line (see schema_types.py's docstring)."""
        out: dict[str, str] = {}

        def add(name: str, line: str) -> None:
            if name in out and out[name] != line:
                raise SystemExit(f"{name} is defined twice: {out[name]!r} and {line!r}")
            out[name] = line

        for vmodl, (wsdl, parent, version, props) in self.rec.data.items():
            if self.has(version) and wsdl not in BUILTINS and vmodl not in ROOT_TYPES:
                add(wsdl, f"D {wsdl} {self.parent(parent)} {self.spec(props)}".rstrip())
        for wsdl, (parent, spec) in BUILTINS.items():
            add(wsdl, f"D {wsdl} {parent or '-'} {spec}".rstrip())
        for wsdl, version in self.rec.enums.values():
            if self.has(version):
                add(wsdl, f"E {wsdl}")
        for vmodl, (wsdl, parent, version, _props, methods) in self.rec.managed.items():
            if not self.has(version) or vmodl == "vmodl.ManagedObject":
                continue
            add(wsdl, f"O {wsdl} {self.managed.get(parent, '-')}")
            for _py, method, mversion, params, result, _priv, _faults in methods:
                if self.has(mversion):
                    add(method, self.method(method, params, result))
        return out

    def method(self, name: str, params, result) -> str:
        ret = "-"
        if result[1] != "void":
            t, array = self.kind(result[1])
            ret = t + ("[]" if array else "")
        args = self.spec(params)
        return f"M {name} {ret} _this:ManagedObjectReference {args}".rstrip()

    def versions(self) -> list[str]:
        """The vim25 version ids TARGET includes, oldest first (each includes those before)."""
        names = [v for v in self.known if self.rec.versions.get(v, ("",))[0] == "vim25"]
        names.sort(key=lambda v: len(self.rec.parents.get(v, ())))
        return [self.rec.versions[v][1] for v in names]


def shard(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS


def render(records: dict[str, str], versions: list[str]) -> str:
    shards: list[list[str]] = [[] for _shard in range(SHARDS)]
    for name in sorted(records):
        shards[shard(name)].append(records[name])
    counts = {k: sum(1 for r in records.values() if r[0] == k) for k in "DMEO"}
    out = [
        '"""The vim25 type table, generated by tools/gen_schema.py from pyVmomi\'s type info.',
        "",
        "Do not edit by hand: run tools/gen_schema.py (`--text` prints the records). vi/schema.py",
        "reads it lazily, a shard at a time: a name's shard is SHARDS[zlib.crc32(name) % 64], its",
        "records zlib-compressed and base64-encoded (the compact form: a module's source is",
        "compiled on every run, so the table's size is paid on every import). One record a line:",
        "  D <DataType> <parent|-> <field>:<kind>[[]] ...   (fields in WSDL order, own fields only)",
        "  M <Method> <return kind|-> _this:ManagedObjectReference <argument>:<kind> ...",
        "  E <EnumType>                                     (an enum: a string on the wire)",
        "  O <ManagedObjectType> <parent|->",
        "Kinds: XML Schema scalars (string, int, long, short, byte, boolean, float, double,",
        "dateTime, base64Binary, anyURI), anyType, ManagedObjectReference, or a data type.",
        f"{counts['D']} data types, {counts['M']} methods, {counts['E']} enums, "
        f"{counts['O']} managed object types.",
        '"""',
        "",
        "# fmt: off",
        "# The vim25 API versions the table describes, oldest first; the last is the table's own.",
        "VERSIONS = (",
        *textwrap.wrap(
            " ".join(f"{v!r}," for v in versions),
            96,
            initial_indent="    ",
            subsequent_indent="    ",
        ),
        ")",
        "",
        "SHARDS = (",
    ]
    for lines in shards:
        packed = base64.b64encode(zlib.compress("\n".join(lines).encode(), 9)).decode()
        out.append('    """\\')
        out.extend(textwrap.wrap(packed, 96))
        out.append('""",')
    out += [")", "# fmt: on", ""]
    return "\n".join(out)


def records_of(text: str) -> list[str]:
    """The records a rendered table holds, shard by shard (for --text and the tests)."""
    namespace: dict = {}
    exec(compile(text, "schema_types.py", "exec"), namespace)  # noqa: S102
    out = []
    for packed in namespace["SHARDS"]:
        out.extend(zlib.decompress(base64.b64decode(packed)).decode().splitlines())
    return out


def generate(pyvmomi_dir: Path) -> tuple[str, int]:
    rec = Recorder()
    for name in SOURCES:
        rec.run(pyvmomi_dir / name)
    table = Table(rec)
    records = table.records()
    return render(records, table.versions()), len(records)


def default_source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pyVmomi")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pyVmomi is not installed: give the path of its package directory")
    return Path(next(iter(spec.submodule_search_locations)))


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--text"]:
        print("\n".join(sorted(records_of(OUT.read_text()))))
        return
    source = Path(args[0]) if args else default_source()
    text, count = generate(source)
    OUT.write_text(text)
    print(f"wrote {OUT} ({count} records, {len(text) // 1024} KiB) from {source}")


if __name__ == "__main__":
    main()
