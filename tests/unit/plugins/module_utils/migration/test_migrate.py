"""run(client, request): check mode skips apply only; blocked or misplaced moves fail with a result."""

from __future__ import annotations

import pytest
from premigration_facts import snapshot

from ansible_collections.viapi.esx.plugins.module_utils.migration import migrate, relocate
from ansible_collections.viapi.esx.plugins.module_utils.migration.request import (
    Destination,
    MigrationRequest,
)
from ansible_collections.viapi.esx.plugins.module_utils.migration.result import MigrationFailed
from ansible_collections.viapi.esx.plugins.module_utils.premigration.runner import Options
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

VM = MoRef("VirtualMachine", "vm-42")
NO_SERVER = Options(skip=("server_checks",))


@pytest.fixture
def steps(monkeypatch):
    """The runner's steps on a hand-built snapshot; records which ran."""
    ran = {"wrong": []}

    def plan(client, vm, destination, options, timeout):
        return relocate.judge(client, vm, ran["snapshot"], options, timeout)

    monkeypatch.setattr(migrate.identify, "datacenter_of", lambda client, identity: None)
    monkeypatch.setattr(migrate.identify, "find_vm", lambda client, identity, dc: VM)
    monkeypatch.setattr(
        migrate.relocate, "resolve_destination", lambda *a: {"candidates": None, "host": None}
    )
    monkeypatch.setattr(migrate.relocate, "plan", plan)
    monkeypatch.setattr(relocate, "wait_for_task", lambda client, task, timeout: None)
    monkeypatch.setattr(
        migrate.relocate, "read_back", lambda client, vm, outcome: ({"host": "esx02"}, ran["wrong"])
    )
    ran["snapshot"] = snapshot()
    return ran


class Client:
    """Records the calls the runner sends (only apply() sends one)."""

    def __init__(self):
        self.calls = []

    def call(self, obj, method, **args):
        self.calls.append((obj, method, args))
        return MoRef("Task", "task-7")


def request(check_mode: bool) -> MigrationRequest:
    return MigrationRequest(
        {"name": "web01"}, Destination(host="esx02"), NO_SERVER, check_mode=check_mode
    )


def test_check_mode_plans_and_skips_apply_only(steps):
    client = Client()
    got = migrate.run(client, request(check_mode=True))
    assert client.calls == []
    assert got["changed"] is True and got["msg"].startswith("VM 'web01' would move to host 'esx02'")
    assert len(got["checks"]) == 16


def test_a_real_run_applies_the_plan(steps):
    client = Client()
    got = migrate.run(client, request(check_mode=False))
    assert [c[1:] for c in client.calls] == [
        ("RelocateVM_Task", {"spec": {"_type": "VirtualMachineRelocateSpec",
                                      "host": MoRef("HostSystem", "host-2")},
                             "priority": "defaultPriority"})
    ]  # fmt: skip
    assert got["changed"] is True
    assert got["destination"] == {
        "host": "esx02",
        "cluster": None,
        "resource_pool": None,
        "datastores": None,
    }


def test_a_blocked_move_fails_with_every_result_and_applies_nothing(steps):
    steps["snapshot"]["destination"]["host"]["maintenance_mode"] = True
    client = Client()
    with pytest.raises(MigrationFailed, match="blocked by destination_host_state") as e:
        migrate.run(client, request(check_mode=False))
    assert client.calls == []
    assert e.value.result["blocked_by"] == ["destination_host_state"]
    assert e.value.result["changed"] is False and len(e.value.result["checks"]) == 16


def test_a_move_that_landed_elsewhere_is_an_error(steps):
    steps["wrong"] = ["the VM runs on HostSystem:host-1 instead of host 'esx02'"]
    with pytest.raises(MigrationFailed, match="the task succeeded but the VM runs on") as e:
        migrate.run(Client(), request(check_mode=False))
    assert e.value.result["changed"] is True
