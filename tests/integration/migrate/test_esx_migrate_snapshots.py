"""The `snapshots` pre-migration check on the simulator: a chain made on the server, a storage
move checked in check mode (nothing moves; the chain is read in the same bulk read)."""

from __future__ import annotations

from test_esx_migrate import SCENARIO, blocked, client, migrate, role, status, where

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task


def make_chain(sim, vm_name: str, depth: int) -> None:
    """`depth` snapshots in a row on the VM, made with the VI client's own calls."""
    with client(sim) as c:
        ref = next(r for r, p in collect(c, {"VirtualMachine": ["name"]}) if p["name"] == vm_name)
        for n in range(depth):
            task = c.call(ref, "CreateSnapshot_Task", name=f"s{n}", description="",
                          memory=False, quiesce=False)  # fmt: skip
            wait_for_task(c, task, 60)


def test_a_deep_snapshot_chain_is_a_warning_for_a_storage_move(vcsim_factory):
    sim = vcsim_factory(*SCENARIO)
    vm, target = role(sim, "vms", "clean"), role(sim, "datastores", "target")
    make_chain(sim, vm, 8)
    at_limit = migrate(sim, "clean", check=True, datastore=target)
    assert not at_limit.failed and status(at_limit)["snapshots"] == "passed", at_limit.result
    make_chain(sim, vm, 1)
    before = where(sim, vm)
    deep = migrate(sim, "clean", check=True, datastore=target)
    assert not deep.failed and deep["blocked_by"] == []
    (found,) = [c for c in deep["checks"] if c["name"] == "snapshots"]
    assert found["status"] == "warning" and found["severity"] == "warning"
    assert found["message"] == (
        f"VM '{vm}' has a snapshot chain 9 deep (more than 8): remove or consolidate snapshots "
        "before the storage move"
    )
    assert found["details"] == {"depth": 9, "limit": 8, "count": 9}
    blocked(migrate(sim, "clean", check=True, datastore=target, checks={"fail_on": "warning"}),
            "snapshots")  # fmt: skip
    deeper = migrate(sim, "clean", check=True, datastore=target, checks={"snapshot_depth": 9})
    (found,) = [c for c in deeper["checks"] if c["name"] == "snapshots"]
    assert (found["status"], found["details"]["limit"]) == ("passed", 9), found
    host_move = migrate(sim, "clean", check=True, host=role(sim, "hosts", "ok"))
    assert status(host_move)["snapshots"] == "skipped"
    assert where(sim, vm) == before
