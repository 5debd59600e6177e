"""vi/tasks.py: wait_for_task through a private collector, with a deadline and cleanup."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import FakeTransport, fault, object_content, response, response_ref, retrieve_result

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, tasks
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

TASK = MoRef("Task", "task-42")
PRIVATE = MoRef("PropertyCollector", "session[52a6]52c1")
FILTER = '<filter type="PropertyFilter">session[52a6]52f0</filter>'


def update(version: str, *changes: str) -> bytes:
    """A WaitForUpdatesEx answer: an UpdateSet with the changes for our task."""
    change_set = "".join(changes)
    return response(
        "WaitForUpdatesEx",
        f"<version>{version}</version><filterSet>{FILTER}<objectSet><kind>modify</kind>"
        f'<obj type="Task">{TASK.value}</obj>{change_set}</objectSet></filterSet>',
    )


def info_change(state: str, extra: str = "") -> str:
    return (
        '<changeSet><name>info</name><op>assign</op><val xsi:type="TaskInfo">'
        f'<key>{TASK.value}</key><task type="Task">{TASK.value}</task><name>PowerOffVM_Task</name>'
        '<descriptionId>VirtualMachine.powerOff</descriptionId><entity type="VirtualMachine">vm-42</entity>'
        f"<entityName>web01</entityName><state>{state}</state><cancelled>false</cancelled>"
        f"<cancelable>false</cancelable>{extra}<queueTime>2024-01-02T03:04:05.1Z</queueTime>"
        "<eventChainId>42</eventChainId></val></changeSet>"
    )


def part(name: str, xsi: str, value: str) -> str:
    return f'<changeSet><name>{name}</name><op>assign</op><val xsi:type="{xsi}">{value}</val></changeSet>'


def watcher(*updates) -> FakeTransport:
    t = FakeTransport()
    t.on(
        "CreatePropertyCollector",
        response_ref("CreatePropertyCollector", PRIVATE.type, PRIVATE.value),
        always=True,
    )
    t.on(
        "CreateFilter",
        response_ref("CreateFilter", "PropertyFilter", "session[52a6]52f0"),
        always=True,
    )
    t.on("DestroyPropertyCollector", response("DestroyPropertyCollector"), always=True)
    t.on("WaitForUpdatesEx", *updates)
    return t


def test_success_returns_the_tasks_result_and_destroys_the_collector():
    result = '<result type="VirtualMachine" xsi:type="ManagedObjectReference">vm-99</result>'
    t = watcher(update("1", info_change("running", "<progress>10</progress>")),
                update("2", info_change("success", result)))  # fmt: skip
    client = vi_wire.client(t)
    assert tasks.wait_for_task(client, TASK, timeout=600) == MoRef("VirtualMachine", "vm-99")
    assert t.methods[2:] == ["CreatePropertyCollector", "CreateFilter", "WaitForUpdatesEx",
                             "WaitForUpdatesEx", "DestroyPropertyCollector"]  # fmt: skip
    assert t.requests[2].this == MoRef("PropertyCollector", "propertyCollector")
    create = t.requests[3]
    assert create.this == PRIVATE and create.arg("partialUpdates") is False
    spec = create.arg("spec")
    assert spec["objectSet"] == [{"_type": "ObjectSpec", "obj": TASK, "skip": False}]
    assert spec["propSet"] == [
        {"_type": "PropertySpec", "type": "Task", "all": False, "pathSet": ["info"]}
    ]
    waits = [r for r in t.requests if r.method == "WaitForUpdatesEx"]
    assert [w.arg("version") for w in waits] == ["", "1"]  # "" first, then the last version
    assert all(w.this == PRIVATE for w in waits)
    assert waits[0].arg("options")["maxWaitSeconds"] == 10
    assert t.requests[-1].this == PRIVATE


def test_the_long_poll_stays_within_the_read_timeout():
    t = watcher(update("1", info_change("success")))
    client = vi_wire.client(t)
    client.timeout = 5
    assert tasks.wait_for_task(client, TASK, timeout=600, poll=30) is None
    assert t.requests[4].arg("options")["maxWaitSeconds"] == 4


def test_partial_changes_are_merged():
    t = watcher(
        update("1", info_change("queued")),
        update("2", part("info.state", "TaskInfoState", "running"), part("info.progress", "xsd:int", "50")),
        update("3", part("info.state", "TaskInfoState", "success"),
               part("info.result", "xsd:string", "done")),
    )  # fmt: skip
    assert tasks.wait_for_task(vi_wire.client(t), TASK) == "done"


def test_an_error_raises_task_failed_with_the_typed_fault():
    error = (
        '<error><fault xsi:type="InvalidPowerState"><requestedState>poweredOff</requestedState>'
        "<existingState>poweredOff</existingState></fault><localizedMessage>The attempted operation "
        "cannot be performed in the current state (Powered off).</localizedMessage></error>"
    )
    t = watcher(update("1", info_change("error", error)))
    with pytest.raises(faults.TaskFailed) as info:
        tasks.wait_for_task(vi_wire.client(t), TASK)
    e = info.value
    assert e.task == "task-42"
    assert isinstance(e.fault, faults.InvalidPowerState)
    assert (
        e.fault.message
        == "The attempted operation cannot be performed in the current state (Powered off)."
    )
    assert e.fault.detail == {
        "_type": "InvalidPowerState",
        "requestedState": "poweredOff",
        "existingState": "poweredOff",
    }
    assert str(e) == (
        "task task-42 (VirtualMachine.powerOff) failed: InvalidPowerState: "
        "The attempted operation cannot be performed in the current state (Powered off)."
    )
    assert t.methods[-1] == "DestroyPropertyCollector"


def test_an_error_without_a_fault_type_is_a_task_error():
    t = watcher(
        update(
            "1",
            info_change("error", "<error><localizedMessage>it broke</localizedMessage></error>"),
        )
    )
    with pytest.raises(faults.TaskFailed, match="TaskError: it broke"):
        tasks.wait_for_task(vi_wire.client(t), TASK)


class Clock:
    """time.monotonic for tasks.py that advances by each long poll's maxWaitSeconds."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def waited(self, request):
        self.now += request.arg("options")["maxWaitSeconds"]
        return response("WaitForUpdatesEx")  # nothing changed within the wait


