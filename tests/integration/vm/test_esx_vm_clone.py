"""esx_vm with template, snapshot_src, linked_clone, is_template on the simulator (vCenter
model; the ESXi model for the refusal). Check mode is compared with the server's state and
task list (vm_server), real runs are read back from the server, second runs change nothing.
"""

from __future__ import annotations

import pytest
from test_esx_vm import three_runs
from vm_runs import ok, vm_run
from vm_server import Server

MiB = 2**20
PLACE = {"cluster": "DC0_C0", "datastore": "LocalDS_0"}


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A private vCenter model: these tests make templates and clones."""
    return vcsim_factory()


@pytest.fixture(scope="module")
def template(sim, server):
    """A template with a 64 MiB disk and one NIC, made with esx_vm (is_template: true)."""
    ok(vm_run(sim, {"name": "tpl-base", "guest_id": "otherLinux64Guest", "memory_mb": 128,
                    "disks": [{"size_mb": 64}], "networks": [{"name": "VM Network"}], **PLACE}))  # fmt: skip
    args = {"name": "tpl-base", "is_template": True}
    check, real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["template"] and tasks == []  # MarkAsTemplate is no task
    assert check["diff"] == {"before": {"template": False}, "after": {"template": True}}
    assert server.props(server.vm("tpl-base"))["config.template"] is True
    assert real["vm"]["template"] is True
    return "tpl-base"


def test_a_new_vm_with_is_template_is_made_a_template(sim, server):
    """CreateVM_Task makes a VM; is_template on a new VM marks it once made, so the second run
    finds a template and changes nothing."""
    args = {"name": "tpl-new", "guest_id": "otherLinux64Guest", "memory_mb": 128,
            "is_template": True, **PLACE}  # fmt: skip
    check, real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["created"] and check["diff"]["after"]["template"] is True
    assert tasks == ["CreateVM_Task"]  # MarkAsTemplate is no task
    assert server.props(server.vm("tpl-new"))["config.template"] is True
    assert real["vm"]["template"] is True
    powered = vm_run(sim, dict(args, name="tpl-new2", state="powered_on"))
    assert powered.failed and powered["msg"] == (
        "is_template: a template cannot be powered on (state: powered_on)"
    )
    assert server.vm("tpl-new2") is None


def disks(server, ref) -> list[dict]:
    return [d for d in server.props(ref)["config.hardware.device"] if d["_type"] == "VirtualDisk"]


def host_name(server, ref) -> str:
    host = server.props(ref, ["runtime.host"])["runtime.host"]
    return server.names("HostSystem")[host]


def test_clone_from_template(sim, server, template):
    args = {"name": "c-tpl", "template": template, **PLACE, "num_cpus": 2, "memory_mb": 256,
            "annotation": "from the template", "disks": [{"size_mb": 128}, {"size_mb": 32}],
            "state": "powered_on"}  # fmt: skip
    check, real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["created"] and check["vm"] == {}
    assert tasks[0] == "VirtualMachine.cloneVm"
    after = check["diff"]["after"]
    assert after["source"] == {"template": template, "moid": server.vm(template).value,
                               "snapshot": None, "linked_clone": False}  # fmt: skip
    assert (after["num_cpus"], after["memory_mb"], after["power_state"]) == (2, 256, "powered_on")
    assert [d["capacity_bytes"] for d in after["disks"]] == [128 * MiB, 32 * MiB]
    assert after["resource_pool"] == "Resources" and after["datastore"] == "LocalDS_0"
    ref = server.vm("c-tpl")
    props = server.props(ref)
    assert real["vm"]["moid"] == ref.value
    assert props["config.hardware.numCPU"] == 2 and props["config.hardware.memoryMB"] == 256
    assert props["config.annotation"] == "from the template"
    assert props["runtime.powerState"] == "poweredOn" and props["config.template"] is False
    assert props["config.guestId"] == "otherLinux64Guest"
    assert [d["capacityInKB"] for d in disks(server, ref)] == [128 * 1024, 32 * 1024]
    assert host_name(server, ref).startswith("DC0_C0_")
    source_macs = {d["macAddress"] for d in server.props(server.vm(template))["config.hardware.device"]
                   if "macAddress" in d}  # fmt: skip
    macs = {d["macAddress"] for d in props["config.hardware.device"] if "macAddress" in d}
    assert len(macs) == 1 and not macs & source_macs, "a clone never shares a MAC address"
    assert server.props(server.vm(template))["config.template"] is True
    # The diff promises neither the source's files nor its generated MAC: the clone has its own.
    assert [d["file"] for d in after["disks"]] == [None, None]
    assert [n["mac_address"] for n in after["nics"]] == [None]
    files = [d["backing"]["fileName"] for d in disks(server, ref)]
    assert all(f.startswith("[LocalDS_0] c-tpl/") for f in files), files


def test_clone_from_vm_path_to_host(sim, server, template):
    ok(vm_run(sim, {"name": "c-src", "template": template, **PLACE}))
    args = {"name": "c-host", "template": "/DC0/vm/c-src", "host": "DC0_C0_H2",
            "datastore": "LocalDS_0", "folder": "/DC0/vm"}  # fmt: skip
    check, _real, _tasks = three_runs(server, sim, args)
    assert check["diff"]["after"]["host"] == "DC0_C0_H2"
    assert check["diff"]["after"]["power_state"] == "powered_off"
    ref = server.vm("c-host")
    assert host_name(server, ref) == "DC0_C0_H2"
    assert server.props(ref)["runtime.powerState"] == "poweredOff"


def test_clone_without_placement_uses_the_source_host(sim, server, template):
    ok(vm_run(sim, {"name": "c-src2", "template": template, "host": "DC0_C0_H1"}))
    ok(vm_run(sim, {"name": "c-same", "template": "c-src2"}))
    assert host_name(server, server.vm("c-same")) == "DC0_C0_H1"


def test_clone_to_the_latest_hardware_version(sim, server, template):
    """hardware_version: latest is resolved on the clone's host, as for a new VM."""
    args = {"name": "c-latest", "template": template, "hardware_version": "latest", **PLACE}
    check, _real, _tasks = three_runs(server, sim, args)
    version = server.props(server.vm("c-latest"))["config.version"]
    assert check["diff"]["after"]["hardware_version"] == version
    assert version == "vmx-13"  # the newest the simulator's hosts offer (tests/vcsim envbrowser.go)


