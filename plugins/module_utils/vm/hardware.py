"""esx_vm's firmware and boot, hot add and CPU/memory allocation options: facts, the diff, the
ConfigSpec fields.

Pure: no I/O. Each option's value is compared with the fact of the same name; a change puts
its ConfigSpec field in the plan. Boot options and allocations are sent whole (the current
values merged with the wanted ones), so the server never has to merge a partial object.
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument
from .device_lists import ordered

PATHS = (
    "config.firmware", "config.bootOptions", "config.cpuHotAddEnabled",
    "config.cpuHotRemoveEnabled", "config.memoryHotAddEnabled", "config.nestedHVEnabled",
    "config.cpuAllocation", "config.memoryAllocation", "config.memoryReservationLockedToMax",
)  # fmt: skip

# option -> (ConfigSpec field, needs the VM powered off to change)
FLAGS = {
    "cpu_hot_add": ("cpuHotAddEnabled", True), "cpu_hot_remove": ("cpuHotRemoveEnabled", True),
    "memory_hot_add": ("memoryHotAddEnabled", True),
    "nested_virtualization": ("nestedHVEnabled", True),
    "memory_reservation_locked": ("memoryReservationLockedToMax", False),
}  # fmt: skip
# option -> VirtualMachineBootOptions field
BOOT = {
    "boot_delay_ms": "bootDelay", "enter_bios_setup": "enterBIOSSetup",
    "secure_boot": "efiSecureBootEnabled",
}  # fmt: skip
# option -> (ConfigSpec field, ResourceAllocationInfo field)
ALLOCATION = {
    "cpu_reservation_mhz": ("cpuAllocation", "reservation"),
    "cpu_limit_mhz": ("cpuAllocation", "limit"), "cpu_shares": ("cpuAllocation", "shares"),
    "memory_reservation_mb": ("memoryAllocation", "reservation"),
    "memory_limit_mb": ("memoryAllocation", "limit"), "memory_shares": ("memoryAllocation", "shares"),
}  # fmt: skip
OPTIONS = ("firmware", "boot_order", "boot_retry_delay_ms", *BOOT, *FLAGS, *ALLOCATION)
# Each of PATHS and the facts() keys it gives (vm/facts.py READ_ONLY_FOR).
FACTS_OF = {
    "config.firmware": ("firmware",),
    "config.bootOptions": ("secure_boot", "boot_order", "boot_delay_ms", "enter_bios_setup",
                           "boot_retry_delay_ms"),
    **{f"config.{path}": (option,) for option, (path, _cold) in FLAGS.items()},
    "config.cpuAllocation": ("cpu_reservation_mhz", "cpu_limit_mhz", "cpu_shares",
                             "cpu_shares_level"),
    "config.memoryAllocation": ("memory_reservation_mb", "memory_limit_mb", "memory_shares",
                                "memory_shares_level"),
}  # fmt: skip
BOOTABLE = {
    "disk": "VirtualMachineBootOptionsBootableDiskDevice",
    "cdrom": "VirtualMachineBootOptionsBootableCdromDevice",
    "network": "VirtualMachineBootOptionsBootableEthernetDevice",
    "floppy": "VirtualMachineBootOptionsBootableFloppyDevice",
}
_KIND = {v: k for k, v in BOOTABLE.items()}
LEVELS = ("low", "normal", "high")
# What vSphere gives a new VM: no reservation, no limit, normal shares.
NEW_ALLOCATION = {
    "reservation": 0,
    "limit": -1,
    "shares": {"_type": "SharesInfo", "shares": 0, "level": "normal"},
}


# ---------------------------------------------------------------- facts


def facts(props: dict) -> dict:
    """Firmware, boot, hot add and allocation facts (None where the server has no config)."""
    out = {"firmware": props.get("config.firmware") or None}
    boot = props.get("config.bootOptions")
    out["secure_boot"] = _flag(boot, "efiSecureBootEnabled")
    out["boot_order"] = None if boot is None else [_kind(b) for b in boot.get("bootOrder") or []]
    out["boot_delay_ms"] = None if boot is None else boot.get("bootDelay") or 0
    out["enter_bios_setup"] = _flag(boot, "enterBIOSSetup")
    out["boot_retry_delay_ms"] = _retry(boot)
    # An unset flag is false, on a VM whose configuration was read (numCPU always is).
    has_config = props.get("config.hardware.numCPU") is not None
    for option, (path, _cold) in FLAGS.items():
        value = props.get(f"config.{path}")
        out[option] = bool(value) if has_config or value is not None else None
    for prefix, unit in (("cpu", "mhz"), ("memory", "mb")):
        info = props.get(f"config.{prefix}Allocation")
        shares = (info or {}).get("shares") or {}
        out[f"{prefix}_reservation_{unit}"] = _get(info, "reservation")
        out[f"{prefix}_limit_{unit}"] = _get(info, "limit")
        out[f"{prefix}_shares"] = shares.get("shares") if info is not None else None
        out[f"{prefix}_shares_level"] = shares.get("level") if info is not None else None
    return out


def _flag(obj: dict | None, name: str) -> bool | None:
    return None if obj is None else bool(obj.get(name))


def _get(obj: dict | None, name: str):
    return None if obj is None else obj.get(name)


def _retry(boot: dict | None) -> int | None:
    if boot is None:
        return None
    return (boot.get("bootRetryDelay") or 0) if boot.get("bootRetryEnabled") else 0


def _kind(entry: dict) -> str:
    return _KIND.get(entry.get("_type"), entry.get("_type"))


# ---------------------------------------------------------------- wanted


def wanted(config) -> dict:
    """The options of a request.VmConfig this file manages, validated (None: not managed)."""
    want = {k: getattr(config, k, None) for k in OPTIONS}
    if want["firmware"] not in (None, "bios", "efi"):
        raise InvalidArgument(f"firmware must be bios or efi, got '{want['firmware']}'")
    if want["boot_order"] is not None:
        want["boot_order"] = _boot_order(want["boot_order"])
    for option in (
        "boot_delay_ms",
        "boot_retry_delay_ms",
        "cpu_reservation_mhz",
        "memory_reservation_mb",
    ):
        if want[option] is not None and want[option] < 0:
            raise InvalidArgument(f"{option} must be 0 or more, got {want[option]}")
    for option in ("cpu_limit_mhz", "memory_limit_mb"):
        if want[option] is not None and want[option] < -1:
            raise InvalidArgument(f"{option} must be -1 (unlimited) or more, got {want[option]}")
    for reservation, limit in (("cpu_reservation_mhz", "cpu_limit_mhz"),
                               ("memory_reservation_mb", "memory_limit_mb")):  # fmt: skip
        low, high = want[reservation], want[limit]
        if low is not None and high not in (None, -1) and low > high:  # the server refuses it
            raise InvalidArgument(f"{reservation} ({low}) must not be above {limit} ({high})")
    for option in ("cpu_shares", "memory_shares"):
        want[option] = _shares(option, want[option])
    if want["secure_boot"] and want["firmware"] == "bios":
        raise InvalidArgument("secure_boot needs firmware: efi, not bios")
    return want


def _boot_order(items) -> list[str]:
    items = list(items)
    if not items:
        raise InvalidArgument("boot_order must name at least one device kind")
    for item in items:
        if item not in BOOTABLE:
            raise InvalidArgument(f"boot_order: '{item}' is not one of {', '.join(BOOTABLE)}")
    if len(set(items)) != len(items):
        raise InvalidArgument(f"boot_order names a device kind twice: {items}")
    return items


def _shares(option: str, value) -> str | int | None:
    """low | normal | high, or a number of shares (custom)."""
    if value is None or value in LEVELS:
        return value
    if isinstance(value, bool):
        raise InvalidArgument(f"{option} must be low, normal, high or a number, got {value}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidArgument(
            f"{option} must be low, normal, high or a number, got '{value}'"
        ) from None
    if number < 0:
        raise InvalidArgument(f"{option} must be 0 or more, got {number}")
    return number


# ---------------------------------------------------------------- plan


def plan(result, want: dict, facts_now: dict, props: dict) -> None:
    """The ConfigSpec fields that bring the VM's firmware, boot, flags and allocation to `want`."""
    check_locked(want, facts_now)
    firmware = want["firmware"] or facts_now.get("firmware")
    if want["secure_boot"] and firmware != "efi":
        raise InvalidArgument(f"secure_boot needs firmware: efi; the VM's firmware is {firmware}")
    if _diff(result, "firmware", want, facts_now, cold=True):
        result.config["firmware"] = want["firmware"]
    _plan_boot(result, want, facts_now, props)
    for option, (field, cold) in FLAGS.items():
        if _diff(result, option, want, facts_now, cold=cold):
            result.config[field] = want[option]
    _plan_allocation(result, want, facts_now, props)


