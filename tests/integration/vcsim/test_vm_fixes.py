"""Virtual machine calls the harness corrects (tests/vcsim/vmfix.go), through the VI client.

Each test fails on the bare govmomi 0.24 simulator: it panics on a name it cannot make a
directory from, applies a spec before refusing it, and ignores an empty annotation.
"""

from __future__ import annotations

import pytest
from test_harness import VIM, XSI, Soap

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults, tasks
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

WAIT = 300


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A private vCenter model: these tests create and change VMs."""
    return vcsim_factory()


@pytest.fixture(scope="module")
def client(sim):
    c = Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
    c.connect()
    yield c
    c.logout()


@pytest.fixture(scope="module")
def place(sim):
    """(vm folder, resource pool, datastore name) of the standalone host."""
    dc = sim.manifest["datacenters"][0]
    vm = next(v for v in sim.manifest["vms"] if v["cluster"] is None)
    pool = MoRef("ResourcePool", vm["resource_pool"])
    return MoRef("Folder", dc["vm_folder"]), pool, sim.manifest["datastores"][0]["name"]


def create(client, place, name, **spec):
    folder, pool, ds = place
    config = {"_type": "VirtualMachineConfigSpec", "name": name, "guestId": "otherGuest",
              "files": {"_type": "VirtualMachineFileInfo", "vmPathName": f"[{ds}]"}}  # fmt: skip
    config.update(spec)
    task = client.call(folder, "CreateVM_Task", config=config, pool=pool)
    return tasks.wait_for_task(client, task, timeout=WAIT)


def reconfigure(client, vm, **spec):
    task = client.call(vm, "ReconfigVM_Task", spec={"_type": "VirtualMachineConfigSpec", **spec})
    return tasks.wait_for_task(client, task, timeout=WAIT)


def children(client, folder) -> list[MoRef]:
    return collector.get_one(client, folder, ["childEntity"])["childEntity"] or []


def names(client, folder) -> set[str]:
    return {collector.get_one(client, c, ["name"])["name"] for c in children(client, folder)}


def config(client, vm, *paths):
    return collector.get_one(client, vm, [f"config.{p}" for p in paths])


def test_a_name_with_a_slash_is_stored_escaped(client, place):
    vm = create(client, place, "web/01")
    assert collector.get_one(client, vm, ["name"])["name"] == "web%2f01"
    assert "web%2f01" in names(client, place[0])
    # what is already escaped stays as it is; a lone % and a backslash are escaped
    assert collector.get_one(client, create(client, place, "a%2fb"), ["name"])["name"] == "a%2fb"
    assert collector.get_one(client, create(client, place, "5%\\x"), ["name"])["name"] == (
        "5%25%5cx"
    )


@pytest.mark.parametrize("name", ["x" * 300, "y" * 81, "/" * 27], ids=["300", "81", "escaped-81"])
def test_a_name_over_80_characters_is_invalid_name_and_changes_nothing(client, place, name):
    before = children(client, place[0])
    with pytest.raises(faults.TaskFailed) as failed:
        create(client, place, name)
    assert failed.value.fault.name == "InvalidName"
    assert failed.value.fault.detail["name"] == name
    assert children(client, place[0]) == before
    # the inventory still works: the next create in the same folder succeeds
    vm = create(client, place, f"after-{len(name)}-{name[0] == '/'}")
    assert children(client, place[0]) == [*before, vm]


def test_eighty_characters_are_allowed(client, place):
    vm = create(client, place, "z" * 80)
    assert collector.get_one(client, vm, ["name"])["name"] == "z" * 80


def test_an_unknown_guest_id_at_creation_creates_nothing(client, place):
    before = children(client, place[0])
    with pytest.raises(faults.TaskFailed) as failed:
        create(client, place, "bad-guest", guestId="bogusGuest")
    assert failed.value.fault.name == "InvalidArgument"
    assert failed.value.fault.detail["invalidProperty"] == "configSpec.guestId"
    assert children(client, place[0]) == before
    create(client, place, "bad-guest")  # the name and its directory are free


def test_a_refused_reconfigure_changes_nothing(client, place):
    vm = create(client, place, "keep-me", annotation="as it was", numCPUs=2)
    before = config(client, vm, "guestId", "guestFullName", "annotation", "hardware.numCPU")
    with pytest.raises(faults.TaskFailed) as failed:
        reconfigure(client, vm, guestId="bogusGuest", annotation="changed", numCPUs=4)
    assert failed.value.fault.name == "InvalidArgument"
    assert failed.value.fault.detail["invalidProperty"] == "configSpec.guestId"
    assert config(client, vm, "guestId", "guestFullName", "annotation", "hardware.numCPU") == before
    assert collector.get_one(client, vm, ["summary.config.guestId"]) == {
        "summary.config.guestId": "otherGuest"
    }


def test_a_reconfigure_refused_after_applying_is_rolled_back(client, place):
    # secure boot needs EFI firmware: the simulator refuses it only after applying the spec
    vm = create(client, place, "roll-back", numCPUs=1, memoryMB=64)
    with pytest.raises(faults.TaskFailed) as failed:
        reconfigure(client, vm, numCPUs=4, memoryMB=256, annotation="half-done",
                    bootOptions={"_type": "VirtualMachineBootOptions", "efiSecureBootEnabled": True})  # fmt: skip
    assert failed.value.fault.name == "InvalidVmConfig"
    after = config(client, vm, "hardware.numCPU", "hardware.memoryMB", "annotation")
    assert after["config.hardware.numCPU"] == 1 and after["config.hardware.memoryMB"] == 64
    assert not after.get("config.annotation")


def test_an_empty_annotation_clears_it(client, place):
    vm = create(client, place, "noted", annotation="first note")
    reconfigure(client, vm, numCPUs=2)  # no annotation in the spec: it stays
    assert config(client, vm, "annotation") == {"config.annotation": "first note"}
    reconfigure(client, vm, annotation="")
    assert not config(client, vm, "annotation").get("config.annotation")


def test_rename_follows_the_name_rules(client, place):
    vm = create(client, place, "rename-me")
    other = create(client, place, "taken")
    with pytest.raises(faults.TaskFailed) as failed:
        tasks.wait_for_task(client, client.call(vm, "Rename_Task", newName="taken"), timeout=WAIT)
    assert failed.value.fault.name == "DuplicateName"
    assert failed.value.fault.detail["object"] == other
    with pytest.raises(faults.TaskFailed) as failed:
        tasks.wait_for_task(client, client.call(vm, "Rename_Task", newName="n" * 81), timeout=WAIT)
    assert failed.value.fault.name == "InvalidName"
    tasks.wait_for_task(client, client.call(vm, "Rename_Task", newName="new/name"), timeout=WAIT)
    assert collector.get_one(client, vm, ["name"])["name"] == "new%2fname"


def test_clone_with_a_name_over_80_characters_is_invalid_name(client, place):
    vm = create(client, place, "clone-source")
    before = children(client, place[0])
    spec = {"_type": "VirtualMachineCloneSpec", "powerOn": False, "template": False,
            "location": {"_type": "VirtualMachineRelocateSpec"}}  # fmt: skip
    task = client.call(vm, "CloneVM_Task", folder=place[0], name="c" * 100, spec=spec)
    with pytest.raises(faults.TaskFailed) as failed:
        tasks.wait_for_task(client, task, timeout=WAIT)
    assert failed.value.fault.name == "InvalidName"
    assert children(client, place[0]) == before


def snapshot(client, vm, name):
    task = client.call(vm, "CreateSnapshot_Task", name=name, description=f"{name} notes",
                       memory=False, quiesce=False)  # fmt: skip
    return tasks.wait_for_task(client, task, timeout=WAIT)


def tree(client, vm):
    """[(name, description, children)] of the VM's snapshot tree."""

    def walk(nodes):
        # (a one-element list may come back as the element itself)
        nodes = [nodes] if isinstance(nodes, dict) else nodes or []
        return [(n["name"], n["description"], walk(n.get("childSnapshotList"))) for n in nodes]

    info = collector.get_one(client, vm, ["snapshot"])["snapshot"]
    return walk(info["rootSnapshotList"])


