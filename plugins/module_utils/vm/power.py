"""Which power steps take a VM from its power state to the one esx_vm's `state` asks for.

Pure: from the VM's facts, the configuration plan (its cold changes need the VM off) and the
request (force, allow_power_cycle). vm/lifecycle.py turns the steps into calls.
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument
from .request import VmRequest

# The power state each `state` ends in (None: kept as it is).
FINAL = {
    "present": None, "powered_on": "powered_on", "powered_off": "powered_off",
    "shutdown_guest": "powered_off", "suspended": "suspended", "restarted": "powered_on",
    "reboot_guest": "powered_on",
}  # fmt: skip


def power_steps(facts: dict, plan, request: VmRequest) -> tuple[list, list]:
    """(power steps before reconfiguring, steps after) from the current state to the request's."""
    state = request.state
    current, final = facts["power_state"], FINAL[state] or facts["power_state"]
    if facts.get("template") and state not in ("present", "powered_off"):
        raise InvalidArgument(f"VM '{facts['name']}' is a template; state {state} needs a VM")
    if state == "suspended" and current == "powered_off":
        raise InvalidArgument(f"VM '{facts['name']}' is powered off; it cannot be suspended")
    tools = facts.get("tools_status") in ("ok", "old")
    if final == "powered_off":
        if current == "powered_off":
            return [], []
        return [_stop(facts, state == "shutdown_guest", tools, request)], []
    stop_for = plan.cold
    if current == "suspended":
        stop_for = [c.option for c in plan.changes if c.option != "annotation"]
    if stop_for and current != "powered_off":
        _check_cycle(facts, stop_for, request)
        post = ["power_on"] + (["suspend"] if final == "suspended" else [])
        return [_stop(facts, state == "reboot_guest", tools, request)], post
    return [], _after(current, final, tools, request, facts)


def _stop(facts: dict, guest: bool, tools: bool, request: VmRequest) -> str:
    """shutdown_guest when asked for and possible; power_off when not asked or forced."""
    if not guest or (facts["power_state"] == "suspended" and request.force):
        return "power_off"
    if facts["power_state"] == "powered_on" and tools:
        return "shutdown_guest"
    if request.force:
        return "power_off"
    raise InvalidArgument(_no_tools(facts))


def _no_tools(facts: dict) -> str:
    status = facts["power_state"]
    if status != "powered_on":
        why = f"it is {status}"
    else:
        why = f"VMware Tools are not running (tools_status: {facts.get('tools_status')})"
    return (
        f"VM '{facts['name']}': a guest operation needs a running guest with VMware Tools, but "
        f"{why}; set force: true to use a hard power operation instead"
    )


def _check_cycle(facts: dict, options: list, request: VmRequest) -> None:
    state = request.state
    if facts["power_state"] == "suspended" and state not in ("restarted",):
        raise InvalidArgument(
            f"VM '{facts['name']}' is suspended; changing {', '.join(options)} needs it powered "
            "off: set state to powered_off or restarted"
        )
    if state in ("restarted", "reboot_guest") or request.allow_power_cycle:
        return
    raise InvalidArgument(
        f"changing {', '.join(options)} needs VM '{facts['name']}' powered off (it is "
        f"{facts['power_state']}); set allow_power_cycle: true to power it off, reconfigure it "
        "and restore its power state, or set state: powered_off"
    )


def _after(current: str, final: str, tools: bool, request: VmRequest, facts: dict) -> list:
    if final == "suspended":
        return ["suspend"] if current == "powered_on" else []
    if final != "powered_on":
        return []
    if current != "powered_on":
        return ["power_on"]
    if request.state == "restarted":
        return ["reset"]
    if request.state == "reboot_guest":
        if tools:
            return ["reboot_guest"]
        if request.force:
            return ["reset"]
        raise InvalidArgument(_no_tools(facts))
    return []
