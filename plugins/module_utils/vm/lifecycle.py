"""esx_vm's runner without Ansible: find the VM, then create, converge, power or delete it.

`ensure(client, params, check_mode)` returns the module result. In check mode it computes the
same `changed`, `changes` and diff and sends no mutating call. Failures raise ViError; a failure
after something already changed raises `PartialFailure` carrying what the user must know.
"""

from __future__ import annotations

import time

from ..vi.collector import get_one
from ..vi.envelope import MoRef
from ..vi.faults import (
    Fault,
    InvalidArgument,
    NotFound,
    PartialFailure,
    TaskFailed,
    ToolsUnavailable,
    ViError,
)
from ..vi.find import find_vm_by_name
from ..vi.tasks import wait_for_task
from . import spec
from .facts import gather_one
from .identify import datacenter_of, find_vm
from .placement import Catalog, place

TASK_TIMEOUT = 3600.0
CREATE_DEFAULTS = {"num_cpus": 1, "memory_mb": 1024}
FINAL = {
    "present": None, "powered_on": "powered_on", "powered_off": "powered_off",
    "shutdown_guest": "powered_off", "suspended": "suspended", "restarted": "powered_on",
    "reboot_guest": "powered_on",
}  # fmt: skip
POWER_TASKS = {
    "power_on": "PowerOnVM_Task", "power_off": "PowerOffVM_Task", "suspend": "SuspendVM_Task",
    "reset": "ResetVM_Task",
}  # fmt: skip


def ensure(client, params: dict, check_mode: bool = False) -> dict:
    """Bring the VM the identity options name to `state`; the module's result dict."""
    want = spec.desired(params)
    ref = _lookup(client, params)
    if params["state"] == "absent":
        return _delete(client, ref, params, check_mode)
    if ref is None:
        return _create(client, params, want, check_mode)
    return _converge(client, ref, params, want, check_mode)


def _lookup(client, params: dict) -> MoRef | None:
    try:
        return find_vm(client, params, datacenter_of(client, params))
    except NotFound as e:
        if params["state"] == "absent" or params.get("name"):
            return None
        raise NotFound(f"{e}; a new VM is created only from name") from None


def _result(changed: bool, facts: dict | None, changes: list, before: dict, after: dict) -> dict:
    result = {"changed": changed, "vm": facts or {}}
    if changed:
        result["changes"] = changes
    result["diff"] = {"before": before, "after": after}
    return result


# ---------------------------------------------------------------- delete


def _delete(client, ref: MoRef | None, params: dict, check_mode: bool) -> dict:
    if ref is None:
        return _result(False, None, [], {}, {})
    _props, facts = gather_one(client, ref)
    running = facts["power_state"] != "powered_off"
    if running and not params.get("force"):
        raise InvalidArgument(
            f"VM '{facts['name']}' is {facts['power_state']}; set force: true to power it off "
            "and delete it"
        )
    result = _result(True, None, ["deleted"], spec.project(facts, spec.MANAGED), {})
    if check_mode:
        return result
    if running:
        _task(client, ref, "PowerOffVM_Task", params)
    try:
        _task(client, ref, "Destroy_Task", params)
    except ViError as e:
        if not running:
            raise
        raise PartialFailure(
            f"VM '{facts['name']}': {describe(e)} (after power_off succeeded)",
            e, changed=True, vm=gather_one(client, ref)[1],
        ) from None  # fmt: skip
    return result


# ---------------------------------------------------------------- create


