"""vm/devices.py: the disk, NIC and CD-ROM parts of a plan, and the device specs they send."""

from __future__ import annotations

import pytest
from test_spec import plan, want
from test_vm_facts import VM, names
from vm_fixtures import DS2, Refs, props

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument, NotFound
from ansible_collections.viapi.esx.plugins.module_utils.vm import devices, facts, spec

GiB = 2**30


def ops(p: spec.Plan) -> list[tuple]:
    return [(c["operation"], c.get("fileOperation"), c["device"]["_type"], c["device"]["key"])
            for c in p.devices]  # fmt: skip


def test_growing_a_disk_edits_it_in_place_while_running():
    p = plan(disks=[{"size_gb": 20}])
    assert ops(p) == [("edit", None, "VirtualDisk", 2000)]
    disk = p.devices[0]["device"]
    assert (disk["capacityInKB"], disk["capacityInBytes"]) == (20 * 2**20, 20 * GiB)
    assert disk["backing"]["fileName"] == "[ds1] web/web.vmdk", "the edit keeps the backing"
    assert [(c.path, c.option, c.cold) for c in p.changes] == [
        ("disks[0].capacity_bytes", "disks[0].size_gb", False)]  # fmt: skip
    assert p.before["disks"][0]["capacity_bytes"] == 10 * GiB
    assert p.after["disks"][0]["capacity_bytes"] == 20 * GiB


@pytest.mark.parametrize(
    "disk, message",
    [
        ({"size_gb": 5}, "disks[0].size_gb: Hard disk 1 is 10 GiB; shrinking it to 5 GiB is not possible"),
        ({"size_mb": 512}, "disks[0].size_mb: Hard disk 1 is 10 GiB; shrinking it to 512 MiB is not possible"),
        ({"size_gb": 10, "type": "thick"}, "disks[0].type: Hard disk 1 is thin; converting"),
        ({"size_gb": 10, "datastore": "ds2"}, "disks[0].datastore: Hard disk 1 is on ds1; moving a disk"),
    ],
)  # fmt: skip
def test_what_a_disk_cannot_do_is_an_error_naming_it(disk, message):
    with pytest.raises(InvalidArgument) as e:
        plan(disks=[disk])
    assert message in str(e.value)


def test_new_disks_take_free_units_on_the_scsi_controller():
    p = plan(
        disks=[
            {"size_gb": 10},
            {"size_gb": 1},
            {"size_mb": 64, "datastore": "ds2", "mode": "independent_persistent"},
        ]
    )
    assert ops(p) == [
        ("add", "create", "VirtualDisk", -100),
        ("add", "create", "VirtualDisk", -101),
    ]
    first, second = (c["device"] for c in p.devices)
    assert (first["controllerKey"], first["unitNumber"]) == (1000, 1)
    assert (second["controllerKey"], second["unitNumber"]) == (1000, 2)
    assert first["backing"]["fileName"] == "" and first["backing"]["datastore"] is None
    assert second["backing"]["fileName"] == "[ds2]" and second["backing"]["datastore"] == DS2
    assert second["backing"]["diskMode"] == "independent_persistent"
    assert [c.path for c in p.changes] == ["disks[1]", "disks[2]"] and p.cold == []
    assert p.after["disks"][1]["datastore"] == "ds1", "a new disk goes with the VM's files"


def test_a_full_controller_gets_a_new_one_which_needs_the_vm_off():
    p = props()
    devices = p["config.hardware.device"]
    for unit in [u for u in range(1, 16) if u != 7]:
        devices.append(dict(devices[4], key=2000 + unit, unitNumber=unit))
    result = plan(p, disks=[{"size_gb": 10}] * 15 + [{"size_gb": 1}])
    assert ops(result) == [
        ("add", None, "ParaVirtualSCSIController", -100),
        ("add", "create", "VirtualDisk", -101),
    ]
    assert result.devices[0]["device"]["busNumber"] == 1
    assert result.devices[1]["device"]["controllerKey"] == -100
    assert result.cold == ["disks[15]"]


