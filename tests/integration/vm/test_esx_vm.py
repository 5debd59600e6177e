"""esx_vm's matrix on vCenter and ESXi models: create, change, power states, delete.

Each step runs three times: in check mode (changed reported, the server's VM state and task list
untouched), for real (the change is on the server, read back independently), and again
(changed=false, and no task at all: no ReconfigVM_Task was sent).
"""

from __future__ import annotations

from faultproxy import HOOK, FaultProxy
from vm_runs import MODELS, ok, vm_run
from vm_server import task_names

MiB = 2**20


def three_runs(server, sim, args: dict):
    """Check mode, real run, second run; returns (check, real, new task names of the real run)."""
    snapshot, tasks = server.snapshot(), server.tasks()
    check = ok(vm_run(sim, args, check=True))
    assert check["changed"] is True
    assert server.snapshot() == snapshot, "check mode changed the server"
    assert server.tasks() == tasks, "check mode started a task"
    real = ok(vm_run(sim, args))
    assert real["changed"] is True
    assert real["changes"] == check["changes"]
    assert real["diff"] == check["diff"]
    after = server.tasks()
    again = ok(vm_run(sim, args))
    assert again["changed"] is False, again.get("changes")
    assert "changes" not in again.result
    assert server.tasks() == after, "the second run sent a task (ReconfigVM_Task or other)"
    assert again["diff"]["before"] == again["diff"]["after"]
    return check, real, task_names(tasks, after)


def new_vm(model: str, name: str, **extra) -> dict:
    args = {"name": name, "guest_id": "otherGuest64", "memory_mb": 128, **MODELS[model]["place"]}
    args.update(extra)
    return args


def devices(server, ref, kind: str) -> list[dict]:
    found = server.props(ref)["config.hardware.device"]
    return [d for d in found if d["_type"] == kind or (kind == "nic" and "macAddress" in d)]


def test_create(server, sim, model):
    nets = MODELS[model]["networks"]
    args = new_vm(
        model, "m-create", num_cpus=2, memory_mb=256, hardware_version="11", annotation="made here",
        disks=[{"size_mb": 64}], networks=[{"name": n} for n in nets],
        cdrom={"iso_path": "[LocalDS_0] iso/boot.iso"}, state="powered_on",
    )  # fmt: skip
    check, real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["created"]
    assert check["vm"] == {}
    assert tasks == ["CreateVM_Task", "PowerOnVM_Task"]
    after = check["diff"]["after"]
    assert check["diff"]["before"] == {}
    assert (after["name"], after["num_cpus"], after["memory_mb"]) == ("m-create", 2, 256)
    assert after["power_state"] == "powered_on" and after["hardware_version"] == "vmx-11"
    assert [d["capacity_bytes"] for d in after["disks"]] == [64 * MiB]
    assert [n["network"] for n in after["nics"]] == nets
    ref = server.vm("m-create")
    props = server.props(ref)
    assert real["vm"]["moid"] == ref.value
    assert props["config.hardware.numCPU"] == 2 and props["config.hardware.memoryMB"] == 256
    assert props["config.version"] == "vmx-11" and props["config.annotation"] == "made here"
    assert props["runtime.powerState"] == "poweredOn"
    assert [d["capacityInKB"] for d in devices(server, ref, "VirtualDisk")] == [64 * 1024]
    assert [d["_type"] for d in devices(server, ref, "nic")] == ["VirtualVmxnet3"] * len(nets)
    cdrom = devices(server, ref, "VirtualCdrom")[-1]
    assert cdrom["backing"]["fileName"] == "[LocalDS_0] iso/boot.iso"