def _create(client, params: dict, want: dict, check_mode: bool) -> dict:
    name, state = params["name"], params["state"]
    if state not in ("present", "powered_on", "powered_off"):
        raise NotFound(f"VM '{name}' not found; state {state} needs an existing VM")
    if want["guest_id"] is None:
        raise InvalidArgument(f"guest_id is required to create VM '{name}'")
    want = dict(want, **{k: want[k] or v for k, v in CREATE_DEFAULTS.items()})
    where = place(client, params)
    config, after = spec.create_spec(want, name, where.datastore, where.catalog)
    after["power_state"] = "powered_on" if state == "powered_on" else "powered_off"
    result = _result(True, None, ["created"], {}, after)
    if check_mode:
        return result
    task = client.call(
        where.folder, "CreateVM_Task", config=config, pool=where.pool, host=where.host
    )
    try:
        ref = wait_for_task(client, task, _deadline(params))
    except TaskFailed as e:
        raise ViError(_cleanup_failed_create(client, name, where, e)) from None
    if state == "powered_on":
        try:
            _task(client, ref, "PowerOnVM_Task", params)
        except ViError as e:
            _props, facts = gather_one(client, ref)
            raise PartialFailure(
                f"VM '{name}' was created ({ref.value}) but powering it on failed: {e}",
                e,
                changed=True,
                vm=facts,
                changes=["created"],
            ) from None
    result["vm"] = gather_one(client, ref)[1]
    return result


def _cleanup_failed_create(client, name: str, where, error: TaskFailed) -> str:
    """Delete what a failed CreateVM_Task left behind; the message says what happened."""
    message = f"creating VM '{name}' failed: {describe(error)}"
    try:
        left = find_vm_by_name(client, name, where.folder_path, where.catalog.datacenter)
    except NotFound:
        return f"{message}; nothing was left behind"
    except ViError as e:
        return f"{message}; whether a partly created VM is left could not be checked ({e})"
    try:
        _task(client, left, "Destroy_Task")
    except ViError as e:
        return f"{message}; the partly created VM {left.value} is left, delete it by hand ({e})"
    return f"{message}; the partly created VM {left.value} was deleted"


def describe(error: ViError) -> str:
    """The error with the invalid property the server named, when it named one."""
    fault = error.fault if isinstance(error, TaskFailed) else error
    detail = getattr(fault, "detail", None) or {}
    prop = detail.get("invalidProperty") or detail.get("property")
    return f"{error} (invalid property: {prop})" if prop else str(error)


# ---------------------------------------------------------------- converge


def _converge(client, ref: MoRef, params: dict, want: dict, check_mode: bool) -> dict:
    props, facts = gather_one(client, ref, spec.EXTRA_PATHS)
    state, current = params["state"], facts["power_state"]
    catalog = Catalog(client, None, facts["datacenter"])
    plan = spec.plan(want, facts, props, catalog, powered_on=current == "powered_on")
    pre, post = power_steps(facts, state, plan, params)
    changes = [c.path for c in plan.changes]
    before, after = plan.before, plan.after
    if FINAL[state] is not None:
        before["power_state"], after["power_state"] = current, FINAL[state]
        if pre or post:
            changes.append("power_state")
    result = _result(bool(changes), facts, changes, before, after)
    if check_mode or not changes:
        return result
    done: list[str] = []
    try:
        _apply(client, ref, plan, pre, post, params, done)
    except ViError as e:
        message = f"VM '{facts['name']}': {describe(e)}"
        if done:
            message += f" (after {', '.join(done)} succeeded)"
            facts = gather_one(client, ref)[1]
        raise PartialFailure(message, e, changed=bool(done), vm=facts) from None
    result["vm"] = gather_one(client, ref)[1]
    return result


def _apply(client, ref: MoRef, plan, pre: list, post: list, params: dict, done: list) -> None:
    """Power steps, reconfigure, upgrade, power steps; `done` names each step that succeeded."""
    for step in pre:
        _power(client, ref, step, params, done)
    config = plan.config_spec()
    if config is not None:
        _task(client, ref, "ReconfigVM_Task", params, spec=config)
        done.append("reconfigure")
    if plan.upgrade:
        _task(client, ref, "UpgradeVM_Task", params, version=plan.upgrade)
        done.append("upgrade")
    for step in post:
        _power(client, ref, step, params, done)


