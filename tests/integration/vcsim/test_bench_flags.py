"""The harness flags the benchmarks use: --snapshots N (tests/vcsim/fleetsnapshots.go), --delay
MS (latency.go), and Fetch of an unset property (fetch.go).

Snapshots are read with pyVmomi, a client independent of ours, whose lazy properties go through the
PropertyCollector's Fetch: on the bare simulator, `vm.snapshot` of a VM without snapshots
closes the connection.
"""

from __future__ import annotations

import ssl
import time

import pytest
import vcsim_harness
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim
from test_harness import Soap

NAMES = ["base", "before-patch", "after-patch"]


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory("--vm", "4", "--snapshots", "3")


@pytest.fixture(scope="module")
def vms(sim):
    """{name: pyVmomi VirtualMachine} of the whole model."""
    context = ssl.create_default_context(cafile=sim.ca_path)
    si = SmartConnect(
        host=sim.host, port=sim.port, user=sim.username, pwd=sim.password, sslContext=context
    )
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(
            content.rootFolder, [vim.VirtualMachine], True
        )
        yield {vm.name: vm for vm in view.view}
        view.Destroy()
    finally:
        Disconnect(si)


def chain(tree) -> list[str]:
    """The names of a snapshot chain, root first (each node has at most one child here)."""
    out = []
    while tree:
        assert len(tree) == 1, "each snapshot has one child at most"
        out.append(tree[0].name)
        tree = tree[0].childSnapshotList
    return out


def test_every_third_vm_by_path_has_a_chain(sim):
    paths = [vm["moid"] for vm in sim.manifest["vms"]]  # sorted by inventory path
    given = sim.manifest["snapshots"]
    assert sorted(given) == sorted(paths[::3])
    depths = [len(given[moid]) for moid in paths[::3]]
    assert depths == [i % 3 + 1 for i in range(len(depths))]
    assert all(given[moid] == NAMES[: len(given[moid])] for moid in given)


def test_the_server_holds_the_manifests_snapshots(sim, vms):
    names = {vm["moid"]: vm["name"] for vm in sim.manifest["vms"]}
    for moid, snapshots in sim.manifest["snapshots"].items():
        vm = vms[names[moid]]
        assert chain(vm.snapshot.rootSnapshotList) == snapshots
        current = vm.snapshot.currentSnapshot
        assert current is not None and current._moId == last(vm.snapshot.rootSnapshotList)


def last(tree) -> str:
    while tree[0].childSnapshotList:
        tree = tree[0].childSnapshotList
    return tree[0].snapshot._moId


def test_a_vm_without_snapshots_reads_none(sim, vms):
    """Fetch of the unset `snapshot` answers no value instead of closing the connection."""
    without = [
        vm["name"] for vm in sim.manifest["vms"] if vm["moid"] not in sim.manifest["snapshots"]
    ]
    assert without
    for name in without:
        assert vms[name].snapshot is None
    assert vms[without[0]].name == without[0]  # the session still works after the reads


def test_no_snapshots_without_the_flag(vcsim_vpx):
    assert "snapshots" not in vcsim_vpx.manifest


def test_delay_answers_every_call_later(vcsim_factory):
    sim = vcsim_factory("--vm", "1", "--delay", "300")
    assert sim.manifest["delay_ms"] == 300
    soap = Soap(sim)
    for _call in range(3):
        started = time.monotonic()
        soap.content()
        assert time.monotonic() - started >= 0.3


def test_negative_delay_is_refused(vcsim_factory):
    with pytest.raises(vcsim_harness.VcsimError, match="--delay must be 0 or more"):
        vcsim_factory("--vm", "1", "--delay", "-1")
