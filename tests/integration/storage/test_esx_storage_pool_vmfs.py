"""esx_storage_pool with type vmfs on the simulator: a VMFS datastore on an iSCSI LUN of one host,
check mode compared on the server, a second run, one datastore per LUN, the iSCSI target behind
it kept, removal. The server is read with the collector (storage_reads)."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module

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
        ({"name": "v", "type": "vmfs", "lun": "naa.nope", "hosts": ["DC0_H0"]},
         "lun: 'naa.nope' not found on host 'DC0_H0' (give a canonical name or device path)"),
        ({"name": "LocalDS_0", "type": "vmfs", "state": "absent"},
         "datastore 'LocalDS_0' on host 'DC0_C0_H0' is not a VMFS datastore"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(sim, args, message):
    assert pool(sim, args, ok=False)["msg"] == message
