"""The inventory's pure parts: variable names, dedup by instance uuid, unique hostnames."""

from __future__ import annotations

import re

import pytest
from ansible.utils.vars import isidentifier

from ansible_collections.viapi.esx.plugins.module_utils.inventory import hostvars
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import facts as vm_facts
from ansible_collections.viapi.esx.plugins.module_utils.vm.facts import FIELDS


def facts(**overrides) -> dict:
    """A complete facts dict (every schema field) with some values set."""
    base = dict.fromkeys(FIELDS)
    base.update(name="web1", moid="vm-1", num_cpus=2, cores_per_socket=2, memory_mb=1024)
    base.update(disks=[], nics=[], cdroms=[])
    base.update(overrides)
    return base


def record(name, uuid, endpoint="vc1", **more) -> dict:
    return {"esx_name": name, "esx_instance_uuid": uuid, "esx_endpoint": endpoint, **more}


@pytest.mark.parametrize(
    "path, expected",
    [
        ("config.hardware.numCPU", "esx_vi_config_hardware_numCPU"),
        ("summary.runtime.powerState", "esx_vi_summary_runtime_powerState"),
        ("customValue", "esx_vi_customValue"),
        ('config.extraConfig["guestinfo.x"]', "esx_vi_config_extraConfig__guestinfo_x__"),
        ("guest.net-1", "esx_vi_guest_net_1"),
    ],
)
def test_extra_variable_names_are_valid_identifiers(path, expected):
    name = hostvars.extra_variable(path)
    assert name == expected
    assert isidentifier(name)


def test_every_fact_variable_is_a_valid_name():
    variables = hostvars.vm_variables(facts(), {}, "vc1", devices=True)
    assert all(isidentifier(k) for k in variables)
    assert set(variables) == {f"esx_{f}" for f in FIELDS} | {"esx_endpoint"}


def test_vm_variables_without_devices_drops_the_device_lists():
    props = {"runtime.host": MoRef("HostSystem", "host-9"), "config.template": False}
    variables = hostvars.vm_variables(
        facts(), props, "vc1:8443", ["runtime.host", "config.template", "guest.ipAddress"]
    )
    assert "esx_disks" not in variables and "esx_nics" not in variables
    assert "esx_cdroms" not in variables
    assert variables["esx_endpoint"] == "vc1:8443"
    assert variables["esx_name"] == "web1" and variables["esx_num_cpus"] == 2
    assert variables["esx_vi_runtime_host"] == {
        "_type": "ManagedObjectReference",
        "type": "HostSystem",
        "value": "host-9",
    }
    assert variables["esx_vi_config_template"] is False
    assert variables["esx_vi_guest_ipAddress"] is None  # asked for, not given: null, not absent


def test_cores_per_socket_is_the_facts_value():
    assert hostvars.vm_variables(facts(cores_per_socket=4), {}, "e")["esx_cores_per_socket"] == 4
    no_config = facts(cores_per_socket=None, num_cpus=None)
    assert hostvars.vm_variables(no_config, {}, "e")["esx_cores_per_socket"] is None


def test_merge_keeps_the_vcenter_view_whatever_the_order():
    esxi = [record("a", "u1", "esx1"), record("local", "u9", "esx1")]
    vcenter = [record("a", "u1", "vc1"), record("b", "u2", "vc1")]
    merged, dropped = hostvars.merge([(False, esxi), (True, vcenter)])
    assert dropped == 1
    assert [(r["esx_name"], r["esx_endpoint"]) for r in merged] == [
        ("local", "esx1"),
        ("a", "vc1"),
        ("b", "vc1"),
    ]


def test_merge_between_two_vcenters_keeps_the_first_endpoint():
    first = [record("a", "u1", "vc1")]
    second = [record("a", "u1", "vc2"), record("c", "u3", "vc2")]
    merged, dropped = hostvars.merge([(True, first), (True, second)])
    assert [(r["esx_name"], r["esx_endpoint"]) for r in merged] == [("a", "vc1"), ("c", "vc2")]
    assert dropped == 1


def test_merge_never_merges_within_one_endpoint_or_without_uuid():
    same = [record("a", "u1"), record("a-copy", "u1"), record("x", None), record("y", None)]
    other = [record("z", None, "vc2")]
    merged, dropped = hostvars.merge([(True, same), (True, other)])
    assert [r["esx_name"] for r in merged] == ["a", "a-copy", "x", "y", "z"]
    assert dropped == 0


def test_sort_key_orders_by_datacenter_folder_name_moid():
    rows = [
        {"esx_datacenter": "B", "esx_folder": "/B/vm", "esx_name": "a", "esx_moid": "vm-1"},
        {"esx_datacenter": "A", "esx_folder": "/A/vm/x", "esx_name": "b", "esx_moid": "vm-2"},
        {"esx_datacenter": "A", "esx_folder": "/A/vm", "esx_name": "c", "esx_moid": "vm-3"},
        {"esx_datacenter": None, "esx_folder": None, "esx_name": "d", "esx_moid": "vm-4"},
    ]
    ordered = [r["esx_name"] for r in sorted(rows, key=hostvars.sort_key)]
    assert ordered == ["d", "c", "b", "a"]


