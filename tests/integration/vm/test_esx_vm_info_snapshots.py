"""esx_vm_info's snapshot report (has_snapshots, snapshot_older_than_days) on a fleet whose
snapshots the simulator took itself (tests/vcsim --snapshots): the VMs and their snapshot names
equal the simulator's manifest, the facts equal those of a full read filtered afterwards, and
the report costs the same few requests through one session whatever the number of VMs.
"""

from __future__ import annotations

import pytest
from ansible_run import run_module
from return_docs import assert_matches_return

from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmQuery

# 2 datacenters, each with a cluster (of 2 hosts) and 2 standalone hosts, 3 VMs on each of
# those: 18 VMs; every third by path (6) has a chain of 1, 2 or 3 snapshots.
MODEL = ("--dc", "2", "--cluster", "1", "--cluster-host", "2", "--host", "2", "--vm", "3",
         "--snapshots", "3")  # fmt: skip
# RetrieveServiceContent and Login; the view, its read, DestroyView; the picked VMs' other
# properties; their names; Logout.
REPORT_ROUND_TRIPS = 8


@pytest.fixture(scope="module")
def fleet(vcsim_factory):
    return vcsim_factory(*MODEL)


def client_of(sim) -> Client:
    return Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)


def names(tree: list) -> list[str]:
    out = []
    for node in tree:
        out += [node["name"], *names(node["children"])]
    return out


def expected(sim) -> dict:
    """moid -> snapshot names, root first, as the simulator took them."""
    return {moid: list(given) for moid, given in sim.manifest["snapshots"].items()}


def report(sim, query: VmQuery) -> tuple[list, int, list]:
    """The VMs of one runner call, the caller's round trips, and the sessions it opened."""
    opened = []

    def open_client():
        opened.append(client_of(sim))
        return opened[-1]

    with client_of(sim) as client:
        vms = vm_query.run(client, query, open_client)["vms"]
        return vms, client.round_trips + 1, opened  # + the Logout on leaving


@pytest.mark.parametrize("devices", [True, False])
def test_report_equals_the_manifest_and_a_full_read(fleet, devices):
    want = expected(fleet)
    assert len(want) == 6 and len(fleet.manifest["vms"]) == 18
    vms, trips, opened = report(fleet, VmQuery(has_snapshots=True, devices=devices))
    assert {v["moid"]: names(v["snapshots"]) for v in vms} == want
    assert all(v["snapshot_count"] == len(want[v["moid"]]) for v in vms)
    assert all(v["current_snapshot"]["name"] == want[v["moid"]][-1] for v in vms)
    everything, _trips, _opened = report(fleet, VmQuery(devices=devices))
    assert len(everything) == 18
    assert vms == [v for v in everything if v["snapshot_count"]], "the same facts, in order"
    assert opened == [], "the report reads through the caller's one session"
    assert trips == REPORT_ROUND_TRIPS


def test_report_requests_do_not_grow_with_the_fleet(vcsim_factory):
    bigger = vcsim_factory(*MODEL[:-3], "6", "--snapshots", "2")  # 36 VMs, 18 with snapshots
    vms, trips, opened = report(bigger, VmQuery(has_snapshots=True, devices=False))
    assert {v["moid"]: names(v["snapshots"]) for v in vms} == expected(bigger)
    assert len(vms) == 18 and opened == []
    assert trips == REPORT_ROUND_TRIPS


def test_age_and_absence_filters(fleet):
    want = expected(fleet)
    fresh, _trips, _opened = report(fleet, VmQuery(snapshot_older_than_days=0, devices=False))
    assert sorted(v["moid"] for v in fresh) == sorted(want)
    old, _trips, _opened = report(fleet, VmQuery(snapshot_older_than_days=1, devices=False))
    assert old == []
    both, _trips, _opened = report(
        fleet, VmQuery(has_snapshots=True, snapshot_older_than_days=0, power_state="powered_on")
    )
    assert both and all(v["power_state"] == "powered_on" for v in both)
    assert {v["moid"] for v in both} <= set(want)
    without, _trips, _opened = report(fleet, VmQuery(has_snapshots=False, devices=False))
    assert len(without) == 12 and not {v["moid"] for v in without} & set(want)


def test_report_through_the_module_matches_its_return_docs(fleet):
    cluster = next(c["name"] for c in fleet.manifest.get("clusters", []))
    result = run_module("esx_vm_info", {"has_snapshots": True, "cluster": cluster}, sim=fleet)
    assert not result.failed, result.get("msg") or result.stdout[-3000:]
    assert_matches_return("esx_vm_info", result.result)
    want = expected(fleet)
    in_cluster = {v["moid"] for v in fleet.manifest["vms"] if v.get("cluster") == cluster}
    assert {v["moid"]: names(v["snapshots"]) for v in result["vms"]} == {
        moid: given for moid, given in want.items() if moid in in_cluster
    }
    assert all(v["cluster"] == cluster and v["disks"] for v in result["vms"])


def test_an_age_with_has_snapshots_false_fails_naming_both(fleet):
    result = run_module(
        "esx_vm_info", {"has_snapshots": False, "snapshot_older_than_days": 3}, sim=fleet
    )
    assert result.failed and result["msg"] == (
        "snapshot_older_than_days: 3 keeps VMs that have snapshots, and has_snapshots is false"
    )
