"""esx_storage_pool's wait_timeout on a simulator whose RescanAllHba takes 5 s (--rescan-delay):
it bounds the whole run, lets one rescan take longer than the connection's timeout, names the
call and host that ran out and what was done before; check mode, second run and diff with it.
The server is read with storage_reads (the collector), never through the module under test."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module

NFS = {"name": "nfs-t", "type": "nfs", "server": "nas.example.com", "path": "/exports/t",
       "hosts": ["DC0_H0"], "wait_timeout": 30}  # fmt: skip


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """vCenter whose hosts each take 5 s per RescanAllHba; these tests change it."""
    return vcsim_factory("--rescan-delay", "5000")


def pool(sim, args: dict, check=False, diff=False, ok=True) -> dict:
    result = run_module("esx_storage_pool", args, sim, check=check, diff=diff)
    assert (result.rc == 0) is ok, result.stdout[-3000:]
    return result.result


def test_a_rescan_may_take_longer_than_the_connection_timeout(sim):
    args = {"name": "LocalDS_0", "state": "refreshed", "hosts": ["DC0_H0"], "timeout": 2,
            "wait_timeout": 60}  # fmt: skip
    done = pool(sim, args)
    assert [a["method"] for a in done["actions"]] == [
        "RescanAllHba",
        "RescanVmfs",
        "RefreshDatastore",
    ]
    assert done["changed"] is False


def test_a_rescan_cut_short_names_the_call_and_the_host(sim):
    args = {"name": "LocalDS_0", "state": "refreshed", "hosts": ["DC0_H0"], "wait_timeout": 3}
    failed = pool(sim, args, ok=False)
    assert failed["msg"] == (
        "wait_timeout: rescan on host 'DC0_H0' (RescanAllHba) did not answer within 3s; the host "
        "goes on with the rescan and finishes it on its own"
    )
    assert "actions" not in failed


def test_a_run_out_after_a_host_was_done_says_what_was_done(sim):
    # Two hosts: DC0_C0_H0's calls (5 s) fit in 8 s, DC0_H0's rescan (5 s more) does not.
    args = {"name": "LocalDS_0", "state": "refreshed", "hosts": ["DC0_C0_H0", "DC0_H0"],
            "wait_timeout": 8}  # fmt: skip
    failed = pool(sim, args, ok=False)
    assert failed["msg"] == (
        "wait_timeout: rescan on host 'DC0_H0' (RescanAllHba) did not answer within 8s; the host "
        "goes on with the rescan and finishes it on its own; done before: rescan on DC0_C0_H0, "
        "rescan on DC0_C0_H0, refresh on DC0_C0_H0"
    )
    assert failed["changed"] is True
    assert failed["actions"] == [
        "rescan on DC0_C0_H0",
        "rescan on DC0_C0_H0",
        "refresh on DC0_C0_H0",
    ]


def test_wait_timeout_with_a_mount_check_mode_second_run_and_diff(sim):
    before = reads.datastores(sim)
    check = pool(sim, NFS, check=True, diff=True)
    assert check["changed"] and check["diff"]["after"]["hosts"] == ["DC0_H0"]
    assert reads.datastores(sim).keys() == before.keys()
    made = pool(sim, NFS, diff=True)
    assert made["changed"] and made["diff"]["before"] == {}
    assert reads.datastores(sim)["nfs-t"]["listed_by"] == {"DC0_H0"}
    again = pool(sim, NFS, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]
    pool(sim, dict(NFS, state="absent"))
    assert "nfs-t" not in reads.datastores(sim)


@pytest.mark.parametrize("value", [0, -5])
def test_wait_timeout_must_be_positive(sim, value):
    failed = pool(sim, dict(NFS, wait_timeout=value), ok=False)
    assert failed["msg"] == f"wait_timeout must be a positive number of seconds, got {value}"
