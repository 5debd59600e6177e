"""vi/schema.py and the generated table vi/schema_types.py."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import schema, schema_types

REPO = Path(__file__).resolve().parents[5]
GEN_SCHEMA = REPO / "tools" / "gen_schema.py"
NON_TYPE_KINDS = schema.SCALAR_KINDS | {"anyType", "ManagedObjectReference"}


def test_fields_are_in_wsdl_order_with_inherited_fields_first():
    assert list(schema.fields("TraversalSpec")) == ["name", "type", "path", "skip", "selectSet"]
    assert list(schema.fields("PropertyFilterSpec")) == [
        "propSet", "objectSet", "reportMissingObjectsInResults",
    ]  # fmt: skip
    nic = list(schema.fields("VirtualVmxnet3"))
    assert nic[:3] == ["key", "deviceInfo", "backing"]  # VirtualDevice's come first
    assert nic.index("controllerKey") < nic.index("macAddress")  # then VirtualEthernetCard's


def test_field_kinds_and_arrays():
    hw = schema.fields("VirtualHardware")
    assert (hw["numCPU"].kind, hw["numCPU"].array) == ("int", False)
    assert (hw["device"].kind, hw["device"].array) == ("VirtualDevice", True)
    assert schema.fields("UserSession")["callCount"].kind == "long"
    assert schema.fields("TaskInfo")["queueTime"].kind == "dateTime"
    assert schema.fields("TaskInfo")["result"].kind == "anyType"
    assert schema.fields("ObjectContent")["obj"].kind == "ManagedObjectReference"
    assert schema.fields("VirtualMachineConfigInfo")["template"].kind == "boolean"
    assert schema.fields("ComputeResourceSummary")["numCpuCores"].kind == "short"
    assert repr(hw["device"]) == "Field(device:VirtualDevice[])"


def test_enums_are_strings():
    assert schema.fields("VirtualMachineRuntimeInfo")["powerState"].kind == "string"
    assert schema.fields("TaskInfo")["state"].kind == "string"


def test_method_entries_list_arguments_in_request_order():
    assert list(schema.fields("CreateContainerView")) == ["_this", "container", "type", "recursive"]
    assert list(schema.fields("RetrievePropertiesEx")) == ["_this", "specSet", "options"]
    assert list(schema.fields("Login")) == ["_this", "userName", "password", "locale"]


def test_return_types():
    assert schema.RETURNS["RetrieveServiceContent"] == "ServiceContent"
    assert schema.RETURNS["RetrievePropertiesEx"] == "RetrieveResult"
    assert schema.RETURNS["RetrieveProperties"] == "ObjectContent[]"
    assert schema.RETURNS["PowerOnVM_Task"] == "ManagedObjectReference"
    assert schema.RETURNS["Logout"] == ""


def test_unknown_types():
    assert schema.fields("NoSuchType") is None
    assert not schema.is_known("NoSuchType")
    assert schema.is_known("GuestInfo")


def test_the_whole_vim25_api_is_in_the_table():
    # Types and fields answers from ESXi 8.0 and vCenter carry that govmomi 0.24's subset lacked.
    for name in ("HostConfigInfo", "HostSystemResourceInfo", "AlarmState", "Permission",
                 "StorageIORMInfo", "VirtualMachineStorageInfo", "VirtualMachineFileLayout",
                 "VirtualDevicePciBusSlotInfo", "HostPlugStoreTopology"):  # fmt: skip
        assert schema.is_known(name), name
    assert schema.fields("VirtualDisk")["vDiskVersion"].kind == "int"
    assert schema.fields("VirtualMachineQuickStats")["activeMemory"].kind == "int"
    assert schema.fields("HostScsiDisk")["dispersedNs"].kind == "boolean"
    assert schema.fields("HostNetworkInfo")["vswitch"].array
    assert schema.fields("HostVirtualSwitch")["numPorts"].kind == "int"
    assert len(schema.TYPES) > 3500
    assert len(schema.RETURNS) > 900
    assert "VirtualMachinePowerState" in schema.ENUMS and "VirtualMachine" in schema.MANAGED
    assert schema.MANAGED["VirtualMachine"] == "ManagedEntity"
    assert schema.is_subtype("VirtualMachine", "ManagedEntity")


def test_links_are_keys_and_faults_are_localized():
    # pyVmomi types a link by its target (HostPortGroup.vswitch: a HostVirtualSwitch); the wire
    # carries the target's key. A fault field carries a LocalizedMethodFault.
    assert schema.fields("HostPortGroup")["vswitch"].kind == "string"
    assert schema.fields("HostScsiTopologyLun")["scsiLun"].kind == "string"
    assert schema.fields("TaskInfo")["error"].kind == "LocalizedMethodFault"
    assert schema.fields("LocalizedMethodFault")["fault"].kind == "MethodFault"
    assert schema.fields("VirtualMachineConfigInfo")["vmxConfigChecksum"].kind == "base64Binary"


def test_versions_oldest_first():
    assert schema.VERSIONS[-1] == "9.0.0.0"
    assert schema.VERSIONS.index("8.0.3.0") < schema.VERSIONS.index("9.0.0.0")
    assert schema.VERSIONS.index("6.7.3") < schema.VERSIONS.index("7.0.0.0")


def test_the_table_loads_lazily():
    code = (
        "from ansible_collections.viapi.esx.plugins.module_utils.vi import schema\n"
        "assert not any(schema._loaded)\n"
        "schema.fields('AboutInfo'); schema.fields('VirtualMachineConfigInfo')\n"
        "print(sum(schema._loaded), len(schema._loaded))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    loaded, shards = map(int, out.stdout.split())
    assert loaded <= 3 and shards >= 32, out.stdout


def test_is_subtype():
    assert schema.is_subtype("VirtualVmxnet3", "VirtualEthernetCard")
    assert schema.is_subtype("VirtualVmxnet3", "VirtualDevice")
    assert schema.is_subtype("VirtualDisk", "VirtualDisk")
    assert not schema.is_subtype("VirtualDisk", "VirtualEthernetCard")
    assert schema.is_subtype("VmfsDatastoreInfo", "DatastoreInfo")
    assert not schema.is_subtype("NoSuchType", "VirtualDevice")


def test_every_referenced_type_and_parent_is_in_the_table():
    for name, (parent, _spec) in schema.TYPES.items():
        assert parent is None or parent in schema.TYPES, name
        for field in schema.fields(name).values():
            assert field.kind in NON_TYPE_KINDS or field.kind in schema.TYPES, (name, field)


def test_every_method_has_this_first_and_a_return_entry():
    methods = [n for n in schema.TYPES if "_this" in (schema.fields(n) or {})]
    assert len(methods) >= 40
    for name in methods:
        assert next(iter(schema.fields(name))) == "_this", name
        assert name in schema.RETURNS, name


def _gen_schema():
    spec = importlib.util.spec_from_file_location("gen_schema", GEN_SCHEMA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_is_what_the_generator_makes_of_pyvmomi():
    gen = _gen_schema()
    try:
        source = gen.default_source()
    except SystemExit:
        pytest.skip("pyVmomi absent (a test dependency: requirements-test.txt)")
    expected, _count = gen.generate(source)
    actual = Path(schema_types.__file__).read_text()
    # The records, not the bytes: another zlib may compress the same records differently.
    stale = "schema_types.py is stale or hand-edited: run tools/gen_schema.py"
    assert gen.records_of(actual) == gen.records_of(expected), stale
    assert actual.split("SHARDS = (")[0] == expected.split("SHARDS = (")[0], stale
