"""Where esx_vm puts a clone: the placement rule of vm/clone_place.py (docs/vm.md "Deploy from
a template") on the simulator's pre-migration model with a second cluster: datastore
`source_only` is mounted by host `source` alone; the template lives on host `ok`, datastore
`shared`. Where each clone landed is read from the server with pyVmomi (vm_server).
"""

from __future__ import annotations

import pytest
from pyVmomi import vim
from test_esx_vm import three_runs
from vm_runs import ok, vm_run
from vm_server import Server

TEMPLATE = "tpl-place"


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory("--scenario", "premigration", "--cluster", "2")


def role(sim, kind: str, name: str) -> str:
    return sim.manifest["premigration"][kind][name]


@pytest.fixture(scope="module")
def template(sim):
    ok(vm_run(sim, {"name": TEMPLATE, "guest_id": "otherLinux64Guest", "memory_mb": 64,
                    "disks": [{"size_mb": 8}], "host": role(sim, "hosts", "ok"),
                    "datastore": role(sim, "datastores", "shared")}))  # fmt: skip
    ok(vm_run(sim, {"name": TEMPLATE, "is_template": True}))
    return TEMPLATE


def landed(server, name: str) -> dict:
    """The clone's host, the owner of its pool and the pool's name, and its datastore."""
    props = server.props(
        server.vm(name), ["runtime.host", "resourcePool", "config.files.vmPathName"]
    )
    pool = server.props(props["resourcePool"], ["name", "owner"])
    owners = server.names("ComputeResource")
    return {
        "host": server.names("HostSystem")[props["runtime.host"]],
        "pool": (owners[pool["owner"]], pool["name"]),
        "datastore": props["config.files.vmPathName"].split("]")[0].lstrip("["),
    }


def test_nothing_given_is_the_source_placement(sim, server, template):
    shared, ok_host = role(sim, "datastores", "shared"), role(sim, "hosts", "ok")
    three_runs(server, sim, {"name": "p-same", "template": template})
    assert landed(server, "p-same") == {"host": ok_host, "pool": ("DC0_C0", "Resources"),
                                        "datastore": shared}  # fmt: skip


def test_nothing_given_keeps_a_source_vms_own_pool(sim, server, template):
    """A VM (not a template) has a pool: a clone with no placement stays in it."""
    cluster = next(r for r, n in server.names("ClusterComputeResource").items() if n == "DC0_C0")
    root = server.props(cluster, ["resourcePool"])["resourcePool"]
    allocation = vim.ResourceAllocationInfo(reservation=0, expandableReservation=True, limit=-1,
                                            shares=vim.SharesInfo(level="normal", shares=0))  # fmt: skip
    spec = vim.ResourceConfigSpec(cpuAllocation=allocation, memoryAllocation=allocation)
    server.call(root, "CreateResourcePool", name="web", spec=spec)
    ok(vm_run(sim, {"name": "p-inpool", "template": template, "resource_pool": "web"}))
    assert landed(server, "p-inpool")["pool"] == ("DC0_C0", "web")
    three_runs(server, sim, {"name": "p-poolclone", "template": "p-inpool"})
    assert landed(server, "p-poolclone") == landed(server, "p-inpool")


def test_only_a_datastore_the_source_host_mounts_keeps_the_host(sim, server, template):
    target = role(sim, "datastores", "target")
    three_runs(server, sim, {"name": "p-ds", "template": template, "datastore": target})
    assert landed(server, "p-ds") == {"host": role(sim, "hosts", "ok"),
                                      "pool": ("DC0_C0", "Resources"), "datastore": target}  # fmt: skip


def test_only_a_datastore_the_source_host_lacks_moves_to_a_host_with_it(sim, server, template):
    local = role(sim, "datastores", "source_only")
    check, _real, _tasks = three_runs(
        server, sim, {"name": "p-local", "template": template, "datastore": local}
    )
    source = role(sim, "hosts", "source")
    assert (check["diff"]["after"]["host"], check["diff"]["after"]["datastore"]) == (source, local)
    assert landed(server, "p-local") == {"host": source, "pool": ("DC0_C0", "Resources"),
                                         "datastore": local}  # fmt: skip


def test_only_a_host(sim, server, template):
    three_runs(server, sim, {"name": "p-host", "template": template, "host": "DC0_H0"})
    assert landed(server, "p-host") == {"host": "DC0_H0", "pool": ("DC0_H0", "Resources"),
                                        "datastore": role(sim, "datastores", "shared")}  # fmt: skip


def test_only_a_cluster(sim, server, template):
    three_runs(server, sim, {"name": "p-cluster", "template": template, "cluster": "DC0_C1"})
    where = landed(server, "p-cluster")
    assert where["host"].startswith("DC0_C1_") and where["pool"] == ("DC0_C1", "Resources")
    assert where["datastore"] == role(sim, "datastores", "shared")


def test_only_a_folder_is_a_new_vms_compute_placement(sim, server, template):
    """Three clusters and standalone hosts: a new VM's default asks for one."""
    before = server.snapshot(), server.tasks()
    result = vm_run(sim, {"name": "p-folder", "template": template, "folder": "/DC0/vm"})
    assert result.failed
    assert "set host, cluster or resource_pool: datacenter 'DC0' has 3 clusters and standalone " \
           "hosts (DC0_C0, DC0_C1, DC0_H0)" in result["msg"]  # fmt: skip
    assert (server.snapshot(), server.tasks()) == before


def test_a_datastore_no_host_of_the_host_or_cluster_mounts(sim, server, template):
    local = role(sim, "datastores", "source_only")
    before = server.snapshot(), server.tasks()
    result = vm_run(
        sim, {"name": "p-bad", "template": template, "host": "DC0_H0", "datastore": local}
    )
    assert result.failed
    assert f"datastore: datastore '{local}' is not available to host 'DC0_H0'" in result["msg"]
    result = vm_run(sim, {"name": "p-bad", "template": template, "cluster": "DC0_C1",
                          "datastore": local})  # fmt: skip
    assert result.failed
    assert (
        f"datastore: datastore '{local}' is mounted by no host of cluster 'DC0_C1'" in result["msg"]
    )
    assert (server.snapshot(), server.tasks()) == before


def test_only_a_folder_in_a_datacenter_of_one_cluster(vcsim_factory):
    """One cluster and no standalone host: a folder alone places the clone in that cluster
    (DRS picks the host), with the template's datastore, in that folder."""
    sim = vcsim_factory("--host", "0")
    server = Server(sim)
    try:
        ok(vm_run(sim, {"name": TEMPLATE, "guest_id": "otherLinux64Guest", "memory_mb": 64,
                        "host": "DC0_C0_H2", "is_template": True}))  # fmt: skip
        dc_folder = next(r for r, n in server.names("Folder").items() if n == "vm")
        server.call(dc_folder, "CreateFolder", name="web")
        three_runs(server, sim, {"name": "p-folder", "template": TEMPLATE, "folder": "/DC0/vm/web"})
        ref = server.vm("p-folder")
        assert server.names("Folder")[server.props(ref, ["parent"])["parent"]] == "web"
        where = landed(server, "p-folder")
        assert where["host"].startswith("DC0_C0_") and where["pool"] == ("DC0_C0", "Resources")
    finally:
        server.close()
