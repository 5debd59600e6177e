"""Paging over a large fleet: 4,800 VMs in pages of 1,000, each exactly once, views cleaned up."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults

pytestmark = pytest.mark.slow

# The 17 properties community.vmware's inventory reads by default.
INVENTORY_PATHS = [
    "name", "config.cpuHotAddEnabled", "config.cpuHotRemoveEnabled", "config.instanceUuid",
    "config.hardware.numCPU", "config.template", "config.name", "config.uuid", "guest.hostName",
    "guest.ipAddress", "guest.guestId", "guest.guestState", "runtime.maxMemoryUsage",
    "customValue", "summary.runtime.powerState", "config.guestId", "runtime.connectionState",
]  # fmt: skip


@pytest.fixture(scope="module")
def fleet(vcsim_factory):
    """2 datacenters x (4 clusters x 4 hosts + 20 hosts) x 100 VMs per host = 4,800 VMs."""
    sim = vcsim_factory(
        "--dc", "2", "--cluster", "4", "--cluster-host", "4", "--host", "20", "--vm", "100"
    )
    assert sim.manifest["counts"]["vms"] == 4800
    yield sim
    sim.stop()  # a large model: free it as soon as this module is done


def test_every_vm_exactly_once_in_pages_of_1000(fleet, connect, spy):
    client = connect(fleet)
    calls = spy(client)
    rows = collector.collect(client, {"VirtualMachine": ["name"]}, page_size=1000)
    assert len(rows) == 4800
    refs = [ref for ref, _props in rows]
    assert len(set(refs)) == 4800
    expected = {vm["moid"]: vm["name"] for vm in fleet.manifest["vms"]}
    assert {ref.value: props["name"] for ref, props in rows} == expected
    assert [m for m, _obj, _res in calls] == [
        "CreateContainerView", "RetrievePropertiesEx", *["ContinueRetrievePropertiesEx"] * 4,
        "DestroyView",
    ]  # fmt: skip
    pages = [len(res["objects"]) for m, _obj, res in calls if "Retrieve" in m]
    assert pages == [1000, 1000, 1000, 1000, 800]


def test_the_view_is_destroyed_on_the_server(fleet, connect, spy):
    client = connect(fleet)
    calls = spy(client)
    collector.collect(client, {"Datacenter": ["name"]})
    view = next(res for m, _obj, res in calls if m == "CreateContainerView")
    with pytest.raises(faults.ManagedObjectNotFound):
        client.call(view, "DestroyView")


def test_stopping_early_cancels_the_retrieval_on_the_server(fleet, connect, spy):
    client = connect(fleet)
    calls = spy(client)
    with collector.container_view(client, ["VirtualMachine"]) as view:
        spec = {
            "_type": "PropertyFilterSpec",
            "propSet": [collector.property_spec("VirtualMachine", ["name"])],
            "objectSet": [{"_type": "ObjectSpec", "obj": view, "skip": True,
                           "selectSet": [collector.traversal("ContainerView", "view")]}],
        }  # fmt: skip
        for seen, _row in enumerate(collector.retrieve(client, [spec], page_size=1000), 1):
            if seen == 1500:
                break
        cancel = [obj for m, obj, _res in calls if m == "CancelRetrievePropertiesEx"]
        assert len(cancel) == 1
        token = next(res["token"] for m, _o, res in calls if m == "ContinueRetrievePropertiesEx")
        with pytest.raises(faults.fault("InvalidArgument")):
            client.call(
                client.content["propertyCollector"], "ContinueRetrievePropertiesEx", token=token
            )


def test_the_inventory_properties_are_typed(fleet, connect):
    client = connect(fleet)
    rows = collector.collect(client, {"VirtualMachine": INVENTORY_PATHS}, page_size=1000)
    assert len(rows) == 4800
    manifest = {vm["moid"]: vm for vm in fleet.manifest["vms"]}
    for ref, props in rows:
        vm = manifest[ref.value]
        assert props["name"] == props["config.name"] == vm["name"]
        assert (
            props["config.uuid"] == vm["uuid"]
            and props["config.instanceUuid"] == vm["instance_uuid"]
        )
        assert props["summary.runtime.powerState"] == vm["power_state"]
        assert not isinstance(props["config.hardware.numCPU"], bool)
        assert (
            isinstance(props["config.hardware.numCPU"], int)
            and props["config.hardware.numCPU"] >= 1
        )
        assert props["config.template"] is False
        assert isinstance(props["runtime.maxMemoryUsage"], int)
        assert props["customValue"] == []
        assert props["runtime.connectionState"] == "connected"
