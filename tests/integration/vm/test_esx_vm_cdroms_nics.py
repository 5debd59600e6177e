"""esx_vm's CD-ROM list, device removal of CD-ROMs and NICs, NIC kinds and distributed switches.

Each change runs in check mode (server state compared), for real, and again (changed=false, no
task), and is read back from the server's device list.
"""

from __future__ import annotations

import pytest
from test_esx_vm import devices, new_vm, three_runs
from vm_runs import MODELS, ok, vm_run

ISO = "[LocalDS_0] iso/boot.iso"


def drives(server, ref) -> list[tuple]:
    """(controller type, bus, unit, backing type, connected, start connected) of every drive."""
    found = server.props(ref)["config.hardware.device"]
    keys = {d["key"]: d for d in found}
    return sorted(
        (keys[d["controllerKey"]]["_type"], keys[d["controllerKey"]]["busNumber"], d["unitNumber"],
         d["backing"]["_type"], d["connectable"]["connected"], d["connectable"]["startConnected"])
        for d in found if d["_type"] == "VirtualCdrom"
    )  # fmt: skip


def test_cdroms_on_ide_and_sata(server, sim, model):
    args = new_vm(
        model, "c-list", cdroms=[{"iso_path": ISO}, {"type": "none", "controller": "sata"}]
    )
    check, real, tasks = three_runs(server, sim, args)
    assert tasks == ["CreateVM_Task"]
    ref = server.vm("c-list")
    assert drives(server, ref) == [
        ("VirtualAHCIController", 0, 0, "VirtualCdromRemotePassthroughBackingInfo", False, False),
        ("VirtualIDEController", 0, 0, "VirtualCdromIsoBackingInfo", True, True),
    ]
    listed = [(c["controller_kind"], c["type"], c["connected"]) for c in real["vm"]["cdroms"]]
    assert listed == [("ide", "iso", True), ("sata", "client", False)]
    assert [(c["controller_kind"], c["type"]) for c in check["diff"]["after"]["cdroms"]] == [
        ("ide", "iso"), ("sata", "client")]  # fmt: skip
    change = {
        "name": "c-list",
        "cdroms": [{"type": "client"}, {"iso_path": ISO, "controller": "sata"}],
    }
    check, _real, _tasks = three_runs(server, sim, change)
    # The drive's connection is not managed when neither connected nor start_connected is set.
    assert check["changes"] == [
        "cdroms[0].type",
        "cdroms[0].iso_path",
        "cdroms[1].type",
        "cdroms[1].iso_path",
    ]
    assert [d[3] for d in drives(server, ref)] == [
        "VirtualCdromIsoBackingInfo", "VirtualCdromRemotePassthroughBackingInfo"]  # fmt: skip


def test_removing_a_cdrom_never_adds_one(server, sim, model):
    ok(vm_run(sim, new_vm(model, "c-remove", cdroms=[{"iso_path": ISO}, {"controller": "sata"}],
                          state="powered_on")))  # fmt: skip
    ref = server.vm("c-remove")
    sata = {
        "name": "c-remove",
        "cdroms": [{"controller": "sata", "unit_number": 0, "state": "absent"}],
    }
    check, _real, tasks = three_runs(server, sim, sata)
    assert check["changes"] == ["cdroms[1]"] and tasks == ["ReconfigVM_Task"], (
        "SATA drives hot-unplug"
    )
    assert [d[0] for d in drives(server, ref)] == ["VirtualIDEController"]
    snapshot = server.snapshot()
    for nothing in ({"controller": "sata", "unit_number": 5, "state": "absent"},
                    {"unit_number": 1, "controller_number": 1, "state": "absent"}):  # fmt: skip
        again = ok(vm_run(sim, {"name": "c-remove", "cdroms": [nothing]}))
        assert again["changed"] is False
    assert server.snapshot() == snapshot, "no drive was added"
    ide = {"name": "c-remove", "cdroms": [{"unit_number": 0, "state": "absent"}]}
    refused = vm_run(sim, ide)
    assert (
        refused.failed
        and "cdroms[0].state" in refused["msg"]
        and "allow_power_cycle" in refused["msg"]
    )
    assert server.snapshot() == snapshot
    _c, _r, tasks = three_runs(server, sim, dict(ide, allow_power_cycle=True))
    assert tasks == ["PowerOffVM_Task", "ReconfigVM_Task", "PowerOnVM_Task"]
    assert drives(server, ref) == []
    unnamed = vm_run(sim, {"name": "c-remove", "cdroms": [{"state": "absent"}]})
    assert (
        unnamed.failed
        and "cdroms[0].state: a drive to remove is named by unit_number" in unnamed["msg"]
    )


def test_cdrom_is_a_deprecated_one_entry_cdroms(server, sim, model):
    ok(vm_run(sim, new_vm(model, "c-alias", cdrom={"iso_path": ISO})))
    ref = server.vm("c-alias")
    result = ok(vm_run(sim, {"name": "c-alias", "cdrom": {"type": "client"}}))
    assert result["changes"] == ["cdroms[0].type", "cdroms[0].iso_path"]
    assert any("cdrom" in d.get("msg", "") for d in result.get("deprecations") or []), result.result
    assert [d[3] for d in drives(server, ref)] == ["VirtualCdromRemotePassthroughBackingInfo"]
    both = vm_run(
        sim, {"name": "c-alias", "cdrom": {"type": "client"}, "cdroms": [{"type": "client"}]}
    )
    assert both.failed and "cdrom and cdroms are mutually exclusive" in both["msg"]


