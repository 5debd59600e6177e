"""vm/spec.py: validation, the plan for an existing VM (hot / cold, diff, changes), creation."""

from __future__ import annotations

import pytest
from test_vm_facts import VM, names
from vm_fixtures import DS1, Refs, props

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import facts, spec
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmConfig


def want(**params) -> dict:
    return spec.desired(VmConfig(**params))


def plan(p=None, powered_on=True, **params) -> spec.Plan:
    p = p or props()
    return spec.plan(want(**params), facts.vm_facts(VM, p, names()), p, Refs(), powered_on)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"memory_mb": 1023}, "memory_mb must be a positive multiple of 4, got 1023"),
        ({"memory_mb": 0}, "memory_mb must be a positive multiple of 4, got 0"),
        ({"num_cpus": 0}, "num_cpus must be 1 or more, got 0"),
        ({"num_cpus": 6, "cores_per_socket": 4}, "num_cpus (6) must be a multiple of cores_per_socket (4)"),
        ({"hardware_version": "nineteen"}, "hardware_version must look like vmx-19 or 19, got 'nineteen'"),
        ({"disks": [{"size_gb": 1, "size_mb": 5}]}, "disks[0]: set exactly one of size_gb or size_mb"),
        ({"disks": [{"size_mb": 0}]}, "disks[0].size_mb must be more than 0, got 0"),
        ({"networks": [{"name": "n", "mac_address": "00:50:56"}]}, "networks[0].mac_address must look like"),
        ({"cdrom": {"type": "iso", "iso_path": "a.iso"}}, "cdrom.iso_path must look like '[datastore] dir/file.iso'"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(params, message):
    with pytest.raises(InvalidArgument) as e:
        want(**params)
    assert message in str(e.value)


def test_versions_normalize():
    assert [spec.version(v) for v in (19, "19", "vmx-19", " vmx-07 ", None)] == [
        "vmx-19", "vmx-19", "vmx-19", "vmx-7", None]  # fmt: skip
    assert spec.datastore_name("[ds 1] web/web.vmx") == "ds 1" and spec.datastore_name(None) is None


def test_same_values_plan_nothing():
    p = plan(num_cpus=2, memory_mb=2048, guest_id="ubuntu64Guest", hardware_version=15, annotation="",
             disks=[{"size_gb": 10}], networks=[{"name": "prod-pg"}, {"name": "VM Network"}],
             cdrom={"iso_path": "[ds1] iso/a.iso", "connected": True})  # fmt: skip
    assert p.changes == [] and p.config_spec() is None and p.upgrade is None
    assert p.before == p.after


def test_cores_must_divide_the_current_cpus():
    with pytest.raises(
        InvalidArgument, match=r"num_cpus \(2\) must be a multiple of cores_per_socket \(4\)"
    ):
        plan(cores_per_socket=4)


def test_cpu_without_hot_add_is_cold_memory_with_hot_add_is_hot():
    p = plan(num_cpus=4, memory_mb=4096, annotation="note")
    assert [(c.path, c.cold) for c in p.changes] == [
        ("num_cpus", True), ("memory_mb", False), ("annotation", False)]  # fmt: skip
    assert p.cold == ["num_cpus"]
    assert p.config_spec() == {"_type": "VirtualMachineConfigSpec", "numCPUs": 4, "memoryMB": 4096,
                               "annotation": "note"}  # fmt: skip
    assert p.before == {"num_cpus": 2, "memory_mb": 2048, "annotation": ""}
    assert p.after == {"num_cpus": 4, "memory_mb": 4096, "annotation": "note"}


def test_shrinking_memory_and_cpu_hot_add_rules():
    assert plan(memory_mb=1024).cold == ["memory_mb"]
    hot = props(**{"config.cpuHotAddEnabled": True})
    assert plan(hot, num_cpus=4).cold == [] and plan(hot, num_cpus=1).cold == ["num_cpus"]
    assert plan(cores_per_socket=2).cold == ["cores_per_socket"]
    assert plan(guest_id="windows2019srv_64Guest").cold == ["guest_id"]


def test_hardware_version_upgrades_only():
    p = plan(hardware_version="vmx-19")
    assert p.upgrade == "vmx-19" and p.cold == ["hardware_version"] and p.config_spec() is None
    with pytest.raises(
        InvalidArgument, match="the VM is at vmx-15; downgrading to vmx-13 is not possible"
    ):
        plan(hardware_version=13)


def test_a_template_only_takes_an_annotation():
    template = props(**{"config.template": True})
    assert plan(template, annotation="gold").cold == []
    with pytest.raises(
        InvalidArgument, match="the VM is a template: only annotation can change, not memory_mb"
    ):
        plan(template, memory_mb=4096)


def test_create_spec():
    w = want(guest_id="otherGuest64", num_cpus=2, memory_mb=512, hardware_version=19,
             disks=[{"size_gb": 2}, {"size_mb": 100, "datastore": "ds2", "type": "eager_zeroed"}],
             networks=[{"name": "VM Network", "mac_address": "00:50:56:00:00:01"}],
             cdrom={"type": "client"})  # fmt: skip
    config, after = spec.create_spec(w, "new", "ds1", Refs())
    assert config["name"] == "new" and config["files"]["vmPathName"] == "[ds1]"
    assert spec.create_spec(w, "a/b%2f", "ds1", Refs())[0]["name"] == "a%2fb%252f"
    assert spec.create_spec(w, "a/b%2f", "ds1", Refs())[1]["name"] == "a/b%2f"
    assert (config["numCPUs"], config["memoryMB"], config["version"], config["guestId"]) == (
        2,
        512,
        "vmx-19",
        "otherGuest64",
    )
    kinds = [
        (c["operation"], c.get("fileOperation"), c["device"]["_type"])
        for c in config["deviceChange"]
    ]
    assert kinds == [
        ("add", None, "ParaVirtualSCSIController"), ("add", "create", "VirtualDisk"),
        ("add", "create", "VirtualDisk"), ("add", None, "VirtualVmxnet3"),
        ("add", None, "VirtualCdrom"),
    ]  # fmt: skip
    drive = config["deviceChange"][-1]["device"]
    assert (drive["controllerKey"], drive["unitNumber"]) == (200, 0), "the default IDE 0"
    scsi, disk1, disk2 = (c["device"] for c in config["deviceChange"][:3])
    assert disk1["controllerKey"] == disk2["controllerKey"] == scsi["key"] < 0
    assert (disk1["unitNumber"], disk2["unitNumber"]) == (0, 1)
    assert disk1["backing"]["fileName"] == "[ds1]" and disk1["backing"]["datastore"] == DS1
    assert disk2["backing"]["eagerlyScrub"] is True and disk2["backing"]["thinProvisioned"] is False
    assert disk2["capacityInKB"] == 100 * 1024 and disk2["capacityInBytes"] == 100 * 2**20
    keys = [c["device"]["key"] for c in config["deviceChange"]]
    assert len(set(keys)) == len(keys) and all(k < 0 for k in keys)
    assert after["disks"][1] == {"label": None, "capacity_bytes": 100 * 2**20, "datastore": "ds2",
                                 "disk_type": "eager_zeroed", "mode": "persistent",
                                 "controller_kind": "paravirtual", "controller_number": 0,
                                 "unit_number": 1, "file": None, "shares": None,
                                 "iops_limit": None}  # fmt: skip
    assert after["nics"][0]["mac_address"] == "00:50:56:00:00:01"
    assert after["cdroms"][0]["type"] == "client" and after["num_cpus"] == 2


def test_project_keeps_the_managed_device_fields():
    f = facts.vm_facts(VM, props(), names())
    shown = spec.project(f, spec.MANAGED)
    assert list(shown) == list(spec.MANAGED)
    assert shown["disks"] == [{"label": "Hard disk 1", "capacity_bytes": 10 * 2**30, "datastore": "ds1",
                               "disk_type": "thin", "mode": "persistent",
                               "controller_kind": "lsilogic_sas", "controller_number": 0,
                               "unit_number": 0, "file": "[ds1] web/web.vmdk", "shares": None,
                               "iops_limit": None}]  # fmt: skip
    assert spec.project(None, spec.MANAGED) == {}


def test_create_spec_adds_scsi_controllers_as_the_disks_need_them():
    w = want(guest_id="otherGuest64", disks=[{"size_mb": 1}] * 17)
    config, after = spec.create_spec(w, "new", "ds1", Refs())
    changes = [c["device"] for c in config["deviceChange"]]
    controllers = [d for d in changes if d["_type"] == "ParaVirtualSCSIController"]
    assert [c["busNumber"] for c in controllers] == [0, 1]
    places = [(d["controllerKey"], d["unitNumber"]) for d in changes if d["_type"] == "VirtualDisk"]
    first, second = (c["key"] for c in controllers)
    assert places == [(first, u) for u in range(16) if u != 7] + [(second, 0), (second, 1)]
    assert len(after["disks"]) == 17
    with pytest.raises(InvalidArgument, match=r"^disks\[60\]: the VM has no free SCSI slot"):
        spec.create_spec(want(disks=[{"size_mb": 1}] * 61), "new", "ds1", Refs())


def test_create_spec_needs_a_size_for_every_disk():
    with pytest.raises(InvalidArgument, match=r"^disks\[1\]\.size_gb: the VM has no disks\[1\]"):
        spec.create_spec(want(disks=[{"size_mb": 1}, {}]), "new", "ds1", Refs())


def test_create_spec_puts_devices_on_the_controllers_a_new_vm_has():
    """A caller that read the host's default devices (QueryConfigOption) may pass them."""
    ide = [{"_type": "VirtualIDEController", "key": 250, "busNumber": 0}]
    config, _after = spec.create_spec(want(cdrom={"type": "client"}), "new", "ds1", Refs(), ide)
    (change,) = config["deviceChange"]
    assert (change["device"]["controllerKey"], change["device"]["unitNumber"]) == (250, 0)
