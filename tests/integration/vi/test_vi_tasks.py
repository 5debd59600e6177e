"""Waiting for real tasks on the simulator: success, a result, and a task that fails."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults, find, tasks
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A private vCenter model: these tests power VMs off and clone them."""
    return vcsim_factory()


def powered_on_vm(sim, client, index: int) -> MoRef:
    vms = [vm for vm in sim.manifest["vms"] if vm["power_state"] == "poweredOn"]
    ref = MoRef("VirtualMachine", vms[index]["moid"])
    assert collector.get_one(client, ref, ["runtime.powerState"]) == {
        "runtime.powerState": "poweredOn"
    }
    return ref


def test_power_off_waits_for_the_task_and_the_vm_is_off(sim, connect):
    client = connect(sim)
    vm = powered_on_vm(sim, client, 0)
    task = client.call(vm, "PowerOffVM_Task")
    assert task.type == "Task"
    assert tasks.wait_for_task(client, task, timeout=300) is None
    assert collector.get_one(client, vm, ["runtime.powerState"]) == {
        "runtime.powerState": "poweredOff"
    }
    info = collector.get_one(client, task, ["info"])["info"]
    assert info["state"] == "success" and info["entity"] == vm


def test_a_task_result_is_decoded(sim, connect):
    client = connect(sim)
    vm = powered_on_vm(sim, client, 1)
    folder = collector.get_one(client, vm, ["parent"])["parent"]
    spec = {"_type": "VirtualMachineCloneSpec", "location": {"_type": "VirtualMachineRelocateSpec"},
            "template": False, "powerOn": False}  # fmt: skip
    task = client.call(vm, "CloneVM_Task", folder=folder, name="clone-of-vm", spec=spec)
    clone = tasks.wait_for_task(client, task, timeout=300)
    assert isinstance(clone, MoRef) and clone.type == "VirtualMachine"
    assert collector.get_one(client, clone, ["name"]) == {"name": "clone-of-vm"}
    assert find.find_vm_by_name(client, "clone-of-vm") == clone


def test_a_failing_task_raises_task_failed_with_the_servers_fault(sim, connect):
    client = connect(sim)
    vm = powered_on_vm(sim, client, 2)
    tasks.wait_for_task(client, client.call(vm, "PowerOffVM_Task"), timeout=300)
    task = client.call(vm, "PowerOffVM_Task")
    with pytest.raises(faults.TaskFailed) as info:
        tasks.wait_for_task(client, task, timeout=300)
    e = info.value
    assert e.task == task.value
    assert isinstance(e.fault, faults.InvalidPowerState)
    assert e.fault.detail["existingState"] == "poweredOff"
    assert e.fault.detail["requestedState"] == "poweredOff"
    # The fault is the one the server recorded on the task.
    recorded = collector.get_one(client, task, ["info"])["info"]["error"]
    assert e.fault.message == recorded["localizedMessage"]
    assert recorded["fault"]["_type"] == "InvalidPowerState"
    assert str(e).startswith(
        f"task {task.value} (VirtualMachine.powerOff) failed: InvalidPowerState"
    )


def test_the_private_collector_is_destroyed(sim, connect):
    client = connect(sim)
    vm = powered_on_vm(sim, client, 3)
    created = []
    call = client.call

    def recording(obj, method, **args):
        result = call(obj, method, **args)
        if method == "CreatePropertyCollector":
            created.append(result)
        return result

    client.call = recording
    tasks.wait_for_task(client, call(vm, "PowerOffVM_Task"), timeout=300)
    assert len(created) == 1
    with pytest.raises(faults.ManagedObjectNotFound):
        call(created[0], "DestroyPropertyCollector")