def test_rename_snapshot_changes_its_name_and_description(client, place):
    vm = create(client, place, "snapped")
    first = snapshot(client, vm, "before-patch")
    child = snapshot(client, vm, "after-reboot")
    assert client.call(first, "RenameSnapshot", name="pre-patch", description="kernel 6.1") is None
    assert tree(client, vm) == [
        ("pre-patch", "kernel 6.1", [("after-reboot", "after-reboot notes", [])])
    ]
    client.call(child, "RenameSnapshot", description="rebooted once")  # the name stays
    assert tree(client, vm)[0][2] == [("after-reboot", "rebooted once", [])]


def upgrade(client, vm, version=None):
    args = {"version": version} if version else {}
    return tasks.wait_for_task(client, client.call(vm, "UpgradeVM_Task", **args), timeout=WAIT)


def upgrade_fault(sim, client, vm, version=None) -> str:
    """The fault type of a failed upgrade, read from the task with a second SOAP reader
    (these faults have no fields, and the VI client decodes an empty typed fault as '')."""
    with pytest.raises(faults.TaskFailed) as failed:
        upgrade(client, vm, version)
    soap = Soap(sim)
    soap.login()
    spec = (
        "<specSet><propSet><type>Task</type><pathSet>info.error</pathSet></propSet>"
        f'<objectSet><obj type="Task">{failed.value.task}</obj></objectSet></specSet>'
    )
    status, res = soap.call("RetrieveProperties", ("PropertyCollector", "propertyCollector"), spec)
    assert status == 200
    return res.find(f".//{{{VIM}}}fault").get(f"{{{XSI}}}type")


