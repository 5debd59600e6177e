"""wait_until on the simulator: a property wait that is met, one that runs out, a session lost
under a wait, and tasks under one deadline; no private collector outlives its wait."""

from __future__ import annotations

import time

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults, tasks
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.wait import wait_until
from ansible_collections.viapi.esx.plugins.module_utils.vm import waits

POWER = "runtime.powerState"


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """A private vCenter model (these tests power VMs off); the first powered-on VM has an IP."""
    return vcsim_factory("--vm", "3", "--guest-ips", "1")


def powered_on(sim, client, index: int) -> MoRef:
    vms = sorted(vm["moid"] for vm in sim.manifest["vms"] if vm["power_state"] == "poweredOn")
    ref = MoRef("VirtualMachine", vms[index])
    assert collector.get_one(client, ref, [POWER]) == {POWER: "poweredOn"}
    return ref


def powered_off_after(seen: list, act):
    """POWERED_OFF's predicate, recording each state seen and running `act` once the wait
    watches (at its first update), so the change comes while the wait is on."""

    def off(props):
        seen.append(props[POWER])
        if len(seen) == 1:
            act()
        return waits.POWERED_OFF.holds(props)

    return off


def assert_collectors_gone(client, calls) -> None:
    """Every private collector the wait made is destroyed: the server no longer knows it."""
    made = [result for method, _obj, result in calls if method == "CreatePropertyCollector"]
    assert made
    for pc in made:
        with pytest.raises(faults.ManagedObjectNotFound):
            client.call(pc, "DestroyPropertyCollector")


def test_a_power_off_through_the_api_ends_the_wait(sim, connect, spy):
    client, admin = connect(sim), connect(sim)
    vm = powered_on(sim, client, 1)
    calls, seen = spy(client), []
    off = powered_off_after(seen, lambda: admin.call(vm, "PowerOffVM_Task"))  # another session
    props = wait_until(client, vm, [POWER], off, time.monotonic() + 120, what="the VM to power off")
    assert props == {POWER: "poweredOff"} and seen[0] == "poweredOn" and seen[-1] == "poweredOff"
    assert collector.get_one(admin, vm, [POWER]) == {POWER: "poweredOff"}
    assert [m for m, _o, _r in calls].count("CreateFilter") == 1
    assert_collectors_gone(client, calls)


def test_a_wait_that_runs_out_says_what_it_saw_and_leaves_no_collector(sim, connect, spy):
    client = connect(sim)
    vm = powered_on(sim, client, 2)
    calls = spy(client)
    started = time.monotonic()
    with pytest.raises(faults.WaitTimeout) as info:
        wait_until(client, vm, [POWER], lambda p: p[POWER] == "suspended", started + 2,
                   what="the VM to suspend")  # fmt: skip
    e = info.value
    assert time.monotonic() - started >= 2
    assert (e.what, e.last_seen, e.timeout) == ("the VM to suspend", {POWER: "poweredOn"}, 2)
    assert str(e) == "gave up waiting for the VM to suspend after 2s; last seen: " + (
        "runtime.powerState=poweredOn"
    )
    assert_collectors_gone(client, calls)


def test_the_wait_goes_on_after_its_session_is_terminated(sim, connect, spy):
    client, admin = connect(sim), connect(sim)
    vm = powered_on(sim, client, 3)
    calls, seen = spy(client), []

    def end_the_session_then_power_off():
        admin.call(admin.content["sessionManager"], "TerminateSession",
                   sessionId=[client.session["key"]])  # fmt: skip
        admin.call(vm, "PowerOffVM_Task")

    off = powered_off_after(seen, end_the_session_then_power_off)
    props = wait_until(client, vm, waits.POWERED_OFF.paths, off, time.monotonic() + 120)
    assert props == {POWER: "poweredOff"} and seen[0] == "poweredOn"
    methods = [m for m, _o, _r in calls]
    assert methods.count("Login") == 1 and methods.count("CreatePropertyCollector") == 2
    assert collector.get_one(admin, vm, [POWER]) == {POWER: "poweredOff"}
    assert_collectors_gone(client, calls)


def test_an_ip_address_the_guest_reports_ends_the_wait_at_once(sim, connect, spy):
    client = connect(sim)
    moid, ip = next(iter(sim.manifest["guest_ips"].items()))
    vm = MoRef("VirtualMachine", moid)
    calls = spy(client)
    assert waits.wait_for(client, vm, waits.IP_ADDRESS, time.monotonic() + 120) == {
        "guest.ipAddress": ip
    }
    assert [m for m, _o, _r in calls].count("WaitForUpdatesEx") == 1
    assert_collectors_gone(client, calls)


def test_tasks_under_one_deadline(sim, connect):
    client = connect(sim)
    vms = [powered_on(sim, client, 0), powered_on(sim, client, 4)]
    submitted = [client.call(vm, "PowerOffVM_Task") for vm in vms]
    assert tasks.wait_for_tasks(client, submitted, timeout=300) == [None, None]
    for vm in vms:
        assert collector.get_one(client, vm, [POWER]) == {POWER: "poweredOff"}
    again = client.call(vms[0], "PowerOffVM_Task")
    with pytest.raises(faults.TaskFailed) as info:
        tasks.wait_for_tasks(client, [again], timeout=300, description="power off")
    assert isinstance(info.value.fault, faults.InvalidPowerState)
    assert str(info.value).startswith(f"task {again.value} (power off) failed: InvalidPowerState")
