"""vi/schema.py and the generated table vi/schema_types.py."""

from __future__ import annotations

import importlib.util
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


def test_the_table_is_what_the_generator_makes_of_govmomi():
    gen = _gen_schema()
    types_go = Path(gen.DEFAULT_TYPES_GO)
    if not types_go.exists():
        pytest.skip(f"{types_go} absent (Debian package golang-github-vmware-govmomi-dev)")
    structs, aliases = gen.parse(types_go.read_text())
    expected = gen.render(gen.closure(structs, aliases), structs, aliases)
    actual = Path(schema_types.__file__).read_text()
    assert actual == expected, "schema_types.py is stale or hand-edited: run tools/gen_schema.py"
