"""esx_migrate with `hosts` and a `resource_pool`: a candidate outside the pool's cluster is
refused, not the run (the server takes no host outside the pool's compute resource)."""

from __future__ import annotations

import pytest
from ansible_run import run_module
from return_docs import assert_matches_return
from second_reader import placed as read_placement

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

SCENARIO = ("--scenario", "premigration")


def client(sim) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=str(sim.ca_path))


def allocation() -> dict:
    shares = {"_type": "SharesInfo", "level": "normal", "shares": 0}
    return {"_type": "ResourceAllocationInfo", "reservation": 0, "expandableReservation": True,
            "limit": -1, "shares": shares}  # fmt: skip


@pytest.fixture
def sim(vcsim_factory):
    """The scenario, with a resource pool 'gold' in its cluster."""
    sim = vcsim_factory(*SCENARIO)
    cluster_name = sim.manifest["premigration"]["cluster"]
    with client(sim) as c:
        clusters = collect(c, {"ClusterComputeResource": ["name", "resourcePool"]})
        root = next(p["resourcePool"] for _r, p in clusters if p["name"] == cluster_name)
        spec = {"_type": "ResourceConfigSpec", "cpuAllocation": allocation(),
                "memoryAllocation": allocation()}  # fmt: skip
        sim.gold = c.call(root, "CreateResourcePool", name="gold", spec=spec)
    return sim


def placed(sim, vm: str) -> tuple:
    """The VM's host name and pool moid, read through pyVmomi."""
    return read_placement(sim, vm)[:2]


def test_a_candidate_outside_the_pools_cluster_is_refused_and_another_taken(sim):
    standalone = next(h["name"] for h in sim.manifest["hosts"] if not h["cluster"])
    ok_host, vm = (
        sim.manifest["premigration"]["hosts"]["ok"],
        sim.manifest["premigration"]["vms"]["clean"],
    )
    args = {"name": vm, "hosts": [standalone, ok_host], "resource_pool": "gold"}
    before = placed(sim, vm)
    check = run_module("esx_migrate", args, sim=sim, check=True)
    assert not check.failed and check["changed"] is True, check.get("msg")
    assert placed(sim, vm) == before != (ok_host, sim.gold.value)  # check mode moved nothing
    result = run_module("esx_migrate", args, sim=sim)
    assert not result.failed and result["changed"] is True, result.get("msg")
    assert_matches_return("esx_migrate", result.result)
    assert placed(sim, vm) == (ok_host, sim.gold.value)
    (refused, chosen) = result["choice"]["candidates"]
    assert (refused["host"], refused["accepted"], refused["blocked_by"]) == (
        standalone, False, ["resource_pool"])  # fmt: skip
    assert refused["reasons"] == [f"resource_pool: resource_pool 'gold' does not belong to "
                                  f"'{standalone}'"]  # fmt: skip
    assert (chosen["host"], chosen["accepted"]) == (ok_host, True)
    again = run_module("esx_migrate", args, sim=sim)
    assert not again.failed and again["changed"] is False, again.get("msg")


def test_no_candidate_in_the_pools_cluster_fails_naming_each(sim):
    standalone = next(h["name"] for h in sim.manifest["hosts"] if not h["cluster"])
    vm = sim.manifest["premigration"]["vms"]["clean"]
    before = placed(sim, vm)
    result = run_module("esx_migrate", {"name": vm, "hosts": [standalone], "resource_pool": "gold"},
                        sim=sim)  # fmt: skip
    assert result.failed and result["error_type"] == "InvalidArgument", result.result
    assert result["msg"] == (
        f"hosts: no candidate host can take the VM there: {standalone}: resource_pool: "
        f"resource_pool 'gold' does not belong to '{standalone}'"
    )
    assert placed(sim, vm) == before