def check_locked(want: dict, facts_now: dict) -> None:
    """Refuse a memory reservation other than the memory size while it is locked to it.

    memoryReservationLockedToMax: "memory resource reservation for this virtual machine will
    always be equal to the virtual machine's memory size" (vSphere API reference,
    VirtualMachineConfigSpec); the server would not keep another one, and every run would
    report the change again.
    """
    reservation, locked = want["memory_reservation_mb"], want["memory_reservation_locked"]
    if locked is None:
        locked = facts_now.get("memory_reservation_locked")
    memory = want.get("memory_mb") or facts_now.get("memory_mb")
    if reservation is None or not locked or memory is None or reservation == memory:
        return
    raise InvalidArgument(
        f"memory_reservation_mb ({reservation}) must be the VM's memory size ({memory} MB) "
        "with memory_reservation_locked: a locked reservation is always the memory size"
    )


def _diff(result, option: str, want: dict, facts_now: dict, cold: bool = False, same=None) -> bool:
    """Record the option in the diff; True (and a change) when the VM differs."""
    value = want[option]
    if value is None:
        return False
    current = facts_now.get(option)
    result.before[option], result.after[option] = current, value
    differs = not same(value, current) if same else value != current
    if differs:
        result.add(option, option, cold)
    return differs


def _plan_boot(result, want: dict, facts_now: dict, props: dict) -> None:
    boot = dict(props.get("config.bootOptions") or {})
    changed = False
    for option, field in BOOT.items():
        if _diff(result, option, want, facts_now, cold=option == "secure_boot"):
            boot[field], changed = want[option], True
    if _diff(result, "boot_retry_delay_ms", want, facts_now):
        delay = want["boot_retry_delay_ms"]
        boot["bootRetryEnabled"], changed = delay > 0, True
        if delay > 0:
            boot["bootRetryDelay"] = delay
    if want["boot_order"] is not None:
        order = boot_order(want["boot_order"], props.get("config.hardware.device") or [])
        if _diff(result, "boot_order", want, facts_now) or _keys(order) != _keys(
            boot.get("bootOrder")
        ):
            if "boot_order" not in [c.option for c in result.changes]:
                result.add("boot_order", "boot_order")
            boot["bootOrder"], changed = order, True
    if changed:
        result.config["bootOptions"] = {**boot, "_type": "VirtualMachineBootOptions"}


