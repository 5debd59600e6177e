"""esx_vm's device lists on the simulator: one order, kept MACs, controllers and sizes.

Each test reads the server through the independent reader (vm_server.Server), so the order or
the devices the module reports are checked against what the server holds.
"""

from __future__ import annotations

from test_esx_vm import devices, new_vm, three_runs
from vm_runs import MODELS, ok, vm_run

MiB = 2**20
MAC = "00:50:56:01:02:03"


def by_slot(server, ref, kind: str) -> list[dict]:
    """The server's devices of a kind, in (controller key, unit number) order."""
    found = devices(server, ref, kind)
    return sorted(found, key=lambda d: (d.get("controllerKey") or 0, d.get("unitNumber") or 0))


def test_device_lists_keep_one_order(server, sim, model):
    """After a grow and a NIC replacement, vm, changes and every diff list devices alike."""
    net = MODELS[model]["networks"][0]
    ok(vm_run(sim, new_vm(model, "d-order", disks=[{"size_mb": 64}, {"size_mb": 32}],
                          networks=[{"name": net}, {"name": net}])))  # fmt: skip
    ref = server.vm("d-order")
    grown = ok(vm_run(sim, {"name": "d-order", "disks": [{"size_mb": 128}]}))
    assert grown["changes"] == ["disks[0].capacity_bytes"]
    disks = by_slot(server, ref, "VirtualDisk")
    assert [d["capacityInKB"] for d in disks] == [128 * 1024, 32 * 1024]
    assert [d["key"] for d in grown["vm"]["disks"]] == [d["key"] for d in disks]
    assert [d["capacity_bytes"] for d in grown["vm"]["disks"]] == [128 * MiB, 32 * MiB]

    replaced = ok(
        vm_run(sim, {"name": "d-order", "networks": [{"name": net, "device_type": "e1000"}]})
    )
    assert replaced["changes"] == ["nics[0].device_type"]
    assert replaced["diff"]["after"]["nics"][0]["device_type"] == "e1000"
    e1000 = [d for d in devices(server, ref, "nic") if d["_type"] == "VirtualE1000"]
    assert len(e1000) == 1
    assert replaced["vm"]["nics"][0]["key"] == e1000[0]["key"]
    assert [n["device_type"] for n in replaced["vm"]["nics"]] == ["e1000", "vmxnet3"]

    deleted = ok(vm_run(sim, {"name": "d-order", "state": "absent"}, check=True))
    before = deleted["diff"]["before"]
    assert [d["capacity_bytes"] for d in before["disks"]] == [128 * MiB, 32 * MiB]
    assert [n["device_type"] for n in before["nics"]] == ["e1000", "vmxnet3"]
    info = ok(vm_run(sim, {"name": "d-order"}))
    assert [d["key"] for d in info["vm"]["disks"]] == [d["key"] for d in disks]


def test_a_manual_mac_is_kept_when_the_nic_is_replaced(server, sim, model):
    net = MODELS[model]["networks"][0]
    ok(vm_run(sim, new_vm(model, "d-mac", networks=[{"name": net, "mac_address": MAC}])))
    ref = server.vm("d-mac")
    args = {"name": "d-mac", "networks": [{"name": net, "device_type": "e1000"}]}
    check, real, _tasks = three_runs(server, sim, args)
    assert check["changes"] == ["nics[0].device_type"]
    assert check["diff"]["after"]["nics"][0]["mac_address"] == MAC
    (nic,) = devices(server, ref, "nic")
    assert (nic["_type"], nic["addressType"], nic["macAddress"]) == ("VirtualE1000", "manual", MAC)
    assert real["vm"]["nics"][0]["mac_address"] == MAC


def test_a_generated_mac_is_predicted_unknown_when_the_nic_is_replaced(server, sim, model):
    net = MODELS[model]["networks"][0]
    ok(vm_run(sim, new_vm(model, "d-genmac", networks=[{"name": net}])))
    args = {"name": "d-genmac", "networks": [{"name": net, "device_type": "e1000"}]}
    check = ok(vm_run(sim, args, check=True))
    assert check["diff"]["before"]["nics"][0]["mac_address"] is not None
    assert check["diff"]["after"]["nics"][0]["mac_address"] is None, "the server generates one"
    real = ok(vm_run(sim, args))
    (nic,) = devices(server, server.vm("d-genmac"), "nic")
    assert nic["_type"] == "VirtualE1000" and nic["addressType"] != "manual"
    assert real["vm"]["nics"][0]["mac_address"] == nic["macAddress"]


def test_a_cdrom_at_creation_uses_the_default_ide_controller(server, sim, model):
    args = new_vm(model, "d-cdrom", cdrom={"iso_path": "[LocalDS_0] iso/boot.iso"})
    ok(vm_run(sim, args))
    ref = server.vm("d-cdrom")
    ide = by_slot(server, ref, "VirtualIDEController")
    assert sorted(c["busNumber"] for c in ide) == [0, 1], "a VM has two IDE controllers"
    (drive,) = devices(server, ref, "VirtualCdrom")
    bus0 = next(c for c in ide if c["busNumber"] == 0)
    assert (drive["controllerKey"], drive["unitNumber"]) == (bus0["key"], 0)
    assert ok(vm_run(sim, args))["changed"] is False


def test_a_disk_without_size_is_left_as_it_is(server, sim, model):
    sizes = [{"size_mb": 8}, {"size_mb": 16}, {"size_mb": 24}]
    ok(vm_run(sim, new_vm(model, "d-nosize", disks=sizes)))
    ref = server.vm("d-nosize")
    check, _real, tasks = three_runs(
        server, sim, {"name": "d-nosize", "disks": [{}, {}, {}, {"size_mb": 32}]}
    )
    assert check["changes"] == ["disks[3]"] and tasks == ["ReconfigVM_Task"]
    assert [d["capacityInKB"] // 1024 for d in by_slot(server, ref, "VirtualDisk")] == [
        8,
        16,
        24,
        32,
    ]
    snapshot = server.snapshot()
    for check_mode in (True, False):
        missing = vm_run(sim, {"name": "d-nosize", "disks": [{}, {}, {}, {}, {"type": "thin"}]},
                         check=check_mode)  # fmt: skip
        assert missing.failed
        assert "disks[4].size_gb" in missing["msg"] and "new disk" in missing["msg"]
    assert server.snapshot() == snapshot
    new = vm_run(sim, new_vm(model, "d-nosize-new", disks=[{"size_mb": 8}, {}]))
    assert new.failed and "disks[1].size_gb" in new["msg"]
    assert server.vm("d-nosize-new") is None


def test_more_than_15_disks_at_creation_get_a_second_controller(server, sim, model):
    args = new_vm(model, "d-many", disks=[{"size_mb": 1}] * 17)
    check, _real, tasks = three_runs(server, sim, args)
    assert tasks == ["CreateVM_Task"]
    assert [d["capacity_bytes"] for d in check["diff"]["after"]["disks"]] == [MiB] * 17
    ref = server.vm("d-many")
    scsi = sorted(devices(server, ref, "ParaVirtualSCSIController"), key=lambda c: c["busNumber"])
    assert [c["busNumber"] for c in scsi] == [0, 1]
    disks = by_slot(server, ref, "VirtualDisk")
    placed = [(d["controllerKey"], d["unitNumber"]) for d in disks]
    units = [u for u in range(16) if u != 7]
    assert placed == [(scsi[0]["key"], u) for u in units] + [
        (scsi[1]["key"], 0),
        (scsi[1]["key"], 1),
    ]