def test_change_while_running(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-hot", disks=[{"size_mb": 64}], networks=[{"name": "VM Network"}],
                          cdrom={"iso_path": "[LocalDS_0] a.iso"}, state="powered_on")))  # fmt: skip
    args = {
        "name": "m-hot", "annotation": "grown", "disks": [{"size_mb": 128}, {"size_mb": 32}],
        "networks": [{"name": "VM Network", "start_connected": False}, {"name": "VM Network"}],
        "cdrom": {"type": "client"},
    }  # fmt: skip
    check, _real, tasks = three_runs(server, sim, args)
    assert tasks == ["ReconfigVM_Task"]
    assert check["changes"] == [
        "annotation", "disks[0].capacity_bytes", "disks[1]", "nics[0].start_connected", "nics[1]",
        "cdroms[0].type", "cdroms[0].iso_path",
    ]  # fmt: skip
    diff = check["diff"]
    assert diff["before"]["annotation"] is None and diff["after"]["annotation"] == "grown"
    assert [d["capacity_bytes"] for d in diff["before"]["disks"]] == [64 * MiB]
    assert [d["capacity_bytes"] for d in diff["after"]["disks"]] == [128 * MiB, 32 * MiB]
    assert diff["after"]["cdroms"][0]["type"] == "client"
    ref = server.vm("m-hot")
    assert sorted(d["capacityInKB"] for d in devices(server, ref, "VirtualDisk")) == [
        32 * 1024,
        128 * 1024,
    ]
    assert len(devices(server, ref, "nic")) == 2
    assert "Remote" in devices(server, ref, "VirtualCdrom")[0]["backing"]["_type"]
    assert server.power(ref) == "poweredOn"


