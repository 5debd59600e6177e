#!/usr/bin/env python
"""Generate plugins/module_utils/vi/schema_types.py from govmomi's vim25/types/types.go.

The VI client needs, for each type it sends or reads, its fields in WSDL order, which of them
are arrays and which are int / long / boolean / dateTime, and its parent type. govmomi's types.go
(Debian package golang-github-vmware-govmomi-dev) is a faithful transcription of the WSDL, so this
script reads it and keeps only the types we use (ROOTS) and the types their fields reach.

Usage: python tools/gen_schema.py [path/to/types.go]  (rewrites schema_types.py in place)
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

DEFAULT_TYPES_GO = "/usr/share/gocode/src/github.com/vmware/govmomi/vim25/types/types.go"
OUT = Path(__file__).resolve().parent.parent / "plugins/module_utils/vi/schema_types.py"

# Types we read or send, by area. Fields reach more types; subclasses must be named here.
ROOTS = """
ServiceContent AboutInfo UserSession ObjectContent RetrieveResult UpdateSet TaskInfo
LocalizedMethodFault PropertyFilterSpec RetrieveOptions WaitOptions TraversalSpec
CustomFieldDef CustomFieldStringValue OptionValue
VirtualMachineConfigInfo VirtualMachineConfigSpec VirtualMachineRuntimeInfo GuestInfo
VirtualMachineSummary VirtualMachineFileLayoutEx VirtualMachineRelocateSpec
VirtualMachineConfigOptionDescriptor
VirtualDisk VirtualVmxnet3 VirtualE1000 VirtualE1000e VirtualPCNet32 VirtualVmxnet2
VirtualSriovEthernetCard VirtualCdrom VirtualFloppy VirtualSerialPort VirtualParallelPort
VirtualPCIPassthrough VirtualLsiLogicController VirtualLsiLogicSASController
ParaVirtualSCSIController VirtualBusLogicController VirtualAHCIController VirtualIDEController
VirtualNVMEController VirtualPCIController VirtualSIOController VirtualPS2Controller
VirtualUSBController VirtualUSBXHCIController VirtualMachineVideoCard VirtualKeyboard
VirtualPointingDevice VirtualMachineVMCIDevice
VirtualDiskFlatVer2BackingInfo VirtualDiskRawDiskMappingVer1BackingInfo
VirtualDiskSparseVer2BackingInfo VirtualDiskSeSparseBackingInfo
VirtualEthernetCardNetworkBackingInfo VirtualEthernetCardDistributedVirtualPortBackingInfo
VirtualEthernetCardOpaqueNetworkBackingInfo
VirtualCdromIsoBackingInfo VirtualCdromRemotePassthroughBackingInfo VirtualCdromAtapiBackingInfo
VirtualCdromRemoteAtapiBackingInfo VirtualCdromPassthroughBackingInfo
VirtualFloppyDeviceBackingInfo VirtualFloppyImageBackingInfo VirtualFloppyRemoteDeviceBackingInfo
VirtualSerialPortDeviceBackingInfo VirtualSerialPortFileBackingInfo VirtualSerialPortPipeBackingInfo
VirtualSerialPortURIBackingInfo
VirtualParallelPortDeviceBackingInfo VirtualParallelPortFileBackingInfo
VirtualPCIPassthroughDeviceBackingInfo VirtualPCIPassthroughDynamicBackingInfo
HostListSummary HostRuntimeInfo HostHardwareInfo HostCapability HostConfigManager
HostStorageDeviceInfo HostInternetScsiHba HostScsiDisk HostNetworkInfo
ComputeResourceSummary ClusterComputeResourceSummary ResourcePoolSummary
DatastoreSummary DatastoreInfo VmfsDatastoreInfo NasDatastoreInfo LocalDatastoreInfo
VsanDatastoreInfo VvolDatastoreInfo DatastoreHostMount DatastoreCapability
HostDatastoreBrowserSearchSpec HostDatastoreBrowserSearchResults VmDiskFileQuery
VmDiskFileInfo IsoImageFileInfo VmConfigFileInfo VmNvramFileInfo VmLogFileInfo FolderFileInfo
FloppyImageFileInfo VmSnapshotFileInfo VmConfigFileQuery VmNvramFileQuery VmLogFileQuery
IsoImageFileQuery FolderFileQuery FloppyImageFileQuery FileQuery
CheckResult HostVMotionCompatibility NetworkSummary
VirtualMachineQuestionInfo
VirtualMachineBootOptionsBootableCdromDevice VirtualMachineBootOptionsBootableDiskDevice
VirtualMachineBootOptionsBootableEthernetDevice VirtualMachineBootOptionsBootableFloppyDevice
VmConfigSpec VAppPropertySpec
""".split()

# Methods we call: their request types give the argument order the server expects.
METHODS = """
RetrieveServiceContent Login Logout TerminateSession SessionIsActive CurrentTime
RetrievePropertiesEx ContinueRetrievePropertiesEx CancelRetrievePropertiesEx RetrieveProperties
CreateContainerView DestroyView CreatePropertyCollector DestroyPropertyCollector CreateFilter
DestroyPropertyFilter WaitForUpdatesEx CancelTask FindByUuid FindByInventoryPath FindChild
CreateVM_Task ReconfigVM_Task PowerOnVM_Task PowerOffVM_Task SuspendVM_Task ResetVM_Task
ShutdownGuest RebootGuest StandbyGuest Destroy_Task UpgradeVM_Task AnswerVM MarkAsTemplate
MarkAsVirtualMachine RelocateVM_Task MigrateVM_Task CheckMigrate_Task CheckRelocate_Task
QueryVMotionCompatibilityEx_Task SearchDatastoreSubFolders_Task SearchDatastore_Task
QueryVirtualDiskUuid EnterMaintenanceMode_Task ExitMaintenanceMode_Task
QueryConfigOptionDescriptor QueryConfigOptionEx
SetField AddCustomFieldDef
""".split()

PRIMITIVES = {
    "string": "string",
    "bool": "boolean",
    "int8": "byte",
    "int16": "short",
    "int32": "int",
    "int64": "long",
    "float32": "float",
    "float64": "double",
    "time.Time": "dateTime",
    "byte": "byte",
    "AnyType": "anyType",
    "ManagedObjectReference": "ManagedObjectReference",
}

STRUCT_RE = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.S | re.M)
FIELD_RE = re.compile(r'^\s*(\w+)\s+(\S+)\s+`xml:"([^"]*)"`')
ALIAS_RE = re.compile(r"^type (\w+) (string|int32|int64|bool)$", re.M)


def parse(src: str) -> tuple[dict, set]:
    structs = {}
    for name, body in STRUCT_RE.findall(src):
        base, fields = None, []
        for line in body.splitlines():
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            m = FIELD_RE.match(line)
            if m:
                fields.append((m.group(3).split(",")[0], m.group(2)))
            elif re.fullmatch(r"\w+", line):
                base = line
        structs[name] = (base, fields)
    return structs, {m.group(1) for m in ALIAS_RE.finditer(src)}


def kind(gotype: str, structs: dict, aliases: set) -> tuple[str, bool]:
    array = gotype.startswith("[]")
    t = gotype.lstrip("[]*")
    if t in PRIMITIVES:
        return PRIMITIVES[t], array
    if t.startswith("Base") and t[4:] in structs:
        t = t[4:]
    if t in structs:
        return t, array
    if t in aliases:
        return "string", array
    return "string", array


def request_type(method: str) -> str:
    """govmomi names a method's request type without the _Task suffix."""
    return method.removesuffix("_Task") + "RequestType"


