"""Where esx_vm puts a new VM in a cluster without DRS (docs/vm.md "Placement"): the first host
by name that is connected, not in maintenance mode and, when `datastore` is set, mounts it.

The simulator runs with `--no-drs` (tests/vcsim/drs.go), and host DC0_C0_H2 gets a local
datastore of its own (HostDatastoreSystem.CreateLocalDatastore), so the first host by name
does not see it. Where each VM landed is read back with pyVmomi (vm_server).
"""

from __future__ import annotations

import pytest
from test_esx_vm import three_runs
from vm_runs import ok, vm_run

LOCAL = "h2-local"


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    sim = vcsim_factory("--no-drs")
    assert sim.manifest["drs_off"] == ["DC0_C0"]
    return sim


@pytest.fixture(scope="module")
def hosts(server):
    return {name: ref for ref, name in server.names("HostSystem").items()}


@pytest.fixture(scope="module")
def local(server, hosts, tmp_path_factory):
    """A datastore only DC0_C0_H2 mounts."""
    system = server.props(hosts["DC0_C0_H2"], ["configManager.datastoreSystem"])
    path = tmp_path_factory.mktemp("h2-local")
    server.call(system["configManager.datastoreSystem"], "CreateLocalDatastore", name=LOCAL,
                path=str(path))  # fmt: skip
    return LOCAL


def landed(server, name: str) -> tuple[str, str]:
    props = server.props(server.vm(name), ["runtime.host", "config.files.vmPathName"])
    datastore = props["config.files.vmPathName"].split("]")[0].lstrip("[")
    return server.names("HostSystem")[props["runtime.host"]], datastore


def new_vm(name: str, **placement) -> dict:
    return {"name": name, "guest_id": "otherGuest64", "memory_mb": 64, "cluster": "DC0_C0",
            **placement}  # fmt: skip


def test_the_first_eligible_host_by_name(sim, server):
    three_runs(server, sim, new_vm("d-first", datastore="LocalDS_0"))
    assert landed(server, "d-first") == ("DC0_C0_H0", "LocalDS_0")


def test_the_host_that_mounts_the_datastore(sim, server, local):
    three_runs(server, sim, new_vm("d-local", datastore=local))
    assert landed(server, "d-local") == ("DC0_C0_H2", local)


def test_a_datastore_only_a_host_in_maintenance_mounts(sim, server, hosts, local):
    server.task(hosts["DC0_C0_H2"], "EnterMaintenanceMode_Task", timeout=0)
    try:
        before = server.snapshot(), server.tasks()
        for check in (True, False):
            result = vm_run(sim, new_vm("d-refused", datastore=local), check=check)
            assert result.failed, result.result
            assert (
                f"datastore: datastore '{local}' is mounted by no connected host outside "
                "maintenance mode of cluster 'DC0_C0' (and DRS is off)"
            ) in result["msg"]
        assert (server.snapshot(), server.tasks()) == before
    finally:
        server.task(hosts["DC0_C0_H2"], "ExitMaintenanceMode_Task", timeout=0)
    ok(vm_run(sim, new_vm("d-refused", datastore=local)))
    assert landed(server, "d-refused") == ("DC0_C0_H2", local)