def test_upgrade_goes_to_the_version_asked_for(sim, client, place):
    vm = create(client, place, "old-hardware", version="vmx-9")
    upgrade(client, vm, "vmx-11")
    assert config(client, vm, "version") == {"config.version": "vmx-11"}
    assert upgrade_fault(sim, client, vm, "vmx-10") == "AlreadyUpgraded"
    # vmx-12 is a Workstation version and vmx-99 none at all: ESXi 6.5 offers neither
    assert upgrade_fault(sim, client, vm, "vmx-12") == "InvalidState"
    assert upgrade_fault(sim, client, vm, "vmx-99") == "InvalidState"
    upgrade(client, vm)  # no version: the newest the host offers
    assert config(client, vm, "version") == {"config.version": "vmx-13"}
    assert upgrade_fault(sim, client, vm) == "AlreadyUpgraded"


def test_upgrade_needs_the_vm_powered_off(sim, client, place):
    vm = create(client, place, "running-old", version="vmx-11")
    tasks.wait_for_task(client, client.call(vm, "PowerOnVM_Task"), timeout=WAIT)
    assert upgrade_fault(sim, client, vm) == "InvalidPowerState"
    assert config(client, vm, "version") == {"config.version": "vmx-11"}


def test_the_harness_objects_do_not_break_searches_over_every_object(client, place):
    """A routed call leaves a harness object in the simulator's registry; FindByUuid walks
    every object there and panicked on it (vm_fleet by uuid hit this)."""
    vm = create(client, place, "fix-uuid-after-route")
    reconfigure(client, vm, annotation="routed")  # a routed call: its harness object stays
    uuid = collector.get_one(client, vm, ["config.uuid"])["config.uuid"]
    index = client.content["searchIndex"]
    assert client.call(index, "FindByUuid", uuid=uuid, vmSearch=True) == vm
    # A uuid no VM has makes the walk visit every object, the harness's included.
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.call(index, "FindByUuid", uuid=missing, vmSearch=True) is None
