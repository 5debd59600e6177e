"""The RelocateSpec builder, the server's checks (wire-shaped answers), plan and apply.

The simulator has no VirtualMachineProvisioningChecker methods, so what vCenter answers to
CheckMigrate_Task / CheckRelocate_Task / QueryVMotionCompatibilityEx_Task is scripted here as
XML laid out like vCenter's (tests/unit/vi_wire.py).
"""

from __future__ import annotations

import pytest
import vi_wire
from premigration_facts import host, snapshot

from ansible_collections.viapi.esx.plugins.module_utils.migration import relocate
from ansible_collections.viapi.esx.plugins.module_utils.migration.request import Destination
from ansible_collections.viapi.esx.plugins.module_utils.premigration import runner
from ansible_collections.viapi.esx.plugins.module_utils.vi import faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

VM = MoRef("VirtualMachine", "vm-42")
CHECKER = MoRef("VirtualMachineProvisioningChecker", "ProvChecker")


# ---------------------------------------------------------------- build_spec


def test_a_host_move_in_the_cluster_names_only_the_host(snap):
    assert relocate.build_spec(snap) == {
        "_type": "VirtualMachineRelocateSpec",
        "host": MoRef("HostSystem", "host-2"),
    }


def test_nothing_to_move_gives_no_spec():
    assert relocate.build_spec(snapshot(dest_host="host-1")) is None
    assert relocate.build_spec(snapshot(dest_host="host-1", datastore_moid="ds-1")) is None


def test_a_storage_move_names_only_the_datastore():
    spec = relocate.build_spec(snapshot(dest_host="host-1", datastore_moid="ds-2"))
    assert spec == {"_type": "VirtualMachineRelocateSpec", "datastore": MoRef("Datastore", "ds-2")}


def test_a_move_to_another_cluster_takes_its_root_pool_host_and_datastore(snap):
    snap["destination"]["host"] = host("host-9", "esx09", compute="domain-c9")
    snap["destination"]["compute"] = {
        "moid": "domain-c9", "name": "dr", "type": "cluster", "pool": "resgroup-9", "hosts": ["host-9"]
    }  # fmt: skip
    snap["destination"]["datastore"] = "ds-2"
    assert relocate.build_spec(snap) == {
        "_type": "VirtualMachineRelocateSpec",
        "datastore": MoRef("Datastore", "ds-2"),
        "pool": MoRef("ResourcePool", "resgroup-9"),
        "host": MoRef("HostSystem", "host-9"),
    }


def test_an_explicit_pool_keeps_its_type(snap):
    pool = {"moid": "resgroup-v1", "type": "VirtualApp", "name": "app", "owner": "domain-c1"}
    snap["destination"]["host"] = snap["source"]["host"]
    snap["destination"]["pool"] = pool
    snap["pools"]["resgroup-v1"] = pool
    assert relocate.build_spec(snap) == {
        "_type": "VirtualMachineRelocateSpec",
        "pool": MoRef("VirtualApp", "resgroup-v1"),
    }


# ---------------------------------------------------------------- the server's checks


def task_done(method: str, result_xml: str) -> bytes:
    """WaitForUpdatesEx: the task's info, finished, as vCenter sends it."""
    info = (
        f'<val xsi:type="TaskInfo"><key>task-101</key><task type="Task">task-101</task>'
        f"<name>{method}</name><descriptionId>VirtualMachineProvisioningChecker.{method}</descriptionId>"
        '<entity type="VirtualMachineProvisioningChecker">ProvChecker</entity>'
        f"<state>success</state><cancelled>false</cancelled><cancelable>false</cancelable>"
        f"{result_xml}<queueTime>2024-05-02T09:11:52.1Z</queueTime><eventChainId>3061</eventChainId></val>"
    )
    return vi_wire.response_raw(
        "WaitForUpdatesEx",
        "<returnval><version>1</version><filterSet>"
        '<filter type="PropertyFilter">session[52b1]52d0</filter><objectSet><kind>enter</kind>'
        '<obj type="Task">task-101</obj><changeSet><name>info</name><op>assign</op>'
        f"{info}</changeSet></objectSet></filterSet></returnval>",
    )


def task_failed(method: str, fault: str, message: str) -> bytes:
    """WaitForUpdatesEx: the task's info, ended in error, as vCenter sends it."""
    error = (f'<error><fault xsi:type="{fault}"></fault>'
             f"<localizedMessage>{message}</localizedMessage></error>")  # fmt: skip
    return task_done(method, error).replace(b"<state>success</state>", b"<state>error</state>")