def returns(structs: dict, aliases: set) -> dict[str, str]:
    """Each method's return type ("" for none), from govmomi's <Method>Response structs."""
    result = {}
    for method in METHODS:
        _base, fields = structs.get(method + "Response", (None, []))
        if fields:
            t, array = kind(fields[0][1], structs, aliases)
            result[method] = t + ("[]" if array else "")
        else:
            result[method] = ""
    return result


def closure(structs: dict, aliases: set) -> list[str]:
    rets = [r.rstrip("[]") for r in returns(structs, aliases).values() if r]
    seen, todo = set(), list(ROOTS) + [request_type(m) for m in METHODS] + rets
    while todo:
        name = todo.pop()
        if name in seen or name not in structs:
            continue
        seen.add(name)
        base, fields = structs[name]
        if base and base != "DynamicData":
            todo.append(base)
        for _field, gotype in fields:
            t = kind(gotype, structs, aliases)[0]
            if t in structs and t not in PRIMITIVES.values():
                todo.append(t)
    return sorted(seen)


def render(names: list[str], structs: dict, aliases: set) -> str:
    requests = {request_type(m): m for m in METHODS}
    out = [
        '"""The VI type table, generated by tools/gen_schema.py from govmomi vim25/types/types.go.',
        "",
        "Do not edit by hand: add a type to ROOTS in tools/gen_schema.py and run it again.",
        'Each entry: type name -> (parent type, "field:type field:type[] ..." in WSDL order).',
        "A method's entry (e.g. 'CreateVM_Task') lists its arguments in the order the server expects.",
        '"""',
        "",
        "# fmt: off",
        "TYPES = {",
    ]
    for name in names:
        base, fields = structs[name]
        parent = base if base and base != "DynamicData" else None
        specs = []
        for field, gotype in fields:
            t, array = kind(gotype, structs, aliases)
            specs.append(f"{field}:{t}{'[]' if array else ''}")
        key = requests.get(name, name)
        lines = textwrap.wrap(" ".join(specs), 84, break_long_words=False) or [""]
        text = "\n".join(
            f"        {line + (' ' if i < len(lines) - 1 else '')!r}"
            for i, line in enumerate(lines)
        )
        out.append(f"    {key!r}: (\n        {parent!r},\n{text},\n    ),")
    out += [
        "}",
        "",
        '# Method -> return type ("" when it returns nothing; "[]" marks an array).',
        "RETURNS = {",
    ]
    for method, ret in sorted(returns(structs, aliases).items()):
        out.append(f"    {method!r}: {ret!r},")
    out += ["}", "# fmt: on", ""]
    return "\n".join(out)


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TYPES_GO).read_text()
    structs, aliases = parse(src)
    names = closure(structs, aliases)
    OUT.write_text(render(names, structs, aliases))
    print(f"wrote {OUT} ({len(names)} types)")


if __name__ == "__main__":
    main()
