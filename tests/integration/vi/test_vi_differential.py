"""Our decoder and pyVmomi's on the simulator's bytes: whole objects of every kind, read with
the transport's recording hook on, each answer decoded both ways (issue 17, item 4); and the
simulator answers the harness corrects for it (task entities, a routed call's fault). The same
check over the whole suite's traffic runs in the full matrix session (docs/reliability.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import (
    collector,
    envelope,
    faults,
    tasks,
    transport,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import SERVICE_INSTANCE
from ansible_collections.viapi.esx.plugins.module_utils.vi.transport import Transport

pytest.importorskip("pyVmomi")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit"))
import wire_diff  # noqa: E402

# Whole objects: every field of every type they hold goes through both decoders.
READS = {
    "VirtualMachine": None,
    "HostSystem": None,
    "Datastore": None,
    "Network": None,
    "ClusterComputeResource": None,
    "ResourcePool": None,
    "Datacenter": None,
    "Folder": None,
}


@pytest.mark.parametrize("model", ["vcsim_vpx", "vcsim_esx"])
def test_whole_objects_decode_as_pyvmomi_decodes_them(request, connect, tmp_path, model):
    sim = request.getfixturevalue(model)
    client = connect(sim)
    client.transport.record_dir = str(tmp_path)
    rows = collector.collect(client, READS, page_size=50)
    assert any(ref.type == "VirtualMachine" for ref, _props in rows)
    client.call(SERVICE_INSTANCE, "RetrieveServiceContent")
    answers = wire_diff.recorded_dir(tmp_path)
    assert len(answers) >= 3
    failures = [f"{a.source}: {m}" for a in answers for m in wire_diff.check(a)]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:50])


@pytest.fixture(scope="module")
def private_sim(vcsim_factory):
    """A vCenter model of this file's own: its tests take snapshots and make disks."""
    return vcsim_factory()


def task_info(client, task: MoRef) -> dict:
    tasks.wait_for_task(client, task, timeout=300)
    return collector.get_one(client, task, ["info"])["info"]


def test_a_task_names_the_managed_entity_it_applies_to(private_sim, connect, tmp_path):
    # TaskInfo.entity is "ManagedObjectReference to a ManagedEntity" (tests/vcsim/taskentity.go):
    # a snapshot's task names its VM, a disk or file manager's task names none.
    client = connect(private_sim)
    client.transport.record_dir = str(tmp_path)
    vm_row = private_sim.manifest["vms"][0]
    vm, dc = MoRef("VirtualMachine", vm_row["moid"]), private_sim.manifest["datacenters"][0]
    created = task_info(client, client.call(vm, "CreateSnapshot_Task", name="s1", memory=False,
                                            quiesce=False))  # fmt: skip
    assert (created["entity"], created["entityName"]) == (vm, vm_row["name"])
    snapshot = created["result"]
    for method in ("RevertToSnapshot_Task", "RemoveSnapshot_Task"):
        args = {"removeChildren": False} if method == "RemoveSnapshot_Task" else {}
        info = task_info(client, client.call(snapshot, method, **args))
        got = (info["state"], info["entity"], info["entityName"])
        assert got == ("success", vm, vm_row["name"]), method
    datastore = private_sim.manifest["datastores"][0]["name"]
    path = f"[{datastore}] task-entity.vmdk"
    datacenter = MoRef("Datacenter", dc["moid"])
    spec = {"_type": "FileBackedVirtualDiskSpec", "diskType": "thin", "adapterType": "lsiLogic",
            "capacityKb": 1024}  # fmt: skip
    disks, files = client.content["virtualDiskManager"], client.content["fileManager"]
    for manager, method, args in (
        (disks, "CreateVirtualDisk_Task", {"spec": spec}),
        (disks, "DeleteVirtualDisk_Task", {}),
        (files, "MakeDirectory", {"createParentDirectories": True}),
        (files, "DeleteDatastoreFile_Task", {}),
    ):
        name = f"[{datastore}] task-entity-dir" if manager == files else path
        result = client.call(manager, method, name=name, datacenter=datacenter, **args)
        if method == "MakeDirectory":
            continue
        info = task_info(client, result)
        assert info["state"] == "success", method
        assert "entity" not in info and "entityName" not in info, (method, info)
    assert_answers_agree(tmp_path, "WaitForUpdatesEx")


def test_a_routed_call_with_no_session_names_its_target(private_sim, connect, tmp_path):
    # NotAuthenticated.object is the object the call was made on, not the harness's proxy
    # (tests/vcsim/proxytrace.go); read without a session straight from the simulator.
    client = connect(private_sim)
    folder = MoRef("Folder", private_sim.manifest["datacenters"][0]["vm_folder"])
    body = envelope.build_request("CreateVM_Task", folder, {"config": {
        "_type": "VirtualMachineConfigSpec", "name": "never-made"}})  # fmt: skip
    anonymous = Transport(private_sim.host, private_sim.port, ca_path=private_sim.ca_path)
    status, answer = anonymous.post(body, f"urn:vim25/{client.api_version}")
    anonymous.close()
    with pytest.raises(faults.Fault) as raised:
        envelope.parse_response("CreateVM_Task", status, answer)
    assert raised.value.name == "NotAuthenticated"
    assert raised.value.detail["object"] == folder
    transport.record(str(tmp_path), body, status, answer)
    assert_answers_agree(tmp_path, "CreateVM_Task")


def assert_answers_agree(directory: Path, method: str) -> None:
    answers = wire_diff.recorded_dir(directory)
    assert any(a.method == method for a in answers)
    failures = [f"{a.source}: {m}" for a in answers for m in wire_diff.check(a)]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:50])
