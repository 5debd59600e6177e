"""esx_migrate and a running VM's SCSI controller that shares its bus: the host move is blocked
by `passthrough` (the server refuses it: SharedBusControllerNotSupported, "an error when
migrating a powered-on virtual machine"); with the bus not shared, the VM moves."""

from __future__ import annotations

import pytest
from ansible_run import run_module
from return_docs import assert_matches_return
from second_reader import placed

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

SCENARIO = ("--scenario", "premigration")


def client(sim) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path))


def vm_row(c, name: str):
    rows = collect(c, {"VirtualMachine": ["name", "runtime.host", "runtime.powerState",
                                          "config.hardware.device"]})  # fmt: skip
    return next((r, p) for r, p in rows if p["name"] == name)


def share_bus(sim, vm: str, mode: str) -> None:
    """Set the VM's first SCSI controller's sharedBus, through the server."""
    with client(sim) as c:
        ref, props = vm_row(c, vm)
        controller = next(d for d in props["config.hardware.device"] if "sharedBus" in d)
        controller = dict(controller, sharedBus=mode)
        change = {"_type": "VirtualDeviceConfigSpec", "operation": "edit", "device": controller}
        spec = {"_type": "VirtualMachineConfigSpec", "deviceChange": [change]}
        wait_for_task(c, c.call(ref, "ReconfigVM_Task", spec=spec), 60)


def host_of(sim, vm: str) -> str:
    """The running VM's host, read through pyVmomi."""
    host, _pool, power = placed(sim, vm)
    assert power == "poweredOn"
    return host


@pytest.fixture
def sim(vcsim_factory):
    return vcsim_factory(*SCENARIO)


def test_a_shared_scsi_bus_blocks_the_host_move_of_a_running_vm(sim):
    vm, ok_host = (
        sim.manifest["premigration"]["vms"]["clean"],
        sim.manifest["premigration"]["hosts"]["ok"],
    )
    source = host_of(sim, vm)
    share_bus(sim, vm, "physicalSharing")
    result = run_module("esx_migrate", {"name": vm, "host": ok_host}, sim=sim)
    assert result.failed and result["blocked_by"] == ["passthrough"], result.result
    assert_matches_return("esx_migrate", result.result)
    (finding,) = [c for c in result["checks"] if c["name"] == "passthrough"]
    assert finding["status"] == "failed" and "(physicalSharing)" in finding["message"]
    assert host_of(sim, vm) == source
    share_bus(sim, vm, "noSharing")
    moved = run_module("esx_migrate", {"name": vm, "host": ok_host}, sim=sim)
    assert not moved.failed and moved["changed"] is True, moved.get("msg")
    assert host_of(sim, vm) == ok_host
