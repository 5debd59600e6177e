"""esx_vm's provisioning steps beside the clone: `wait_for`, `is_template` and the
customization of a VM that exists (`customization.existing_vm`).

Each function returns runplan Steps (or checks the request before any step), so check mode
runs none of them. Waits share one deadline (wait_timeout) and go through wait_until: the
property collector for tools and the IP address, an event collector for customization.
"""

from __future__ import annotations

import time
from dataclasses import replace

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, WaitTimeout
from ..vi.tasks import wait_for_task
from . import customization as cust
from .placement import place
from .request import PlacementRequest, VmRequest
from .runplan import Step
from .waits import WAITS, wait_for

WAIT_ORDER = ("customization", "tools", "ip")


def check_waits(request: VmRequest, final_power: str | None, name: str) -> None:
    """wait_for needs a VM that runs at the end of the task; fail before anything changes."""
    if request.clone.wait_for and final_power != "powered_on":
        raise InvalidArgument(
            f"wait_for {', '.join(request.clone.wait_for)}: VM '{name}' will be "
            f"{final_power or 'as it is'}, and only a running guest reports them; set state: "
            "powered_on"
        )


def wait_steps(client, request: VmRequest, vm_ref, name: str, after=lambda: 0) -> list:
    """One step that waits for each wait_for item in turn, under one deadline; customization
    events count when newer than the key `after()` gives when the wait starts."""
    wanted = request.clone.wait_for
    if not wanted:
        return []

    def wait() -> None:
        deadline = time.monotonic() + request.wait_timeout
        ref = vm_ref()
        for item in WAIT_ORDER:
            if item not in wanted:
                continue
            try:
                if item == "customization":
                    cust.wait_customized(client, ref, name, deadline, after())
                else:
                    wait = WAITS["tools_running" if item == "tools" else "ip_address"]
                    wait_for(client, ref, wait, deadline)
            except WaitTimeout as e:  # said with the whole wait_timeout the waits shared
                message = str(e).replace(
                    f" after {e.timeout:g}s", f" after {request.wait_timeout:g}s"
                )
                raise WaitTimeout(e.what, e.last_seen, request.wait_timeout, message) from None

    return [Step(None, wait)]


def customize_steps(client, ref: MoRef, request: VmRequest, facts: dict, off: bool) -> tuple:
    """(CustomizeVM_Task step, a function giving the customization event key it starts after)
    for an existing VM with customization.existing_vm; ([], that of 0) otherwise. `off`:
    powered off at that point."""
    custom = request.clone.customization or {}
    named = request.clone.customization_spec
    if not (custom.get("existing_vm") and (custom or named)):
        return [], lambda: 0
    if not off:
        raise InvalidArgument(
            f"customization.existing_vm: VM '{facts['name']}' is {facts['power_state']}; "
            "CustomizeVM_Task needs it powered off (set state: powered_off; the customization "
            "then runs at its next power-on, or in this task with state: powered_on once it is off)"
        )
    if facts.get("template"):
        raise InvalidArgument(f"customization.existing_vm: VM '{facts['name']}' is a template")
    if client.about.get("apiType") == "HostAgent":
        raise InvalidArgument(
            f"customization.existing_vm: guest customization needs vCenter; {client.hostname} "
            "is a standalone ESXi host (apiType HostAgent)"
        )
    listed = request.config.networks or []
    nics = [listed[i] if i < len(listed) else None for i in range(len(facts["nics"]))]
    cust.check_named(custom, named)
    guest = facts.get("guest_id")
    spec = cust.named_spec(client, named) if named else cust.inline_spec(custom, nics, guest)
    since = [0]  # read when the step runs: planning (and check mode) makes no event collector

    def customize() -> None:
        since[0] = cust.newest_key(client, ref)
        task = client.call(ref, "CustomizeVM_Task", spec=spec)
        wait_for_task(client, task, request.wait_timeout)

    return [Step("customization", customize)], lambda: since[0]


def template_steps(client, ref: MoRef, request: VmRequest, facts: dict, final: str) -> tuple:
    """(steps before the others, steps after them) that is_template asks for.

    MarkAsVirtualMachine comes first (the other changes then apply to a VM); MarkAsTemplate
    last, once the VM is powered off. A template turned into a VM goes to the resource pool
    the placement options name, else the root pool of its host's cluster or host.
    """
    wanted = request.clone.is_template
    if wanted is None or bool(facts.get("template")) == wanted:
        return [], []
    if wanted:
        if final != "powered_off":
            raise InvalidArgument(
                f"is_template: VM '{facts['name']}' is {facts['power_state']}; a template must "
                "be powered off (set state: powered_off)"
            )
        step = Step("template", lambda: client.call(ref, "MarkAsTemplate"))
        return [], [step]
    placement = request.placement
    if not any((placement.host, placement.cluster, placement.resource_pool)):
        placement = PlacementRequest(host=facts["host"])
    datastore = placement.datastore or next(iter(facts["datastores"] or []), None)
    where = place(client, replace(placement, datacenter=facts["datacenter"], folder=None,
                                  datastore=datastore))  # fmt: skip
    step = Step("template", lambda: client.call(ref, "MarkAsVirtualMachine", pool=where.pool,
                                                host=where.host))  # fmt: skip
    return [step], []


class ExistingVm:
    """is_template, customization.existing_vm and wait_for for a VM that exists: the steps
    lifecycle's converge puts first (MarkAsVirtualMachine), between the power-off and the
    power-on (CustomizeVM_Task), and last (MarkAsTemplate, the waits)."""

    def __init__(self, client, ref: MoRef, request: VmRequest, facts: dict, final: str):
        self.client, self.ref, self.request, self.real = client, ref, request, facts
        check_waits(request, final, facts["name"])
        self.first, self.last = template_steps(client, ref, request, facts, final)
        # Once MarkAsVirtualMachine ran, the other changes apply to a VM, not a template.
        self.facts = dict(facts, template=False) if self.first else facts
        self.middle: list = []
        self.after_key = lambda: 0  # the customization events the waits count start after it

    def customize(self, pre: list) -> None:
        """The customization step, given the power steps that run before it."""
        off = self.real["power_state"] == "powered_off" or any(
            s in ("power_off", "shutdown_guest") for s in pre
        )
        self.middle, self.after_key = customize_steps(
            self.client, self.ref, self.request, self.real, off
        )

    def waits(self) -> list:
        return wait_steps(self.client, self.request, lambda: self.ref, self.real["name"],
                          self.after_key)  # fmt: skip

    def report(self, changes: list, before: dict, after: dict) -> None:
        """Add what these steps change to the result's changes and diff."""
        if self.request.clone.is_template is not None:
            before["template"] = bool(self.real.get("template"))
            after["template"] = self.request.clone.is_template
        if self.first or self.last:
            changes.append("template")
        if self.middle:
            changes.append("customization")
            before["customization"] = None
            after["customization"] = self.request.clone.customization_spec or cust.shown(
                self.request.clone.customization, self.request.config.networks
            )
