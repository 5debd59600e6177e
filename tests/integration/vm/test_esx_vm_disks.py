"""esx_vm's disk placement on the simulator: every controller kind, stable matching, removal.

Each step runs in check mode (the server untouched, compared through vm_server.Server), for
real, and again (changed=false, no task); placements are read back from the server's devices.
"""

from __future__ import annotations

from ansible_run import run_module
from return_docs import assert_matches_return
from test_esx_vm import devices, new_vm, three_runs
from vm_runs import ok, vm_run

MiB = 2**20
SCSI_TYPES = {
    "paravirtual": "ParaVirtualSCSIController", "lsilogic": "VirtualLsiLogicController",
    "lsilogic_sas": "VirtualLsiLogicSASController", "buslogic": "VirtualBusLogicController",
    "sata": "VirtualAHCIController", "nvme": "VirtualNVMEController", "ide": "VirtualIDEController",
}  # fmt: skip


def info(sim, **args) -> list[dict]:
    """esx_vm_info's VMs (its result checked against its RETURN)."""
    result = ok(run_module("esx_vm_info", args, sim=sim))
    assert_matches_return("esx_vm_info", result.result)
    return result["vms"]


def placed(server, ref) -> list[tuple]:
    """(controller type, bus number, unit number, size in MiB) of every disk on the server."""
    found = server.props(ref)["config.hardware.device"]
    by_key = {d["key"]: d for d in found}
    out = []
    for d in found:
        if d["_type"] == "VirtualDisk":
            c = by_key[d["controllerKey"]]
            out.append((c["_type"], c["busNumber"], d["unitNumber"], d["capacityInKB"] // 1024))
    return sorted(out)


MATRIX = (
    [{"size_mb": 1, "controller": "paravirtual"}] * 16  # 15 on SCSI 0 (unit 7 is the controller's), 1 on SCSI 1
    + [{"size_mb": 2, "controller": "lsilogic", "controller_number": 2},
       {"size_mb": 3, "controller": "lsilogic_sas", "controller_number": 3}]
    + [{"size_mb": 4, "controller": "sata", "controller_number": 0},
       {"size_mb": 5, "controller": "sata", "controller_number": 0},
       {"size_mb": 6, "controller": "sata", "controller_number": 1}]
    + [{"size_mb": 7, "controller": "nvme", "controller_number": 0},
       {"size_mb": 8, "controller": "nvme", "controller_number": 1, "unit_number": 4}]
    + [{"size_mb": 9, "controller": "ide"},
       {"size_mb": 10, "controller": "ide", "controller_number": 1, "unit_number": 1}]
)  # fmt: skip


def test_a_disk_matrix_over_every_controller_kind(server, sim, model):
    args = new_vm(model, "k-matrix", disks=MATRIX)
    check, real, tasks = three_runs(server, sim, args)
    assert tasks == ["CreateVM_Task"]
    ref = server.vm("k-matrix")
    units = [u for u in range(16) if u != 7]
    pv = SCSI_TYPES["paravirtual"]
    expected = sorted(
        [(pv, 0, u, 1) for u in units] + [(pv, 1, 0, 1)]
        + [(SCSI_TYPES["lsilogic"], 2, 0, 2), (SCSI_TYPES["lsilogic_sas"], 3, 0, 3)]
        + [(SCSI_TYPES["sata"], 0, 0, 4), (SCSI_TYPES["sata"], 0, 1, 5), (SCSI_TYPES["sata"], 1, 0, 6)]
        + [(SCSI_TYPES["nvme"], 0, 0, 7), (SCSI_TYPES["nvme"], 1, 4, 8)]
        + [(SCSI_TYPES["ide"], 0, 0, 9), (SCSI_TYPES["ide"], 1, 1, 10)]
    )  # fmt: skip
    assert placed(server, ref) == expected
    after = check["diff"]["after"]["disks"]
    assert len(after) == len(MATRIX) == 25
    # The diff lists the disks as the facts do: IDE, SCSI, SATA, NVMe, by bus and unit.
    listed = [
        (d["controller_kind"], d["controller_number"], d["unit_number"])
        for d in real["vm"]["disks"]
    ]
    assert [
        (d["controller_kind"], d["controller_number"], d["unit_number"]) for d in after
    ] == listed
    assert listed[:2] == [("ide", 0, 0), ("ide", 1, 1)] and listed[-1] == ("nvme", 1, 4)
    kinds = [(c["kind"], c["bus_number"]) for c in real["vm"]["controllers"]]
    assert kinds == [("ide", 0), ("ide", 1), ("paravirtual", 0), ("paravirtual", 1), ("lsilogic", 2),
                     ("lsilogic_sas", 3), ("sata", 0), ("sata", 1), ("nvme", 0), ("nvme", 1)]  # fmt: skip
    (vm,) = info(sim, name="k-matrix")
    assert (vm["controllers"], vm["disks"]) == (real["vm"]["controllers"], real["vm"]["disks"])
    keys = {d["key"] for d in devices(server, ref, "VirtualDisk")}
    assert {
        d["key"] for c in vm["controllers"] for d in c["devices"] if d["type"] == "disk"
    } == keys
    on_ide1 = next(
        c for c in real["vm"]["controllers"] if (c["kind"], c["bus_number"]) == ("ide", 1)
    )
    assert [(d["type"], d["unit_number"]) for d in on_ide1["devices"]] == [("disk", 1)]


def test_the_matrix_grows_in_place_and_a_disk_after_the_eighth_keeps_its_unit(server, sim, model):
    """Growing every disk and adding more keeps each entry on its disk (the unit index holds)."""
    grown = [dict(d, size_mb=d["size_mb"] + 1) for d in MATRIX]
    args = {
        "name": "k-matrix",
        "disks": grown + [{"size_mb": 11}, {"size_mb": 12, "controller": "sata"}],
    }
    before = placed(server, server.vm("k-matrix"))
    check, _real, tasks = three_runs(server, sim, args)
    assert tasks == ["ReconfigVM_Task"]
    ref = server.vm("k-matrix")
    now = placed(server, ref)
    assert (
        sorted((t, b, u, s - 1) for t, b, u, s in now if (t, b, u) in {p[:3] for p in before})
        == before
    )
    new = sorted(set(now) - {(t, b, u, s + 1) for t, b, u, s in before})
    # The 17th SCSI disk goes after the last one (SCSI 1 unit 0), the third SATA disk after SATA 1's.
    assert new == sorted([(SCSI_TYPES["paravirtual"], 1, 1, 11), (SCSI_TYPES["sata"], 0, 2, 12)])
    assert check["changes"][-2:] == [
        f"disks[{_index(check, 1, 1, 'paravirtual')}]",
        f"disks[{_index(check, 0, 2, 'sata')}]",
    ]
    assert (
        len(check["changes"]) == 27
        and check["changes"][0] == f"disks[{_index(check, 0, 0, 'paravirtual')}].capacity_bytes"
    )


def _index(result, bus: int, unit: int, kind: str) -> int:
    listed = result["diff"]["after"]["disks"]
    return next(
        i
        for i, d in enumerate(listed)
        if (d["controller_kind"], d["controller_number"], d["unit_number"]) == (kind, bus, unit)
    )


def test_places_that_cannot_be_taken_are_errors_naming_them(server, sim, model):
    ok(vm_run(sim, new_vm(model, "k-errors", disks=[{"size_mb": 1}] * 15)))
    snapshot = server.snapshot()
    cases = [
        ({"unit_number": 7, "size_mb": 1}, "disks[15].unit_number: unit 7 is SCSI controller 0 (paravirtual)'s own"),
        ({"unit_number": 0, "controller": "lsilogic", "size_mb": 1},
         "is on SCSI controller 0 (paravirtual), not lsilogic; moving a disk is not supported"),
        ({"unit_number": 2, "controller": "ide", "size_mb": 1},
         "disks[15].unit_number: IDE units are 0 to 1, got 2"),
        ({"controller_number": 4, "size_mb": 1},
         "disks[15].controller_number: a VM has SCSI controllers 0 to 3, got 4"),
        ({"unit_number": 1, "state": "present", "destroy": True}, "disks[15].destroy: only a disk with state absent"),
        ({"state": "absent"}, "disks[15].state: a disk to remove is named by unit_number"),
        ({"filename": "disk.vmdk"}, "disks[15].filename must look like '[datastore] dir/disk.vmdk'"),
        ({"size_mb": 1, "shares": "lots"}, "disks[15].shares must be low, normal, high or a number, got 'lots'"),
    ]  # fmt: skip
    for extra, message in cases:
        for check in (True, False):
            result = vm_run(sim, {"name": "k-errors", "disks": [{}] * 15 + [extra]}, check=check)
            assert result.failed and message in result["msg"], (extra, result.get("msg"))
    full = {
        "name": "k-errors",
        "disks": [{"controller_number": 0}] * 15 + [{"controller_number": 0, "size_mb": 1}],
    }
    for check in (True, False):
        result = vm_run(sim, full, check=check)
        assert (
            result.failed and "disks[15]: SCSI controller 0 (paravirtual) is full" in result["msg"]
        )
    assert server.snapshot() == snapshot


def _disk_at(server, ref, bus: int, unit: int) -> dict:
    found = server.props(ref)["config.hardware.device"]
    keys = {d["key"]: d for d in found}
    return next(
        d for d in found
        if d["_type"] == "VirtualDisk" and (keys[d["controllerKey"]]["busNumber"], d["unitNumber"]) == (bus, unit)
    )  # fmt: skip


def test_removal_keeps_the_file_until_destroy_and_filename_attaches_it(server, sim, model):
    ok(
        vm_run(
            sim, new_vm(model, "k-remove", disks=[{"size_mb": 8}, {"size_mb": 16}, {"size_mb": 24}])
        )
    )
    ref = server.vm("k-remove")
    file = _disk_at(server, ref, 0, 1)["backing"]["fileName"]
    check, _real, tasks = three_runs(
        server, sim, {"name": "k-remove", "disks": [{"unit_number": 1, "state": "absent"}]}
    )
    assert check["changes"] == ["disks[1]"] and tasks == ["ReconfigVM_Task"]
    assert [d["capacity_bytes"] for d in check["diff"]["after"]["disks"]] == [8 * MiB, 24 * MiB]
    assert [s for *_p, s in placed(server, ref)] == [8, 24]
    # Listed by order, the remaining disks keep their entries: the removed one is not re-added.
    assert (
        ok(vm_run(sim, {"name": "k-remove", "disks": [{"size_mb": 8}, {"size_mb": 24}]}))["changed"]
        is False
    )

    attach = {"name": "k-remove", "disks": [{}, {}, {"filename": file}]}
    check, real, _tasks = three_runs(server, sim, attach)
    assert check["changes"] == ["disks[1]"], (
        "the file is attached in the free unit: matched by file"
    )
    assert _disk_at(server, ref, 0, 1)["backing"]["fileName"] == file
    assert _disk_at(server, ref, 0, 1)["capacityInKB"] == 16 * 1024, "the file's own size"
    assert real["vm"]["disks"][1]["file"] == file
    assert check["diff"]["after"]["disks"][1]["capacity_bytes"] is None, "unknown until attached"
    assert real["vm"]["disks"][1]["capacity_bytes"] == 16 * MiB

    destroy = {
        "name": "k-remove",
        "disks": [{"filename": file, "state": "absent", "destroy": True}],
    }
    three_runs(server, sim, destroy)
    assert len(devices(server, ref, "VirtualDisk")) == 2
    # destroy deleted the file: attaching it again fails before any change, naming the option
    snapshot = server.snapshot()
    for check in (True, False):
        again = vm_run(sim, attach, check=check)
        assert again.failed and again["msg"] == (
            f"disks[2].filename: file '{file}' not found (no such disk to attach)"
        ), again.get("msg")
    assert server.snapshot() == snapshot


def test_a_disk_file_that_is_not_there_fails_before_anything_changes(server, sim, model):
    """Checked with a search of its folder (no reconfiguration sent), for a new VM, an
    existing one and a folder that is not there; an attached disk is not searched again."""
    ok(vm_run(sim, new_vm(model, "k-missing", disks=[{"size_mb": 8}])))
    ref = server.vm("k-missing")
    file = _disk_at(server, ref, 0, 0)["backing"]["fileName"]
    folder = file.rpartition("/")[0]
    cases = [
        (new_vm(model, "k-missing-new", disks=[{"filename": f"{folder}/typo.vmdk"}]), 0),
        ({"name": "k-missing", "disks": [{}, {"filename": f"{folder}/typo.vmdk"}]}, 1),
        ({"name": "k-missing", "disks": [{}, {"filename": "[LocalDS_0] nowhere/k.vmdk"}]}, 1),
    ]
    snapshot = server.snapshot()
    for args, index in cases:
        path = args["disks"][index]["filename"]
        for check in (True, False):
            result = vm_run(sim, args, check=check)
            assert result.failed and result["msg"] == (
                f"disks[{index}].filename: file '{path}' not found (no such disk to attach)"
            ), (args, result.get("msg"))
    assert server.snapshot() == snapshot
    assert server.vm("k-missing-new") is None
    # The disk is there and attached: matched by its file, nothing to search or change.
    assert ok(vm_run(sim, {"name": "k-missing", "disks": [{"filename": file}]}))["changed"] is False


def test_shares_and_iops_limit(server, sim, model):
    ok(vm_run(sim, new_vm(model, "k-io", disks=[{"size_mb": 8, "shares": "low"}])))
    ref = server.vm("k-io")
    io = devices(server, ref, "VirtualDisk")[0]["storageIOAllocation"]
    assert io["shares"]["level"] == "low"
    args = {"name": "k-io", "disks": [{"shares": 1500, "iops_limit": 400}]}
    check, real, _tasks = three_runs(server, sim, args)
    assert check["changes"] == ["disks[0].shares", "disks[0].iops_limit"]
    assert check["diff"]["before"]["disks"][0]["shares"] == "low"
    io = devices(server, ref, "VirtualDisk")[0]["storageIOAllocation"]
    assert (io["shares"]["level"], io["shares"]["shares"], io["limit"]) == ("custom", 1500, 400)
    assert (real["vm"]["disks"][0]["shares"], real["vm"]["disks"][0]["iops_limit"]) == (1500, 400)


def test_a_running_vm_removes_scsi_disks_but_ide_ones_need_a_power_cycle(server, sim, model):
    disks = [{"size_mb": 8}, {"size_mb": 8, "controller": "ide", "unit_number": 1}]
    ok(vm_run(sim, new_vm(model, "k-hot", disks=disks, state="powered_on")))
    ref = server.vm("k-hot")
    _c, _r, tasks = three_runs(
        server, sim, {"name": "k-hot", "disks": [{"unit_number": 0, "state": "absent"}]}
    )
    assert tasks == ["ReconfigVM_Task"] and server.power(ref) == "poweredOn"
    ide = {"name": "k-hot", "disks": [{"controller": "ide", "unit_number": 1, "state": "absent"}]}
    snapshot = server.snapshot()
    refused = vm_run(sim, ide)
    assert (
        refused.failed
        and "disks[0].state" in refused["msg"]
        and "allow_power_cycle" in refused["msg"]
    )
    assert server.snapshot() == snapshot
    _c, _r, tasks = three_runs(server, sim, dict(ide, allow_power_cycle=True))
    assert tasks == ["PowerOffVM_Task", "ReconfigVM_Task", "PowerOnVM_Task"]
    assert devices(server, ref, "VirtualDisk") == []


def test_buslogic_controllers_and_a_disk_without_place_on_the_one_made(server, sim, model):
    disks = [{"size_mb": 1, "controller": "buslogic", "controller_number": 0},
             {"size_mb": 2, "controller": "buslogic", "controller_number": 2},
             {"size_mb": 3, "controller": "nvme", "unit_number": 3}, {"size_mb": 4, "controller": "nvme"}]  # fmt: skip
    three_runs(server, sim, new_vm(model, "k-bus", disks=disks))
    bus, nvme = SCSI_TYPES["buslogic"], SCSI_TYPES["nvme"]
    # Placed entries first, then those with a controller number, then the rest (docs/vm.md).
    assert placed(server, server.vm("k-bus")) == sorted(
        [(bus, 0, 0, 1), (bus, 2, 0, 2), (nvme, 0, 3, 3), (nvme, 0, 0, 4)]
    )
