"""esx_vm_snapshot's runner: the request, the predicted trees, the calls on the wire."""

from __future__ import annotations

import pytest
import vi_wire as w
from vi_wire import Clock, FakeTransport, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, wait
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    InvalidArgument,
    PartialFailure,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm import snapshot_tree as st
from ansible_collections.viapi.esx.plugins.module_utils.vm import snapshots as s
from ansible_collections.viapi.esx.plugins.modules import esx_vm_snapshot

VM = MoRef("VirtualMachine", "vm-1")


def params(**given) -> dict:
    defaults = {"name": "web", "state": "present", "memory": False, "quiesce": False,
                "remove_children": False, "consolidate": True, "remove_all": False,
                "current": False, "suppress_power_on": False, "wait_timeout": 60}  # fmt: skip
    return {**defaults, **given}


def node(moid, name, *children, path=None):
    return {"name": name, "path": path or name, "description": "", "id": moid, "number": None,
            "created": None, "state": "powered_on", "quiesced": False, "children": list(children)}  # fmt: skip


TREE = [
    node(
        "snapshot-1", "a", node("snapshot-2", "b", path="a/b"), node("snapshot-3", "c", path="a/c")
    )
]


def test_request_from_params():
    r = esx_vm_snapshot.request(params(snapshot_name="x", description="d"), check_mode=True)
    assert r.identity.name == "web" and r.snapshot_name == "x" and r.description == "d"
    assert r.check_mode is True and r.consolidate is True


@pytest.mark.parametrize(
    "given, message",
    [
        ({"snapshot_name": "a", "snapshot_id": "b"}, "snapshot_name, snapshot_id: give only one of them"),
        ({"state": "absent"}, "state absent: one of snapshot_name, snapshot_path or snapshot_id (or remove_all)"),
        ({"remove_all": True, "snapshot_name": "a", "state": "absent"}, "remove_all: is only for state absent without"),
        ({"current": True}, "current: is only for state reverted without"),
        ({"snapshot_name": "a", "state": "absent", "memory": True}, "memory: is only for state present"),
        ({"snapshot_name": "a", "state": "reverted", "quiesce": True}, "quiesce: is only for state present"),
        ({"snapshot_name": "a", "remove_children": True}, "remove_children: is only for state absent"),
        ({"snapshot_name": "a", "consolidate": False}, "consolidate: false: is only for state absent"),
        ({"snapshot_name": "a", "state": "absent", "suppress_power_on": True},
         "suppress_power_on: is only for state reverted"),
        ({"snapshot_name": "a", "state": "absent", "new_description": "b"}, "new_snapshot_name/new_description: is"),
        ({"snapshot_name": " "}, "snapshot_name: ' ' is empty"),
        ({"snapshot_path": "a//b"}, "snapshot_path: 'a//b' is not a path like before-patch/after-reboot"),
        ({"snapshot_name": "a", "state": "gone"}, "state: 'gone' is not one of present, absent, reverted"),
    ],
)  # fmt: skip
def test_bad_requests_name_the_option(given, message):
    with pytest.raises(InvalidArgument) as e:
        esx_vm_snapshot.request(params(**given), check_mode=False)
    assert str(e.value).startswith(message)


def test_removed_moves_children_up_or_drops_them():
    assert [n["path"] for n in st.removed(TREE, "snapshot-1", False)] == ["b", "c"]
    assert st.removed(TREE, "snapshot-1", True) == []
    kept = st.removed(TREE, "snapshot-2", False)
    assert [c["path"] for c in kept[0]["children"]] == ["a/c"]
    assert [c["path"] for c in TREE[0]["children"]] == ["a/b", "a/c"], "the tree read is kept"


def test_renamed_repaths_the_children():
    out = st.renamed(TREE, "snapshot-1", "x/y", "new")
    assert out[0]["path"] == "x%2fy" and out[0]["description"] == "new"
    assert [c["path"] for c in out[0]["children"]] == ["x%2fy/b", "x%2fy/c"]


def test_created_goes_below_the_current_snapshot():
    out, new = st.created(TREE, TREE[0]["children"][0], "n", "d", "powered_off", True)
    assert new["path"] == "a/b/n" and new["id"] is None and new["quiesced"] is True
    assert out[0]["children"][0]["children"] == [new]
    roots, first = st.created([], None, "n", "", "powered_on", False)
    assert roots == [first] and first["path"] == "n"


def planned(step) -> s.Plan:
    return s.Plan(VM, "web", TREE, [], step=step)


def tasked(method: str, task: str) -> FakeTransport:
    """A transport on which `method` starts `task`, with the property collector a wait uses."""
    t = FakeTransport().on(method, response_ref(method, "Task", task))
    t.on(
        "CreatePropertyCollector",
        response_ref("CreatePropertyCollector", "PropertyCollector", "pc"),
    )
    t.on("CreateFilter", response_ref("CreateFilter", "PropertyFilter", "f"))
    t.on("DestroyPropertyCollector", response("DestroyPropertyCollector"))
    return t