def test_linked_clone(sim, server, template):
    ok(vm_run(sim, {"name": "c-linksrc", "template": template, **PLACE}))
    src = server.vm("c-linksrc")
    server.task(src, "CreateSnapshot_Task", name="base", memory=False, quiesce=False)
    base_disk = disks(server, src)[0]["backing"]["fileName"]
    refused = vm_run(sim, {"name": "c-link", "template": "c-linksrc", "linked_clone": True})
    assert refused.failed and "set snapshot_src" in refused["msg"], refused.get("msg")
    assert server.vm("c-link") is None
    args = {"name": "c-link", "template": "c-linksrc", "snapshot_src": "base",
            "linked_clone": True, **PLACE}  # fmt: skip
    check, _real, _tasks = three_runs(server, sim, args)
    assert check["diff"]["after"]["source"]["snapshot"] == "base"
    assert check["diff"]["after"]["source"]["linked_clone"] is True
    ref = server.vm("c-link")
    backing = disks(server, ref)[0]["backing"]
    assert backing["parent"]["fileName"] == base_disk
    assert backing["fileName"] != base_disk
    info = ok(vm_run_info(sim, "c-link"))
    facts = info["vms"][0]
    label = facts["disks"][0]["label"]
    assert facts["linked_clone"] == [{"label": label, "file": backing["fileName"],
                                      "parent": base_disk}]  # fmt: skip
    assert ok(vm_run_info(sim, "c-linksrc"))["vms"][0]["linked_clone"] is None
    # Without the device list, linked_clone is null (docs), for one VM as for many.
    assert ok(vm_run_info(sim, "c-link", devices=False))["vms"][0]["linked_clone"] is None


