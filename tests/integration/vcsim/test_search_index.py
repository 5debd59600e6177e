"""The harness's SearchIndex.FindAllByUuid (tests/vcsim/searchindex.go), as the API reference
describes it: every VM (or host) with the UUID, within `datacenter` when one is given."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory("--dc", "2")


@pytest.fixture(scope="module")
def client(sim):
    with Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path) as c:
        yield c


def find_all(client, uuid, **args):
    return client.call(client.content["searchIndex"], "FindAllByUuid", uuid=uuid, **args)


def test_vms_by_bios_and_instance_uuid_within_a_datacenter(sim, client):
    vm = sim.manifest["vms"][0]
    ref = MoRef("VirtualMachine", vm["moid"])
    dcs = {d["name"]: MoRef("Datacenter", d["moid"]) for d in sim.manifest["datacenters"]}
    (other,) = [dc for name, dc in dcs.items() if name != vm["datacenter"]]
    assert find_all(client, vm["uuid"], vmSearch=True) == [ref]
    assert find_all(client, vm["uuid"], vmSearch=True, datacenter=dcs[vm["datacenter"]]) == [ref]
    assert find_all(client, vm["uuid"], vmSearch=True, datacenter=other) == []
    assert find_all(client, vm["instance_uuid"], vmSearch=True, instanceUuid=True) == [ref]
    assert find_all(client, vm["instance_uuid"], vmSearch=True) == []  # not a BIOS uuid
    assert find_all(client, "00000000-0000-0000-0000-000000000000", vmSearch=True) == []


def test_hosts_by_hardware_uuid(sim, client):
    host = MoRef("HostSystem", sim.manifest["hosts"][0]["moid"])
    uuid = collector.get_one(client, host, ["summary.hardware.uuid"])["summary.hardware.uuid"]
    assert host in find_all(client, uuid, vmSearch=False)