def boot_order(kinds: list[str], devices: list) -> list[dict]:
    """VirtualMachineBootOptions.bootOrder: a disk and a NIC by device key (the VM's first)."""
    order = []
    for kind in kinds:
        entry = {"_type": BOOTABLE[kind]}
        if kind in ("disk", "network"):
            found = ordered(devices, "disks" if kind == "disk" else "nics")
            if not found:
                raise InvalidArgument(f"boot_order: '{kind}' is listed but the VM has no {kind}")
            entry["deviceKey"] = found[0]["key"]
        order.append(entry)
    return order


def _keys(order) -> list[tuple]:
    return [(b.get("_type"), b.get("deviceKey")) for b in order or []]


def _plan_allocation(result, want: dict, facts_now: dict, props: dict) -> None:
    specs: dict[str, dict] = {}
    for option, (field, part) in ALLOCATION.items():
        if part == "shares":
            differs = _diff(result, option, want, facts_now, same=_same_shares(facts_now, option))
            if want[option] is not None:
                result.before[option] = _shares_fact(facts_now, option)
        else:
            differs = _diff(result, option, want, facts_now)
        if not differs:
            continue
        info = specs.setdefault(field, _allocation(props.get(f"config.{field}")))
        info[part] = (
            _shares_info(want[option], info.get("shares")) if part == "shares" else want[option]
        )
    result.config.update(specs)


def _allocation(current: dict | None) -> dict:
    current = current or {}
    keep = {k: current[k] for k in ("reservation", "limit", "shares") if current.get(k) is not None}
    return {"_type": "ResourceAllocationInfo", **keep}


def _shares_info(value, current: dict | None) -> dict:
    if isinstance(value, int):
        return {"_type": "SharesInfo", "shares": value, "level": "custom"}
    # The number is ignored for a level but required on the wire: keep the current one.
    return {"_type": "SharesInfo", "shares": (current or {}).get("shares") or 0, "level": value}


def _shares_fact(facts_now: dict, option: str):
    """The current shares as the option spells them: the level, or the number when custom."""
    level = facts_now.get(f"{option}_level")
    return facts_now.get(option) if level == "custom" else level


def _same_shares(facts_now: dict, option: str):
    return lambda value, _current: value == _shares_fact(facts_now, option)


# ---------------------------------------------------------------- new VMs


def create(spec: dict, after: dict, want: dict) -> None:
    """The ConfigSpec fields of a new VM; boot_order is set once its devices have keys."""
    check_locked(want, {})
    for option in ("firmware", *FLAGS):
        if want[option] is not None:
            after[option] = want[option]
    if want["firmware"]:
        spec["firmware"] = want["firmware"]
    for option, (field, _cold) in FLAGS.items():
        if want[option] is not None:
            spec[field] = want[option]
    result = _Collect()
    _plan_boot(result, dict(want, boot_order=None), {}, {})
    _plan_allocation(
        result,
        want,
        {},
        {f"config.{f}": NEW_ALLOCATION for f in ("cpuAllocation", "memoryAllocation")},
    )
    spec.update(result.config)
    after.update(result.after)
    if want["boot_order"] is not None:
        for kind, option in (("disk", "disks"), ("network", "networks")):
            if kind in want["boot_order"] and not want.get(option):
                raise InvalidArgument(f"boot_order: '{kind}' is listed but {option} adds none")
        after["boot_order"] = want["boot_order"]


class _Collect:
    """A plan stand-in for a new VM: its fields and after-values, no changes to report."""

    def __init__(self):
        self.config, self.before, self.after, self.changes = {}, {}, {}, []

    def add(self, *args, **kwargs) -> None:
        pass