def test_nics_edit_network_and_connection_and_add():
    refs = Refs()
    p = props()
    result = spec.plan(
        want(networks=[{"name": "VM Network", "start_connected": False},
                       {"name": "VM Network", "connected": True}, {"name": "prod-pg"}]),
        facts.vm_facts(VM, p, names()), p, refs, True,
    )  # fmt: skip
    assert ops(result) == [("edit", None, "VirtualVmxnet3", 4000), ("edit", None, "VirtualE1000", 4001),
                           ("add", None, "VirtualVmxnet3", -102)]  # fmt: skip
    first = result.devices[0]["device"]
    assert first["backing"] == refs.network("VM Network", "x")
    assert (
        first["connectable"]["startConnected"] is False
        and first["macAddress"] == "00:50:56:aa:bb:01"
    )
    assert result.devices[1]["device"]["connectable"]["connected"] is True
    added = result.devices[2]["device"]
    assert added["addressType"] == "generated" and added["connectable"]["startConnected"] is True
    assert added["backing"]["port"]["portgroupKey"] == "dvportgroup-13"
    assert [c.path for c in result.changes] == [
        "nics[0].network",
        "nics[0].start_connected",
        "nics[1].connected",
        "nics[2]",
    ]
    assert ("network", "VM Network", "networks[0].name") in refs.asked


def test_connected_is_left_alone_while_the_vm_is_off():
    result = plan(props(**{"runtime.powerState": "poweredOff"}), powered_on=False,
                  networks=[{"name": "prod-pg"}, {"name": "VM Network", "connected": True}])  # fmt: skip
    assert result.changes == []


def test_a_new_device_type_replaces_the_nic_in_its_slot():
    result = plan(networks=[{"name": "prod-pg"}, {"name": "VM Network", "device_type": "vmxnet3"}])
    assert ops(result) == [
        ("remove", None, "VirtualE1000", 4001),
        ("add", None, "VirtualVmxnet3", -101),
    ]
    nic = result.devices[1]["device"]
    assert (nic["controllerKey"], nic["unitNumber"]) == (100, 8)
    assert nic["addressType"] == "generated" and nic["macAddress"] is None
    assert nic["backing"]["deviceName"] == "VM Network"
    assert result.cold == ["networks[1].device_type"]


def test_a_static_mac_needs_the_vm_off():
    result = plan(networks=[{"name": "prod-pg", "mac_address": "00:50:56:AA:BB:09"}])
    nic = result.devices[0]["device"]
    assert (nic["addressType"], nic["macAddress"]) == ("manual", "00:50:56:aa:bb:09")
    assert result.cold == ["networks[0].mac_address"]


def test_unknown_network_is_the_resolvers_error():
    class NoNets(Refs):
        def network(self, name, option):
            raise NotFound(f"{option}: network '{name}' not found in datacenter 'DC0'")

    p = props()
    with pytest.raises(NotFound, match=r"networks\[2\]\.name: network 'x' not found"):
        spec.plan(want(networks=[{"name": "prod-pg"}, {"name": "VM Network"}, {"name": "x"}]),
                  facts.vm_facts(VM, p, names()), p, NoNets(), True)  # fmt: skip


def test_cdrom_changes_medium_and_connection():
    result = plan(cdrom={"type": "client", "connected": False})
    assert ops(result) == [("edit", None, "VirtualCdrom", 3000)]
    drive = result.devices[0]["device"]
    assert drive["backing"]["_type"] == "VirtualCdromRemotePassthroughBackingInfo"
    assert (
        drive["connectable"]["connected"] is False
        and drive["connectable"]["startConnected"] is False
    )
    assert [c.path for c in result.changes] == [
        "cdroms[0].type",
        "cdroms[0].iso_path",
        "cdroms[0].start_connected",
        "cdroms[0].connected",
    ]
    assert result.cold == []
    iso = plan(cdrom={"iso_path": "[ds2] iso/b.iso"})
    assert iso.devices[0]["device"]["backing"] == {
        "_type": "VirtualCdromIsoBackingInfo",
        "fileName": "[ds2] iso/b.iso",
        "datastore": DS2,
    }


