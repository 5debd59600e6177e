"""The limits a host puts on a VM of one hardware version: CPUs, cores per socket, memory and
devices per controller (VirtualMachineConfigOption.hardwareOptions, from the EnvironmentBrowser).

esx_vm checks them in check mode and real runs alike, so a value the server would refuse fails
before anything is sent, naming the option and the nearest valid value. A limit the server
leaves out (or answers as 0) is not checked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..vi import schema
from ..vi.faults import InvalidArgument, fault

# The device kinds whose options name them in messages.
_OPTIONS = {"VirtualDisk": "disks", "VirtualCdrom": "cdrom"}


@dataclass
class Limits:
    """What one hardware version allows, as the host answered it."""

    version: str | None
    cpus: list[int] = field(default_factory=list)
    cores: tuple[int, int] | None = None
    memory: tuple[int, int] | None = None
    per_controller: dict[str, int] = field(default_factory=dict)  # controller type -> devices

    @classmethod
    def from_option(cls, option: dict) -> Limits:
        """The limits of a VirtualMachineConfigOption (a dict of the decoded answer)."""
        hardware = option.get("hardwareOptions") or {}
        per_controller = {}
        for entry in hardware.get("virtualDeviceOption") or []:
            devices = (entry.get("devices") or {}).get("max")
            if entry.get("type") and devices:
                per_controller[entry["type"]] = int(devices)
        return cls(
            version=option.get("version"),
            cpus=sorted(int(n) for n in hardware.get("numCPU") or [] if int(n) > 0),
            cores=_range(hardware.get("numCoresPerSocket")),
            memory=_range(hardware.get("memoryMB")),
            per_controller=per_controller,
        )

    def check(self, want: dict, where: str) -> None:
        """InvalidArgument for the first of num_cpus, cores_per_socket, memory_mb out of range."""
        at = f"{where} at {self.version}" if self.version else where
        cpus = want.get("num_cpus")
        if cpus is not None and self.cpus and cpus not in self.cpus:
            nearest = min(self.cpus, key=lambda n: (abs(n - cpus), n))
            raise InvalidArgument(
                f"num_cpus: {cpus} is not allowed by {at} (allowed: {_span(self.cpus)}); "
                f"the nearest valid value is {nearest}"
            )
        for option, bounds in (("cores_per_socket", self.cores), ("memory_mb", self.memory)):
            value = want.get(option)
            if value is None or bounds is None or bounds[0] <= value <= bounds[1]:
                continue
            nearest = min(max(value, bounds[0]), bounds[1])
            raise InvalidArgument(
                f"{option}: {value} is not allowed by {at} (allowed: {bounds[0]} to "
                f"{bounds[1]}); the nearest valid value is {nearest}"
            )

    def check_devices(self, devices: list, where: str) -> None:
        """InvalidArgument when a controller of `devices` (a VM's device list as it will be)
        holds more devices than the host allows on a controller of its kind."""
        at = f"{where} at {self.version}" if self.version else where
        count = Counter(
            d.get("controllerKey") for d in devices if d.get("controllerKey") is not None
        )
        for controller in devices:
            most = self._most(controller.get("_type") or "")
            held = count.get(controller.get("key"), 0)
            if most is None or held <= most:
                continue
            kinds = {d.get("_type") for d in devices if d.get("controllerKey") == controller["key"]}
            option = next((_OPTIONS[k] for k in _OPTIONS if k in kinds), "disks")
            label = (controller.get("deviceInfo") or {}).get("label") or (
                f"{controller['_type']} {controller.get('busNumber', '?')}"
            )
            raise InvalidArgument(
                f"{option}: {label} would hold {held} devices; {at} allows at most {most} on a "
                f"{controller['_type']}"
            )

    def _most(self, type_name: str) -> int | None:
        """The devices a controller of `type_name` takes (its own type's, or a parent's)."""
        if type_name in self.per_controller:
            return self.per_controller[type_name]
        for kind, most in self.per_controller.items():
            if type_name and schema.is_subtype(type_name, kind):
                return most
        return None


def _range(option: dict | None) -> tuple[int, int] | None:
    """(min, max) of an IntOption / LongOption; None when the server gives no maximum."""
    if not option or not option.get("max"):
        return None
    return int(option.get("min") or 0), int(option["max"])


def _span(values: list[int]) -> str:
    """'1 to 128' for a run of every count, else the values themselves."""
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]} to {values[-1]}"
    return ", ".join(map(str, values))


def devices_after(devices: list, changes: list) -> list:
    """A VM's device list once the VirtualDeviceConfigSpecs `changes` are applied."""
    out = {d.get("key"): d for d in devices}
    for change in changes:
        device = change.get("device") or {}
        if change.get("operation") == "remove":
            out.pop(device.get("key"), None)
        else:
            out[device.get("key")] = device
    return list(out.values())


LIMITED = ("num_cpus", "cores_per_socket", "memory_mb")


def check(options, version: str | None, want: dict, devices: list) -> None:
    """Check `want`'s CPUs, cores and memory and the VM's `devices` (as they will be) against
    what the ConfigOptions' host allows at `version` (None: its default version)."""
    if options.browser is None:
        return
    try:
        answer = options.option(version)
    except fault("InvalidArgument"):  # a version the host has no config option for: no limits
        return
    limits = Limits.from_option(answer)
    limits.check(want, options.where)
    limits.check_devices(devices, options.where)