def test_bare_name_accepts_variables_and_unprefixed_fact_names():
    variables = {"esx_name": "a", "esx_guest_hostname": None, "custom": 1}
    assert hostvars.bare_name("name", variables) == "esx_name"
    assert hostvars.bare_name("esx_name", variables) == "esx_name"
    assert hostvars.bare_name("guest_hostname", variables) == "esx_guest_hostname"
    assert hostvars.bare_name("custom", variables) == "custom"
    assert hostvars.bare_name("missing", variables) is None
    assert hostvars.bare_name("esx_name | upper", variables) is None


def test_unique_hostnames_suffixes_later_duplicates_with_their_identity():
    records = [
        record("web", "u1"),
        record("web", "u2"),
        record("db", "u3"),
        record("web", None, "vc2", esx_uuid="bios-4"),
        record("web", None, "vc3", esx_moid="vm-5"),
    ]
    names, duplicates = hostvars.unique_hostnames([r["esx_name"] for r in records], records)
    assert names == ["web", "web_u2", "db", "web_bios-4", "web_vc3_vm-5"]
    assert duplicates == ["web", "web", "web"]


def test_unique_hostnames_never_repeats_a_name():
    records = [record("a", "u1"), record("a_u1", "u2"), record("a", "u1"), record("a", "u1")]
    names, _dups = hostvars.unique_hostnames(["a", "a_u1", "a", "a"], records)
    assert names == ["a", "a_u1", "a_u1_2", "a_u1_3"]
    assert len(set(names)) == len(names)


def test_snapshot_facts_are_variables_for_grouping():
    current = {"name": "before-patch", "path": "before-patch", "id": "snapshot-7"}
    variables = hostvars.vm_variables(facts(snapshot_count=1, current_snapshot=current), {}, "vc1")
    assert variables["esx_snapshot_count"] == 1
    assert variables["esx_current_snapshot"] == current
    assert hostvars.vm_variables(facts(), {}, "vc1")["esx_current_snapshot"] is None


def test_read_paths_leave_out_the_settings_lists_unless_devices_are_read():
    summary = hostvars.read_paths(devices=False)
    assert "config.extraConfig" not in summary and "config.vAppConfig" not in summary
    assert "config.hardware.device" not in summary and "network" not in summary
    assert summary == [
        p for p in vm_facts.SUMMARY_PATHS if p not in ("config.extraConfig", "config.vAppConfig")
    ]
    assert hostvars.read_paths(devices=True) == list(vm_facts.PATHS)


def test_read_paths_keep_extra_paths_even_the_left_out_ones():
    extra = ["config.extraConfig", "summary.quickStats.overallCpuUsage", "name"]
    paths = hostvars.read_paths(False, extra)
    assert paths[-2:] == ["config.extraConfig", "summary.quickStats.overallCpuUsage"]
    assert paths.count("name") == 1 and "config.vAppConfig" not in paths
    assert hostvars.read_paths(True, extra) == [
        *vm_facts.PATHS,
        "summary.quickStats.overallCpuUsage",
    ]


def _full_props() -> dict:
    """A VM's answer to every path the facts read, settings and vApp properties included."""
    return {
        "name": "web1", "config.uuid": "4200", "config.instanceUuid": "5000",
        "config.hardware.numCPU": 2, "config.hardware.memoryMB": 1024,
        "config.firmware": "efi", "config.cpuHotAddEnabled": True,
        "config.extraConfig": [{"key": "guestinfo.role", "value": "web"}],
        "config.vAppConfig": {"property": [{"id": "ip", "key": 1, "value": "10.0.0.1"}]},
        "config.hardware.device": [],
    }  # fmt: skip


@pytest.mark.parametrize("devices", [False, True])
def test_the_variables_from_the_read_paths_are_those_from_every_path(devices):
    """What read_paths() leaves out changes no variable: the facts it feeds are dropped."""
    names = vm_facts.Names({})
    ref = MoRef("VirtualMachine", "vm-1")
    full = _full_props()
    read = {k: v for k, v in full.items() if k in hostvars.read_paths(devices)}
    assert hostvars.vm_variables(
        vm_facts.vm_facts(ref, read, names), read, "vc1", devices=devices
    ) == hostvars.vm_variables(vm_facts.vm_facts(ref, full, names), full, "vc1", devices=devices)
    if devices:
        variables = hostvars.vm_variables(
            vm_facts.vm_facts(ref, read, names), read, "vc1", (), True
        )
        assert variables["esx_extra_config"] == {"guestinfo.role": "web"}
        assert variables["esx_vapp_properties"][0]["value"] == "10.0.0.1"


@pytest.mark.parametrize(
    "paths, message",
    [([5], "properties[1] must be a string, got 5 (int)"),
     (["config.name", ""], "properties: '' is not a VI property path"),
     (["config."], "properties: 'config.' is not a VI property path"),
     ([" name"], "properties: ' name' is not a VI property path"),
     (["a..b"], "properties: 'a..b' is not a VI property path")],
)  # fmt: skip
def test_property_paths_that_name_no_property_are_refused(paths, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        hostvars.property_paths(paths)


def test_property_paths_take_paths():
    hostvars.property_paths(["config.hardware.numCPU", "name"])
    hostvars.property_paths(None)
