"""vm/fleet.py: the pool (how many VMs at once, one session each, refused sessions) and the
merging of the outcomes into the module's result. The sessions and the runner are plain
stand-ins: the VM runs themselves are lifecycle.run's, tested on the simulator."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.module import failure as describe
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    InvalidArgument,
    NotFound,
    PartialFailure,
    ViError,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm import fleet
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
    VmConfig,
    VmIdentity,
    VmRequest,
)


class Session:
    """A client stand-in: connect (refused when asked to), logout, and which VMs it ran."""

    def __init__(self, refuse: bool = False):
        self.refuse, self.connected, self.logged_out, self.ran = refuse, False, 0, []
        self.round_trips = 0  # as Client counts them

    def connect(self):
        if self.refuse:
            raise ViError("HTTP 503 Service Unavailable")
        self.connected = True
        return self

    def logout(self):
        self.logged_out += 1


def requests(count: int) -> list[VmRequest]:
    return [VmRequest(identity=VmIdentity(name=f"vm{n}")) for n in range(count)]


def runner(session, request):
    session.ran.append(request.identity.name)
    return {"changed": request.identity.name != "vm1", "vm": {"name": request.identity.name}}


def opener(refused: int = 0):
    """open_client for the pool, the first `refused` sessions refused; keeps what it opened."""
    opened: list[Session] = []

    def open_client():
        opened.append(Session(refuse=len(opened) < refused))
        return opened[-1]

    return open_client, opened


def test_parallel_vms_run_at_once_each_on_its_own_session():
    gate = threading.Barrier(3, timeout=60)  # only 3 runs at once get past it (never a hang)
    active, most, lock = [0], [0], threading.Lock()

    def at_once(session, request):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        if int(request.identity.name[2:]) < 3:
            gate.wait()
        with lock:
            active[0] -= 1
        return runner(session, request)

    open_client, opened = opener()
    caller = Session().connect()
    done = fleet.run(caller, requests(7), 3, open_client, at_once)
    assert [o.error for o in done.outcomes] == [None] * 7
    assert [o.result["vm"]["name"] for o in done.outcomes] == [f"vm{n}" for n in range(7)]
    assert most[0] == 3 and done.sessions == 3 and done.warnings == []
    assert len(opened) == 2 and all(s.logged_out == 1 for s in opened)
    assert caller.logged_out == 0  # the caller's session is the caller's to close
    ran = sorted(name for s in [caller, *opened] for name in s.ran)
    assert ran == sorted(f"vm{n}" for n in range(7))  # each VM once


def test_no_more_sessions_than_vms_and_one_without_a_way_to_open_them():
    open_client, opened = opener()
    done = fleet.run(Session().connect(), requests(2), 8, open_client, runner)
    assert len(opened) == 1 and done.sessions == 2
    caller = Session().connect()
    done = fleet.run(caller, requests(3), 8, None, runner)
    assert caller.ran == ["vm0", "vm1", "vm2"] and done.sessions == 1


def test_refused_sessions_leave_their_vms_to_the_others_with_a_warning():
    open_client, opened = opener(refused=2)
    done = fleet.run(Session().connect(), requests(6), 4, open_client, runner)
    assert [o.error for o in done.outcomes] == [None] * 6
    assert done.sessions == 2
    (warning,) = done.warnings
    assert warning == (
        "the server opened 2 of the 4 sessions asked for, so 2 VMs were worked on at a time "
        "(refused: HTTP 503 Service Unavailable)"
    )
    assert [s.logged_out for s in opened] == [1, 1, 1]  # refused ones close their connection
    assert opened[2].ran  # the session that opened worked


def test_a_failed_vm_or_a_bug_is_its_own_outcome_and_the_others_go_on():
    def sometimes(session, request):
        name = request.identity.name
        if name == "vm1":
            raise NotFound("template 'nope' not found")
        if name == "vm2":
            raise KeyError("oops")
        return runner(session, request)

    open_client, _opened = opener()
    done = fleet.run(Session().connect(), requests(4), 2, open_client, sometimes)
    one, two = done.outcomes[1], done.outcomes[2]
    assert isinstance(one.error, NotFound) and one.trace is None
    assert isinstance(two.error, KeyError) and "KeyError: 'oops'" in two.trace
    assert done.outcomes[0].result and done.outcomes[3].result


def test_report_names_every_vm_and_every_failure_in_the_order_asked():
    diff = {"before": {"memory_mb": 128}, "after": {"memory_mb": 256}}
    outcomes = fleet.Fleet([
        fleet.Outcome(result={"changed": True, "vm": {"name": "a"}, "changes": ["memory_mb"],
                              "diff": diff}),
        fleet.Outcome(error=NotFound("template 'nope' not found")),
        fleet.Outcome(result={"changed": False, "vm": {"name": "c"}, "diff": diff}),
        fleet.Outcome(error=PartialFailure("VM 'd' was created, then: it broke",
                                           ViError("it broke"), changed=True, changes=["created"])),
        fleet.Outcome(error=KeyError("oops"), trace="Traceback ..."),
    ])  # fmt: skip
    result = fleet.report(["a", "b", "c", "d", "e"], outcomes, describe, diff=True)
    assert result["changed"] is True
    assert [(v["name"], v["changed"], v["failed"]) for v in result["vms"]] == [
        ("a", True, False), ("b", False, True), ("c", False, False), ("d", True, True),
        ("e", False, True),
    ]  # fmt: skip
    assert result["vms"][0] == {"name": "a", "changed": True, "failed": False, "msg": "",
                                "vm": {"name": "a"}, "changes": ["memory_mb"], "diff": diff}  # fmt: skip
    assert result["vms"][1]["error_type"] == "NotFound"
    assert (
        result["vms"][3]["changes"] == ["created"] and result["vms"][3]["error_type"] == "ViError"
    )
    assert result["vms"][4]["msg"] == "unexpected error: 'oops'"
    assert result["vms"][4]["exception"] == "Traceback ..."
    assert result["msg"] == (
        "3 of 5 VMs failed: b: template 'nope' not found; d: VM 'd' was created, then: it broke; "
        "e: unexpected error: 'oops'"
    )
    assert result["diff"] == [dict(diff, before_header="a", after_header="a")]  # changed only


def test_report_without_diff_mode_or_failures():
    outcomes = fleet.Fleet([fleet.Outcome(result={"changed": False, "diff": {"before": {}}})])
    result = fleet.report(["a"], outcomes, describe, diff=False)
    assert result == {
        "changed": False,
        "vms": [{"name": "a", "changed": False, "failed": False, "msg": ""}],
    }


def test_validate_names_the_entry_with_a_bad_option_before_any_run():
    good = VmRequest(VmIdentity(name="web-1"), VmConfig(memory_mb=1024))
    bad = VmRequest(VmIdentity(name="web-2"), VmConfig(num_cpus=3, cores_per_socket=2))
    fleet.validate(["web-1"], [good])
    with pytest.raises(InvalidArgument) as e:
        fleet.validate(["web-1", "web-2"], [good, bad])
    assert str(e.value) == "vms[1] (web-2): num_cpus (3) must be a multiple of cores_per_socket (2)"