def task_ended(task: str, description_id: str, outcome: str) -> bytes:
    """WaitForUpdatesEx: the task's info as vCenter sends it, `outcome` its state and result
    or error elements."""
    info = (
        '<filterSet><filter type="PropertyFilter">f</filter><objectSet><kind>modify</kind>'
        f'<obj type="Task">{task}</obj><changeSet><name>info</name><op>assign</op>'
        f'<val xsi:type="TaskInfo"><key>{task}</key><task type="Task">{task}</task>'
        f"<descriptionId>{description_id}</descriptionId>{outcome}"
        "<cancelled>false</cancelled><cancelable>false</cancelable>"
        "<queueTime>2026-12-01T10:00:00Z</queueTime><eventChainId>1</eventChainId></val>"
        "</changeSet></objectSet></filterSet>"
    )
    return response("WaitForUpdatesEx", f"<version>1</version>{info}")


def test_apply_sends_the_arguments_in_the_servers_order():
    t = tasked("CreateSnapshot_Task", "task-7")
    made = ('<state>success</state><result type="VirtualMachineSnapshot" '
            'xsi:type="ManagedObjectReference">snapshot-9</result>')  # fmt: skip
    t.on("WaitForUpdatesEx", task_ended("task-7", "VirtualMachine.createSnapshot", made))
    args = {"name": "a%2fb", "description": "d", "memory": True, "quiesce": False}
    step = s.Step("creating", VM, "CreateSnapshot_Task", args)
    assert s.apply(w.client(t), planned(step), 60) == "snapshot-9"
    body = t.requests[2].body.decode()
    order = [body.index(f"<{k}>") for k in ("name", "description", "memory", "quiesce")]
    assert order == sorted(order), body
    assert "<memory>true</memory>" in body and "<name>a%2fb</name>" in body


