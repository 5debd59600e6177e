"""esx_vm's creation of a new VM (CreateVM_Task) and what a new VM gets once it exists; the
failure handling a clone shares: a failed create task's leftovers deleted, or a PartialFailure
naming the VM made.
"""

from __future__ import annotations

from typing import Callable

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, NotFound, PartialFailure, TaskFailed, ViError
from ..vi.find import find_vm_by_name, not_found
from ..vi.tasks import wait_for_task
from . import attributes, configure, limits, question, spec
from .attach_check import check_attached
from .config_options import ConfigOptions
from .controllers import NEW_VM_DEVICES
from .facts import gather_one
from .identify import searched
from .placement import place
from .provision import check_waits, wait_steps
from .request import VmRequest
from .runplan import RunPlan, Step, make_result

TASK_TIMEOUT = 3600.0  # a task's wait when no request sets one (the cleanup of a failed create)
CREATE_DEFAULTS = {"num_cpus": 1, "memory_mb": 1024}


def plan(client, request: VmRequest, want: dict) -> RunPlan:
    """A new VM: CreateVM_Task, then what it gets once it exists, its power and waits."""
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
    steps += new_vm_steps(client, made, want, request, after)
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


def new_vm_steps(client, made: list, want: dict, request: VmRequest, after: dict) -> list:
    """What a new VM gets once it exists: the boot order (its devices have keys now) and vApp
    properties in one reconfiguration, its custom attribute values, then is_template (a
    CreateVM_Task makes a VM; MarkAsTemplate makes it a template)."""
    steps = []
    if request.clone.is_template and request.state == "powered_on":
        raise InvalidArgument("is_template: a template cannot be powered on (state: powered_on)")
    if want.get("boot_order") or want.get("vapp_properties"):

        def configure_new() -> None:
            config = configure.new_vm_spec(client, made[0], want)
            task(client, made[0], "ReconfigVM_Task", request, spec=config)

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
            return ViError(cleanup_failed_create(client, name, where, error))
        return error

    return failed


def cleanup_failed_create(client, name: str, where, error: TaskFailed) -> str:
    """Delete what a failed CreateVM_Task left behind; the message says what happened."""
    message = f"creating VM '{name}' failed: {describe(error)}"
    try:
        left = find_vm_by_name(client, name, where.folder_path, where.catalog.datacenter)
    except NotFound:
        return f"{message}; nothing was left behind"
    except ViError as e:
        return f"{message}; whether a partly created VM is left could not be checked ({e})"
    try:
        task(client, left, "Destroy_Task")
    except ViError as e:
        return f"{message}; the partly created VM {left.value} is left, delete it by hand ({e})"
    return f"{message}; the partly created VM {left.value} was deleted"


def describe(error: ViError) -> str:
    """The error with the invalid property the server named, when it named one."""
    fault = error.fault if isinstance(error, TaskFailed) else error
    detail = getattr(fault, "detail", None) or {}
    prop = detail.get("invalidProperty") or detail.get("property")
    return f"{error} (invalid property: {prop})" if prop else str(error)


def task(client, ref: MoRef, method: str, request: VmRequest | None = None, **args):
    """Run one *_Task method on `ref` and wait for it (up to the wait_timeout option)."""
    timeout = request.wait_timeout if request else TASK_TIMEOUT
    return wait_for_task(client, client.call(ref, method, **args), timeout)