def check_results(errors=(), warnings=()) -> str:
    def faults(tag, items):
        return "".join(
            f'<{tag}><fault xsi:type="{name}"></fault><localizedMessage>{text}</localizedMessage></{tag}>'
            for name, text in items
        )

    return (
        '<result xsi:type="ArrayOfCheckResult"><CheckResult>'
        '<vm type="VirtualMachine">vm-42</vm><host type="HostSystem">host-2</host>'
        f"{faults('warning', warnings)}{faults('error', errors)}</CheckResult></result>"
    )


def vcenter(transport) -> object:
    """A logged-in client whose ServiceContent names the provisioning checker, like vCenter's."""
    client = vi_wire.client(transport)
    client.content["vmProvisioningChecker"] = CHECKER
    collector = vi_wire.response_ref(
        "CreatePropertyCollector", "PropertyCollector", "session[52b1]52c9"
    )
    transport.on("CreatePropertyCollector", collector, always=True)
    flt = vi_wire.response_ref("CreateFilter", "PropertyFilter", "session[52b1]52d0")
    transport.on("CreateFilter", flt, always=True)
    transport.on(
        "DestroyPropertyCollector", vi_wire.response("DestroyPropertyCollector"), always=True
    )
    return client


def test_the_server_checks_run_with_the_same_spec_and_their_faults_become_messages(snap):
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    for method in ("CheckMigrate_Task", "CheckRelocate_Task", "QueryVMotionCompatibilityEx_Task"):
        t.on(method, vi_wire.response_ref(method, "Task", "task-101"))
    t.on("WaitForUpdatesEx", task_done("CheckMigrate_Task", check_results()))
    t.on(
        "WaitForUpdatesEx",
        task_done(
            "CheckRelocate_Task",
            check_results(
                errors=[("NoCompatibleHost", "No compatible host for the VM's CPU")],
                warnings=[("MigrationFeatureNotSupported", "Network redundancy lost")],
            ),
        ),
    )
    t.on("WaitForUpdatesEx", task_done("QueryVMotionCompatibilityEx_Task", check_results()))
    spec = relocate.build_spec(snap)
    server = relocate.ask_server(client, VM, spec, snap, 60)
    assert server["available"] is True
    assert server["errors"] == ["esx02: No compatible host for the VM's CPU"]
    assert server["warnings"] == ["esx02: Network redundancy lost"]
    assert [c["method"] for c in server["calls"]] == [
        "CheckMigrate_Task", "CheckRelocate_Task", "QueryVMotionCompatibilityEx_Task"
    ]  # fmt: skip
    relocate_call = next(r for r in t.requests if r.method == "CheckRelocate_Task")
    assert relocate_call.this == CHECKER
    assert relocate_call.arg("vm") == VM
    assert relocate_call.arg("spec") == {
        "_type": "VirtualMachineRelocateSpec",
        "host": MoRef("HostSystem", "host-2"),
    }
    query = next(r for r in t.requests if r.method == "QueryVMotionCompatibilityEx_Task")
    assert query.arg("host") == [MoRef("HostSystem", "host-2")]
    assert query.arg("vm") == [VM]
    snap["server"] = server
    result = runner.run(snap).results[-1]
    assert (result.name, result.status) == ("server_checks", "failed")
    assert "No compatible host" in result.message


def test_a_storage_only_move_asks_check_relocate_only():
    s = snapshot(dest_host="host-1", datastore_moid="ds-2")
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    t.on("CheckRelocate_Task", vi_wire.response_ref("CheckRelocate_Task", "Task", "task-101"))
    t.on("WaitForUpdatesEx", task_done("CheckRelocate_Task", check_results()))
    server = relocate.ask_server(client, VM, relocate.build_spec(s), s, 60)
    assert server == {
        "available": True, "errors": [], "warnings": [],
        "calls": [{"method": "CheckRelocate_Task", "status": "ran", "message": ""}],
    }  # fmt: skip


@pytest.mark.parametrize("fault", ["NotSupported", "MethodNotFound", "NotImplemented"])
def test_a_server_without_the_checks_makes_them_not_apply(snap, fault):
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    for method in ("CheckMigrate_Task", "CheckRelocate_Task", "QueryVMotionCompatibilityEx_Task"):
        t.on(method, vi_wire.fault(fault, f"{method} is not supported here"))
    server = relocate.ask_server(client, VM, relocate.build_spec(snap), snap, 60)
    assert server["available"] is False
    assert server["reason"].startswith("the server does not offer its migration checks")
    assert [c["status"] for c in server["calls"]] == ["not offered"] * 3


