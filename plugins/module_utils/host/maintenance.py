"""Maintenance mode of one host: plan the change (its diff and its call), apply it, report.

run() computes the plan; apply() is the only step check mode skips.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument
from ..vi.find import find_by_name, in_datacenter
from ..vi.tasks import wait_for_task
from . import facts

STATES = {"present": True, "absent": False}


@dataclass(frozen=True)
class MaintenanceRequest:
    """One esx_host_maintenance run, built once from the module's options."""

    name: str
    state: str = "present"
    evacuate_powered_off_vms: bool = False
    wait_timeout: float = 1800.0
    check_mode: bool = False

    def validate(self) -> None:
        """Refuse a bad state, or an option the state does not take: errors name both."""
        if self.state not in STATES:
            raise InvalidArgument(f"state: '{self.state}' is not one of present, absent")
        if self.evacuate_powered_off_vms and self.state == "absent":
            raise InvalidArgument(
                "evacuate_powered_off_vms applies to state present (entering maintenance "
                "mode), not to state absent"
            )


@dataclass(frozen=True)
class Change:
    """One fact that changes, and the call (method and arguments) that changes it."""

    path: str
    before: object
    after: object
    method: str
    args: dict


@dataclass(frozen=True)
class Plan:
    """The host, its facts now, and the changes to make (none: already as asked)."""

    ref: MoRef
    host: dict
    changes: tuple = ()

    def diff(self) -> dict:
        """maintenance_mode before and after."""
        after = self.predicted()
        return {
            "before": {"maintenance_mode": self.host["maintenance_mode"]},
            "after": {"maintenance_mode": after["maintenance_mode"]},
        }

    def predicted(self) -> dict:
        """The host's facts once the changes are made."""
        return dict(self.host, **{c.path: c.after for c in self.changes})


def plan(client, request: MaintenanceRequest) -> Plan:
    """Read the host; the change (if any) with the task call that makes it."""
    ref = find_by_name(client, "HostSystem", request.name, where=in_datacenter(None), option="name")
    host = facts.gather(client, [ref])[0]
    wanted = STATES[request.state]
    if host["maintenance_mode"] == wanted:
        return Plan(ref, host)
    if wanted:
        # Only vCenter (DRS) moves powered-off VMs; ESXi does not know the argument.
        evacuate = request.evacuate_powered_off_vms if client.is_vcenter else None
        method = "EnterMaintenanceMode_Task"
        args = {"timeout": request.wait_timeout, "evacuatePoweredOffVms": evacuate}
    else:
        method, args = "ExitMaintenanceMode_Task", {"timeout": request.wait_timeout}
    change = Change("maintenance_mode", host["maintenance_mode"], wanted, method, args)
    return Plan(ref, host, (change,))


def apply(client, planned: Plan, timeout: float) -> dict:
    """Make every change, waiting for each task; the host's facts read afterwards."""
    for change in planned.changes:
        task = client.call(planned.ref, change.method, **change.args)
        wait_for_task(client, task, timeout)
    return facts.gather(client, [planned.ref])[0]


def run(client, request: MaintenanceRequest) -> dict:
    """The module's result: changed, diff, and the host's facts (predicted in check mode)."""
    planned = plan(client, request)
    host = planned.predicted()
    if planned.changes and not request.check_mode:
        host = apply(client, planned, request.wait_timeout)
    return {"changed": bool(planned.changes), "diff": planned.diff(), "host": host}
