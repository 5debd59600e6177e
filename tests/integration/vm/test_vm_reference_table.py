"""vm/bulk.reference_table on the simulator: its one ContainerView read gives exactly the table
the traversal from the root folder gave (kept here as the reference: OLD_TREE), on a vCenter
with nested folders, a datacenter in a folder, a standalone host in a host folder, nested
resource pools, a vApp, a storage pod and a distributed switch, and on ESXi (no custom fields
manager); its view is destroyed, also when the read fails; a view that died with its session
is made again, once.
"""

from __future__ import annotations

import re

import pytest
from faultproxy import HOOK, TRUNCATE, FaultProxy
from pyVmomi import vim
from vm_server import Ref

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import (
    property_spec,
    retrieve,
    traversal,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import ViError
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client
from ansible_collections.viapi.esx.plugins.module_utils.vm import bulk
from ansible_collections.viapi.esx.plugins.module_utils.vm.facts import Names

_RECURSE = ("folder", "dc_vm", "dc_host", "dc_ds", "dc_net", "cr_host", "cr_pool", "pool")
# The TraversalSpecs bulk.reference_table used before it read through a view.
OLD_TREE = [
    dict(traversal("Folder", "childEntity"), name="folder"),
    dict(traversal("Datacenter", "vmFolder"), name="dc_vm"),
    dict(traversal("Datacenter", "hostFolder"), name="dc_host"),
    dict(traversal("Datacenter", "datastoreFolder"), name="dc_ds"),
    dict(traversal("Datacenter", "networkFolder"), name="dc_net"),
    dict(traversal("ComputeResource", "host"), name="cr_host"),
    dict(traversal("ComputeResource", "resourcePool"), name="cr_pool"),
    dict(traversal("ResourcePool", "resourcePool"), name="pool"),
]
for _spec in OLD_TREE:
    if _spec["name"] != "cr_host":
        _spec["selectSet"] = [{"_type": "SelectionSpec", "name": n} for n in _RECURSE]


def old_table(client) -> Names:
    """The reference table as the traversal read it (the product's code before the view)."""
    objects = [{"_type": "ObjectSpec", "obj": client.content["rootFolder"], "skip": False,
                "selectSet": OLD_TREE}]  # fmt: skip
    types = {t: ["name", "parent"] for t in bulk.REFERENCE_TYPES}
    manager = client.content.get("customFieldsManager") if client.is_vcenter else None
    if manager is not None:
        objects.append({"_type": "ObjectSpec", "obj": manager, "skip": False})
        types["CustomFieldsManager"] = ["field"]
    spec = {"_type": "PropertyFilterSpec", "objectSet": objects,
            "propSet": [property_spec(t, p) for t, p in types.items()]}  # fmt: skip
    found = dict(retrieve(client, [spec], bulk.PAGE_SIZE))
    custom = None
    if manager is not None:
        custom = {f["key"]: f["name"] for f in (found.pop(manager, {}) or {}).get("field") or []}
    return Names(found, custom)


def connect(sim, where=None) -> Client:
    where = where or sim
    return Client(where.host, sim.username, sim.password, port=where.port, ca_path=where.ca_path)


def first(server, type_name: str, name: str | None = None) -> Ref:
    names = server.names(type_name)
    return next(r for r, n in sorted(names.items()) if name is None or n == name)


def pool_spec():
    allocation = vim.ResourceAllocationInfo(reservation=0, expandableReservation=True, limit=-1,
                                            shares=vim.SharesInfo(level="normal", shares=0))  # fmt: skip
    return vim.ResourceConfigSpec(cpuAllocation=allocation, memoryAllocation=allocation)


def grow_vcenter(server) -> None:
    """Nesting the simulator's default vCenter model does not have."""
    root = Ref("Folder", server.content.rootFolder._moId)
    region = server.call(root, "CreateFolder", name="region")
    east = server.call(region, "CreateFolder", name="east")
    nested = server.call(east, "CreateDatacenter", name="DCN")
    dc = server.props(nested, ["hostFolder", "vmFolder", "datastoreFolder", "networkFolder"])
    rack = server.call(dc["hostFolder"], "CreateFolder", name="rack")
    server.task(rack, "AddStandaloneHost_Task", addConnected=True,
                spec=vim.host.ConnectSpec(hostName="nested-host.example"))  # fmt: skip
    server.call(rack, "CreateClusterEx", name="CN", spec=vim.cluster.ConfigSpecEx())
    team = server.call(dc["vmFolder"], "CreateFolder", name="team")
    server.call(team, "CreateFolder", name="a")
    server.call(dc["networkFolder"], "CreateFolder", name="nets")
    server.call(dc["datastoreFolder"], "CreateStoragePod", name="pod")
    cluster = first(server, "ClusterComputeResource", "DC0_C0")
    top = server.props(cluster, ["resourcePool"])["resourcePool"]
    web = server.call(top, "CreateResourcePool", name="web", spec=pool_spec())
    server.call(web, "CreateResourcePool", name="web-inner", spec=pool_spec())
    vm_folder = server.props(first(server, "Datacenter", "DC0"), ["vmFolder"])["vmFolder"]
    server.call(web, "CreateVApp", name="app", resSpec=pool_spec(),
                configSpec=vim.vApp.VAppConfigSpec(), vmFolder=vm_folder)  # fmt: skip


@pytest.fixture(scope="module")
def grown(model, sim, server):
    if model == "vpx":
        grow_vcenter(server)
    return sim


def test_the_view_gives_the_traversals_table(model, grown):
    with connect(grown) as client:
        old, new = old_table(client), bulk.reference_table(client)
    assert new.props == old.props and new.tree.nodes == old.tree.nodes
    assert new.custom_fields == old.custom_fields
    types = {ref.type for ref in new.props}
    paths = {new.tree.path(ref) for ref in new.props}
    if model == "esx":
        assert new.custom_fields is None
        assert {"Folder", "Datacenter", "ComputeResource", "HostSystem", "ResourcePool",
                "Datastore", "Network"} <= types  # fmt: skip
        return
    assert isinstance(new.custom_fields, dict)
    assert {"ClusterComputeResource", "VirtualApp", "StoragePod",
            "DistributedVirtualPortgroup"} <= types  # fmt: skip
    assert {"/region/east/DCN", "/region/east/DCN/host/rack/nested-host.example",
            "/region/east/DCN/host/rack/CN", "/region/east/DCN/vm/team/a",
            "/region/east/DCN/network/nets", "/region/east/DCN/datastore/pod",
            "/DC0/host/DC0_C0/Resources/web/web-inner", "/DC0/host/DC0_H0"} <= paths  # fmt: skip
    assert any(p.endswith("/web/app") for p in paths if p)
    assert not any(ref.type == "VirtualMachine" for ref in new.props)


@pytest.fixture
def proxy(grown, tmp_path):
    with FaultProxy(grown.host, grown.port, upstream_ca=grown.ca_path, cert_dir=tmp_path) as p:
        yield p


def test_one_view_one_read_and_the_view_destroyed(grown, proxy):
    with connect(grown, proxy) as client:
        table = bulk.reference_table(client)
    assert table.props
    assert proxy.count("CreateContainerView") == proxy.count("DestroyView") == 1
    assert proxy.count("RetrievePropertiesEx") == 1


def test_the_view_is_destroyed_when_the_read_fails(grown, proxy):
    with connect(grown, proxy) as client:
        proxy.next(TRUNCATE, method="RetrievePropertiesEx", times=1)
        with pytest.raises(ViError):
            bulk.reference_table(client)
        assert proxy.count("CreateContainerView") == proxy.count("DestroyView") == 1


def terminate_caller(sim):
    """A proxy hook: an administrator ends the caller's session before its request goes on."""

    def hook(req) -> None:
        key = re.search(r'vmware_soap_session="?([^";]+)', req.header("Cookie") or "").group(1)
        with connect(sim) as admin:
            admin.call(admin.content["sessionManager"], "TerminateSession", sessionId=[key])

    return hook


def test_a_view_that_died_with_its_session_is_made_again(grown, proxy):
    with connect(grown) as direct:
        expected = old_table(direct)
    with connect(grown, proxy) as client:
        proxy.next(HOOK, method="RetrievePropertiesEx", hook=terminate_caller(grown))
        table = bulk.reference_table(client)
    assert table.props == expected.props and table.custom_fields == expected.custom_fields
    assert proxy.count("Login") == 2 and proxy.count("CreateContainerView") == 2
    # The new view is read and destroyed; the first one's DestroyView fails quietly.
    assert proxy.seen[-4:] == [
        "CreateContainerView",
        "RetrievePropertiesEx",
        "DestroyView",
        "Logout",
    ]