def test_a_check_task_that_fails_as_not_supported_is_not_offered(snap):
    """A server may accept the call and fail its task with NotSupported: that is the check
    not offered, as when the call itself is refused, not the server refusing the move."""
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    for method in ("CheckMigrate_Task", "CheckRelocate_Task", "QueryVMotionCompatibilityEx_Task"):
        t.on(method, vi_wire.response_ref(method, "Task", "task-101"))
        t.on("WaitForUpdatesEx", task_failed(method, "NotSupported", "not supported"))
    server = relocate.ask_server(client, VM, relocate.build_spec(snap), snap, 60)
    assert server["available"] is False
    assert [c["status"] for c in server["calls"]] == ["not offered"] * 3


def test_a_check_task_that_does_not_finish_is_an_error_and_the_others_still_run(snap, monkeypatch):
    """A timed-out check task escaped ask_server: the module failed with a bare timeout and
    no check results. Each task has the whole timeout (here the last one's runs out)."""
    from ansible_collections.viapi.esx.plugins.module_utils.vi import wait

    clock = vi_wire.Clock()
    monkeypatch.setattr(wait.time, "monotonic", clock)
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    for method in ("CheckMigrate_Task", "CheckRelocate_Task", "QueryVMotionCompatibilityEx_Task"):
        t.on(method, vi_wire.response_ref(method, "Task", "task-101"))
    t.on("WaitForUpdatesEx", task_done("CheckMigrate_Task", check_results()))
    t.on("WaitForUpdatesEx", task_done("CheckRelocate_Task", check_results(
        warnings=[("MigrationFeatureNotSupported", "Network redundancy lost")])))  # fmt: skip
    t.on("WaitForUpdatesEx", clock.waited, always=True)  # the third task never ends
    server = relocate.ask_server(client, VM, relocate.build_spec(snap), snap, 30)
    assert server["available"] is True
    assert server["errors"] == [
        "QueryVMotionCompatibilityEx_Task: the task task-101 did not finish in 30s"
    ]
    assert server["warnings"] == ["esx02: Network redundancy lost"]  # the others' results kept
    assert [c["status"] for c in server["calls"]] == ["ran", "ran", "timed out"]
    snap["server"] = server
    result = runner.run(snap).results[-1]
    assert (result.name, result.status) == ("server_checks", "failed")


def test_a_powered_off_vm_is_not_asked_about_vmotion(snap):
    """QueryVMotionCompatibilityEx_Task assumes every VM is powered on: its vMotion errors
    (another CPU vendor) failed the cold move of a powered-off VM."""
    snap["vm"]["power_state"] = "powered_off"
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    for method in ("CheckMigrate_Task", "CheckRelocate_Task"):
        t.on(method, vi_wire.response_ref(method, "Task", "task-101"))
        t.on("WaitForUpdatesEx", task_done(method, check_results()))
    server = relocate.ask_server(client, VM, relocate.build_spec(snap), snap, 60)
    assert [c["method"] for c in server["calls"]] == ["CheckMigrate_Task", "CheckRelocate_Task"]
    assert "QueryVMotionCompatibilityEx_Task" not in [r.method for r in t.requests]
    snap["vm"]["power_state"] = "suspended"  # it resumes on the new host: asked
    assert (
        "QueryVMotionCompatibilityEx_Task",
        {"vm": [VM], "host": [MoRef("HostSystem", "host-2")]},
    ) in (relocate._server_calls(VM, relocate.build_spec(snap), snap))


def test_esxi_has_no_checker(snap):
    client = vi_wire.client(vi_wire.FakeTransport())  # its ServiceContent names no checker
    server = relocate.ask_server(client, VM, relocate.build_spec(snap), snap, 60)
    assert server == {
        "available": False,
        "reason": "the server has no VirtualMachineProvisioningChecker (ESXi): vCenter only",
        "calls": [],
    }


def test_another_fault_is_the_server_saying_no(snap):
    t = vi_wire.FakeTransport()
    client = vcenter(t)
    t.on(
        "CheckMigrate_Task",
        vi_wire.fault("InvalidState", "The operation is not allowed in the current state."),
    )
    for method in ("CheckRelocate_Task", "QueryVMotionCompatibilityEx_Task"):
        t.on(method, vi_wire.response_ref(method, "Task", "task-101"))
        t.on("WaitForUpdatesEx", task_done(method, check_results()))
    server = relocate.ask_server(client, VM, relocate.build_spec(snap), snap, 60)
    assert server["available"] is True
    assert server["errors"] == [
        "CheckMigrate_Task: InvalidState: The operation is not allowed in the current state."
    ]


# ---------------------------------------------------------------- apply


