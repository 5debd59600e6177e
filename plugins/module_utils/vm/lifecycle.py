"""esx_vm's runner without Ansible: find the VM, plan its creation, change, power or deletion,
then apply the plan.

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
    TaskFailed,
    ToolsUnavailable,
    ViError,
    WaitTimeout,
)
from ..vi.find import escape, find_vm_by_name, not_found
from ..vi.tasks import wait_for_task
from . import attributes, configure, limits, question, spec
from .attach_check import check_attached
from .config_options import VM_PATHS, ConfigOptions
from .controllers import NEW_VM_DEVICES
from .facts import gather_one
from .identify import datacenter_of, find_vm, searched
from .placement import Catalog, place
from .power import FINAL, power_steps
from .provision import ExistingVm, check_waits, wait_steps
from .request import VmRequest
from .runplan import RunPlan, Step, apply, make_result
from .waits import WAITS, wait_for

TASK_TIMEOUT = 3600.0  # a task's wait when no request sets one (the cleanup of a failed create)
CREATE_DEFAULTS = {"num_cpus": 1, "memory_mb": 1024}
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
        from . import clone  # imports this module

        return clone.plan(client, request, want)
    if ref is None:
        return _create(client, request, want)
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


# ---------------------------------------------------------------- create


def _create(client, request: VmRequest, want: dict) -> RunPlan:
    name, state = request.identity.name, request.state
    if state not in ("present", "powered_on", "powered_off"):
        raise NotFound(
            f"{not_found('VM', name, searched(request.identity), 'name')}; state {state} needs "
            "an existing VM"
        )
    if want["guest_id"] is None:
        raise InvalidArgument(f"guest_id is required to create VM '{name}'")
    want = dict(want, **{k: want[k] or v for k, v in CREATE_DEFAULTS.items()})
    where = place(client, request.placement)
    options = ConfigOptions(client, where.browser, where.host, where.where)
    if want["hardware_version"] == "latest":
        want["hardware_version"] = options.latest(creating=True)
    if want["hardware_version"]:
        options.check_version(want["hardware_version"], creating=True)
    options.check_guest(want["guest_id"], want["hardware_version"])
    config, after = spec.create_spec(want, name, where.datastore, where.catalog)
    devices = limits.devices_after(list(NEW_VM_DEVICES), config.get("deviceChange") or [])
    limits.check(options, want["hardware_version"], want, devices)
    check_attached(client, where.catalog, config.get("deviceChange"), want["disks"])
    after["power_state"] = "powered_on" if state == "powered_on" else "powered_off"
    made: list[MoRef] = []

    def create() -> None:
        task = client.call(
            where.folder, "CreateVM_Task", config=config, pool=where.pool, host=where.host
        )
        made.append(wait_for_task(client, task, request.wait_timeout))

    steps = [Step("created", create)]
    steps += _new_vm_steps(client, made, want, request, after)
    if state == "powered_on":
        steps.append(Step("power_on", lambda: question.power_on(client, made[0], request)))
    check_waits(request, after["power_state"], name)
    steps += wait_steps(client, request, lambda: made[0], name)

    def message(error: ViError, done: list) -> str:
        what = {
            "configured": "setting its boot order and vApp properties",
            "custom_attributes": "setting its custom attributes",
            "power_on": "powering it on",
            "template": "marking it as a template",
        }.get(steps[len(done)].name, "the wait")
        return f"VM '{name}' was created ({made[0].value}) but {what} failed: {error}"

    failed = new_vm_failed(client, name, made, where, message)
    result = make_result(True, None, ["created"], {}, after)
    return RunPlan(result, steps, failed, lambda: gather_one(client, made[0])[1])


def _new_vm_steps(client, made: list, want: dict, request: VmRequest, after: dict) -> list:
    """What a new VM gets once it exists: the boot order (its devices have keys now) and vApp
    properties in one reconfiguration, its custom attribute values, then is_template (a
    CreateVM_Task makes a VM; MarkAsTemplate makes it a template)."""
    steps = []
    if request.clone.is_template and request.state == "powered_on":
        raise InvalidArgument("is_template: a template cannot be powered on (state: powered_on)")
    if want.get("boot_order") or want.get("vapp_properties"):

        def configure_new() -> None:
            config = configure.new_vm_spec(client, made[0], want)
            _task(client, made[0], "ReconfigVM_Task", request, spec=config)

        steps.append(Step("configured", configure_new))
    if want.get("custom_attributes"):
        create = bool(want["create_custom_attributes"])
        todo, _before, values = attributes.plan(client, want["custom_attributes"], {}, create)
        after.update(values)
        steps.append(
            Step("custom_attributes", lambda: attributes.apply_values(client, made[0], todo))
        )
    if request.clone.is_template:
        after["template"] = True
        steps.append(Step("template", lambda: client.call(made[0], "MarkAsTemplate")))
    return steps


def new_vm_failed(client, name: str, made: list, where, message) -> Callable:
    """A RunPlan's `failed` for a new VM (created or cloned into `made`): after the create, a
    PartialFailure with `message(error, done)` and the VM; a failed create task, the cleanup of
    what it left; any other error as it is."""

    def failed(error: ViError, done: list) -> ViError:
        if done:
            return PartialFailure(
                message(error, done), error, changed=True, vm=gather_one(client, made[0])[1],
                changes=["created"],
            )  # fmt: skip
        if isinstance(error, TaskFailed):
            return ViError(_cleanup_failed_create(client, name, where, error))
        return error

    return failed


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


def _task(client, ref: MoRef, method: str, request: VmRequest | None = None, **args):
    """Run one *_Task method on `ref` and wait for it (up to the wait_timeout option)."""
    timeout = request.wait_timeout if request else TASK_TIMEOUT
    return wait_for_task(client, client.call(ref, method, **args), timeout)


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
