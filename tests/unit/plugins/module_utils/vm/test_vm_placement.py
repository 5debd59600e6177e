"""placement._compute: which host a new VM gets when only a cluster is named."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm.placement import Catalog, _compute
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import PlacementRequest

CLUSTER = MoRef("ClusterComputeResource", "domain-c1")
POOL = MoRef("ResourcePool", "resgroup-1")


def host(n: int) -> MoRef:
    return MoRef("HostSystem", f"host-{n}")


DS = {
    name: MoRef("Datastore", f"datastore-{i}")
    for i, name in enumerate(("shared", "local-c", "local-a"))
}


def catalog(drs, hosts: dict, mounts: dict | None = None) -> Catalog:
    """A catalog of one cluster whose hosts are {name: (connection state, in maintenance)};
    `mounts` {host name: datastore names}, else every host mounts "shared"."""
    cat = Catalog(client=None, datacenter=MoRef("Datacenter", "dc-1"), name="DC")
    rows = {
        CLUSTER: {
            "name": "prod",
            "resourcePool": POOL,
            "host": [host(i) for i in range(len(hosts))],
        },
        POOL: {"name": "Resources", "owner": CLUSTER},
    }
    if drs is not None:
        rows[CLUSTER]["configurationEx.drsConfig.enabled"] = drs
    for i, (name, (state, maintenance)) in enumerate(hosts.items()):
        seen = (mounts or {}).get(name, ["shared"])
        rows[host(i)] = {"name": name, "parent": CLUSTER, "runtime.connectionState": state,
                         "runtime.inMaintenanceMode": maintenance,
                         "datastore": [DS[d] for d in seen]}  # fmt: skip
    for name, ref in DS.items():
        rows[ref] = {"name": name}
    cat._rows = rows
    return cat


HOSTS = {"esx-c": ("connected", False), "esx-a": ("connected", True), "esx-b": ("connected", False),
         "esx-0": ("disconnected", False)}  # fmt: skip


@pytest.mark.parametrize("drs", [True, "true"])
def test_drs_places_the_vm(drs):
    assert _compute(catalog(drs, HOSTS), PlacementRequest(cluster="prod")) == (CLUSTER, POOL, None)


@pytest.mark.parametrize("drs", [False, "false", None])
def test_without_drs_the_first_eligible_host_is_named(drs):
    # esx-0 is disconnected and esx-a in maintenance: esx-b is the first eligible by name.
    assert _compute(catalog(drs, HOSTS), PlacementRequest(cluster="prod")) == (
        CLUSTER,
        POOL,
        host(2),
    )


def test_without_drs_and_no_eligible_host_the_error_names_the_cluster():
    hosts = {"esx-a": ("connected", True), "esx-b": ("notResponding", False)}
    with pytest.raises(
        InvalidArgument, match="cluster 'prod' has no connected host outside maintenance"
    ):
        _compute(catalog(False, hosts), PlacementRequest(cluster="prod"))


def test_a_named_host_is_kept():
    assert _compute(catalog(False, HOSTS), PlacementRequest(cluster="prod", host="esx-c")) == (
        CLUSTER,
        POOL,
        host(0),
    )


def test_without_drs_the_host_mounts_the_named_datastore():
    # esx-b is the first eligible by name, but only esx-c mounts local-c.
    cat = catalog(False, HOSTS, {"esx-c": ["shared", "local-c"]})
    assert _compute(cat, PlacementRequest(cluster="prod", datastore="local-c"))[2] == host(0)
    assert _compute(cat, PlacementRequest(cluster="prod", datastore="shared"))[2] == host(2)


def test_without_drs_a_clone_prefers_a_host_that_sees_its_source_datastore():
    cat = catalog(False, HOSTS, {"esx-c": ["shared", "local-c"]})
    assert _compute(cat, PlacementRequest(cluster="prod"), "local-c")[2] == host(0)
    # No eligible host sees the preferred one: the first eligible, whose datastore is checked next.
    assert _compute(cat, PlacementRequest(cluster="prod"), "local-a")[2] == host(2)


def test_without_drs_a_datastore_only_an_ineligible_host_mounts_is_an_error():
    # esx-a (in maintenance) alone mounts local-a.
    cat = catalog(False, HOSTS, {"esx-a": ["local-a"]})
    with pytest.raises(
        InvalidArgument,
        match="datastore: datastore 'local-a' is mounted by no connected host outside maintenance "
        "mode of cluster 'prod' \\(and DRS is off\\)",
    ):
        _compute(cat, PlacementRequest(cluster="prod", datastore="local-a"))


def test_with_drs_the_datastore_does_not_pick_a_host():
    cat = catalog(True, HOSTS, {"esx-c": ["shared", "local-c"]})
    assert _compute(cat, PlacementRequest(cluster="prod", datastore="local-c"))[2] is None
