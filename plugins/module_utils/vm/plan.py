"""The plan of one esx_vm run: its changes, the specs that make them, and the diff.

Pure data. vm/spec.py fills in the scalar settings, vm/devices.py every device change (of a
new VM or an existing one); the runner applies `config_spec()` and `upgrade` and reports
`changes`, `before` and `after`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Temporary keys of added devices count down from here.
FIRST_KEY = -100


@dataclass
class Machine:
    """The VM a plan is for: its devices and facts, its files' datastore, whether it runs."""

    devices: list
    facts: dict = field(default_factory=dict)
    datastore: str | None = None
    powered_on: bool = False
    new: bool = False  # being created: a new disk names its datastore (the VM's by default)


@dataclass
class Change:
    """One difference: its facts path, the option that asked for it, whether the VM must be off."""

    path: str
    option: str
    cold: bool = False


@dataclass
class Plan:
    """The changes one run makes to a VM, the specs that make them, and the diff."""

    config: dict = field(default_factory=dict)
    devices: list = field(default_factory=list)
    upgrade: str | None = None
    changes: list = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    _last_key: int = field(default=FIRST_KEY + 1, init=False, repr=False, compare=False)

    def add(self, path: str, option: str, cold: bool = False) -> None:
        self.changes.append(Change(path, option, cold))

    @property
    def cold(self) -> list[str]:
        """The options whose changes need the VM powered off."""
        return list(dict.fromkeys(c.option for c in self.changes if c.cold))

    def new_key(self) -> int:
        """A key for a device this plan adds: negative, and unique within the spec.

        The server gives added devices keys of its own; until then these link a new device to
        a new controller (VirtualDevice.key: a client assigns temporary negative keys). The key
        follows the number of device changes so far, and never repeats.
        """
        self._last_key = min(FIRST_KEY - len(self.devices), self._last_key - 1)
        return self._last_key

    def add_device(self, operation: str, device: dict, file_operation: str | None = None) -> None:
        """One VirtualDeviceConfigSpec: add, edit or remove `device`."""
        self.devices.append({
            "_type": "VirtualDeviceConfigSpec", "operation": operation,
            "fileOperation": file_operation, "device": device,
        })  # fmt: skip

    def config_spec(self) -> dict | None:
        """The VirtualMachineConfigSpec for ReconfigVM_Task; None when nothing to reconfigure."""
        if not self.config and not self.devices:
            return None
        spec = {"_type": "VirtualMachineConfigSpec", **self.config}
        if self.devices:
            spec["deviceChange"] = self.devices
        return spec
