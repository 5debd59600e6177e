"""find.* against the simulator: names, paths, uuids, moids, NotFound and MultipleFound."""

from __future__ import annotations

import re

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults, find, tasks
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef


def by_name(items: list[dict], name: str) -> dict:
    return next(item for item in items if item["name"] == name)


def test_the_only_datacenter(vcsim_vpx, connect):
    client = connect(vcsim_vpx)
    dc = vcsim_vpx.manifest["datacenters"][0]
    assert find.find_datacenter(client) == MoRef("Datacenter", dc["moid"])
    assert find.find_datacenter(client, dc["name"]) == MoRef("Datacenter", dc["moid"])
    with pytest.raises(
        faults.NotFound, match=re.escape(f"datacenter 'DC9' not found (known: {dc['name']})")
    ):
        find.find_datacenter(client, "DC9")


def test_several_datacenters_need_a_name(vcsim_factory, connect):
    sim = vcsim_factory("--dc", "2")
    client = connect(sim)
    with pytest.raises(faults.MultipleFound) as info:
        find.find_datacenter(client)
    assert info.value.candidates == ["DC0", "DC1"]
    assert str(info.value) == "2 datacenters exist, set datacenter to one of them: DC0, DC1"
    assert find.find_datacenter(client, "DC1") == MoRef(
        "Datacenter", by_name(sim.manifest["datacenters"], "DC1")["moid"]
    )


def test_find_by_name(vcsim_vpx, connect):
    client = connect(vcsim_vpx)
    host = vcsim_vpx.manifest["hosts"][0]
    assert find.find_by_name(client, "HostSystem", host["name"]) == MoRef(
        "HostSystem", host["moid"]
    )
    cluster = vcsim_vpx.manifest["clusters"][0]
    ref = find.find_by_name(client, "ClusterComputeResource", cluster["name"])
    assert ref == MoRef("ClusterComputeResource", cluster["moid"])
    # below a root: the cluster's hosts only
    in_cluster = find.find_by_name(
        client, "HostSystem", host_name(vcsim_vpx, cluster["hosts"][0]), root=ref
    )
    assert in_cluster.value == cluster["hosts"][0]
    with pytest.raises(faults.NotFound, match=r"^host 'nope' not found in cluster DC0_C0$"):
        find.find_by_name(client, "HostSystem", "nope", root=ref, where="cluster DC0_C0")
    outside = next(h for h in vcsim_vpx.manifest["hosts"] if h["cluster"] != cluster["name"])
    with pytest.raises(faults.NotFound):
        find.find_by_name(client, "HostSystem", outside["name"], root=ref)


def host_name(sim, moid: str) -> str:
    return next(h["name"] for h in sim.manifest["hosts"] if h["moid"] == moid)


def test_find_by_moid_and_uuid(vcsim_vpx, connect):
    client = connect(vcsim_vpx)
    vm = vcsim_vpx.manifest["vms"][0]
    ref = MoRef("VirtualMachine", vm["moid"])
    assert find.find_by_moid(client, "VirtualMachine", vm["moid"]) == ref
    with pytest.raises(faults.NotFound, match=r"^moid: VM 'vm-99999' not found in any datacenter$"):
        find.find_by_moid(client, "VirtualMachine", "vm-99999")
    assert find.find_by_uuid(client, vm["uuid"]) == ref
    assert find.find_by_uuid(client, vm["instance_uuid"], instance_uuid=True) == ref
    dc = MoRef("Datacenter", vcsim_vpx.manifest["datacenters"][0]["moid"])
    assert find.find_by_uuid(client, vm["uuid"], datacenter=dc) == ref
    with pytest.raises(
        faults.NotFound,
        match=r"^uuid: VM '00000000-0000-0000-0000-000000000000' not found in any datacenter$",
    ):
        find.find_by_uuid(client, "00000000-0000-0000-0000-000000000000")


def test_find_vm_by_name_and_folder(vcsim_vpx, connect):
    client = connect(vcsim_vpx)
    vm = vcsim_vpx.manifest["vms"][0]
    ref = MoRef("VirtualMachine", vm["moid"])
    folder = vm["path"].rsplit("/", 1)[0]  # /DC0/vm
    assert find.find_vm_by_name(client, vm["name"]) == ref
    assert find.find_vm_by_name(client, vm["name"], folder=folder) == ref
    assert find.find_vm_by_name(client, vm["name"], folder="vm") == ref
    with pytest.raises(
        faults.NotFound, match=rf"^name: VM '{vm['name']}' not found in folder '/DC0/vm/other'$"
    ):
        find.find_vm_by_name(client, vm["name"], folder="/DC0/vm/other")
    with pytest.raises(
        faults.NotFound, match=r"^name: VM 'no-such-vm' not found in any datacenter$"
    ):
        find.find_vm_by_name(client, "no-such-vm")
    # Tree gives the same paths the simulator reports for every VM.
    rows = collector.walk_vm_tree(
        client, {t: ["name", "parent"] for t in ("VirtualMachine", "Folder", "Datacenter")}
    )
    tree = find.Tree(rows)
    for item in vcsim_vpx.manifest["vms"]:
        assert tree.path(MoRef("VirtualMachine", item["moid"])) == item["path"]


def test_same_name_in_two_folders_is_multiple_found(vcsim_factory, connect):
    sim = vcsim_factory()
    client = connect(sim)
    first, second = sim.manifest["vms"][0], sim.manifest["vms"][1]
    vm2 = MoRef("VirtualMachine", second["moid"])
    vm_folder = MoRef("Folder", sim.manifest["datacenters"][0]["vm_folder"])
    team = client.call(vm_folder, "CreateFolder", name="team/a")
    tasks.wait_for_task(client, client.call(team, "MoveIntoFolder_Task", list=[vm2]), timeout=300)
    tasks.wait_for_task(client, client.call(vm2, "Rename_Task", newName=first["name"]), timeout=300)
    with pytest.raises(faults.MultipleFound) as info:
        find.find_vm_by_name(client, first["name"])
    assert sorted(info.value.candidates) == ["/DC0/vm", "/DC0/vm/team/a"]
    assert str(info.value).startswith(
        f"2 VMs are named '{first['name']}'; set folder, uuid or moid."
    )
    assert find.find_vm_by_name(client, first["name"], folder="/DC0/vm/team/a") == vm2
    assert find.find_vm_by_name(client, first["name"], folder="/DC0/vm") == MoRef(
        "VirtualMachine", first["moid"]
    )
