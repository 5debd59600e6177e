"""vm/bulk.py's plan(): how an endpoint is split into parts (pure: a reference table in, parts out)."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vm import bulk
from ansible_collections.viapi.esx.plugins.module_utils.vm.facts import Names

ROOT = MoRef("Folder", "group-d1")


def table(datacenters: int, clusters: list[int], standalone: int) -> Names:
    """`datacenters` datacenters, each with clusters of the given host counts and standalone hosts."""
    rows = {ROOT: {"name": "Datacenters", "parent": None}}
    for d in range(datacenters):
        dc, folder = MoRef("Datacenter", f"dc{d}"), MoRef("Folder", f"host{d}")
        rows[dc] = {"name": f"DC{d}", "parent": ROOT}
        rows[folder] = {"name": "host", "parent": dc}
        computes = [
            (MoRef("ClusterComputeResource", f"c{d}-{n}"), h) for n, h in enumerate(clusters)
        ]
        computes += [(MoRef("ComputeResource", f"s{d}-{n}"), 1) for n in range(standalone)]
        for compute, hosts in computes:
            rows[compute] = {"name": compute.value, "parent": folder}
            for h in range(hosts):
                rows[MoRef("HostSystem", f"{compute.value}-h{h}")] = {
                    "name": "h",
                    "parent": compute,
                }
    return Names(rows)


def test_one_session_reads_everything_without_parallel_reads():
    (part,) = bulk.plan(table(2, [4, 4], 8), 1)
    assert part.roots == (None,) and part.label == "every VM"


def test_as_many_datacenters_as_parallel_reads_are_the_parts():
    parts = bulk.plan(table(4, [4], 2), 4)
    assert sorted(p.roots for p in parts) == [(MoRef("Datacenter", f"dc{d}"),) for d in range(4)]
    assert {p.weight for p in parts} == {6}
    assert parts[0].label.startswith("datacenter /DC")


def test_fewer_datacenters_split_by_cluster_and_host_with_balanced_weights():
    names = table(2, [8, 4, 4], 8)  # 48 hosts, 8 + 8 standalone hosts + 6 clusters
    parts = bulk.plan(names, 4)
    assert len(parts) == 4 and sum(p.weight for p in parts) == 48
    assert {p.weight for p in parts} == {12}
    roots = [r for p in parts for r in p.roots]
    assert len(roots) == len(set(roots)) == 22  # every cluster and standalone host, once
    assert all(r.type in bulk.COMPUTE_TYPES for r in roots)
    assert parts[0].label.endswith("more")


def test_a_part_holds_at_least_a_few_hosts():
    assert len(bulk.plan(table(1, [3], 1), 4)) == 1  # 4 hosts: one session
    assert len(bulk.plan(table(1, [3], 5), 4)) == 2  # 8 hosts: two parts
    assert len(bulk.plan(table(1, [], 40), 4)) == 4


def test_below_a_datacenter_its_own_clusters_and_hosts_only():
    names = table(2, [4, 4], 4)
    dc1 = MoRef("Datacenter", "dc1")
    parts = bulk.plan(names, 4, dc1)
    assert len(parts) == 3  # 12 hosts
    assert all(names.tree.datacenter(r) == dc1 for p in parts for r in p.roots)


def test_below_a_cluster_host_or_folder_one_part():
    cluster = MoRef("ClusterComputeResource", "c0-0")
    (part,) = bulk.plan(table(2, [40], 0), 4, cluster)
    assert part.roots == (cluster,) and part.label == "cluster /DC0/host/c0-0"
