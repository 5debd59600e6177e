"""esx_vm's runner without Ansible: find the VM, plan its creation (create.py, clone.py), change,
power or deletion, then apply the plan.

`run(client, request)` returns the module result. Every path first computes a `RunPlan`
(vm/runplan.py): the result (`changed`, `changes`, the diff) and the steps, each a call, that
make it true. `apply` is the only code check mode skips. Failures raise ViError; a failure
after something already changed raises `PartialFailure` carrying what the user must know.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from ..vi.envelope import MoRef
from ..vi.faults import (
    InvalidArgument,
    MultipleFound,
    NotFound,
    PartialFailure,
    ToolsUnavailable,
    ViError,
    WaitTimeout,
)
from ..vi.find import escape, find_vm_by_name
from . import attributes, clone, configure, create, limits, question, spec
from .attach_check import check_attached
from .config_options import VM_PATHS, ConfigOptions
from .create import describe
from .create import task as _task
from .facts import gather_one
from .identify import datacenter_of, find_vm
from .placement import Catalog
from .power import FINAL, power_steps
from .provision import ExistingVm
from .request import VmRequest
from .runplan import RunPlan, Step, apply, make_result
from .waits import WAITS, wait_for

POWER_TASKS = {
    "power_on": "PowerOnVM_Task", "power_off": "PowerOffVM_Task", "suspend": "SuspendVM_Task",
    "reset": "ResetVM_Task",
}  # fmt: skip


def run(client, request: VmRequest) -> dict:
    """Bring the VM the request names to its state; the module's result dict."""
    plan = _plan(client, request)
    if request.check_mode or not plan.steps:
        return plan.result
    return apply(plan)


def validate(request: VmRequest) -> dict:
    """The checks of the options alone (no server): the wanted configuration, or InvalidArgument."""
    want = spec.desired(request.config)
    if request.new_name is not None and request.state == "absent":
        raise InvalidArgument("new_name: a VM is renamed or deleted, not both (state: absent)")
    if request.new_name is not None and not request.new_name.strip():
        raise InvalidArgument("new_name must not be empty")  # before an empty one creates a VM
    return want


def _plan(client, request: VmRequest) -> RunPlan:
    want = validate(request)
    ref = _lookup(client, request)
    if request.state == "absent":
        return _delete(client, ref, request)
    if ref is None and request.clone.template:
        return clone.plan(client, request, want)
    if ref is None:
        return create.plan(client, request, want)
    return _converge(client, ref, request, want)


def _lookup(client, request: VmRequest) -> MoRef | None:
    """The VM, by its identity or, once renamed, by new_name; None when it is to be made."""
    identity = request.identity
    datacenter = datacenter_of(client, identity)
    try:
        return find_vm(client, identity, datacenter)
    except NotFound as e:
        if request.new_name and identity.name:
            try:  # an earlier run renamed it
                return find_vm(client, replace(identity, name=request.new_name), datacenter)
            except NotFound:
                raise NotFound(
                    f"{e}, nor VM '{request.new_name}' (new_name): new_name renames an "
                    "existing VM, it does not create one"
                ) from None
        if request.state == "absent" or identity.name:
            return None
        raise NotFound(f"{e}; a new VM is created only from name") from None


# ---------------------------------------------------------------- delete


def _delete(client, ref: MoRef | None, request: VmRequest) -> RunPlan:
    if ref is None:
        return RunPlan(make_result(False, None, [], {}, {}))
    _props, facts = gather_one(client, ref)
    running = facts["power_state"] != "powered_off"
    if running and not request.force:
        raise InvalidArgument(
            f"VM '{facts['name']}' is {facts['power_state']}; set force: true to power it off "
            "and delete it"
        )
    steps = [Step("power_off", _calls(client, ref, "PowerOffVM_Task", request))] if running else []
    steps.append(Step("delete", _calls(client, ref, "Destroy_Task", request)))

    def failed(error: ViError, done: list) -> ViError:
        if not done:
            return error
        return PartialFailure(
            f"VM '{facts['name']}': {describe(error)} (after power_off succeeded)",
            error, changed=True, vm=gather_one(client, ref)[1],
        )  # fmt: skip

    result = make_result(True, None, ["deleted"], spec.project(facts, spec.MANAGED), {})
    return RunPlan(result, steps, failed)


# ---------------------------------------------------------------- converge


def _converge(client, ref: MoRef, request: VmRequest, want: dict) -> RunPlan:
    props, facts = gather_one(client, ref, (*spec.EXTRA_PATHS, *VM_PATHS))
    current = facts["power_state"]
    if want["hardware_version"] == "latest":
        want = dict(want, hardware_version=configure.latest(client, props, facts))
    extra = ExistingVm(client, ref, request, facts, FINAL[request.state] or current)
    catalog = Catalog(client, None, facts["datacenter"])
    plan = spec.plan(want, extra.facts, props, catalog, powered_on=current == "powered_on")
    _check_options(client, props, facts, plan, want)
    check_attached(client, catalog, plan.devices, want["disks"])
    pre, post = power_steps(extra.facts, plan, request)
    extra.customize(pre)
    changes = [c.path for c in plan.changes]
    before, after = plan.before, plan.after
    values, was, will = attributes.plan(
        client, want["custom_attributes"], facts, bool(want["create_custom_attributes"])
    )
    before.update(was)
    after.update(will)
    changes += [f"custom_attributes.{name}" for name, _key, _value in values]
    steps = _rename(client, ref, request, facts, before, after, changes)
    if FINAL[request.state] is not None:
        before["power_state"], after["power_state"] = current, FINAL[request.state]
        if pre or post:
            changes.append("power_state")
    steps += extra.first
    for step in pre:
        steps += _power_steps(client, ref, step, request)
    steps += _config_steps(client, ref, plan, request)
    if values:
        steps.append(
            Step("custom_attributes", lambda: attributes.apply_values(client, ref, values))
        )
    steps += extra.middle
    for step in post:
        steps += _power_steps(client, ref, step, request)
    steps += extra.last + extra.waits()
    extra.report(changes, before, after)

    def failed(error: ViError, done: list) -> ViError:
        message, vm = f"VM '{facts['name']}': {describe(error)}", facts
        if done:
            message += f" (after {', '.join(done)} succeeded)"
            vm = gather_one(client, ref)[1]
        return PartialFailure(message, error, changed=bool(done), vm=vm)

    result = make_result(bool(changes), facts, changes, before, after)
    return RunPlan(result, steps, failed, lambda: gather_one(client, ref)[1])