def test_unknown_snapshot_and_template(sim, server, template):
    before = server.snapshot(), server.tasks()
    result = vm_run(sim, {"name": "c-none", "template": template, "snapshot_src": "nope"})
    assert (
        result.failed
        and "snapshot_src: snapshot 'nope' not found in VM 'tpl-base'" in result["msg"]
    )
    result = vm_run(sim, {"name": "c-none", "template": "no-such-template"})
    assert (
        result.failed
        and "template: VM 'no-such-template' not found in any datacenter" in result["msg"]
    )
    assert (server.snapshot(), server.tasks()) == before


def test_template_back_to_vm_and_again(sim, server, template):
    ok(vm_run(sim, {"name": "c-flip", "template": template, "is_template": True, **PLACE}))
    ref = server.vm("c-flip")
    assert server.props(ref)["config.template"] is True
    args = {"name": "c-flip", "is_template": False, "cluster": "DC0_C0", "state": "powered_on"}
    check, _real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["power_state", "template"]
    assert tasks == ["PowerOnVM_Task"]  # MarkAsVirtualMachine is no task
    props = server.props(ref)
    assert props["config.template"] is False and props["runtime.powerState"] == "poweredOn"
    assert props["resourcePool"] is not None
    refused = vm_run(sim, {"name": "c-flip", "is_template": True})
    assert refused.failed and "a template must be powered off" in refused["msg"]


def test_existing_vm_is_not_cloned_again(sim, server, template):
    ok(vm_run(sim, {"name": "c-once", "template": template, **PLACE}))
    tasks = server.tasks()
    again = ok(vm_run(sim, {"name": "c-once", "template": "no-such-template", **PLACE}))
    assert again["changed"] is False and server.tasks() == tasks


def vm_run_info(sim, name: str, **options):
    from ansible_run import run_module

    return run_module("esx_vm_info", {"name": name, **options}, sim=sim)


def test_esxi_refuses_at_once(vcsim_esx):
    esx = Server(vcsim_esx)
    try:
        before = esx.snapshot(), esx.tasks()
        result = vm_run(vcsim_esx, {"name": "c-esx", "template": "ha-host_VM0"})
        assert result.failed
        assert "cloning needs vCenter" in result["msg"] and "apiType HostAgent" in result["msg"]
        result = vm_run(vcsim_esx, {"name": "ha-host_VM0", "state": "powered_off",
                                    "customization": {"existing_vm": True}})  # fmt: skip
        assert result.failed and "guest customization needs vCenter" in result["msg"]
        assert (esx.snapshot(), esx.tasks()) == before
    finally:
        esx.close()


def test_a_template_name_two_vms_share(sim, server):
    """A bare name two VMs share is an error of the template option that asks for the path;
    the inventory path picks one."""
    root = next(r for r, n in server.names("Folder").items() if n == "vm")
    server.call(root, "CreateFolder", name="twins")
    for folder in ("/DC0/vm", "/DC0/vm/twins"):
        ok(vm_run(sim, {"name": "c-twin", "guest_id": "otherLinux64Guest", "memory_mb": 64,
                        "folder": folder, **PLACE}))  # fmt: skip
    before = server.snapshot(), server.tasks()
    result = vm_run(sim, {"name": "c-of-twin", "template": "c-twin", **PLACE})
    assert result.failed
    assert result["msg"].startswith(
        "template: 2 VMs are named 'c-twin'; give template as the inventory path of one. "
        "Their folders: /DC0/vm, /DC0/vm/twins"
    ), result["msg"]
    assert (server.snapshot(), server.tasks()) == before
    check = ok(vm_run(sim, {"name": "c-of-twin", "template": "/DC0/vm/twins/c-twin", **PLACE},
                      check=True))  # fmt: skip
    assert check["changed"] is True
    assert (server.snapshot(), server.tasks()) == before
