"""vm/lifecycle.py: the plan-then-apply runner; vm/create.py: the cleanup after a failed creation.

The simulator cannot make CreateVM_Task fail half-way (it always removes what it made), so the
cleanup runs here over a call-level fake that answers like a vCenter would.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import TaskFailed, make_fault
from ansible_collections.viapi.esx.plugins.module_utils.vm import create, lifecycle
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity, VmRequest


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
    message = create.cleanup_failed_create(client, "web", WHERE, ERROR)
    assert message.startswith("creating VM 'web' failed: task task-5")
    assert "InvalidDeviceSpec: Invalid configuration for device '0'." in message
    assert "(invalid property: virtualDeviceSpec.device.backing)" in message
    assert message.endswith("the partly created VM vm-77 was deleted")
    assert ("Destroy_Task", MoRef("VirtualMachine", "vm-77")) in client.calls


def test_nothing_left_means_nothing_deleted():
    client = FakeVCenter(left_behind=False)
    message = create.cleanup_failed_create(client, "web", WHERE, ERROR)
    assert message.endswith("; nothing was left behind")
    assert "Destroy_Task" not in [method for method, _obj in client.calls]


def test_a_failed_cleanup_names_the_vm_to_delete_by_hand():
    client = FakeVCenter(left_behind=True, destroy_fails=True)
    message = create.cleanup_failed_create(client, "web", WHERE, ERROR)
    assert "the partly created VM vm-77 is left, delete it by hand" in message
    assert "FileLocked: the file is locked" in message


def test_a_new_vms_failure_after_the_create_and_before_it(monkeypatch):
    """new_vm_failed, the one handler of esx_vm's create and clone."""
    client, made = FakeVCenter(left_behind=True), []
    failed = create.new_vm_failed(
        client, "web", made, WHERE, lambda e, done: f"VM 'web' was made, then {done}: {e}"
    )
    cleaned = failed(ERROR, [])  # the create task failed: what it left is deleted
    assert isinstance(cleaned, faults.ViError) and not isinstance(cleaned, faults.PartialFailure)
    assert str(cleaned).endswith("the partly created VM vm-77 was deleted")
    other = faults.InvalidArgument("host: host 'esx9' not found")
    assert failed(other, []) is other
    made.append(MoRef("VirtualMachine", "vm-77"))
    monkeypatch.setattr(create, "gather_one", lambda c, r, *a: ({}, {"name": "web"}))
    after = failed(other, ["created"])
    assert isinstance(after, lifecycle.PartialFailure) and after.cause is other
    assert str(after) == "VM 'web' was made, then ['created']: host: host 'esx9' not found"
    assert after.result == {"changed": True, "vm": {"name": "web"}, "changes": ["created"]}


def test_a_delete_that_fails_after_the_power_off_reports_the_change(monkeypatch):
    ref = MoRef("VirtualMachine", "vm-9")
    facts = {"name": "web", "power_state": "powered_on"}
    monkeypatch.setattr(lifecycle, "gather_one", lambda client, r, *a: ({}, facts))
    sent = []

    def task(client, r, method, request=None, **args):
        sent.append(method)
        if method == "Destroy_Task":
            raise faults.make_fault("InvalidState", "the VM is locked")

    monkeypatch.setattr(lifecycle, "_task", task)
    with pytest.raises(lifecycle.PartialFailure) as err:
        lifecycle.apply(lifecycle._delete(None, ref, VmRequest(VmIdentity(), force=True)))
    assert sent == ["PowerOffVM_Task", "Destroy_Task"]
    assert err.value.result["changed"] is True
    assert "after power_off succeeded" in str(err.value)


def test_an_accepted_guest_shutdown_counts_as_done_even_if_it_never_finishes(monkeypatch):
    class Client:
        def call(self, obj, method, **args):
            assert method == "ShutdownGuest"

    def never_off(client, ref, request):
        raise faults.WaitTimeout("the VM to power off", {}, 1, "the guest did not shut down")

    monkeypatch.setattr(lifecycle, "_wait_off", never_off)
    done = []

    def failed(error, steps_done):
        done.extend(steps_done)
        return error

    ref, request = MoRef("VirtualMachine", "vm-9"), VmRequest(VmIdentity())
    steps = lifecycle._power_steps(Client(), ref, "shutdown_guest", request)
    with pytest.raises(faults.WaitTimeout):
        lifecycle.apply(lifecycle.RunPlan({}, steps, failed))
    assert done == ["shutdown_guest"]


def still_on(client, ref, wait, deadline):
    """What vm/waits.wait_for raises when the VM is still on at the deadline."""
    assert wait.what == "the VM to power off"
    raise faults.WaitTimeout(wait.what, {"runtime.powerState": "poweredOn"}, 7.0)


def test_a_guest_that_does_not_shut_down_in_time_is_a_typed_timeout(monkeypatch):
    monkeypatch.setattr(lifecycle, "wait_for", still_on)
    request = VmRequest(VmIdentity(), guest_timeout=7)
    with pytest.raises(faults.WaitTimeout) as err:
        lifecycle._wait_off(None, MoRef("VirtualMachine", "vm-9"), request)
    assert str(err.value) == "the guest did not shut down within 7s (guest_timeout)"
    assert err.value.last_seen == {"runtime.powerState": "poweredOn"}
    assert not isinstance(err.value, faults.Fault), "a client-side wait is not a server fault"


def test_force_powers_off_a_guest_that_does_not_shut_down(monkeypatch):
    monkeypatch.setattr(lifecycle, "wait_for", still_on)
    sent = []
    monkeypatch.setattr(
        lifecycle, "_task", lambda client, ref, method, request: sent.append(method)
    )
    lifecycle._wait_off(None, MoRef("VirtualMachine", "vm-9"), VmRequest(VmIdentity(), force=True))
    assert sent == ["PowerOffVM_Task"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_check_mode_skips_the_apply_step_and_only_it(monkeypatch, check_mode):
    sent = []
    steps = [lifecycle.Step("reconfigure", lambda: sent.append("ReconfigVM_Task"))]
    plan = lifecycle.RunPlan({"changed": True, "vm": {"name": "web"}}, steps,
                             finish=lambda: {"name": "web", "num_cpus": 2})  # fmt: skip
    monkeypatch.setattr(lifecycle, "_plan", lambda client, request: plan)
    result = lifecycle.run(None, VmRequest(VmIdentity(name="web"), check_mode=check_mode))
    assert sent == ([] if check_mode else ["ReconfigVM_Task"])
    assert result["changed"] is True
    assert result["vm"] == ({"name": "web"} if check_mode else {"name": "web", "num_cpus": 2})