def _check_options(client, props: dict, facts: dict, plan, want: dict) -> None:
    """The hardware version, guest id, CPUs, memory and devices the plan changes to, checked
    against what the VM's host offers."""
    guest = any(c.option == "guest_id" for c in plan.changes)
    limited = bool(plan.devices) or any(c.option in limits.LIMITED for c in plan.changes)
    if not (plan.upgrade or guest or limited):
        return
    host = props.get("runtime.host")
    where = f"host '{facts.get('host') or (host.value if host else '?')}'"
    options = ConfigOptions(client, props.get("environmentBrowser"), host, where)
    if plan.upgrade:
        options.check_version(plan.upgrade, creating=False)
    if guest:
        options.check_guest(want["guest_id"], plan.upgrade or facts.get("hardware_version"))
    if limited or plan.upgrade:
        devices = limits.devices_after(props.get("config.hardware.device") or [], plan.devices)
        limits.check(options, plan.upgrade or facts.get("hardware_version"), want, devices)


def _rename(client, ref: MoRef, request: VmRequest, facts: dict, before, after, changes) -> list:
    """The Rename_Task step new_name asks for (none when the VM has that name), and its diff."""
    new_name = request.new_name
    if new_name is None:
        return []
    before["name"], after["name"] = facts["name"], new_name
    if facts["name"] == new_name:
        return []
    if _taken(client, new_name, facts["folder"]):
        raise InvalidArgument(
            f"new_name: folder '{facts['folder']}' already has a VM named '{new_name}'; "
            f"VM '{facts['name']}' is not renamed"
        )
    changes.insert(0, "name")
    return [Step("rename", _calls(client, ref, "Rename_Task", request, newName=escape(new_name)))]


def _taken(client, name: str, folder: str) -> bool:
    """Whether a VM in `folder` (an inventory path) is called `name`."""
    try:
        find_vm_by_name(client, name, folder)
    except NotFound:
        return False
    except MultipleFound:
        pass
    return True


def _config_steps(client, ref: MoRef, plan, request: VmRequest) -> list[Step]:
    """ReconfigVM_Task for the spec, UpgradeVM_Task for the version, as the plan needs them."""
    steps = []
    config = plan.config_spec()
    if config is not None:
        steps.append(
            Step("reconfigure", _calls(client, ref, "ReconfigVM_Task", request, spec=config))
        )
    if plan.upgrade:
        steps.append(
            Step("upgrade", _calls(client, ref, "UpgradeVM_Task", request, version=plan.upgrade))
        )
    return steps


# ---------------------------------------------------------------- calls


def _calls(client, ref: MoRef, method: str, request: VmRequest, **args) -> Callable[[], object]:
    """The call that runs one *_Task method, for a Step."""
    return lambda: _task(client, ref, method, request, **args)


def _power_steps(client, ref: MoRef, step: str, request: VmRequest) -> list[Step]:
    """The calls of one power step; a guest shutdown is done once the guest was asked."""
    if step == "power_on":  # a VM question is answered from `answers`, or fails at once
        return [Step(step, lambda: question.power_on(client, ref, request))]
    if step in POWER_TASKS:
        return [Step(step, _calls(client, ref, POWER_TASKS[step], request))]
    method = "ShutdownGuest" if step == "shutdown_guest" else "RebootGuest"
    hard = "PowerOffVM_Task" if step == "shutdown_guest" else "ResetVM_Task"

    def ask_guest() -> None:
        try:
            client.call(ref, method)
        except ToolsUnavailable:
            if not request.force:
                raise
            _task(client, ref, hard, request)

    steps = [Step(step, ask_guest)]  # the guest was asked: the VM changes even if we stop waiting
    if step == "shutdown_guest":
        steps.append(Step(None, lambda: _wait_off(client, ref, request)))
    return steps


def _wait_off(client, ref: MoRef, request: VmRequest) -> None:
    """Wait for a guest shutdown to power the VM off; after guest_timeout, force or fail."""
    timeout = request.guest_timeout
    try:
        wait_for(client, ref, WAITS["powered_off"], time.monotonic() + timeout)
    except WaitTimeout as e:
        if not request.force:
            message = f"the guest did not shut down within {timeout:g}s (guest_timeout)"
            raise WaitTimeout(e.what, e.last_seen, e.timeout, message) from None
        _task(client, ref, "PowerOffVM_Task", request)