def test_a_vm_without_cdrom_gets_one_on_a_free_ide_slot():
    p = props()
    devices = [d for d in p["config.hardware.device"] if d["_type"] != "VirtualCdrom"]
    # IDE 0 unit 0 is taken by another device: the drive goes to unit 1.
    p["config.hardware.device"] = devices + [
        {"_type": "VirtualDevice", "key": 3002, "controllerKey": 200, "unitNumber": 0}
    ]
    result = plan(p, cdrom={"iso_path": "[ds1] iso/a.iso"})
    drive = result.devices[0]["device"]
    assert (result.devices[0]["operation"], drive["controllerKey"], drive["unitNumber"]) == (
        "add",
        200,
        1,
    )
    assert result.cold == ["cdrom"] and result.after["cdroms"][0]["iso_path"] == "[ds1] iso/a.iso"


def test_one_order_for_facts_plans_and_diffs():
    """Facts list devices as the options match them, whatever order the server sends."""
    p = props()
    listed = p["config.hardware.device"]
    replaced = dict(listed[5], _type="VirtualE1000e", key=4005)  # NIC 1 replaced: same unit
    p["config.hardware.device"] = [d for d in listed if d["key"] != 4000][::-1] + [
        replaced,
        dict(listed[4], key=2001, unitNumber=1, controllerKey=1000),
        dict(listed[4], key=2002, unitNumber=0, controllerKey=1000),
    ]
    p["config.hardware.device"] = [d for d in p["config.hardware.device"] if d["key"] != 2000]
    f = facts.vm_facts(VM, p, names())
    assert [d["key"] for d in f["disks"]] == [2002, 2001]
    assert [n["key"] for n in f["nics"]] == [4005, 4001]
    for kind in ("disks", "nics", "cdroms"):
        assert [d["key"] for d in devices.ordered(p["config.hardware.device"], kind)] == [
            d["key"] for d in f[kind]
        ]
    result = plan(p, networks=[{"name": "prod-pg", "device_type": "e1000e"}])
    assert result.changes == [] and result.before["nics"][0]["device_type"] == "e1000e"


def test_a_disk_without_a_size_keeps_its_size():
    assert plan(disks=[{}]).changes == []
    moded = plan(powered_on=False, disks=[{"mode": "independent_persistent"}])
    assert [c.path for c in moded.changes] == ["disks[0].mode"]
    assert moded.devices[0]["device"]["capacityInKB"] == 10 * 2**20
    added = plan(disks=[{}, {"size_gb": 1}])
    assert ops(added) == [("add", "create", "VirtualDisk", -100)]
    assert added.after["disks"][0] == added.before["disks"][0]


def test_a_new_disk_needs_a_size_and_the_error_names_it():
    with pytest.raises(InvalidArgument) as e:
        plan(disks=[{}, {"size_gb": 2}, {"type": "thick"}])
    assert str(e.value) == (
        "disks[2].size_gb: the VM has no disks[2], and a new disk needs a size: set size_gb "
        "or size_mb"
    )


def test_a_replaced_nic_keeps_a_manual_mac_set_by_an_earlier_run():
    p = props()
    manual = p["config.hardware.device"][6]
    manual["addressType"], manual["macAddress"] = "manual", "00:50:56:00:12:34"
    result = plan(
        p, networks=[{"name": "prod-pg"}, {"name": "VM Network", "device_type": "e1000e"}]
    )
    nic = result.devices[1]["device"]
    assert (nic["_type"], nic["addressType"], nic["macAddress"]) == (
        "VirtualE1000e", "manual", "00:50:56:00:12:34")  # fmt: skip
    assert result.after["nics"][1]["mac_address"] == "00:50:56:00:12:34"
    assert [c.path for c in result.changes] == ["nics[1].device_type"]


def test_a_replaced_nic_with_a_generated_mac_gets_a_new_one():
    result = plan(networks=[{"name": "prod-pg"}, {"name": "VM Network", "device_type": "vmxnet3"}])
    assert result.before["nics"][1]["mac_address"] == "00:50:56:aa:bb:02"
    assert result.after["nics"][1]["mac_address"] is None, "the server generates it"
    assert result.after["nics"][1]["device_type"] == "vmxnet3"
