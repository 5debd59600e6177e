"""esx_vm's new_name: a rename in check mode, for real and again; a clash; nothing to rename.

The server's VM name is read through vm_server's own collector reads, never through esx_vm.
"""

from __future__ import annotations

from test_esx_vm import new_vm, three_runs
from vm_runs import ok, vm_run


def test_rename(server, sim, model):
    made = ok(vm_run(sim, new_vm(model, "n-old")))
    ref = server.vm("n-old")
    args = {"name": "n-old", "new_name": "n-new", "annotation": "renamed"}
    check, real, tasks = three_runs(server, sim, args)
    assert check["changes"] == ["name", "annotation"]
    assert check["diff"]["before"]["name"] == "n-old"
    assert check["diff"]["after"]["name"] == "n-new"
    assert check["vm"]["name"] == "n-old", "check mode reports the VM as it is"
    assert tasks == ["Rename_Task", "ReconfigVM_Task"]
    assert server.props(ref, ["name"])["name"] == "n-new"
    assert server.vm("n-old") is None
    assert real["vm"]["name"] == "n-new" and real["vm"]["moid"] == made["vm"]["moid"]


def test_rename_by_moid_and_to_the_same_name(server, sim, model):
    moid = ok(vm_run(sim, new_vm(model, "n-moid")))["vm"]["moid"]
    check, _real, tasks = three_runs(server, sim, {"moid": moid, "new_name": "n-moid-2"})
    assert check["changes"] == ["name"] and tasks == ["Rename_Task"]
    same = ok(vm_run(sim, {"moid": moid, "new_name": "n-moid-2"}))
    assert same["changed"] is False
    assert same["diff"] == {"before": {"name": "n-moid-2"}, "after": {"name": "n-moid-2"}}


def test_rename_to_a_name_the_folder_has_fails(server, sim, model):
    ok(vm_run(sim, new_vm(model, "n-first")))
    ok(vm_run(sim, new_vm(model, "n-second")))
    snapshot, tasks = server.snapshot(), server.tasks()
    for check in (True, False):
        result = vm_run(sim, {"name": "n-first", "new_name": "n-second"}, check=check)
        assert result.failed and result.get("changed") in (None, False)
        assert "new_name: folder '" in result["msg"], result["msg"]
        assert "already has a VM named 'n-second'; VM 'n-first' is not renamed" in result["msg"]
    assert server.snapshot() == snapshot and server.tasks() == tasks
    assert server.vm("n-first") is not None and server.vm("n-second") is not None


def test_new_name_never_creates_a_vm(server, sim, model):
    snapshot, tasks = server.snapshot(), server.tasks()
    args = dict(new_vm(model, "n-nowhere"), new_name="n-elsewhere")
    for check in (True, False):
        result = vm_run(sim, args, check=check, diff=False)
        assert result.failed
        assert "nor VM 'n-elsewhere' (new_name)" in result["msg"], result["msg"]
    absent = vm_run(sim, {"name": "n-nowhere", "new_name": "x", "state": "absent"}, diff=False)
    assert absent.failed and "new_name:" in absent["msg"]
    assert server.snapshot() == snapshot and server.tasks() == tasks


def test_an_empty_new_name_fails_and_creates_no_vm(server, sim, model):
    """new_name from an empty variable: refused, never taken as no rename (which created the
    VM that name names)."""
    snapshot, tasks = server.snapshot(), server.tasks()
    for new_name in ("", "  "):
        for check in (True, False):
            result = vm_run(sim, dict(new_vm(model, "n-empty"), new_name=new_name), check=check)
            assert result.failed and result["msg"] == "new_name must not be empty"
    assert server.vm("n-empty") is None
    assert server.snapshot() == snapshot and server.tasks() == tasks
