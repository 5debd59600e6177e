"""A *_Task submit whose answer is lost is never re-sent blindly: the client finds its task."""

from __future__ import annotations

import pytest
from faultproxy import CLOSE_MIDSTREAM, DROP_AFTER, DROP_BEFORE, UNAVAILABLE

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults, find
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

from .helpers import client_for, vm_names


def create_vm_args(client, name: str) -> tuple[MoRef, dict]:
    """A new VM folder (named after the VM) and CreateVM_Task arguments for a minimal VM.

    A fresh folder per test: the simulator's own CreateVM tasks (on the datacenter's VM folder,
    from the model's creation) are then never candidates for the lost answer.
    """
    dc = find.find_datacenter(client)
    vm_folder = collector.get_one(client, dc, ["vmFolder"])["vmFolder"]
    folder = client.call(vm_folder, "CreateFolder", name=f"f-{name}")
    hosts = collector.collect(client, {"HostSystem": ["parent"]})
    compute = sorted(p["parent"] for _ref, p in hosts if p["parent"].type == "ComputeResource")[0]
    pool = collector.get_one(client, compute, ["resourcePool"])["resourcePool"]
    config = {
        "_type": "VirtualMachineConfigSpec",
        "name": name,
        "guestId": "otherGuest",
        "numCPUs": 1,
        "memoryMB": 32,
        "files": {"_type": "VirtualMachineFileInfo", "vmPathName": "[LocalDS_0]"},
    }
    return folder, {"config": config, "pool": pool}


@pytest.mark.parametrize("fault", [DROP_AFTER, CLOSE_MIDSTREAM])
def test_lost_answer_to_create_vm_returns_the_running_task(sim, proxy, fault):
    """The server created the VM, the answer never arrived: one submit, one VM, its task."""
    name = f"lost-answer-{fault}"
    with client_for(proxy, sim) as client:
        folder, args = create_vm_args(client, name)
        proxy.next(fault, method="CreateVM_Task")
        task = client.call(folder, "CreateVM_Task", **args)
        assert isinstance(task, MoRef) and task.type == "Task"
        vm = wait_for_task(client, task, timeout=120)
    assert proxy.count("CreateVM_Task") == 1
    assert vm_names(sim).count(name) == 1
    with client_for(sim) as direct:
        info = collector.get_one(direct, task, ["info"])["info"]
        assert info["result"] == vm
        assert collector.get_one(direct, vm, ["name"])["name"] == name


@pytest.mark.parametrize("fault", [DROP_BEFORE, UNAVAILABLE])
def test_lost_submit_is_reported_not_repeated(sim, proxy, fault):
    """The server never saw the submit: no task is found, the error says so, nothing is re-sent."""
    name = f"never-sent-{fault}"
    with client_for(proxy, sim) as client:
        folder, args = create_vm_args(client, name)
        proxy.next(fault, method="CreateVM_Task")
        with pytest.raises(faults.TransportError) as err:
            client.call(folder, "CreateVM_Task", **args)
    assert proxy.count("CreateVM_Task") == 1
    assert name not in vm_names(sim)
    message = str(err.value)
    assert "CreateVM_Task" in message and "no task" in message and "not sent again" in message


def test_older_task_of_the_same_kind_is_not_taken_for_the_lost_one(sim, proxy):
    """A finished CreateVM_Task on the same folder from before the submit is not the answer."""
    with client_for(proxy, sim) as client:
        folder, args = create_vm_args(client, "earlier-vm")
        wait_for_task(client, client.call(folder, "CreateVM_Task", **args), timeout=120)
        args["config"]["name"] = "later-vm-never-sent"
        proxy.next(DROP_BEFORE, method="CreateVM_Task")
        with pytest.raises(faults.TransportError, match="no task"):
            client.call(folder, "CreateVM_Task", **args)
    names = vm_names(sim)
    assert names.count("earlier-vm") == 1 and "later-vm-never-sent" not in names
