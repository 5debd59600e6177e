"""esx_storage_pool with type vmfs on the simulator: a VMFS datastore on an iSCSI LUN of one host,
check mode compared on the server, a second run, one datastore per LUN, the iSCSI target behind
it kept, removal; a LUN with partitions (put there with UpdateDiskPartitions) refused unless
overwrite_partitions, a LUN behind a VM's raw device mapping always refused. The server is read
with the collector (storage_reads)."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect

IQN = "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e"


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """vCenter with iSCSI adapters and LUNs on DC0_H0; these tests change it."""
    return vcsim_factory("--iscsi-hosts", "DC0_H0")


@pytest.fixture(scope="module")
def lun(sim) -> dict:
    return reads.iscsi_targets(sim.manifest)[IQN]["luns"][0]


def pool(sim, args: dict, check=False, diff=False, ok=True) -> dict:
    result = run_module("esx_storage_pool", args, sim, check=check, diff=diff)
    assert (result.rc == 0) is ok, result.stdout[-3000:]
    return result.result


def test_vmfs_on_a_lun(sim, lun):
    args = {
        "name": "vmfs1",
        "type": "vmfs",
        "lun": lun["device_path"],
        "hosts": ["DC0_H0"],
        "vmfs_version": "6",
    }
    before = reads.datastores(sim)
    check = pool(sim, args, check=True, diff=True)
    assert check["changed"] and check["diff"]["after"]["type"] == "vmfs"
    assert reads.datastores(sim).keys() == before.keys()

    made = pool(sim, args)
    ds = reads.datastores(sim)["vmfs1"]
    assert ds["summary"]["type"] == "VMFS" and ds["listed_by"] == {"DC0_H0"}
    assert ds["info"]["vmfs"]["majorVersion"] == 6
    assert [e["diskName"] for e in ds["info"]["vmfs"]["extent"]] == [lun["canonical_name"]]
    assert made["pool"]["type"] == "vmfs" and made["pool"]["hosts"] == ["DC0_H0"]
    assert pool(sim, dict(args, lun=lun["canonical_name"]))["changed"] is False
    # `host`, the name for a VMFS pool's one host, is an alias of `hosts`
    one_host = {k: v for k, v in args.items() if k != "hosts"}
    assert pool(sim, dict(one_host, host="DC0_H0"))["changed"] is False
    # refreshed finds the hosts that mount it, as for NFS; nothing new appeared
    refreshed = pool(sim, {"name": "vmfs1", "type": "vmfs", "state": "refreshed"})
    assert refreshed["changed"] is False

    other = pool(sim, dict(args, name="vmfs2"), ok=False)
    assert (
        other["msg"]
        == f"lun: {lun['canonical_name']} holds VMFS datastore 'vmfs1' already, not 'vmfs2'"
    )

    target = {"name": IQN, "type": "iscsi", "address": "192.168.50.10", "state": "absent"}
    refused = pool(sim, target, ok=False)
    assert refused["msg"] == (
        f"the LUNs of iSCSI target '{IQN}' on host 'DC0_H0' back mounted datastore(s) vmfs1 "
        f"({lun['canonical_name']}); not removed (force does not override this)"
    )
    # `iqn` is an alias of `name` for an iSCSI static target
    by_iqn = {k: v for k, v in target.items() if k != "name"}
    assert pool(sim, dict(by_iqn, iqn=IQN), ok=False)["msg"] == refused["msg"]

    gone = {"name": "vmfs1", "type": "vmfs", "state": "absent"}
    assert pool(sim, gone, check=True)["changed"] and "vmfs1" in reads.datastores(sim)
    pool(sim, gone)
    assert "vmfs1" not in reads.datastores(sim)
    assert pool(sim, gone)["changed"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"name": "v", "type": "vmfs", "hosts": ["DC0_H0"]}, "lun is required for a VMFS pool with state present"),
        ({"name": "v", "type": "vmfs", "lun": "naa.1", "hosts": ["DC0_H0", "DC0_C0_H0"]},
         "hosts: a VMFS pool is made on one host, got 2"),
        ({"name": "v", "type": "vmfs", "lun": "naa.1", "cluster": "DC0_C0"},
         "cluster: 'DC0_C0' does not apply to a VMFS pool, which is made on one host; give hosts: [that host]"),
        ({"name": "v", "type": "vmfs", "lun": "naa.nope", "hosts": ["DC0_H0"]},
         "lun: 'naa.nope' not found on host 'DC0_H0' (give a canonical name or device path)"),
        ({"name": "LocalDS_0", "type": "vmfs", "state": "absent"},
         "datastore 'LocalDS_0' on host 'DC0_C0_H0' is not a VMFS datastore"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(sim, args, message):
    assert pool(sim, args, ok=False)["msg"] == message


def partitions(sim, lun: dict) -> list[tuple]:
    """(number, type, start, end) of the LUN's partitions, as DC0_H0's storage system reports them."""
    with reads.client(sim) as c:
        system = host_props(c)["configManager.storageSystem"]
        infos = c.call(system, "RetrieveDiskPartitionInfo", devicePath=[lun["device_path"]])
    (info,) = infos if isinstance(infos, list) else [infos]
    return [(r["partition"], r["type"], r["start"]["block"], r["end"]["block"])
            for r in (info.get("layout") or {}).get("partition") or []]  # fmt: skip


def host_props(c) -> dict:
    rows = collect(c, {"HostSystem": ["name", "configManager.storageSystem"]})
    return next(p for _r, p in rows if p["name"] == "DC0_H0")


def put_partitions(sim, lun: dict) -> None:
    """An NTFS and a Linux partition on the LUN, written with UpdateDiskPartitions (not the module)."""
    spec = {"_type": "HostDiskPartitionSpec", "partitionFormat": "gpt",
            "partition": [
                {"_type": "HostDiskPartitionAttributes", "partition": 1, "startSector": 2048,
                 "endSector": 4095, "type": "EBD0A0A2B9E5443387C068B6B72699C7", "logical": False},
                {"_type": "HostDiskPartitionAttributes", "partition": 2, "startSector": 4096,
                 "endSector": 8191, "type": "0FC63DAF848347728E793D69D8477DE4", "logical": False},
            ]}  # fmt: skip
    with reads.client(sim) as c:
        c.call(host_props(c)["configManager.storageSystem"], "UpdateDiskPartitions",
               devicePath=lun["device_path"], spec=spec)  # fmt: skip


def test_a_lun_with_partitions_is_refused_unless_they_may_be_overwritten(sim):
    lun = reads.iscsi_targets(sim.manifest)[IQN]["luns"][1]
    assert partitions(sim, lun) == []  # blank until partitioned
    put_partitions(sim, lun)
    table = partitions(sim, lun)
    assert [(n, t) for n, t, _s, _e in table] == [(1, "ntfs"), (2, "linuxNative")]
    args = {"name": "vmfs-p", "type": "vmfs", "lun": lun["canonical_name"], "hosts": ["DC0_H0"]}
    refusal = (
        f"lun: {lun['canonical_name']} has partitions (1 ntfs; 2 linuxNative); not made into VMFS "
        "datastore 'vmfs-p' unless overwrite_partitions: true (their data is lost)"
    )
    assert pool(sim, args, check=True, ok=False)["msg"] == refusal
    assert pool(sim, args, ok=False)["msg"] == refusal
    assert "vmfs-p" not in reads.datastores(sim) and partitions(sim, lun) == table

    overwrite = dict(args, overwrite_partitions=True)
    check = pool(sim, overwrite, check=True, diff=True)
    assert check["changed"] and check["diff"]["before"] == {}
    assert check["diff"]["after"]["name"] == "vmfs-p"
    assert "vmfs-p" not in reads.datastores(sim) and partitions(sim, lun) == table
    made = pool(sim, overwrite, diff=True)
    assert made["changed"] and made["actions"] == [
        {"host": "DC0_H0", "action": "create", "method": "CreateVmfsDatastore"}
    ]
    ds = reads.datastores(sim)["vmfs-p"]
    assert [e["diskName"] for e in ds["info"]["vmfs"]["extent"]] == [lun["canonical_name"]]
    assert [(n, t) for n, t, _s, _e in partitions(sim, lun)] == [(1, "vmfs")]  # the old ones gone
    again = pool(sim, overwrite, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]
    assert pool(sim, args)["changed"] is False  # its own VMFS partition is no refusal

    pool(sim, {"name": "vmfs-p", "type": "vmfs", "state": "absent"})
    assert "vmfs-p" not in reads.datastores(sim) and partitions(sim, lun) == []


def test_a_lun_that_backs_a_raw_device_mapping_is_refused(vcsim_factory):
    # The simulator cannot make an RDM disk through CreateVM_Task; --rdm gives DC0_H0_VM0 one
    # (tests/vcsim/rdm.go) on a LUN of DC0_H0 named in the manifest.
    rdm_sim = vcsim_factory("--iscsi-hosts", "DC0_H0", "--rdm", "DC0_H0_VM0")
    rdm = rdm_sim.manifest["rdm"]
    with reads.client(rdm_sim) as c:
        rows = collect(c, {"VirtualMachine": ["name", "config.hardware.device"]})
    disks = [d for _r, p in rows if p["name"] == "DC0_H0_VM0"
             for d in p["config.hardware.device"] if d["_type"] == "VirtualDisk"]  # fmt: skip
    assert disks[0]["backing"]["_type"] == "VirtualDiskRawDiskMappingVer1BackingInfo"
    assert disks[0]["backing"]["lunUuid"] == rdm["uuid"]
    args = {"name": "vmfs-r", "type": "vmfs", "lun": rdm["device_path"], "hosts": ["DC0_H0"]}
    label = disks[0]["deviceInfo"]["label"]
    refusal = (
        f"lun: {rdm['lun']} backs raw device mapping(s) of VM(s) DC0_H0_VM0 ({label}); "
        "not made into a VMFS datastore (overwrite_partitions does not override this)"
    )
    assert pool(rdm_sim, args, check=True, ok=False)["msg"] == refusal
    assert pool(rdm_sim, dict(args, overwrite_partitions=True), ok=False)["msg"] == refusal
    assert "vmfs-r" not in reads.datastores(rdm_sim)
