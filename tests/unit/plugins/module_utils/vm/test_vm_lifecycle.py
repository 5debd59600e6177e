"""vm/lifecycle.py: the power steps from each state, and the cleanup after a failed creation.

The simulator cannot make CreateVM_Task fail half-way (it always removes what it made), so the
cleanup runs here over a call-level fake that answers like a vCenter would.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_spec import plan

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    InvalidArgument,
    TaskFailed,
    make_fault,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm import lifecycle

NOTHING = plan()  # no configuration change
COLD = plan(num_cpus=4)  # a change that needs the VM off


def steps(power, state, p=NOTHING, tools="ok", template=False, **params):
    facts = {"name": "web", "power_state": power, "tools_status": tools, "template": template}
    return lifecycle.power_steps(facts, state, p, params)


@pytest.mark.parametrize(
    "power, state, expected",
    [
        ("powered_on", "present", ([], [])),
        ("powered_off", "powered_on", ([], ["power_on"])),
        ("suspended", "powered_on", ([], ["power_on"])),
        ("powered_on", "powered_off", (["power_off"], [])),
        ("suspended", "powered_off", (["power_off"], [])),
        ("powered_off", "powered_off", ([], [])),
        ("powered_on", "suspended", ([], ["suspend"])),
        ("suspended", "suspended", ([], [])),
        ("powered_on", "restarted", ([], ["reset"])),
        ("powered_off", "restarted", ([], ["power_on"])),
        ("powered_on", "shutdown_guest", (["shutdown_guest"], [])),
        ("powered_off", "shutdown_guest", ([], [])),
        ("powered_on", "reboot_guest", ([], ["reboot_guest"])),
        ("powered_off", "reboot_guest", ([], ["power_on"])),
    ],
)  # fmt: skip
def test_power_steps(power, state, expected):
    assert steps(power, state) == expected


def test_guest_operations_without_tools_fail_or_force():
    for state in ("shutdown_guest", "reboot_guest"):
        with pytest.raises(InvalidArgument, match="VMware Tools are not running.*set force: true"):
            steps("powered_on", state, tools="not_running")
    assert steps("powered_on", "shutdown_guest", tools="not_installed", force=True) == (
        ["power_off"],
        [],
    )
    assert steps("powered_on", "reboot_guest", tools=None, force=True) == ([], ["reset"])
    assert steps("suspended", "shutdown_guest", force=True) == (["power_off"], [])
    with pytest.raises(InvalidArgument, match="it is suspended"):
        steps("suspended", "shutdown_guest")


def test_cold_changes_need_allow_power_cycle_and_restore_the_state():
    with pytest.raises(InvalidArgument) as e:
        steps("powered_on", "present", COLD)
    assert "changing num_cpus needs VM 'web' powered off (it is powered_on)" in str(e.value)
    assert "allow_power_cycle: true" in str(e.value)
    assert steps("powered_on", "present", COLD, allow_power_cycle=True) == (
        ["power_off"],
        ["power_on"],
    )
    assert steps("powered_on", "powered_on", COLD, allow_power_cycle=True) == (
        ["power_off"],
        ["power_on"],
    )
    assert steps("powered_on", "suspended", COLD, allow_power_cycle=True) == (
        ["power_off"], ["power_on", "suspend"])  # fmt: skip
    assert steps("powered_on", "restarted", COLD) == (["power_off"], ["power_on"])
    assert steps("powered_on", "reboot_guest", COLD) == (["shutdown_guest"], ["power_on"])
    assert steps("powered_off", "present", COLD) == ([], [])
    assert steps("powered_on", "powered_off", COLD) == (["power_off"], [])


def test_suspended_vms_and_templates():
    with pytest.raises(
        InvalidArgument, match="VM 'web' is suspended; changing memory_mb needs it powered off"
    ):
        steps("suspended", "present", plan(memory_mb=4096), allow_power_cycle=True)
    assert steps("suspended", "present", plan(annotation="ok")) == ([], [])
    with pytest.raises(InvalidArgument, match="powered off; it cannot be suspended"):
        steps("powered_off", "suspended")
    with pytest.raises(InvalidArgument, match="is a template; state powered_on needs a VM"):
        steps("powered_off", "powered_on", template=True)


class FakeVCenter:
    """Call-level answers like a vCenter's: the folder tree, task submits, task waits."""

    timeout = 60

    def __init__(self, left_behind: bool, destroy_fails: bool = False):
        self.calls = []
        self.left_behind, self.destroy_fails = left_behind, destroy_fails
        self.content = {"propertyCollector": MoRef("PropertyCollector", "propertyCollector"),
                        "rootFolder": MoRef("Folder", "group-d1")}  # fmt: skip

    def call(self, obj, method, **args):
        self.calls.append((method, obj))
        if method == "RetrievePropertiesEx":
            return {"objects": [self._row(r, p) for r, p in self._tree()]}
        if method == "WaitForUpdatesEx":
            info = {"state": "success"}
            if self.destroy_fails:
                error = {"localizedMessage": "the file is locked", "fault": {"_type": "FileLocked"}}
                info = {"state": "error", "error": error}
            change = {"name": "info", "val": info}
            return {"version": "1", "filterSet": [{"objectSet": [{"changeSet": [change]}]}]}
        return {"Destroy_Task": MoRef("Task", "task-9"), "CreatePropertyCollector": MoRef("PropertyCollector", "pc2"),
                "CreateFilter": MoRef("PropertyFilter", "f1")}.get(method)  # fmt: skip

    def _tree(self):
        dc, folder = MoRef("Datacenter", "datacenter-2"), MoRef("Folder", "group-v3")
        rows = [(dc, {"name": "DC0", "parent": MoRef("Folder", "group-d1")}),
                (folder, {"name": "vm", "parent": dc})]  # fmt: skip
        if self.left_behind:
            rows.append(
                (
                    MoRef("VirtualMachine", "vm-77"),
                    {"name": "web", "parent": MoRef("Folder", "group-v3")},
                )
            )
        return rows

    @staticmethod
    def _row(ref, props):
        return {"obj": ref, "propSet": [{"name": k, "val": v} for k, v in props.items()]}