def test_a_nic_is_removed_by_its_mac_address(server, sim, model):
    net = MODELS[model]["networks"][0]
    macs = ["00:50:56:00:00:a1", "00:50:56:00:00:a2", "00:50:56:00:00:a3"]
    ok(vm_run(sim, new_vm(model, "n-remove", networks=[{"name": net, "mac_address": m} for m in macs],
                          state="powered_on")))  # fmt: skip
    ref = server.vm("n-remove")
    args = {"name": "n-remove", "networks": [
        {"name": net}, {"name": net, "mac_address": macs[1], "state": "absent"},
        {"name": net, "start_connected": False}]}  # fmt: skip
    check, real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["nics[1]", "nics[2].start_connected"]
    assert tasks == ["ReconfigVM_Task"], "NICs hot-unplug"
    assert sorted(d["macAddress"] for d in devices(server, ref, "nic")) == [macs[0], macs[2]]
    assert [n["mac_address"] for n in check["diff"]["after"]["nics"]] == [macs[0], macs[2]]
    assert [n["start_connected"] for n in real["vm"]["nics"]] == [True, False]
    unnamed = vm_run(sim, {"name": "n-remove", "networks": [{"name": net, "state": "absent"}]})
    assert (
        unnamed.failed
        and "networks[0].state: a NIC to remove is named by its mac_address" in unnamed["msg"]
    )


def test_vmxnet2_and_sriov_adapters(server, sim, model):
    net = MODELS[model]["networks"][0]
    args = new_vm(model, "n-kinds", networks=[{"name": net, "device_type": "vmxnet2"},
                                              {"name": net, "device_type": "sriov"}])  # fmt: skip
    check, real, _tasks = three_runs(server, sim, args)
    ref = server.vm("n-kinds")
    assert sorted(d["_type"] for d in devices(server, ref, "nic")) == [
        "VirtualSriovEthernetCard",
        "VirtualVmxnet2",
    ]
    assert [n["device_type"] for n in real["vm"]["nics"]] == ["vmxnet2", "sriov"]
    assert [n["device_type"] for n in check["diff"]["after"]["nics"]] == ["vmxnet2", "sriov"]
    _c, _r, _t = three_runs(
        server, sim, {"name": "n-kinds", "networks": [{"name": net, "device_type": "e1000e"}]}
    )
    assert sorted(d["_type"] for d in devices(server, ref, "nic")) == [
        "VirtualE1000e",
        "VirtualSriovEthernetCard",
    ]


def _twin_switch(server) -> dict:
    """A second distributed switch, in its own network folder, with a port group 'pg-twin' as the
    model's switch has: port group names are unique per folder, not per datacenter."""
    folders = server.names("Folder")
    root = next(r for r, n in folders.items() if n == "network")
    switches = server.names("DistributedVirtualSwitch")
    first = next(iter(switches))
    folder = server.setup_call(root, "CreateFolder", name="net-b")
    spec = {
        "_type": "DVSCreateSpec",
        "configSpec": {"_type": "VMwareDVSConfigSpec", "name": "dvs-b"},
    }
    second = server.setup_task(folder, "CreateDVS_Task", spec=spec)
    pg = {
        "_type": "DVPortgroupConfigSpec",
        "name": "pg-twin",
        "type": "earlyBinding",
        "numPorts": 8,
    }
    for switch in (first, second):
        server.setup_task(switch, "AddDVPortgroup_Task", spec=[pg])
    # A VM's NIC may use a switch its host (and the host's cluster) is a member of.
    version = server.props(second, ["config.configVersion"]).get("config.configVersion")
    members = [{"_type": "DistributedVirtualSwitchHostMemberConfigSpec", "operation": "add", "host": h}
               for h in server.names("HostSystem")]  # fmt: skip
    reconfig = {"_type": "VMwareDVSConfigSpec", "configVersion": version, "host": members}
    server.setup_task(second, "ReconfigureDvs_Task", spec=reconfig)
    uuids = {r: server.props(r, ["uuid"])["uuid"] for r in (first, second)}
    return {"first": (switches[first], uuids[first]), "second": ("dvs-b", uuids[second])}


def test_dvswitch_tells_apart_port_groups_of_one_name(server, sim, model):
    if model == "esx":
        pytest.skip("a standalone ESXi host has no distributed switches")
    twins = _twin_switch(server)
    (first, first_uuid), (second, second_uuid) = twins["first"], twins["second"]
    snapshot = server.snapshot()
    ambiguous = vm_run(sim, new_vm(model, "n-dvs", networks=[{"name": "pg-twin"}]))
    assert ambiguous.failed and "2 networks are named 'pg-twin'" in ambiguous["msg"]
    assert first in ambiguous["msg"] and "dvs-b" in ambiguous["msg"]
    assert server.snapshot() == snapshot
    three_runs(
        server, sim, new_vm(model, "n-dvs", networks=[{"name": "pg-twin", "dvswitch": second}])
    )
    ref = server.vm("n-dvs")
    (nic,) = devices(server, ref, "nic")
    assert nic["backing"]["port"]["switchUuid"] == second_uuid
    check, _real, _tasks = three_runs(
        server, sim, {"name": "n-dvs", "networks": [{"name": "pg-twin", "dvswitch": first}]}
    )
    assert check["changes"] == ["nics[0].network"]
    assert check["diff"]["before"]["nics"][0]["dvswitch"] == second
    assert check["diff"]["after"]["nics"][0]["dvswitch"] == first
    (nic,) = devices(server, ref, "nic")
    assert nic["backing"]["port"]["switchUuid"] == first_uuid
    missing = vm_run(sim, {"name": "n-dvs", "networks": [{"name": "pg-twin", "dvswitch": "nope"}]})
    assert (
        missing.failed
        and "network 'pg-twin' on distributed switch 'nope' not found" in missing["msg"]
    )