def power_steps(facts: dict, state: str, plan: spec.Plan, params: dict) -> tuple[list, list]:
    """(power steps before reconfiguring, steps after) from the current state to `state`."""
    current, final = facts["power_state"], FINAL[state] or facts["power_state"]
    if facts.get("template") and state not in ("present", "powered_off"):
        raise InvalidArgument(f"VM '{facts['name']}' is a template; state {state} needs a VM")
    if state == "suspended" and current == "powered_off":
        raise InvalidArgument(f"VM '{facts['name']}' is powered off; it cannot be suspended")
    tools = facts.get("tools_status") in ("ok", "old")
    if final == "powered_off":
        if current == "powered_off":
            return [], []
        return [_stop(facts, state == "shutdown_guest", tools, params)], []
    stop_for = plan.cold
    if current == "suspended":
        stop_for = [c.option for c in plan.changes if c.option != "annotation"]
    if stop_for and current != "powered_off":
        _check_cycle(facts, state, stop_for, params)
        post = ["power_on"] + (["suspend"] if final == "suspended" else [])
        return [_stop(facts, state == "reboot_guest", tools, params)], post
    return [], _after(current, state, final, tools, params, facts)


def _stop(facts: dict, guest: bool, tools: bool, params: dict) -> str:
    """shutdown_guest when asked for and possible; power_off when not asked or forced."""
    if not guest or (facts["power_state"] == "suspended" and params.get("force")):
        return "power_off"
    if facts["power_state"] == "powered_on" and tools:
        return "shutdown_guest"
    if params.get("force"):
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


def _check_cycle(facts: dict, state: str, options: list, params: dict) -> None:
    if facts["power_state"] == "suspended" and state not in ("restarted",):
        raise InvalidArgument(
            f"VM '{facts['name']}' is suspended; changing {', '.join(options)} needs it powered "
            "off: set state to powered_off or restarted"
        )
    if state in ("restarted", "reboot_guest") or params.get("allow_power_cycle"):
        return
    raise InvalidArgument(
        f"changing {', '.join(options)} needs VM '{facts['name']}' powered off (it is "
        f"{facts['power_state']}); set allow_power_cycle: true to power it off, reconfigure it "
        "and restore its power state, or set state: powered_off"
    )


def _after(current: str, state: str, final: str, tools: bool, params: dict, facts: dict) -> list:
    if final == "suspended":
        return ["suspend"] if current == "powered_on" else []
    if final != "powered_on":
        return []
    if current != "powered_on":
        return ["power_on"]
    if state == "restarted":
        return ["reset"]
    if state == "reboot_guest":
        if tools:
            return ["reboot_guest"]
        if params.get("force"):
            return ["reset"]
        raise InvalidArgument(_no_tools(facts))
    return []


# ---------------------------------------------------------------- calls


def _task(client, ref: MoRef, method: str, params: dict | None = None, **args):
    """Run one *_Task method on `ref` and wait for it (up to the wait_timeout option)."""
    return wait_for_task(client, client.call(ref, method, **args), _deadline(params))


def _deadline(params: dict | None) -> float:
    """Seconds a task may take: the wait_timeout option, or an hour."""
    return float((params or {}).get("wait_timeout") or TASK_TIMEOUT)


def _power(client, ref: MoRef, step: str, params: dict, done: list) -> None:
    """One power step; `done` gets its name as soon as the server has accepted it."""
    if step in POWER_TASKS:
        _task(client, ref, POWER_TASKS[step], params)
        done.append(step)
        return
    method = "ShutdownGuest" if step == "shutdown_guest" else "RebootGuest"
    try:
        client.call(ref, method)
    except ToolsUnavailable:
        if not params.get("force"):
            raise
        _task(
            client, ref, "PowerOffVM_Task" if step == "shutdown_guest" else "ResetVM_Task", params
        )
        done.append(step)
        return
    done.append(step)  # the guest was asked: the VM changes even if we stop waiting
    if step == "shutdown_guest":
        _wait_off(client, ref, params)


def _wait_off(client, ref: MoRef, params: dict, poll: float = 2.0) -> None:
    """Wait for a guest shutdown to power the VM off; after guest_timeout, force or fail."""
    timeout = params.get("guest_timeout") or 300
    deadline = time.monotonic() + timeout
    while True:
        state = get_one(client, ref, ["runtime.powerState"]).get("runtime.powerState")
        if state == "poweredOff":
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
    if params.get("force"):
        _task(client, ref, "PowerOffVM_Task", params)
        return
    raise Fault("Timeout", f"the guest did not shut down within {timeout}s (guest_timeout)")
