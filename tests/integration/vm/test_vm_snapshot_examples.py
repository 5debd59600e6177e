"""The EXAMPLES of esx_vm_snapshot run as written against the simulator, on a VM web01 made
for them (they take, revert, rename and remove snapshots, then remove all)."""

from __future__ import annotations

from ansible_run import run_playbook
from test_vm_examples import examples, playbook
from vm_server import Server


def test_snapshot_examples_run_as_written(vcsim_factory, tmp_path):
    sim = vcsim_factory()
    make = {"name": "Make web01", "viapi.esx.esx_vm": {"name": "web01", "guest_id": "otherGuest64",
            "memory_mb": 128, "cluster": "DC0_C0", "datastore": "LocalDS_0", "state": "powered_on"}}  # fmt: skip
    result = run_playbook(playbook(tmp_path, sim, [make, *examples("esx_vm_snapshot")]))
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
    # web01, two snapshots, a revert, a rename, a removal; remove all finds none left.
    assert "changed=6" in result.stdout, result.stdout[-3000:]
    server = Server(sim)
    try:
        assert server.props(server.vm("web01"), ["snapshot"]).get("snapshot") is None
    finally:
        server.close()
