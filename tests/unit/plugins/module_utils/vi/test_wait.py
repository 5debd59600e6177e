"""vi/wait.py: wait_until through a private collector; merging the updates the wire carries."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import Clock, FakeTransport, fault, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, wait
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

PRIVATE = MoRef("PropertyCollector", "session[52a6]52c1")
VM = MoRef("VirtualMachine", "vm-42")
POWER = "runtime.powerState"


def update(version: str, *parts: str, kind: str = "modify") -> bytes:
    """A WaitForUpdatesEx answer: one ObjectUpdate of vm-42 (changeSet / missingSet parts)."""
    return response(
        "WaitForUpdatesEx",
        f'<version>{version}</version><filterSet><filter type="PropertyFilter">session[52a6]52f0'
        f'</filter><objectSet><kind>{kind}</kind><obj type="VirtualMachine">vm-42</obj>'
        f"{''.join(parts)}</objectSet></filterSet>",
    )


def change(name: str, val: str = "", op: str = "assign") -> str:
    return f"<changeSet><name>{name}</name><op>{op}</op>{val}</changeSet>"


def power(state: str) -> str:
    return change(POWER, f'<val xsi:type="VirtualMachinePowerState">{state}</val>')


def watching(*updates) -> FakeTransport:
    t = FakeTransport()
    t.on("CreatePropertyCollector", response_ref("CreatePropertyCollector", PRIVATE.type,
                                                 PRIVATE.value), always=True)  # fmt: skip
    t.on("CreateFilter", response_ref("CreateFilter", "PropertyFilter", "session[52a6]52f0"),
         always=True)  # fmt: skip
    t.on("DestroyPropertyCollector", response("DestroyPropertyCollector"), always=True)
    t.on("WaitForUpdatesEx", *updates)
    return t


def decoded(*updates) -> list[dict]:
    """The UpdateSets as the client decodes them off the wire."""
    client = vi_wire.client(FakeTransport().on("WaitForUpdatesEx", *updates))
    return [client.call(PRIVATE, "WaitForUpdatesEx", version="") for _update in updates]


def test_updates_merge_full_values_parts_removals_and_missing_paths():
    paths = [POWER, "config.hardware", "guest.ipAddress"]
    hardware = ('<val xsi:type="VirtualHardware"><numCPU>2</numCPU><numCoresPerSocket>1'
                "</numCoresPerSocket><memoryMB>1024</memoryMB></val>")  # fmt: skip
    first, second, third = decoded(
        update("1", power("poweredOn"), change("config.hardware", hardware),
               change("guest.ipAddress"), kind="enter"),
        update("2", change("config.hardware.numCPU", '<val xsi:type="xsd:int">4</val>'),
               power("poweredOff"),
               change("guest.ipAddress", '<val xsi:type="xsd:string">192.0.2.10</val>')),
        update("3", change("guest.ipAddress", op="remove"),
               '<missingSet><path>config.hardware</path><fault><fault xsi:type="NoPermission">'
               '<object type="VirtualMachine">vm-42</object><privilegeId>System.Read</privilegeId>'
               "</fault><localizedMessage></localizedMessage></fault></missingSet>"),
    )  # fmt: skip
    props = wait.merge_update({}, paths, first)
    hw = {"_type": "VirtualHardware", "numCPU": 2, "numCoresPerSocket": 1, "memoryMB": 1024}
    assert props == {POWER: "poweredOn", "guest.ipAddress": None, "config.hardware": hw}
    merged = wait.merge_update(props, paths, second)
    assert merged == {POWER: "poweredOff", "guest.ipAddress": "192.0.2.10",
                      "config.hardware": dict(hw, numCPU=4)}  # fmt: skip
    assert props["config.hardware"]["numCPU"] == 2  # merging copies, never edits what was seen
    last = wait.merge_update(merged, paths, third)
    assert last == {POWER: "poweredOff", "guest.ipAddress": None, "config.hardware": None}


def test_a_part_of_an_unset_value_and_an_array_element_are_kept_as_named():
    paths = ["info", "config.hardware.device"]
    (set_,) = decoded(update("1", change("info.progress", '<val xsi:type="xsd:int">5</val>'),
                             change("config.hardware.device[4000].connectable.connected",
                                    '<val xsi:type="xsd:boolean">true</val>')))  # fmt: skip
    assert wait.merge_update({"info": None}, paths, set_) == {
        "info": {"progress": 5}, "config.hardware.device[4000].connectable.connected": True}  # fmt: skip


def test_wait_until_returns_the_properties_once_the_predicate_holds():
    t = watching(update("1", power("poweredOn"), kind="enter"), update("2", power("poweredOff")))
    seen = []

    def off(props):
        seen.append(dict(props))
        return props[POWER] == "poweredOff"

    props = wait.wait_until(vi_wire.client(t), VM, [POWER], off, deadline=10**9)
    assert props == {POWER: "poweredOff"}
    assert seen == [{POWER: "poweredOn"}, {POWER: "poweredOff"}]
    assert t.methods[2:] == ["CreatePropertyCollector", "CreateFilter", "WaitForUpdatesEx",
                             "WaitForUpdatesEx", "DestroyPropertyCollector"]  # fmt: skip
    create = t.requests[3]
    assert create.this == PRIVATE and create.arg("partialUpdates") is False
    assert create.arg("spec")["propSet"] == [
        {"_type": "PropertySpec", "type": "VirtualMachine", "all": False, "pathSet": [POWER]}]  # fmt: skip
    assert create.arg("spec")["objectSet"] == [{"_type": "ObjectSpec", "obj": VM, "skip": False}]
    waits = [r for r in t.requests if r.method == "WaitForUpdatesEx"]
    assert [w.arg("version") for w in waits] == ["", "1"] and all(w.this == PRIVATE for w in waits)
    assert t.requests[-1].this == PRIVATE


def test_also_watches_more_objects_in_the_same_filter():
    task = MoRef("Task", "task-7")
    question = change("runtime.question", '<val xsi:type="VirtualMachineQuestionInfo"><id>1</id>'
                      "<text>moved?</text></val>")  # fmt: skip
    t = watching(update("1", question, kind="enter"))

    def asked(props):
        return (props.get("runtime.question") or {}).get("id") == "1"

    props = wait.wait_until(vi_wire.client(t), task, ["info"], asked, deadline=10**9,
                            also={VM: ["runtime.question"]})  # fmt: skip
    assert props["runtime.question"]["text"] == "moved?"
    spec = t.requests[3].arg("spec")
    assert [p["type"] for p in spec["propSet"]] == ["Task", "VirtualMachine"]
    assert spec["propSet"][1]["pathSet"] == ["runtime.question"]
    assert [o["obj"] for o in spec["objectSet"]] == [task, VM]


def test_running_out_raises_wait_timeout_with_what_was_seen_last(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(wait.time, "monotonic", clock)
    t = watching(update("1", power("poweredOn"), kind="enter"))
    t.on("WaitForUpdatesEx", clock.waited, always=True)
    with pytest.raises(faults.WaitTimeout) as info:
        wait.wait_until(
            vi_wire.client(t), VM, [POWER], lambda p: p[POWER] == "poweredOff",
            deadline=clock.now + 25, what="the VM to power off",
        )  # fmt: skip
    e = info.value
    assert (e.what, e.last_seen, e.timeout) == ("the VM to power off", {POWER: "poweredOn"}, 25)
    assert str(e) == (
        "gave up waiting for the VM to power off after 25s; last seen: runtime.powerState=poweredOn"
    )
    waits = [
        r.arg("options")["maxWaitSeconds"] for r in t.requests if r.method == "WaitForUpdatesEx"
    ]
    assert waits == [10, 10, 10, 5] and clock.now == 1025.0  # never past the deadline
    assert t.methods[-1] == "DestroyPropertyCollector"


def test_a_deleted_object_ends_the_wait_and_the_collector():
    t = watching(update("1", power("poweredOn"), kind="enter"), update("2", kind="leave"))
    with pytest.raises(faults.ManagedObjectNotFound, match="vm-42.* was deleted during the wait"):
        wait.wait_until(vi_wire.client(t), VM, [POWER], lambda p: False, deadline=10**9)
    assert t.methods[-1] == "DestroyPropertyCollector"


def test_a_collector_lost_with_the_session_is_made_again_bounded():
    gone = fault("ManagedObjectNotFound", "The object has already been deleted",
                 f'<obj type="PropertyCollector">{PRIVATE.value}</obj>')  # fmt: skip
    t = watching(update("1", power("poweredOn"), kind="enter"), gone,
                 update("1", power("poweredOff"), kind="enter"))  # fmt: skip
    props = wait.wait_until(
        vi_wire.client(t), VM, [POWER], lambda p: p[POWER] == "poweredOff", deadline=10**9
    )
    assert props == {POWER: "poweredOff"}
    assert t.methods.count("CreatePropertyCollector") == 2 and t.methods.count("CreateFilter") == 2
    assert [r.arg("version") for r in t.requests if r.method == "WaitForUpdatesEx"] == ["", "1", ""]
    t = watching(gone, gone, gone)
    with pytest.raises(faults.ManagedObjectNotFound):
        wait.wait_until(vi_wire.client(t), VM, [POWER], lambda p: True, deadline=10**9)
    assert t.methods.count("CreatePropertyCollector") == 3
    assert t.methods[-1] == "DestroyPropertyCollector"
