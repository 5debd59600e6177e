"""RelocateVM_Task with a pool of another compute resource and no host (tests/vcsim/relocate.go).

The bare govmomi 0.24 simulator left the VM on its old host, outside the pool's compute
resource. vCenter places it: the stand-alone host, a host DRS selects, or InvalidArgument for
a cluster without DRS (VirtualMachineRelocateSpec.host in the API reference).
"""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults, tasks
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.session import Client

WAIT = 300


def connect(sim) -> Client:
    c = Client(sim.host, sim.username, sim.password, port=sim.port, ca_path=sim.ca_path)
    c.connect()
    return c


def standalone_vm(sim) -> MoRef:
    return MoRef("VirtualMachine", next(v for v in sim.manifest["vms"] if not v["cluster"])["moid"])


def relocate(client, vm: MoRef, pool: str):
    spec = {"_type": "VirtualMachineRelocateSpec", "pool": MoRef("ResourcePool", pool)}
    task = client.call(vm, "RelocateVM_Task", spec=spec, priority="defaultPriority")
    return tasks.wait_for_task(client, task, timeout=WAIT)


@pytest.mark.parametrize("drs", [True, False], ids=["drs", "no-drs"])
def test_a_pool_of_a_cluster_without_a_host(vcsim_factory, drs):
    sim = vcsim_factory(*(() if drs else ("--no-drs",)))
    cluster = sim.manifest["clusters"][0]
    client = connect(sim)
    try:
        vm = standalone_vm(sim)
        before = collector.get_one(client, vm, ["runtime.host", "resourcePool"])
        if not drs:
            with pytest.raises(faults.TaskFailed) as failed:
                relocate(client, vm, cluster["resource_pool"])
            assert failed.value.fault.name == "InvalidArgument"
            assert collector.get_one(client, vm, ["runtime.host", "resourcePool"]) == before
            return
        relocate(client, vm, cluster["resource_pool"])
        after = collector.get_one(client, vm, ["runtime.host", "resourcePool"])
        assert after["runtime.host"].value in cluster["hosts"]
        assert after["resourcePool"].value == cluster["resource_pool"]
    finally:
        client.logout()
