"""Controllers: the kinds esx_vm puts devices on, their slot rules, and a new VM's defaults.

Pure. One row of `BUSES` says, for one kind of controller, which existing controllers count
(any subtype of its VI family), how many a VM may have, which unit numbers take devices, and
what esx_vm adds when all are full (nothing, for controllers every VM has by default).
`Slots` hands out the free places of one kind to a plan, adding controllers as devices need
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..vi import schema
from ..vi.faults import InvalidArgument
from .plan import Plan


def _scsi_own_unit(controller: dict) -> set[int]:
    # The SCSI controller sits on its own bus at scsiCtlrUnitNumber (7 unless it says otherwise).
    return {controller.get("scsiCtlrUnitNumber", 7)}


@dataclass(frozen=True)
class Bus:
    """One kind of controller: how many, the unit numbers of its devices, what esx_vm adds."""

    label: str
    family: str  # the VI type every controller of this kind derives from
    count: int  # controllers a VM may have (bus numbers 0 .. count - 1)
    units: int  # unit numbers 0 .. units - 1, less the reserved ones
    add_as: dict | None = None  # the controller esx_vm adds (None: every VM has its own)
    reserved: Callable[[dict], set[int]] = field(default=lambda _c: set())

    def free_units(self, controller: dict) -> list[int]:
        """The unit numbers a device may take on `controller`, in order."""
        taken = self.reserved(controller)
        return [u for u in range(self.units) if u not in taken]


BUSES = {
    "scsi": Bus("SCSI", "VirtualSCSIController", 4, 16, reserved=_scsi_own_unit,
                add_as={"_type": "ParaVirtualSCSIController", "sharedBus": "noSharing"}),
    "ide": Bus("IDE", "VirtualIDEController", 2, 2),
}  # fmt: skip

# The controllers a new VM has before its spec's devices are added. The vSphere Web Services
# SDK Programming Guide ("Checking Default Devices"): "the IDE controllers are created by
# default", as EnvironmentBrowser.QueryConfigOption lists in defaultDevice; the VDDK
# Programming Guide ("Using the VirtualMachineConfigInfo"): a spec that adds default devices
# such as VirtualIDEController "usually fails", and a device on a default controller takes the
# controller's key. ESXi's defaultDevice list (hostd's vmconfigoption-esx-hw*.xml) gives IDE 0
# key 200 and IDE 1 key 201; govmomi's simulator serves the same list (simulator/esx/
# virtual_device.go, captured from ESXi with `govc vm.create`) and creates it with every VM.
# govc's vm.create itself adds an IDE controller for an ISO (govc/vm/create.go, addStorage);
# the simulator keeps that as a third controller on bus 0, while a device on key 200 works on
# both. A caller that read QueryConfigOption's defaultDevice may pass it to spec.create_spec.
NEW_VM_DEVICES = (
    {"_type": "VirtualIDEController", "key": 200, "busNumber": 0},
    {"_type": "VirtualIDEController", "key": 201, "busNumber": 1},
)


def of_type(devices: list, ancestor: str) -> list[dict]:
    """The devices whose VI type is `ancestor` or derives from it."""
    return [d for d in devices if schema.is_subtype(d.get("_type") or "", ancestor)]


class Slots:
    """Free (controller key, unit number) places of one bus kind, for the devices a plan adds."""

    def __init__(self, bus: Bus, devices: list, plan: Plan):
        self.bus, self.plan = bus, plan
        self.controllers = sorted(
            of_type(devices, bus.family), key=lambda c: c.get("busNumber") or 0
        )
        self.used = {(d.get("controllerKey"), d.get("unitNumber")) for d in devices}
        self.added: set[int] = set()

    def take(self, option: str) -> tuple[int, int, bool]:
        """(controller key, unit number, whether the controller is one this plan adds)."""
        for c in self.controllers:
            for unit in self.bus.free_units(c):
                if (c["key"], unit) not in self.used:
                    self.used.add((c["key"], unit))
                    return c["key"], unit, c["key"] in self.added
        controller = self._add_controller(option)
        unit = self.bus.free_units(controller)[0]
        self.used.add((controller["key"], unit))
        return controller["key"], unit, True

    def _add_controller(self, option: str) -> dict:
        buses = {c.get("busNumber") for c in self.controllers}
        bus = next((b for b in range(self.bus.count) if b not in buses), None)
        if self.bus.add_as is None:
            raise InvalidArgument(f"{option}: the VM has no free {self.bus.label} slot")
        if bus is None:
            raise InvalidArgument(
                f"{option}: the VM has no free {self.bus.label} slot, and a VM has at most "
                f"{self.bus.count} {self.bus.label} controllers"
            )
        controller = {**self.bus.add_as, "key": self.plan.new_key(), "busNumber": bus}
        self.plan.add_device("add", controller)
        self.controllers.append(controller)
        self.added.add(controller["key"])
        return controller