def test_a_migration_still_running_at_the_deadline_is_reported_as_a_change(monkeypatch):
    report = runner.Report(results=(), blocked_by=())
    outcome = relocate.Outcome(
        snapshot={}, report=report, spec={"_type": "VirtualMachineRelocateSpec"}, changed=True
    )

    def wait(client, task, timeout):
        raise faults.TaskTimeout(task.value, "running", 42, timeout)

    monkeypatch.setattr(relocate, "wait_for_task", wait)

    class Client:
        def call(self, obj, method, **args):
            assert method == "RelocateVM_Task"
            return MoRef("Task", "task-7")

    got = relocate.apply(Client(), MoRef("VirtualMachine", "vm-1"), outcome, timeout=5)
    assert got.changed is True
    assert "did not finish in time" in got.error and "42% done" in got.error


# ---------------------------------------------------------------- verify


def test_verify_reads_the_placement_from_the_properties_read_after_the_move(snap):
    there = {
        "runtime.host": MoRef("HostSystem", "host-2"),
        "resourcePool": MoRef("ResourcePool", "resgroup-1"),
    }
    assert relocate.verify(there, snap) == []
    still_home = dict(there, **{"runtime.host": MoRef("HostSystem", "host-1")})
    assert relocate.verify(still_home, snap) == [
        "the VM runs on HostSystem:host-1 instead of host 'esx02'"
    ]
    # With the facts read after the move, the messages name the host and the pool.
    assert relocate.verify(still_home, snap, {"host": "esx01"}) == [
        "the VM runs on host 'esx01' instead of host 'esx02'"
    ]
    snap["destination"]["pool"] = {"moid": "resgroup-2", "name": "gold", "owner": "domain-c1"}
    snap["pools"]["resgroup-2"] = snap["destination"]["pool"]
    assert relocate.verify(there, snap, {"host": "esx02", "resource_pool": "Resources"}) == [
        "the VM is in pool 'Resources' (resgroup-1) instead of 'gold' (resgroup-2)"
    ]


# ---------------------------------------------------------------- candidate hosts


def cluster_read(drs: str | None) -> bytes:
    """RetrievePropertiesEx of a cluster's configurationEx and hosts, as vCenter answers it."""
    config = (
        f"<drsConfig><enabled>{drs}</enabled></drsConfig>" if drs else "<drsConfig></drsConfig>"
    )
    hosts = "".join(
        f'<ManagedObjectReference type="HostSystem">host-{i}</ManagedObjectReference>'
        for i in (1, 2, 3)
    )
    return vi_wire.response(
        "RetrievePropertiesEx",
        vi_wire.object_content(
            ("ClusterComputeResource", "domain-c1"),
            {
                "configurationEx": f'<val xsi:type="ClusterConfigInfoEx">{config}</val>',
                "host": f'<val xsi:type="ArrayOfManagedObjectReference">{hosts}</val>',
            },
        ),
    )


CLUSTER = MoRef("ClusterComputeResource", "domain-c1")


def test_a_cluster_without_drs_offers_its_hosts_as_candidates():
    t = vi_wire.FakeTransport().on("RetrievePropertiesEx", cluster_read("false"))
    found = {"cluster": CLUSTER, "host": None}
    got = relocate.candidate_hosts(vi_wire.client(t), Destination(cluster="prod"), found)
    assert got == [MoRef("HostSystem", f"host-{i}") for i in (1, 2, 3)]
    read = next(r for r in t.requests if r.method == "RetrievePropertiesEx")
    assert b"configurationEx" in read.body


def test_a_cluster_whose_drs_state_is_unset_gets_a_named_host_too():
    t = vi_wire.FakeTransport().on("RetrievePropertiesEx", cluster_read(None))
    found = {"cluster": CLUSTER, "host": None}
    got = relocate.candidate_hosts(vi_wire.client(t), Destination(cluster="prod"), found)
    assert got == [MoRef("HostSystem", f"host-{i}") for i in (1, 2, 3)]


def test_a_cluster_with_drs_leaves_the_choice_to_drs():
    t = vi_wire.FakeTransport().on("RetrievePropertiesEx", cluster_read("true"))
    found = {"cluster": CLUSTER, "host": None}
    assert relocate.candidate_hosts(vi_wire.client(t), Destination(cluster="prod"), found) is None


def test_a_named_host_is_no_choice():
    t = vi_wire.FakeTransport()
    client = vi_wire.client(t)
    sent = len(t.requests)
    found = {"cluster": CLUSTER, "host": MoRef("HostSystem", "host-2")}
    assert (
        relocate.candidate_hosts(client, Destination(cluster="prod", host="esx02"), found) is None
    )
    assert (
        relocate.candidate_hosts(
            client, Destination(datastore="ds"), {"cluster": None, "host": None}
        )
        is None
    )
    assert len(t.requests) == sent, "no read without a choice to make"