WHERE = SimpleNamespace(folder_path="/DC0/vm", catalog=SimpleNamespace(datacenter=None))
DETAIL = {"_type": "InvalidDeviceSpec", "property": "virtualDeviceSpec.device.backing"}
ERROR = TaskFailed(
    "task-5", make_fault("InvalidDeviceSpec", "Invalid configuration for device '0'.", DETAIL)
)


def test_a_half_made_vm_is_deleted_and_the_message_says_so():
    client = FakeVCenter(left_behind=True)
    message = lifecycle._cleanup_failed_create(client, "web", WHERE, ERROR)
    assert message.startswith("creating VM 'web' failed: task task-5")
    assert "InvalidDeviceSpec: Invalid configuration for device '0'." in message
    assert "(invalid property: virtualDeviceSpec.device.backing)" in message
    assert message.endswith("the partly created VM vm-77 was deleted")
    assert ("Destroy_Task", MoRef("VirtualMachine", "vm-77")) in client.calls


def test_nothing_left_means_nothing_deleted():
    client = FakeVCenter(left_behind=False)
    message = lifecycle._cleanup_failed_create(client, "web", WHERE, ERROR)
    assert message.endswith("; nothing was left behind")
    assert "Destroy_Task" not in [method for method, _obj in client.calls]


def test_a_failed_cleanup_names_the_vm_to_delete_by_hand():
    client = FakeVCenter(left_behind=True, destroy_fails=True)
    message = lifecycle._cleanup_failed_create(client, "web", WHERE, ERROR)
    assert "the partly created VM vm-77 is left, delete it by hand" in message
    assert "FileLocked: the file is locked" in message


def test_a_delete_that_fails_after_the_power_off_reports_the_change(monkeypatch):
    ref = MoRef("VirtualMachine", "vm-9")
    facts = {"name": "web", "power_state": "powered_on"}
    monkeypatch.setattr(lifecycle, "gather_one", lambda client, r, *a: ({}, facts))
    sent = []

    def task(client, r, method, params=None, **args):
        sent.append(method)
        if method == "Destroy_Task":
            raise faults.make_fault("InvalidState", "the VM is locked")

    monkeypatch.setattr(lifecycle, "_task", task)
    with pytest.raises(lifecycle.PartialFailure) as err:
        lifecycle._delete(None, ref, {"force": True}, check_mode=False)
    assert sent == ["PowerOffVM_Task", "Destroy_Task"]
    assert err.value.result["changed"] is True
    assert "after power_off succeeded" in str(err.value)


def test_an_accepted_guest_shutdown_counts_as_done_even_if_it_never_finishes(monkeypatch):
    class Client:
        def call(self, obj, method, **args):
            assert method == "ShutdownGuest"

    def never_off(client, ref, params):
        raise faults.make_fault("Timeout", "the guest did not shut down within 1s (guest_timeout)")

    monkeypatch.setattr(lifecycle, "_wait_off", never_off)
    done = []
    with pytest.raises(faults.Fault):
        lifecycle._power(Client(), MoRef("VirtualMachine", "vm-9"), "shutdown_guest", {}, done)
    assert done == ["shutdown_guest"]