def test_the_deadline_raises_task_timeout_with_the_last_state(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tasks.time, "monotonic", clock)
    t = watcher(update("1", info_change("running", "<progress>40</progress>")))
    t.on("WaitForUpdatesEx", clock.waited, always=True)
    with pytest.raises(faults.TaskTimeout) as info:
        tasks.wait_for_task(vi_wire.client(t), TASK, timeout=25, poll=10)
    e = info.value
    assert (e.task, e.state, e.progress) == ("task-42", "running", 40)
    assert (
        str(e)
        == "task task-42 still running, 40% done after 25s; it may still complete on the server"
    )
    waits = [
        r.arg("options")["maxWaitSeconds"] for r in t.requests if r.method == "WaitForUpdatesEx"
    ]
    assert waits == [10, 10, 10, 5]  # never past the deadline
    assert clock.now == 1025.0
    assert t.methods[-1] == "DestroyPropertyCollector"


def test_a_deadline_before_any_news_has_no_state(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tasks.time, "monotonic", clock)
    t = watcher()
    t.on("WaitForUpdatesEx", clock.waited, always=True)
    with pytest.raises(faults.TaskTimeout, match="still unknown after 3s") as info:
        tasks.wait_for_task(vi_wire.client(t), TASK, timeout=3)
    assert info.value.state is None and info.value.progress is None


def test_a_collector_lost_with_the_session_is_created_again():
    gone = fault(
        "ManagedObjectNotFound",
        "The object has already been deleted",
        f'<obj type="PropertyCollector">{PRIVATE.value}</obj>',
    )
    t = watcher(gone, update("1", info_change("success")))
    assert tasks.wait_for_task(vi_wire.client(t), TASK) is None
    assert t.methods.count("CreatePropertyCollector") == 2 and t.methods.count("CreateFilter") == 2
    waits = [r for r in t.requests if r.method == "WaitForUpdatesEx"]
    assert waits[1].arg("version") == ""  # watched again from the start


def test_renewing_the_collector_is_bounded():
    gone = fault("ManagedObjectNotFound", "The object has already been deleted")
    t = watcher(gone, gone, gone, update("1", info_change("success")))
    with pytest.raises(faults.ManagedObjectNotFound):
        tasks.wait_for_task(vi_wire.client(t), TASK)
    assert t.methods.count("CreatePropertyCollector") == 3
    assert t.methods[-1] == "DestroyPropertyCollector"


