"""Controllers: the kinds esx_vm puts devices on, their slot rules, and a new VM's defaults.

Pure. One row of `BUSES` says, for one kind of controller, which existing controllers count
(any subtype of its VI family, or one VI type), how many a VM may have (bus numbers are shared
by the family: four SCSI controllers of any kinds), which unit numbers take devices, what
esx_vm adds when all are full (nothing, for controllers every VM has by default), and whether
devices on it may be added or removed while the VM runs. `Slots` hands out the places of one
kind to a plan, adding controllers as devices need them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from ..vi import schema
from ..vi.faults import InvalidArgument
from .plan import Plan

SCSI, SATA, NVME, IDE = (
    "VirtualSCSIController", "VirtualSATAController", "VirtualNVMEController", "VirtualIDEController",
)  # fmt: skip
# The order of device lists: ESXi keys IDE controllers 200+, SCSI 1000+, SATA 15000+ and NVMe
# 31000+ (bus number added), so sorting by (family, bus number) is sorting by key there, and
# also predicts where a device on a controller not yet created will be listed.
FAMILY_ORDER = (IDE, SCSI, SATA, NVME)


def _scsi_own_unit(controller: dict) -> set[int]:
    # The SCSI controller sits on its own bus at scsiCtlrUnitNumber (7 unless it says otherwise).
    return {controller.get("scsiCtlrUnitNumber", 7)}


@dataclass(frozen=True)
class Bus:
    """One kind of controller: how many, the unit numbers of its devices, what esx_vm adds."""

    label: str
    family: str  # the VI type every controller sharing these bus numbers derives from
    count: int  # controllers a VM may have (bus numbers 0 .. count - 1)
    units: int  # unit numbers 0 .. units - 1, less the reserved ones
    add_as: dict | None = None  # the controller esx_vm adds (None: every VM has its own)
    reserved: Callable[[dict], set[int]] = field(default=lambda _c: set())
    kind: str | None = None  # the one VI type of this kind (None: any of the family)
    hot: bool = True  # devices on it may be added and removed while the VM runs

    def free_units(self, controller: dict) -> list[int]:
        """The unit numbers a device may take on `controller`, in order."""
        taken = self.reserved(controller)
        return [u for u in range(self.units) if u not in taken]

    def matches(self, controller: dict) -> bool:
        """Whether an existing controller is of this kind."""
        kind = controller.get("_type") or ""
        return kind == self.kind if self.kind else schema.is_subtype(kind, self.family)


def _scsi(kind: str | None, add: str = "ParaVirtualSCSIController") -> Bus:
    return Bus("SCSI", SCSI, 4, 16, {"_type": add, "sharedBus": "noSharing"}, _scsi_own_unit, kind)


# A disk's `controller` option names one of these (`scsi`, any SCSI kind, is the default);
# a CD-ROM's names `ide` or `sata`. IDE: two units on each of the two controllers every VM has,
# and no hot plug (vSphere Virtual Machine Administration, "Add an IDE Controller": IDE devices
# cannot be added or removed while the VM is on). SATA: 4 AHCI controllers of 30 units; NVMe:
# 4 controllers of 15 ("Virtual Machine Configuration Maximums").
BUSES = {
    "scsi": _scsi(None),
    "paravirtual": _scsi("ParaVirtualSCSIController"),
    "lsilogic": _scsi("VirtualLsiLogicController", "VirtualLsiLogicController"),
    "lsilogic_sas": _scsi("VirtualLsiLogicSASController", "VirtualLsiLogicSASController"),
    "buslogic": _scsi("VirtualBusLogicController", "VirtualBusLogicController"),
    "sata": Bus("SATA", SATA, 4, 30, {"_type": "VirtualAHCIController"}),
    "nvme": Bus("NVMe", NVME, 4, 15, {"_type": "VirtualNVMEController"}, kind=NVME),
    "ide": Bus("IDE", IDE, 2, 2, hot=False),
}  # fmt: skip
KINDS = {  # VI type -> the kind name facts and errors use
    "ParaVirtualSCSIController": "paravirtual", "VirtualLsiLogicController": "lsilogic",
    "VirtualLsiLogicSASController": "lsilogic_sas", "VirtualBusLogicController": "buslogic",
    "VirtualAHCIController": "sata", "VirtualSATAController": "sata",
    "VirtualNVMEController": "nvme", "VirtualIDEController": "ide",
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


def kind_of(controller: dict) -> str | None:
    """The kind name of a controller (paravirtual, lsilogic, ..., sata, nvme, ide)."""
    return KINDS.get(controller.get("_type") or "")


def family_of(controller: dict) -> str | None:
    return _family(controller.get("_type") or "")


@cache
def _family(kind: str) -> str | None:
    # Per VI type, once: the facts ask it of every device of every VM several times.
    return next((f for f in FAMILY_ORDER if schema.is_subtype(kind, f)), None)


def positions(devices: list) -> dict:
    """Controller key -> (family rank, bus number): where a controller's devices are listed."""
    out = {}
    for c in devices:
        family = family_of(c)
        if family is not None:
            out[c.get("key")] = (FAMILY_ORDER.index(family), c.get("busNumber") or 0)
    return out