def test_a_removal_that_times_out_names_the_task_still_running(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(wait.time, "monotonic", clock)
    t = tasked("RemoveSnapshot_Task", "task-8")
    t.on("WaitForUpdatesEx", clock.waited, always=True)
    step = s.Step("removing snapshot 'a' of VM 'web'", MoRef("VirtualMachineSnapshot", "snapshot-1"),
                  "RemoveSnapshot_Task", {"removeChildren": False, "consolidate": True})  # fmt: skip
    with pytest.raises(PartialFailure) as e:
        s.apply(w.client(t), planned(step), 30)
    assert str(e.value) == (
        "removing snapshot 'a' of VM 'web': the task task-8 is still running on the server "
        "(gave up waiting after 30s)"
    )
    assert e.value.result["changed"] is True and e.value.result["task"] == "task-8"
    assert "DestroyPropertyCollector" in t.methods


@pytest.mark.parametrize(
    "moid, children, current",
    [
        ("snapshot-2", False, "snapshot-1"),
        ("snapshot-1", True, None),
        ("snapshot-3", False, "snapshot-2"),
    ],
)
def test_removing_the_current_snapshot_makes_its_parent_current(moid, children, current):
    request = esx_vm_snapshot.request(
        params(state="absent", snapshot_id=moid, remove_children=children), check_mode=False
    )
    planned = s._plan_absent(s.Plan(VM, "web", TREE, TREE, current_moid="snapshot-2"), request)
    assert planned.current_moid == current
    assert planned.step.method == "RemoveSnapshot_Task"
    assert planned.step.args == {"removeChildren": children, "consolidate": True}


def test_removing_a_missing_snapshot_plans_nothing():
    request = esx_vm_snapshot.request(
        params(state="absent", snapshot_name="gone"), check_mode=False
    )
    assert s._plan_absent(s.Plan(VM, "web", TREE, TREE), request).step is None


@pytest.mark.parametrize(
    "power, tools, memory, quiesce, expected",
    [
        ("poweredOn", "guestToolsRunning", True, True, ("powered_on", True)),
        ("poweredOn", "guestToolsRunning", False, True, ("powered_off", True)),
        ("poweredOn", "guestToolsNotRunning", True, True, ("powered_on", False)),
        ("poweredOff", "guestToolsNotRunning", True, True, ("powered_off", False)),
        ("suspended", None, False, False, ("suspended", False)),
    ],
)  # fmt: skip
def test_what_a_new_snapshot_records(power, tools, memory, quiesce, expected):
    props = {"runtime.powerState": power, "guest.toolsRunningStatus": tools}
    assert s.captured(props, memory, quiesce) == expected


def test_a_new_snapshot_takes_new_description_over_description():
    request = esx_vm_snapshot.request(
        params(snapshot_name="n", description="old", new_description="given"), check_mode=True
    )
    props = {"runtime.powerState": "poweredOff"}
    planned = s._plan_present(s.Plan(VM, "web", TREE, TREE), request, props)
    assert planned.step.method == "CreateSnapshot_Task"
    assert planned.step.args["description"] == planned.snapshot["description"] == "given"


def _snapshot_xml(moid: str, name: str, number: int) -> str:
    return (
        f'<snapshot type="VirtualMachineSnapshot">{moid}</snapshot><vm type="VirtualMachine">'
        f"vm-1</vm><name>{name}</name><description></description><id>{number}</id>"
        "<createTime>2026-11-28T10:00:00Z</createTime><state>poweredOff</state>"
        "<quiesced>false</quiesced><replaySupported>false</replaySupported>"
    )


def _removal_fails(tree_after: str):
    """RemoveSnapshot_Task of snapshot-2 whose task ends in error (vCenter's TaskInfo), then
    the VM's properties with `tree_after` as its snapshot info."""
    t = tasked("RemoveSnapshot_Task", "task-8")
    failed = (
        '<state>error</state><error><fault xsi:type="FileLocked">'
        "<file>[ds1] web/web-000001.vmdk</file></fault><localizedMessage>Unable to access file "
        "[ds1] web/web-000001.vmdk since it is locked</localizedMessage></error>"
    )
    t.on("WaitForUpdatesEx", task_ended("task-8", "VirtualMachineSnapshot.remove", failed))
    info = f'<val xsi:type="VirtualMachineSnapshotInfo">{tree_after}</val>'
    objects = [
        w.object_content(("VirtualMachine", "vm-1"), {"name": "<val>web</val>", "snapshot": info})
    ]
    t.on("RetrievePropertiesEx", w.response("RetrievePropertiesEx", w.retrieve_result(objects)))
    return t


ONE = _snapshot_xml("snapshot-1", "a", 1)
TWO = _snapshot_xml("snapshot-2", "b", 2)
BEFORE_TREE = (
    '<currentSnapshot type="VirtualMachineSnapshot">snapshot-2</currentSnapshot>'
    f"<rootSnapshotList>{ONE}<childSnapshotList>{TWO}</childSnapshotList></rootSnapshotList>"
)


def _removal_plan() -> s.Plan:
    """The plan of removing a/b (current) from BEFORE_TREE."""
    before = st.tree(decoded_tree(BEFORE_TREE))
    step = s.Step("removing snapshot 'a/b' of VM 'web'", MoRef("VirtualMachineSnapshot", "snapshot-2"),
                  "RemoveSnapshot_Task", {"removeChildren": False, "consolidate": True})  # fmt: skip
    return s.Plan(MoRef("VirtualMachine", "vm-1"), "web", before, before, step=step,
                  current_moid="snapshot-2", before_moid="snapshot-2")  # fmt: skip


def decoded_tree(xml: str) -> dict:
    """The snapshot info `xml` decoded as a read decodes it (its own transport)."""
    t = FakeTransport()
    objects = [
        w.object_content(
            ("VirtualMachine", "vm-1"),
            {"snapshot": f'<val xsi:type="VirtualMachineSnapshotInfo">{xml}</val>'},
        )
    ]
    t.on("RetrievePropertiesEx", w.response("RetrievePropertiesEx", w.retrieve_result(objects)))
    return s.read(w.client(t), MoRef("VirtualMachine", "vm-1"))["snapshot"]


def test_a_removal_whose_task_fails_after_the_snapshot_went_reports_the_change():
    """A removal whose consolidation fails may leave the tree without the snapshot: the run
    failed with changed false, and the next run found nothing to remove and said ok."""
    after = (
        '<currentSnapshot type="VirtualMachineSnapshot">snapshot-1</currentSnapshot>'
        f"<rootSnapshotList>{ONE}</rootSnapshotList>"
    )
    client = w.client(_removal_fails(after))
    planned = _removal_plan()
    with pytest.raises(PartialFailure) as e:
        try:
            s.apply(client, planned, 60)
        except faults.TaskFailed as failed:
            s._failed_after(client, planned, failed)
    assert str(e.value).startswith(
        "removing snapshot 'a/b' of VM 'web': the task task-8 failed (FileLocked: Unable to "
        "access file [ds1] web/web-000001.vmdk since it is locked), but the VM's snapshot tree "
        "changed"
    ), str(e.value)
    result = e.value.result
    assert result["changed"] is True and result["task"] == "task-8"
    assert [n["path"] for n in st.walk(result["snapshots"])] == ["a"]
    assert result["current_snapshot"]["id"] == "snapshot-1" and result["snapshot_count"] == 1


def test_a_removal_whose_task_fails_with_the_tree_unchanged_is_the_task_failure():
    client = w.client(_removal_fails(BEFORE_TREE))
    planned = _removal_plan()
    with pytest.raises(faults.TaskFailed):
        try:
            s.apply(client, planned, 60)
        except faults.TaskFailed as failed:
            s._failed_after(client, planned, failed)
            raise