def test_a_failed_filter_still_destroys_the_collector():
    t = watcher()
    t.on(
        "CreateFilter",
        fault("ManagedObjectNotFound", "task-42 is gone", '<obj type="Task">task-42</obj>'),
    )
    with pytest.raises(faults.ManagedObjectNotFound):
        tasks.wait_for_task(vi_wire.client(t), TASK)
    assert t.methods[-2:] == ["CreateFilter", "DestroyPropertyCollector"]


def test_task_fault_reads_a_task_info():
    info = {
        "error": {
            "fault": {"_type": "DuplicateName", "name": "web01"},
            "localizedMessage": "The name 'web01' already exists.",
        }
    }
    f = tasks.task_fault(info)
    assert isinstance(f, faults.DuplicateName) and f.detail["name"] == "web01"
    assert str(f) == "DuplicateName: The name 'web01' already exists."


# ---------------------------------------------------------------- several tasks, one deadline

OTHER = MoRef("Task", "task-43")


def outcome(task: MoRef, state: str, result: str = "", error: str = "") -> str:
    """A task's info.state / info.result / info.error as a bulk read returns them."""
    props = {"info.state": f'<val xsi:type="TaskInfoState">{state}</val>'}
    if result:
        props["info.result"] = result
    if error:
        props["info.error"] = f'<val xsi:type="LocalizedMethodFault">{error}</val>'
    return object_content(("Task", task.value), props)


def bulk(*objects: str) -> bytes:
    return response("RetrievePropertiesEx", retrieve_result(list(objects)))


def test_finished_tasks_cost_one_read_and_no_collector():
    t = FakeTransport().on("RetrievePropertiesEx", bulk(
        outcome(OTHER, "success", '<val xsi:type="xsd:string">second</val>'),
        outcome(TASK, "success", '<val xsi:type="xsd:string">first</val>')))  # fmt: skip
    assert tasks.wait_for_tasks(vi_wire.client(t), [TASK, OTHER]) == ["first", "second"]
    assert t.methods[2:] == ["RetrievePropertiesEx"]
    spec = t.requests[2].arg("specSet")[0]
    assert spec["propSet"][0]["pathSet"] == ["info.state", "info.result", "info.error"]


def test_a_task_still_running_is_waited_for():
    t = watcher(update("1", info_change("success", '<result xsi:type="xsd:string">late</result>')))
    t.on("RetrievePropertiesEx", bulk(outcome(TASK, "running"),
                                      outcome(OTHER, "success", '<val xsi:type="xsd:string">now</val>')))  # fmt: skip
    assert tasks.wait_for_tasks(vi_wire.client(t), [TASK, OTHER]) == ["late", "now"]
    assert t.methods[2:] == ["RetrievePropertiesEx", "CreatePropertyCollector", "CreateFilter",
                             "WaitForUpdatesEx", "DestroyPropertyCollector"]  # fmt: skip


def test_a_failed_task_raises_with_the_description_given():
    error = ('<fault xsi:type="FileNotFound"><file>[ds1] nope</file></fault>'
             "<localizedMessage>File [ds1] nope was not found</localizedMessage>")  # fmt: skip
    t = FakeTransport().on("RetrievePropertiesEx", bulk(outcome(TASK, "error", error=error)))
    with pytest.raises(faults.TaskFailed) as info:
        tasks.wait_for_tasks(vi_wire.client(t), [TASK], description="datastore search")
    assert isinstance(info.value.fault, faults.FileNotFound)
    assert str(info.value) == (
        "task task-42 (datastore search) failed: FileNotFound: File [ds1] nope was not found"
    )


def test_the_tasks_share_one_deadline(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tasks.time, "monotonic", clock)
    t = watcher()
    t.on("RetrievePropertiesEx", bulk(outcome(TASK, "running"), outcome(OTHER, "running")))
    t.on("WaitForUpdatesEx", clock.waited, always=True)
    with pytest.raises(faults.TaskTimeout, match="task task-42 still unknown after 15s"):
        tasks.wait_for_tasks(vi_wire.client(t), [TASK, OTHER], timeout=15)
    waits = [
        r.arg("options")["maxWaitSeconds"] for r in t.requests if r.method == "WaitForUpdatesEx"
    ]
    assert waits == [10, 5] and t.methods.count("CreatePropertyCollector") == 1