def test_cold_change_needs_power_cycle(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-cold", state="powered_on")))
    ref = server.vm("m-cold")
    args = {"name": "m-cold", "num_cpus": 4, "cores_per_socket": 2, "memory_mb": 512}
    refused = vm_run(sim, args)
    assert refused.failed
    assert "num_cpus, cores_per_socket, memory_mb" in refused["msg"]
    assert "allow_power_cycle" in refused["msg"]
    assert server.props(ref)["config.hardware.numCPU"] == 1
    check, _real, tasks = three_runs(server, sim, dict(args, allow_power_cycle=True))
    assert tasks == ["PowerOffVM_Task", "ReconfigVM_Task", "PowerOnVM_Task"]
    assert check["diff"]["after"] == {"num_cpus": 4, "cores_per_socket": 2, "memory_mb": 512}
    props = server.props(ref)
    assert props["config.hardware.numCPU"] == 4 and props["config.hardware.numCoresPerSocket"] == 2
    assert props["runtime.powerState"] == "poweredOn", "the power state was not restored"


def test_hardware_upgrade_and_guest_id_with_the_vm_off(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-upgrade", hardware_version="vmx-11", state="powered_on")))
    args = {
        "name": "m-upgrade",
        "hardware_version": 13,
        "guest_id": "ubuntu64Guest",
        "state": "powered_off",
    }
    check, _real, tasks = three_runs(server, sim, args)
    assert tasks == ["PowerOffVM_Task", "ReconfigVM_Task", "UpgradeVM_Task"]
    assert check["changes"] == ["guest_id", "hardware_version", "power_state"]
    assert check["diff"]["before"]["hardware_version"] == "vmx-11"
    assert check["diff"]["after"]["power_state"] == "powered_off"
    props = server.props(server.vm("m-upgrade"))
    assert props["config.version"] == "vmx-13" and props["config.guestId"] == "ubuntu64Guest"
    downgrade = vm_run(sim, {"name": "m-upgrade", "hardware_version": "vmx-11"})
    assert downgrade.failed and "downgrading to vmx-11" in downgrade["msg"]


def test_power_states(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-power")))
    ref = server.vm("m-power")
    for state, power, task in (
        ("powered_on", "poweredOn", "PowerOnVM_Task"),
        ("suspended", "suspended", "SuspendVM_Task"),
        ("powered_on", "poweredOn", "PowerOnVM_Task"),
        ("powered_off", "poweredOff", "PowerOffVM_Task"),
    ):
        check, _real, tasks = three_runs(server, sim, {"name": "m-power", "state": state})
        assert tasks == [task], state
        assert check["changes"] == ["power_state"]
        assert check["diff"]["after"] == {"power_state": state}
        assert server.power(ref) == power


def test_restarted_always_changes(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-restart", state="powered_on")))
    tasks = server.tasks()
    check = ok(vm_run(sim, {"name": "m-restart", "state": "restarted"}, check=True))
    assert check["changed"] and server.tasks() == tasks
    for _round in range(2):
        before = server.tasks()
        assert ok(vm_run(sim, {"name": "m-restart", "state": "restarted"}))["changed"]
        # The simulator's reset is a power off and on, which show as tasks of their own.
        assert task_names(before, server.tasks())[0] == "ResetVM_Task"
    assert server.power(server.vm("m-restart")) == "poweredOn"


def test_guest_operations_without_tools(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-guest", state="powered_on")))
    ref = server.vm("m-guest")
    for state in ("shutdown_guest", "reboot_guest"):
        refused = vm_run(sim, {"name": "m-guest", "state": state})
        assert refused.failed and "VMware Tools are not running" in refused["msg"]
        assert "force: true" in refused["msg"]
    before = server.tasks()
    ok(vm_run(sim, {"name": "m-guest", "state": "reboot_guest", "force": True}))
    assert task_names(before, server.tasks())[0] == "ResetVM_Task"
    check, _real, tasks = three_runs(
        server, sim, {"name": "m-guest", "state": "shutdown_guest", "force": True}
    )
    assert tasks == ["PowerOffVM_Task"]
    assert server.power(ref) == "poweredOff"


def test_guest_operations_with_tools(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-tools", state="powered_on")))
    ref = server.vm("m-tools")
    server.set_tools_running(ref)
    # The simulator has no RebootGuest: the server's fault reaches the user as it is.
    reboot = vm_run(sim, {"name": "m-tools", "state": "reboot_guest"})
    assert reboot.failed and "does not implement: RebootGuest" in reboot["msg"]
    assert reboot["fault"] == "MethodNotFound"
    check, _real, tasks = three_runs(server, sim, {"name": "m-tools", "state": "shutdown_guest"})
    assert tasks == [], "ShutdownGuest is a call, not a task; no hard power off was used"
    assert server.power(ref) == "poweredOff"


def test_delete(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-delete", state="powered_on")))
    refused = vm_run(sim, {"name": "m-delete", "state": "absent"})
    assert refused.failed and "force: true" in refused["msg"]
    check, real, tasks = three_runs(
        server, sim, {"name": "m-delete", "state": "absent", "force": True}
    )
    # (the simulator's Destroy_Task deletes the VM's directory with a task of its own)
    assert tasks[:2] == ["PowerOffVM_Task", "Destroy_Task"]
    assert check["changes"] == ["deleted"] and real["vm"] == {}
    assert check["diff"]["after"] == {} and check["diff"]["before"]["power_state"] == "powered_on"
    assert server.vm("m-delete") is None


def test_server_fault_reaches_the_user(server, sim, model, tmp_path):
    """The server refuses a reconfiguration: its fault reaches the user with the VM's facts.

    esx_vm refuses a guest id the host does not offer before sending anything, so the proxy
    turns the valid guest id of the ReconfigVM_Task into one the server refuses.
    """
    ok(vm_run(sim, new_vm(model, "m-fault")))

    def unknown_guest(req):
        req.body = req.body.replace(b"<guestId>ubuntu64Guest<", b"<guestId>noSuchGuest<", 1)
        req.headers = [
            (k, str(len(req.body)) if k.lower() == "content-length" else v) for k, v in req.headers
        ]

    with FaultProxy(sim.host, sim.port, upstream_ca=sim.ca_path, cert_dir=tmp_path) as proxy:
        proxy.next(HOOK, method="ReconfigVM_Task", hook=unknown_guest)
        through = {"hostname": proxy.host, "port": proxy.port, "ca_path": proxy.ca_path}
        failed = vm_run(sim, {"name": "m-fault", "guest_id": "ubuntu64Guest", **through})
    assert failed.failed
    assert "InvalidArgument" in failed["msg"] and "configSpec.guestId" in failed["msg"]
    assert failed["vm"]["name"] == "m-fault", "the failure comes with the VM's facts"


def test_placement_is_ignored_for_an_existing_vm(server, sim, model):
    ok(vm_run(sim, new_vm(model, "m-placed")))
    ref = server.vm("m-placed")
    before, tasks = server.props(ref), server.tasks()
    moved = {"name": "m-placed", "host": "elsewhere", "cluster": "other", "resource_pool": "gold",
             "datastore": "ds-other", "guest_id": "otherGuest64"}  # fmt: skip
    result = ok(vm_run(sim, moved))
    assert result["changed"] is False and server.tasks() == tasks
    assert server.props(ref) == before
