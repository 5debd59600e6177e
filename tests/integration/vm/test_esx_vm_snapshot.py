"""esx_vm_snapshot on the simulator: every state and option, check mode compared on the server.

The server's tree is read through vm_server (pyVmomi) as the VM's raw `snapshot` property
(walked here), never through the module, our VI client or vm/facts.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from ansible_run import run_module
from return_docs import assert_matches_return
from test_esx_vm import new_vm
from vm_runs import ok, vm_run
from vm_server import new_tasks


def snap_run(sim, args: dict, check: bool = False):
    result = run_module("esx_vm_snapshot", args, sim=sim, check=check, diff=True, verbosity=3)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout[-3000:]
    if not result.failed:
        assert_matches_return("esx_vm_snapshot", result.result)
    return result


def listed(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def raw_paths(server, ref) -> dict[str, dict]:
    """path -> {moid, description, quiesced} of every snapshot, from the raw property."""
    info = server.props(ref, ["snapshot"]).get("snapshot") or {}
    out = {}

    def walk(nodes, parent):
        for n in listed(nodes):
            path = f"{parent}/{n['name']}" if parent else n["name"]
            out[path] = {"moid": n["snapshot"].value, "description": n.get("description") or "",
                         "quiesced": str(n.get("quiesced")).lower() == "true"}  # fmt: skip
            walk(n.get("childSnapshotList"), path)

    walk(info.get("rootSnapshotList"), "")
    return out


def current(server, ref) -> str | None:
    info = server.props(ref, ["snapshot"]).get("snapshot") or {}
    ref = info.get("currentSnapshot")
    return ref.value if ref is not None else None


def consolidation_needed(server, ref) -> bool:
    return (
        server.props(ref, ["runtime.consolidationNeeded"]).get("runtime.consolidationNeeded")
        is True
    )


def state(server):
    return server.snapshot(), server.tasks(), {r.value: server.props(r, ["snapshot"])
                                               for r in server.vms()}  # fmt: skip


def three_runs(server, sim, args: dict, changes_again: bool = False):
    """Check mode (the server unchanged, no task), the real run, and a second run."""
    before = state(server)
    check = ok(snap_run(sim, args, check=True))
    assert check["changed"] is True
    assert state(server) == before, "check mode changed the server or started a task"
    real = ok(snap_run(sim, args))
    assert real["changed"] is True
    assert real["diff"]["before"] == check["diff"]["before"]
    tasks = [desc for _n, desc, _e in new_tasks(before[1], server.tasks())]
    again = ok(snap_run(sim, args))
    assert again["changed"] is changes_again
    if not changes_again:
        assert again["diff"]["before"] == again["diff"]["after"]
    return check, real, again, tasks


@pytest.fixture(scope="module")
def vm(server, sim, model):
    """A VM of its own for these tests (powered on with VMware Tools running, so `state` at
    capture shows it and `quiesce` applies)."""
    ok(vm_run(sim, new_vm(model, "snap-vm", state="powered_on")))
    ref = server.vm("snap-vm")
    server.set_tools_running(ref)
    return ref


def test_create_nested_by_path_and_name(server, sim, vm):
    args = {"name": "snap-vm", "snapshot_name": "before-patch", "description": "first",
            "quiesce": True}  # fmt: skip
    check, real, _again, tasks = three_runs(server, sim, args)
    assert tasks == ["VirtualMachine.createSnapshot"]
    assert check["snapshot"]["id"] is None and check["snapshot"]["path"] == "before-patch"
    assert check["current_snapshot"] == {"name": "before-patch", "path": "before-patch", "id": None}
    assert check["diff"]["before"]["snapshots"] == []
    assert [n["name"] for n in check["diff"]["after"]["snapshots"]] == ["before-patch"]
    raw = raw_paths(server, vm)
    assert list(raw) == ["before-patch"]
    assert raw["before-patch"] == {"moid": real["snapshot"]["id"], "description": "first",
                                   "quiesced": True}  # fmt: skip
    # Without memory, a running VM's snapshot records powered_off (CreateSnapshot_Task).
    assert real["snapshot"]["quiesced"] is True and real["snapshot"]["state"] == "powered_off"
    assert (check["snapshot"]["state"], check["snapshot"]["quiesced"]) == ("powered_off", True)
    nested = {"name": "snap-vm", "snapshot_path": "before-patch/after-reboot", "memory": True}
    check, real, _again, tasks = three_runs(server, sim, nested)
    assert real["snapshot"]["state"] == check["snapshot"]["state"] == "powered_on"
    assert real["snapshot"]["quiesced"] is check["snapshot"]["quiesced"] is False
    assert tasks == ["VirtualMachine.createSnapshot"]
    assert list(raw_paths(server, vm)) == ["before-patch", "before-patch/after-reboot"]
    assert real["current_snapshot"]["path"] == "before-patch/after-reboot"
    assert current(server, vm) == real["snapshot"]["id"]
    assert real["snapshot_count"] == 2


def info_run(sim, args: dict):
    result = ok(run_module("esx_vm_info", args, sim=sim))
    assert_matches_return("esx_vm_info", result.result)
    return result["vms"]


def flat(nodes) -> dict:
    out = {}
    for n in nodes:
        out[n["path"]] = {
            "moid": n["id"],
            "description": n["description"],
            "quiesced": n["quiesced"],
        }
        out.update(flat(n["children"]))
    return out


def test_facts_tree_and_snapshot_filters(server, sim, vm):
    (facts,) = info_run(sim, {"name": "snap-vm"})
    assert flat(facts["snapshots"]) == raw_paths(server, vm)
    assert facts["snapshot_count"] == 2
    assert facts["current_snapshot"]["id"] == current(server, vm)
    raw = server.props(vm, ["snapshot"])["snapshot"]["rootSnapshotList"]
    raw = raw[0] if isinstance(raw, list) else raw
    root = facts["snapshots"][0]
    assert datetime.fromisoformat(root["created"]) == datetime.fromisoformat(
        raw["createTime"][:26] + "+00:00"
    ), "created is the server's createTime, to the microsecond"
    assert root["state"] == "powered_off" and root["number"] == int(raw["id"])
    assert root["children"][0]["state"] == "powered_on", "taken with memory"
    # The fleet report: bulk reads (no name), each VM with or without snapshots.
    with_snapshots = info_run(sim, {"has_snapshots": True, "devices": False})
    assert [v["name"] for v in with_snapshots] == ["snap-vm"]
    without = info_run(sim, {"has_snapshots": False, "devices": False})
    assert without and all(v["snapshot_count"] == 0 for v in without)
    assert "snap-vm" not in [v["name"] for v in without]
    fresh = info_run(sim, {"snapshot_older_than_days": 0, "devices": False})
    assert [v["name"] for v in fresh] == ["snap-vm"]
    assert info_run(sim, {"snapshot_older_than_days": 1, "devices": False}) == []
    (via_vm,) = [ok(vm_run(sim, {"name": "snap-vm"}))["vm"]]
    assert via_vm["snapshots"] == facts["snapshots"]


def test_description_is_an_update_and_rename(server, sim, vm):
    args = {"name": "snap-vm", "snapshot_name": "before-patch", "description": "changed"}
    _check, _real, _again, tasks = three_runs(server, sim, args)
    assert tasks == [], "RenameSnapshot is no task"
    assert raw_paths(server, vm)["before-patch"]["description"] == "changed"
    rename = {"name": "snap-vm", "snapshot_path": "before-patch", "new_snapshot_name": "pre/patch",
              "new_description": "renamed"}  # fmt: skip
    check, real, _again, _tasks = three_runs(server, sim, rename)
    assert check["snapshot"]["name"] == "pre/patch" and check["snapshot"]["path"] == "pre%2fpatch"
    raw = raw_paths(server, vm)
    assert list(raw) == ["pre%2fpatch", "pre%2fpatch/after-reboot"], "sent escaped, as VM names"
    assert raw["pre%2fpatch"]["description"] == "renamed"
    assert real["snapshots"][0]["children"][0]["path"] == "pre%2fpatch/after-reboot"
    back = {"name": "snap-vm", "snapshot_id": real["snapshot"]["id"],
            "new_snapshot_name": "before-patch"}  # fmt: skip
    three_runs(server, sim, back)
    assert list(raw_paths(server, vm))[0] == "before-patch"


def test_ambiguous_name_lists_the_paths(server, sim, vm):
    ok(snap_run(sim, {"name": "snap-vm", "snapshot_path": "before-patch/after-reboot/dup"}))
    ok(snap_run(sim, {"name": "snap-vm", "snapshot_id": raw_paths(server, vm)["before-patch"]["moid"],
                      "state": "reverted"}))  # fmt: skip
    assert server.power(vm) == "poweredOff", "a revert to a snapshot taken without memory"
    ok(snap_run(sim, {"name": "snap-vm", "snapshot_path": "before-patch/dup"}))
    before = state(server)
    for check in (True, False):
        for st in ("absent", "reverted", "present"):
            args = {"name": "snap-vm", "snapshot_name": "dup", "state": st}
            if st == "present":
                args["description"] = "x"
            result = snap_run(sim, args, check=check)
            assert result.failed, result.result
            assert result["msg"] == (
                "snapshot_name: 'dup' names 2 snapshots (before-patch/after-reboot/dup, "
                "before-patch/dup); give snapshot_path or snapshot_id instead"
            )
    assert state(server) == before
    path = {"name": "snap-vm", "snapshot_path": "before-patch/dup", "state": "absent"}
    three_runs(server, sim, path)
    assert "before-patch/after-reboot/dup" in raw_paths(server, vm)


def test_create_below_a_snapshot_that_is_not_current_fails(server, sim, vm):
    before = state(server)
    args = {"name": "snap-vm", "snapshot_path": "before-patch/after-reboot/later"}
    result = snap_run(sim, args)
    assert (
        result.failed
        and "snapshot_path: 'before-patch/after-reboot/later' cannot be created" in result["msg"]
    )
    assert state(server) == before


def test_a_path_that_cannot_be_created_says_what_would_make_it(server, sim, vm):
    """The advice named a parent to revert to that did not exist, or 'none'."""
    paths = raw_paths(server, vm)
    here = next(p for p, n in paths.items() if n["moid"] == current(server, vm))
    other = next(p for p in paths if p != here)  # a snapshot that is not the current one
    before = state(server)
    for path, advice in (
        ("top", "a snapshot at the top can only be made while the VM has no current snapshot"),
        ("no-such/new", "'no-such' is not a snapshot of VM 'snap-vm'"),
        (f"{other}/new", f"revert to '{other}' first"),
    ):
        result = snap_run(sim, {"name": "snap-vm", "snapshot_path": path})
        assert result.failed and result["msg"] == (
            f"snapshot_path: '{path}' cannot be created: vSphere creates a snapshot below the "
            f"current one ({here}); {advice}"
        ), result.get("msg")
    assert state(server) == before


def test_revert_named_and_current(server, sim, vm):
    moids = raw_paths(server, vm)
    args = {"name": "snap-vm", "snapshot_path": "before-patch/after-reboot", "state": "reverted",
            "suppress_power_on": True}  # fmt: skip
    assert server.power(vm) == "poweredOff"
    was = current(server, vm)
    check, real, _again, tasks = three_runs(server, sim, args, changes_again=True)
    assert tasks == ["VirtualMachineSnapshot.revertToSnapshot"]
    # The diff shows what a revert changes: which snapshot is current.
    assert check["diff"]["before"]["current_snapshot"]["id"] == was
    assert was != moids["before-patch/after-reboot"]["moid"]
    assert check["diff"]["after"]["current_snapshot"] == real["diff"]["after"]["current_snapshot"]
    assert real["diff"]["after"]["current_snapshot"] == real["current_snapshot"]
    assert check["current_snapshot"]["id"] == moids["before-patch/after-reboot"]["moid"]
    assert current(server, vm) == moids["before-patch/after-reboot"]["moid"]
    assert server.power(vm) == "poweredOff", "suppress_power_on: a memory snapshot, not powered on"
    check, real, _again, tasks = three_runs(
        server, sim, {"name": "snap-vm", "current": True, "state": "reverted"}, changes_again=True
    )
    assert tasks == ["VirtualMachine.revertSnapshot"]
    assert real["snapshot"]["path"] == "before-patch/after-reboot"
    assert server.power(vm) == "poweredOn", "reverted to a snapshot taken with memory"


def test_remove_with_and_without_children(server, sim, vm):
    args = {"name": "snap-vm", "snapshot_path": "before-patch", "state": "absent"}
    check, real, _again, tasks = three_runs(server, sim, args)
    assert tasks == ["VirtualMachineSnapshot.removeSnapshot"]
    assert list(raw_paths(server, vm)) == ["after-reboot", "after-reboot/dup"], "children moved up"
    assert not consolidation_needed(server, vm), "consolidated (the default)"
    assert [n["path"] for n in check["diff"]["after"]["snapshots"]] == ["after-reboot"]
    assert real["snapshot"] is None
    assert check["current_snapshot"] == real["current_snapshot"]
    args = {"name": "snap-vm", "snapshot_name": "after-reboot", "state": "absent",
            "remove_children": True, "consolidate": False}  # fmt: skip
    check, _real, _again, _tasks = three_runs(server, sim, args)
    assert check["diff"]["after"]["snapshots"] == []
    assert raw_paths(server, vm) == {} and current(server, vm) is None
    assert consolidation_needed(server, vm), "consolidate: false leaves the delta disks"


def test_remove_all(server, sim, vm):
    for name in ("one", "two"):
        ok(snap_run(sim, {"name": "snap-vm", "snapshot_name": name}))
    args = {"name": "snap-vm", "state": "absent", "remove_all": True}
    check, real, _again, tasks = three_runs(server, sim, args)
    assert tasks == ["VirtualMachine.RemoveAllSnapshots"]
    assert real["snapshot_count"] == 0 and raw_paths(server, vm) == {}
    assert not consolidation_needed(server, vm), "every snapshot removed and consolidated"


def test_bad_requests_change_nothing(server, sim, vm):
    before = state(server)
    cases = [
        ({"snapshot_id": "snapshot-0", "state": "reverted"},
         "snapshot_id: snapshot 'snapshot-0' not found in VM 'snap-vm'"),
        ({"current": True, "state": "reverted"}, "current: VM 'snap-vm' has no current snapshot"),
        ({"remove_all": True}, "remove_all: is only for state absent"),
        ({"snapshot_name": "a", "remove_children": True}, "remove_children: is only for state absent"),
        ({"snapshot_name": "a", "state": "absent", "memory": True}, "memory: is only for state present"),
        ({"state": "absent"}, "(or remove_all) is required"),
        ({"snapshot_name": "a", "new_snapshot_name": "b"}, "snapshot_name: snapshot 'a' not found in VM 'snap-vm'"),
        ({"snapshot_path": "a//b"}, "snapshot_path: 'a//b' is not a path"),
        ({"snapshot_path": "a/ /b"}, "snapshot_path: 'a/ /b' is not a path"),
        # asked for, each would have been ignored: the run removed the snapshot or did nothing
        ({"snapshot_name": "a", "state": "absent", "description": "x"},
         "description: is only for state present"),
        ({"snapshot_name": "a", "state": "reverted", "description": "x"},
         "description: is only for state present"),
        ({"state": "absent", "remove_all": True, "remove_children": True},
         "remove_children: removes the children of one snapshot; remove_all removes every snapshot"),
        ({"snapshot_id": "", "state": "absent"}, "snapshot_id: '' is empty"),
        ({"snapshot_id": " snapshot-1", "state": "absent"},
         "snapshot_id: ' snapshot-1' has spaces around it"),
    ]  # fmt: skip
    for args, message in cases:
        result = snap_run(sim, {"name": "snap-vm", **args})
        assert result.failed and message in result["msg"], (args, result.get("msg"))
    assert state(server) == before


def test_vm_lookup_errors_name_the_option_and_where(server, sim, model, vm):
    dc = "DC0" if model == "vpx" else "ha-datacenter"
    uuid = "4211aaaa-0000-0000-0000-000000000000"
    before = state(server)
    for args, message in (
        ({"name": "no-vm", "snapshot_name": "s"}, "name: VM 'no-vm' not found in any datacenter"),
        ({"name": "no-vm", "datacenter": dc, "snapshot_name": "s"},
         f"name: VM 'no-vm' not found in datacenter '{dc}'"),
        ({"uuid": uuid, "snapshot_name": "s"}, f"uuid: VM '{uuid}' not found in any datacenter"),
        ({"moid": "vm-999999", "snapshot_name": "s"}, "moid: VM 'vm-999999' not found in any datacenter"),
    ):  # fmt: skip
        result = snap_run(sim, args)
        assert result.failed and result["msg"] == message, (args, result.get("msg"))
    assert state(server) == before


def test_quiesce_and_memory_of_a_vm_that_is_off(server, sim, model):
    """A powered-off VM: quiesce is ignored, and the snapshot records powered_off."""
    ok(vm_run(sim, new_vm(model, "snap-off", state="powered_off")))
    ref = server.vm("snap-off")
    args = {"name": "snap-off", "snapshot_name": "cold", "quiesce": True, "memory": True}
    check, real, _again, _tasks = three_runs(server, sim, args)
    for result in (check, real):
        assert (result["snapshot"]["state"], result["snapshot"]["quiesced"]) == (
            "powered_off",
            False,
        )
    assert raw_paths(server, ref)["cold"]["quiesced"] is False
    assert server.power(ref) == "poweredOff"


def test_removing_the_current_snapshot_makes_its_parent_current(server, sim, model):
    """The current snapshot removed, or with remove_children one above it: its parent becomes
    current, and none when it was a root ("empty when the working snapshot is at the root of
    the snapshot tree"), as predicted in check mode. wait_timeout: a removal the server never
    finishes fails here instead of waiting for an hour."""
    ok(vm_run(sim, new_vm(model, "snap-cur")))
    ref = server.vm("snap-cur")
    vm = {"name": "snap-cur"}
    for path in ("base", "base/mid", "base/mid/top"):
        ok(snap_run(sim, {**vm, "snapshot_path": path}))
    ok(snap_run(sim, {**vm, "snapshot_path": "base", "state": "reverted"}))
    ok(snap_run(sim, {**vm, "snapshot_path": "base/side"}))
    ok(snap_run(sim, {**vm, "snapshot_path": "base/mid/top", "state": "reverted"}))
    moids = {path: node["moid"] for path, node in raw_paths(server, ref).items()}
    above = {**vm, "snapshot_path": "base/mid", "state": "absent", "remove_children": True,
             "wait_timeout": 60}  # fmt: skip
    check, real, _again, _tasks = three_runs(server, sim, above)
    assert check["current_snapshot"] == real["current_snapshot"] == {
        "name": "base", "path": "base", "id": moids["base"]}  # fmt: skip
    assert current(server, ref) == moids["base"]
    assert list(raw_paths(server, ref)) == ["base", "base/side"]
    root = {**vm, "snapshot_path": "base", "state": "absent", "wait_timeout": 60}
    check, real, _again, _tasks = three_runs(server, sim, root)
    assert check["current_snapshot"] is real["current_snapshot"] is None
    assert current(server, ref) is None
    assert list(raw_paths(server, ref)) == ["side"]
    assert real["snapshots"][0]["id"] == moids["base/side"]


def test_new_description_of_a_snapshot_made_now_is_its_description(server, sim, model):
    """new_description on a snapshot that does not exist yet: created with it, so that the
    second run changes nothing (it overrides description, as on an existing snapshot)."""
    ok(vm_run(sim, new_vm(model, "snap-desc")))
    ref = server.vm("snap-desc")
    args = {"name": "snap-desc", "snapshot_name": "s", "description": "old",
            "new_description": "given"}  # fmt: skip
    check, real, _again, tasks = three_runs(server, sim, args)
    assert tasks == ["VirtualMachine.createSnapshot"]
    assert check["snapshot"]["description"] == real["snapshot"]["description"] == "given"
    assert raw_paths(server, ref)["s"]["description"] == "given"


def test_a_rename_to_a_name_used_below_is_refused_only_by_name(server, sim, model):
    """The new name of a/b is its own child's: by path or id the two stay apart (a/x, a/x/x),
    so only a rename addressed by snapshot_name, whose next run looks the new name up in the
    whole tree, is refused; before, every rename to a name used anywhere was refused."""
    ok(vm_run(sim, new_vm(model, "snap-rename")))
    ref, vm = server.vm("snap-rename"), {"name": "snap-rename"}
    for path in ("a", "a/b", "a/b/x"):
        ok(snap_run(sim, {**vm, "snapshot_path": path}))
    before = state(server)
    result = snap_run(sim, {**vm, "snapshot_name": "b", "new_snapshot_name": "x"})
    assert result.failed and result["msg"] == (
        "new_snapshot_name: VM 'snap-rename' already has a snapshot 'x' (a/b/x); snapshot 'a/b' "
        "is not renamed (give snapshot_path or snapshot_id to rename it to a name used elsewhere)"
    ), result.get("msg")
    assert state(server) == before
    result = snap_run(sim, {**vm, "snapshot_path": "a/b/x", "new_snapshot_name": "a"})
    assert result.failed is False and result["changed"] is True
    assert list(raw_paths(server, ref)) == ["a", "a/b", "a/b/a"]
    three_runs(server, sim, {**vm, "snapshot_path": "a/b", "new_snapshot_name": "a"})
    assert list(raw_paths(server, ref)) == ["a", "a/a", "a/a/a"]
    sibling = snap_run(sim, {**vm, "snapshot_path": "a/a/a", "new_snapshot_name": "a"})
    assert sibling.failed is False and sibling["changed"] is False  # already so named


def test_two_snapshots_of_one_parent_with_one_name(server, sim, model):
    """vSphere lets two children of one snapshot share a name: their path names both, so it is
    an error listing their ids (no snapshot is picked at random), and snapshot_id says which."""
    ok(vm_run(sim, new_vm(model, "snap-twins")))
    ref = server.vm("snap-twins")
    vm = {"name": "snap-twins"}
    for path in ("p", "p/a"):
        ok(snap_run(sim, {**vm, "snapshot_path": path}))
    ok(snap_run(sim, {**vm, "snapshot_path": "p", "state": "reverted"}))
    server.task(ref, "CreateSnapshot_Task", name="a", description="", memory=False, quiesce=False)
    info = server.props(ref, ["snapshot"])["snapshot"]
    root = listed(info["rootSnapshotList"])[0]
    first, second = (n["snapshot"].value for n in listed(root["childSnapshotList"]))
    before = state(server)
    for check in (True, False):
        for st in ("absent", "reverted", "present"):
            result = snap_run(sim, {**vm, "snapshot_path": "p/a", "state": st}, check=check)
            assert result.failed, result.result
            assert result["msg"] == (
                f"snapshot_path: 'p/a' names 2 snapshots (p/a ({first}), p/a ({second})); "
                "give snapshot_id instead"
            )
        result = snap_run(sim, {**vm, "snapshot_name": "a", "state": "absent"}, check=check)
        assert result.failed and result["msg"].startswith(
            f"snapshot_name: 'a' names 2 snapshots (p/a ({first}), p/a ({second}))"
        ), result.get("msg")
    assert state(server) == before
    three_runs(server, sim, {**vm, "snapshot_id": second, "state": "absent"})
    assert [n["moid"] for n in raw_paths(server, ref).values()][1:] == [first]
