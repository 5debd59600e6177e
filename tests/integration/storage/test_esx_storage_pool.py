"""esx_storage_pool (NFS) on the simulator: mounts on a cluster and on hosts, one name per export,
refresh, and unmounts refused while registered VMs have files there. What the server holds is
read with storage_reads (the collector, never the module under test)."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

CLUSTER_HOSTS = {"DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"}
NFS = {"name": "nfs1", "type": "nfs", "server": "nas.example.com", "path": "/exports/a"}


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """vCenter: a cluster of three hosts and a standalone host; these tests change it."""
    return vcsim_factory()


def pool(sim, args: dict, check=False, diff=False, ok=True) -> dict:
    result = run_module("esx_storage_pool", args, sim, check=check, diff=diff)
    assert (result.rc == 0) is ok, result.stdout[-3000:]
    return result.result


def mounts(sim, name: str) -> set[str]:
    """The hosts that list the datastore `name` (empty when there is none)."""
    ds = reads.datastores(sim).get(name)
    return set(ds["listed_by"]) if ds else set()


def make_vm(sim, name: str, datastore: str) -> None:
    """A VM whose files are on `datastore`, registered on DC0_C0_H0."""
    with reads.client(sim) as c:
        rows = dict(
            collect(c, {"Datacenter": ["vmFolder"], "ClusterComputeResource": ["resourcePool"]})
        )
        folder = next(p["vmFolder"] for r, p in rows.items() if r.type == "Datacenter")
        rp = next(p["resourcePool"] for r, p in rows.items() if r.type == "ClusterComputeResource")
        config = {"_type": "VirtualMachineConfigSpec", "name": name, "guestId": "otherGuest",
                  "numCPUs": 1, "memoryMB": 64,
                  "files": {"_type": "VirtualMachineFileInfo", "vmPathName": f"[{datastore}]"}}  # fmt: skip
        wait_for_task(c, c.call(folder, "CreateVM_Task", config=config, pool=rp))


def destroy_vm(sim, name: str) -> None:
    with reads.client(sim) as c:
        vm = next(r for r, p in collect(c, {"VirtualMachine": ["name"]}) if p["name"] == name)
        wait_for_task(c, c.call(vm, "Destroy_Task"))


def test_mount_on_a_cluster_then_a_host(sim):
    args = dict(NFS, cluster="DC0_C0")
    before = reads.datastores(sim)
    check = pool(sim, args, check=True, diff=True)
    assert check["changed"] and {a["host"] for a in check["actions"]} == CLUSTER_HOSTS
    assert check["diff"]["before"] == {} and set(check["diff"]["after"]["hosts"]) == CLUSTER_HOSTS
    assert reads.datastores(sim).keys() == before.keys()

    made = pool(sim, args)
    assert made["changed"] and set(made["pool"]["hosts"]) == CLUSTER_HOSTS
    ds = reads.datastores(sim)["nfs1"]
    assert mounts(sim, "nfs1") == CLUSTER_HOSTS
    assert (ds["info"]["nas"]["remoteHost"], ds["info"]["nas"]["remotePath"]) == (
        "nas.example.com",
        "/exports/a",
    )
    assert ds["summary"]["type"] == "NFS"
    assert {m["mountInfo"]["accessMode"] for m in ds["host"]} == {"readWrite"}
    assert pool(sim, args)["changed"] is False

    one = pool(sim, dict(NFS, hosts=["DC0_H0"]))
    assert [a["host"] for a in one["actions"]] == ["DC0_H0"]
    assert mounts(sim, "nfs1") == CLUSTER_HOSTS | {"DC0_H0"}
    assert pool(sim, dict(NFS, hosts=["DC0_H0"]))["changed"] is False


def test_an_export_has_one_name(sim):
    pool(sim, dict(NFS, hosts=["DC0_H0"]))
    other_name = pool(sim, dict(NFS, name="nfs2", hosts=["DC0_H0"]), ok=False)
    assert other_name["msg"] == (
        "host 'DC0_H0' mounts nas.example.com:/exports/a as 'nfs1', not as 'nfs2': an export "
        "has one name on every host"
    )
    other_export = pool(sim, dict(NFS, path="/exports/b", hosts=["DC0_H0"]), ok=False)
    assert other_export["msg"] == (
        "host 'DC0_H0' has datastore 'nfs1' from nas.example.com:/exports/a, not nas.example.com:/exports/b"
    )
    assert "nfs2" not in reads.datastores(sim)


def test_an_export_is_the_one_mounted_whatever_its_spelling(sim):
    """NAS.example.com:/exports/s/ is nas.example.com:/exports/s (RFC 4343: DNS names are
    case-insensitive; a trailing slash names the same directory): no change on a host that
    mounts it, and a host that lacks it mounts it as the others do, one datastore."""
    args = dict(NFS, name="nfs_spelt", path="/exports/s", hosts=["DC0_C0_H0"])
    pool(sim, args)
    spelt = dict(args, server="NAS.Example.com", path="/exports//s/")
    assert pool(sim, spelt)["changed"] is False
    assert pool(sim, spelt, check=True)["changed"] is False
    more = pool(sim, dict(spelt, hosts=["DC0_C0_H0", "DC0_C0_H1"]))
    assert [a["host"] for a in more["actions"]] == ["DC0_C0_H1"]
    assert mounts(sim, "nfs_spelt") == {"DC0_C0_H0", "DC0_C0_H1"}
    nas = reads.datastores(sim)["nfs_spelt"]["info"]["nas"]
    assert (nas["remoteHost"], nas["remotePath"]) == ("nas.example.com", "/exports/s")
    assert [n for n in reads.datastores(sim) if n.startswith("nfs_spelt")] == ["nfs_spelt"]
    pool(sim, dict(NFS, name="nfs_spelt", path="/exports/s", cluster="DC0_C0", state="absent"))
    assert mounts(sim, "nfs_spelt") == set()


def test_a_mount_of_another_version_or_access_is_an_error(sim):
    ro = dict(NFS, name="nfs_ro", path="/exports/ro", hosts=["DC0_H0"], access="read_only")
    pool(sim, ro)
    assert pool(sim, ro)["changed"] is False
    mount = reads.datastores(sim)["nfs_ro"]["host"]
    assert [m["mountInfo"]["accessMode"] for m in mount] == ["readOnly"]
    for args, message in (
        (dict(ro, access="read_write"), "access: host 'DC0_H0' mounts datastore 'nfs_ro' with "
         "access read_only, not read_write; unmount it (state absent) first"),
        (dict(ro, nfs_version="4.1"), "nfs_version: host 'DC0_H0' mounts datastore 'nfs_ro' with "
         "nfs_version 3, not 4.1; unmount it (state absent) first"),
    ):  # fmt: skip
        assert pool(sim, args, ok=False)["msg"] == message
        assert pool(sim, args, check=True, ok=False)["msg"] == message
    assert reads.datastores(sim)["nfs_ro"]["host"] == mount
    pool(sim, dict(ro, state="absent"))


def test_a_host_named_twice_is_mounted_once(sim):
    args = dict(NFS, name="nfs_twice", path="/exports/twice", hosts=["DC0_H0", "DC0_H0"])
    check = pool(sim, args, check=True)
    assert [(a["host"], a["action"]) for a in check["actions"]] == [("DC0_H0", "mount")]
    made = pool(sim, args)
    assert made["changed"] and [a["host"] for a in made["actions"]] == ["DC0_H0"]
    assert mounts(sim, "nfs_twice") == {"DC0_H0"}
    assert pool(sim, args)["changed"] is False
    pool(sim, dict(args, state="absent"))
    assert mounts(sim, "nfs_twice") == set()


def test_refresh_reports_no_change_when_nothing_appeared(sim):
    pool(sim, dict(NFS, hosts=["DC0_H0"]))
    stamp = reads.datastores(sim)["nfs1"]["info"].get("timestamp")
    check = pool(sim, {"name": "nfs1", "state": "refreshed"}, check=True)
    assert (
        check["changed"] is False
        and reads.datastores(sim)["nfs1"]["info"].get("timestamp") == stamp
    )
    done = pool(sim, {"name": "nfs1", "state": "refreshed"})
    assert done["changed"] is False
    assert {a["method"] for a in done["actions"]} == {
        "RescanAllHba",
        "RescanVmfs",
        "RefreshDatastore",
    }
    assert reads.datastores(sim)["nfs1"]["info"]["timestamp"] != stamp  # the server did refresh


def test_unmount_refused_while_vms_have_files_there(sim):
    pool(sim, dict(NFS, cluster="DC0_C0"))
    make_vm(sim, "on-nfs", "nfs1")
    refused = pool(sim, {"name": "nfs1", "state": "absent", "force": True}, ok=False)
    assert refused["msg"] == (
        "datastore 'nfs1' holds files of registered VMs or templates: on-nfs; not removed "
        "(force does not override this)"
    )
    assert mounts(sim, "nfs1") >= CLUSTER_HOSTS
    destroy_vm(sim, "on-nfs")

    one = {"name": "nfs1", "state": "absent", "hosts": ["DC0_C0_H2"]}
    check = pool(sim, one, check=True, diff=True)
    assert check["changed"] and "DC0_C0_H2" not in check["diff"]["after"]["hosts"]
    assert "DC0_C0_H2" in mounts(sim, "nfs1")
    pool(sim, one)
    assert "DC0_C0_H2" not in mounts(sim, "nfs1") and "DC0_C0_H0" in mounts(sim, "nfs1")
    assert pool(sim, one)["changed"] is False

    everywhere = {"name": "nfs1", "state": "absent"}
    gone = pool(sim, everywhere)
    assert gone["pool"] is None and "nfs1" not in reads.datastores(sim)
    assert pool(sim, everywhere)["changed"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"name": "n", "server": "s"}, "path required for an NFS pool with state present"),
        ({"name": "n", "server": "s", "path": "/p"}, "hosts or cluster is required for state present"),
        ({"name": "n", "server": "s", "path": "rel", "hosts": ["DC0_H0"]},
         "path: 'rel' is not an absolute export path"),
        ({"name": "n", "server": "s", "path": "/p", "hosts": ["nope"]}, "hosts: host 'nope' not found"),
        ({"name": "n", "server": "s", "path": "/p", "cluster": "nope"}, "cluster: cluster 'nope' not found"),
        ({"name": "LocalDS_0", "state": "absent"}, "datastore 'LocalDS_0' on host 'DC0_C0_H0' is not an NFS datastore"),
        ({"name": "none", "state": "refreshed"}, "name: storage pool 'none' is mounted on no host"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(sim, args, message):
    assert pool(sim, args, ok=False)["msg"] == message
