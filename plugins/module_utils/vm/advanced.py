"""esx_vm's extra_config: a VM's advanced settings (config.extraConfig), their facts and changes.

Pure: no I/O. A key is compared exactly (case and all); a value is text, as the server stores
it, except that TRUE and FALSE are the same in any case (as the vmx file reads a boolean).
vSphere owns some keys - those other ConfigSpec fields set (the API reference on
VirtualMachineConfigSpec.extraConfig: they "would conflict with parameters that are explicitly
configurable through other fields in the ConfigSpec object" and are ignored) and those it writes
itself; these are refused as options and left out of the facts.
"""

from __future__ import annotations

import re

from ..vi.faults import InvalidArgument

PATHS = ("config.extraConfig",)

# Keys other ConfigSpec fields (and so other esx_vm options) set; vSphere ignores them here.
CONFIG_SPEC_KEYS = (
    "numvcpus", "cpuid.coresPerSocket", "memsize", "guestOS", "displayName", "annotation",
    "firmware", "virtualHW.version", "uuid.bios", "uuid.location", "vc.uuid", "nvram",
    "uefi.secureBoot.enabled", "vhv.enable", "vcpu.hotadd", "vcpu.hotremove", "mem.hotadd",
    "bios.bootOrder", "bios.bootDelay", "bios.forceSetupOnce", "bios.bootRetry.enabled",
    "bios.bootRetry.delay", "sched.cpu.min", "sched.cpu.max", "sched.cpu.shares",
    "sched.cpu.units", "sched.mem.min", "sched.mem.max", "sched.mem.shares", "sched.mem.pin",
    "sched.mem.minSize",
)  # fmt: skip
# Virtual devices: their keys come from the device list (deviceChange), e.g. scsi0:1.fileName.
DEVICE_KEY = re.compile(
    r"^(scsi|sata|ide|nvme|ethernet|floppy|serial|parallel|sound|usb|ehci|pciBridge|"
    r"pciPassthru|vmci|svga)\d*([.:]|$)"
)
# Keys vSphere writes itself (at power on, on a migration, from VMware Tools).
WRITTEN_KEYS = (
    "vmware.tools.internalversion", "vmware.tools.requiredversion", "migrate.hostLog",
    "migrate.hostLogState", "migrate.migrationId", "monitor.phys_bits_used", "softPowerOff",
    "sched.swap.derivedName", "numa.autosize.vcpu.maxPerVirtualNode", "numa.autosize.cookie",
    "cpuid.coresPerSocket.cookie", "vmotion.checkpointFBSize", "vmotion.checkpointSVGAPrimarySize",
    "viv.moid", "tools.remindInstall", "checkpoint.vmState", "vmxstats.filename",
)  # fmt: skip
WRITTEN_PREFIXES = (
    "vmotion.svga.",
    "toolsInstallManager.",
    "guestinfo.vmtools.",
    "guestinfo.driver.",
)


def owner(key: str) -> str | None:
    """Why vSphere owns `key` (a short reason), or None when it is the user's setting."""
    if key in CONFIG_SPEC_KEYS:
        return "set through the VM's configuration, not as an advanced setting"
    if DEVICE_KEY.match(key):
        return "a virtual device's setting, made through the device list"
    if key in WRITTEN_KEYS or key.startswith(WRITTEN_PREFIXES):
        return "written by vSphere itself"
    return None


def facts(props: dict) -> dict:
    """extra_config: the user's advanced settings (vSphere's own keys left out); None without
    the VM's configuration."""
    if "config.extraConfig" not in props:
        return {"extra_config": None}
    found = {}
    for option in props.get("config.extraConfig") or []:
        key = option.get("key")
        if key and owner(key) is None:
            found[key] = _text(option.get("value"))
    return {"extra_config": found}


def wanted(items) -> dict | None:
    """The extra_config option, validated: key -> text, or None to remove the key."""
    if items is None:
        return None
    if not isinstance(items, dict):
        raise InvalidArgument(f"extra_config must be a dict of key: value, got {items!r}")
    out = {}
    for key, value in items.items():
        if not isinstance(key, str) or not key.strip() or key != key.strip():
            raise InvalidArgument(f"extra_config: '{key}' is not a valid key")
        why = owner(key)
        if why:
            raise InvalidArgument(f"extra_config: '{key}' is {why}; esx_vm does not set it")
        if isinstance(value, (dict, list, tuple)):
            raise InvalidArgument(
                f"extra_config: '{key}' must be text, a number or a boolean, got {value!r}"
            )
        out[key] = None if value is None else _text(value)
        if out[key] == "":
            raise InvalidArgument(
                f"extra_config: '{key}' is empty; set it to null to remove the setting"
            )
    return out


def plan(result, want: dict | None, facts_now: dict) -> None:
    """The extraConfig entries that close the difference, with their diff."""
    if want is None:
        return
    have = facts_now.get("extra_config") or {}
    entries = []
    before, after = {}, {}
    for key, value in want.items():
        now = have.get(key)
        if _same_flag(now, value):
            value = now  # the server's spelling of the same boolean
        before[key], after[key] = now, value
        if now != value:
            # An empty value removes the key (vCenter and ESXi keep no empty entries).
            entries.append({"_type": "OptionValue", "key": key, "value": value or ""})
            result.add(f"extra_config.{key}", "extra_config")
    result.before["extra_config"], result.after["extra_config"] = before, after
    if entries:
        result.config["extraConfig"] = entries


def create(spec: dict, after: dict, want: dict | None) -> None:
    """The extraConfig of a new VM (removals have nothing to remove)."""
    if not want:
        return
    kept = {k: v for k, v in want.items() if v is not None}
    if kept:
        spec["extraConfig"] = [
            {"_type": "OptionValue", "key": k, "value": v} for k, v in kept.items()
        ]
    after["extra_config"] = dict(want)


def _same_flag(have: str | None, want: str | None) -> bool:
    """Whether both are the same boolean: TRUE or FALSE in any case, as the vmx file reads a
    boolean setting (another tool may have written "true" or "True")."""
    return want in ("TRUE", "FALSE") and have is not None and have.upper() == want


def _text(value) -> str:
    """A setting's text: booleans as the vmx file writes them (TRUE, FALSE)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "" if value is None else str(value)