def name(controller: dict) -> str:
    """'SCSI controller 1 (lsilogic)', for messages."""
    label = {SCSI: "SCSI", SATA: "SATA", NVME: "NVMe", IDE: "IDE"}.get(family_of(controller), "")
    kind = kind_of(controller)
    suffix = f" ({kind})" if kind and label == "SCSI" else ""
    return f"{label} controller {controller.get('busNumber') or 0}{suffix}"


def planned(devices: list, plan: Plan) -> list:
    """The VM's devices and those the plan adds so far: what a new device's place must avoid."""
    return list(devices) + [c["device"] for c in plan.devices if c["operation"] == "add"]


class Slots:
    """Free (controller key, unit number) places of one bus kind, for the devices a plan adds."""

    def __init__(self, bus: Bus, devices: list, plan: Plan):
        self.bus, self.plan = bus, plan
        self.family = sorted(of_type(devices, bus.family), key=lambda c: c.get("busNumber") or 0)
        self.used = {(d.get("controllerKey"), d.get("unitNumber")) for d in devices}
        self.added: set[int] = set()
        self.rank = FAMILY_ORDER.index(bus.family)

    @property
    def controllers(self) -> list[dict]:
        return [c for c in self.family if self.bus.matches(c)]

    def take(self, option: str, after: tuple | None = None, number: int | None = None):
        """(controller key, unit number, whether the controller is one this plan adds).

        The first free place listed after `after` (a (family rank, bus, unit) position, or a
        function of the controller giving one), on bus `number` when given; a controller is
        added when none has one.
        """
        floor = after if callable(after) else (lambda _c: after)
        for c in self.controllers:
            bus = c.get("busNumber") or 0
            if number is not None and bus != number:
                continue
            for unit in self.bus.free_units(c):
                if (c["key"], unit) not in self.used and _after((self.rank, bus, unit), floor(c)):
                    return self._use(c, unit)
        if number is not None and self._on_bus(number) is not None:
            raise InvalidArgument(f"{option}: {name(self._on_bus(number))} is full")
        controller = self._add_controller(option, number, floor(dict(self.bus.add_as or {})))
        unit = self.bus.free_units(controller)[0]
        return self._use(controller, unit)

    def place(self, option: str, number: int, unit: int):
        """(controller key, unit, added) of the place an option names; errors name the option."""
        if unit not in range(self.bus.units):
            raise InvalidArgument(
                f"{option}.unit_number: {self.bus.label} units are 0 to {self.bus.units - 1}, "
                f"got {unit}"
            )
        controller = self._on_bus(number)
        if controller is None:
            controller = self._add_controller(option, number, None)
        elif not self.bus.matches(controller):
            raise InvalidArgument(
                f"{option}.controller: {name(controller)} is not {self._wanted_kind()}"
            )
        if unit not in self.bus.free_units(controller):
            raise InvalidArgument(f"{option}.unit_number: unit {unit} is {name(controller)}'s own")
        if (controller["key"], unit) in self.used:
            raise InvalidArgument(
                f"{option}.unit_number: unit {unit} of {name(controller)} is taken"
            )
        return self._use(controller, unit)

    def _wanted_kind(self) -> str:
        return next(k for k, b in BUSES.items() if b == self.bus)

    def _use(self, controller: dict, unit: int):
        self.used.add((controller["key"], unit))
        # Added by this plan (here or for another kind of the family): a temporary key.
        new = controller["key"] in self.added or controller["key"] < 0
        return controller["key"], unit, new

    def _on_bus(self, number: int) -> dict | None:
        return next((c for c in self.family if (c.get("busNumber") or 0) == number), None)

    def _add_controller(self, option: str, number: int | None, after: tuple | None) -> dict:
        taken = {c.get("busNumber") or 0 for c in self.family}
        low = after[1] + 1 if after and after[0] == self.rank else 0
        if after and after[0] > self.rank:
            low = self.bus.count
        free = [b for b in range(low, self.bus.count) if b not in taken]
        bus = number if number is not None else (free[0] if free else None)
        if self.bus.add_as is None:
            raise InvalidArgument(f"{option}: the VM has no free {self.bus.label} slot")
        if bus is None or bus >= self.bus.count or bus < 0:
            raise InvalidArgument(
                f"{option}: the VM has no free {self.bus.label} slot, and a VM has at most "
                f"{self.bus.count} {self.bus.label} controllers"
                + (f" (controller_number 0 to {self.bus.count - 1})" if number is not None else "")
            )
        controller = {**self.bus.add_as, "key": self.plan.new_key(), "busNumber": bus}
        self.plan.add_device("add", controller)
        self.family.append(controller)
        self.family.sort(key=lambda c: c.get("busNumber") or 0)
        self.added.add(controller["key"])
        return controller


def _after(position: tuple, after: tuple | None) -> bool:
    return after is None or position > after
