"""esx_vm_snapshot's wait_timeout on a simulator whose snapshot tasks run 8 s
(--snapshot-task-delay): a create or removal cut short fails with changed true, says the task is
still running on the server and names it; the server goes on and finishes it. Check mode sends
no snapshot task there either.

The server is read through vm_server (pyVmomi), never through the module or our VI client.
wait_timeout is 1 s against the 8 s a task takes: the task is read as running right after the
module returned. Waiting for it to end is polling its state (a bound against a hang, no
assertion on how long it took).
"""

from __future__ import annotations

import json
import time

import pytest
from test_esx_vm import new_vm
from test_esx_vm_snapshot import raw_paths, snap_run, state, three_runs
from vm_runs import MODELS, ok, vm_run
from vm_server import Ref

DELAY_MS = 8000
VM = "snap-slow"


@pytest.fixture(scope="module")
def sim(model, vcsim_factory):
    """A private simulator of the model whose snapshot tasks each run DELAY_MS."""
    return vcsim_factory(*MODELS[model]["args"], "--snapshot-task-delay", str(DELAY_MS))


@pytest.fixture(scope="module")
def vm(server, sim, model):
    ok(vm_run(sim, new_vm(model, VM)))
    return server.vm(VM)


def task_info(server, task: str) -> dict:
    paths = ["info.state", "info.descriptionId", "info.entity", "info.result", "info.error"]
    return server.props(Ref("Task", task), paths)


def ended(server, task: str) -> dict:
    """The task's info once the server has ended it (polled: nobody waits on it any more)."""
    for _attempt in range(1200):  # 10 minutes: far beyond the task's 8 s, only against a hang
        info = task_info(server, task)
        if info["info.state"] in ("success", "error"):
            return info
        time.sleep(0.5)
    pytest.fail(f"task {task} never ended: {info}")


def cut_short(server, sim, args: dict, what: str) -> tuple[str, dict]:
    """Run with wait_timeout 1: the failure a task still running gives; its id and result."""
    result = snap_run(sim, {**args, "name": VM, "wait_timeout": 1})
    assert result.failed, result.result
    failed = result.result
    task = failed["task"]
    assert failed["changed"] is True
    assert failed["msg"] == (
        f"{what}: the task {task} is still running on the server (gave up waiting after 1s)"
    )
    assert sim.password not in result.stdout + result.stderr + json.dumps(failed)
    info = task_info(server, task)
    assert info["info.state"] == "running", info
    return task, failed


def test_a_create_cut_short_goes_on_on_the_server(server, sim, vm):
    before = state(server)
    task, failed = cut_short(server, sim, {"snapshot_name": "base"},
                             f"creating snapshot 'base' of VM '{VM}'")  # fmt: skip
    assert raw_paths(server, vm) == {}, "the snapshot is made when the task has run"
    assert failed["diff"]["before"]["snapshots"] == []
    assert [n["path"] for n in failed["diff"]["after"]["snapshots"]] == ["base"]
    info = ended(server, task)
    assert info["info.state"] == "success", info
    assert info["info.descriptionId"] == "VirtualMachine.createSnapshot"
    assert info["info.entity"] == vm
    raw = raw_paths(server, vm)
    assert list(raw) == ["base"]
    assert info["info.result"] == Ref("VirtualMachineSnapshot", raw["base"]["moid"]), "its result"
    new = [t for t in server.tasks() if t not in before[1]]
    assert new == [task], "one task for the call (the simulator's own inner one is not shown)"


def test_check_mode_sends_no_task_and_a_run_waits_for_the_task(server, sim, vm):
    args = {"name": VM, "snapshot_path": "base/child"}
    _check, real, _again, tasks = three_runs(server, sim, args)
    assert tasks == ["VirtualMachine.createSnapshot"]
    assert list(raw_paths(server, vm)) == ["base", "base/child"]
    assert raw_paths(server, vm)["base/child"]["moid"] == real["snapshot"]["id"]


def test_a_removal_cut_short_goes_on_on_the_server(server, sim, vm):
    args = {"name": VM, "snapshot_path": "base/child", "state": "absent"}
    before = state(server)
    check = ok(snap_run(sim, args, check=True))
    assert check["changed"] is True
    assert state(server) == before, "check mode changed the server or started a task"
    task, failed = cut_short(server, sim, args,
                             f"removing snapshot 'base/child' of VM '{VM}'")  # fmt: skip
    assert [n["path"] for n in failed["diff"]["after"]["snapshots"]] == ["base"]
    assert list(raw_paths(server, vm)) == ["base", "base/child"], "removed when the task has run"
    info = ended(server, task)
    assert info["info.state"] == "success", info
    assert info["info.descriptionId"] == "VirtualMachineSnapshot.removeSnapshot"
    assert info["info.entity"] == vm
    assert list(raw_paths(server, vm)) == ["base"]


def test_remove_all_cut_short_goes_on_on_the_server(server, sim, vm):
    args = {"name": VM, "state": "absent", "remove_all": True}
    before = state(server)
    check = ok(snap_run(sim, args, check=True))
    assert check["changed"] is True
    assert state(server) == before, "check mode changed the server or started a task"
    task, failed = cut_short(server, sim, args, f"removing every snapshot of VM '{VM}'")
    assert failed["diff"]["after"]["snapshots"] == []
    assert list(raw_paths(server, vm)) == ["base"]
    info = ended(server, task)
    assert info["info.state"] == "success", info
    assert info["info.descriptionId"] == "VirtualMachine.RemoveAllSnapshots"
    assert raw_paths(server, vm) == {}
    assert "snapshot" not in server.props(vm, ["snapshot"]), "no snapshot info left"
