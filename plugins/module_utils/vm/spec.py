"""What esx_vm wants versus what a VM has: validation, the diff, and the VI specs to close it.

Pure: no I/O. Names the server must resolve (datastores, networks) go through `refs`, an object
with `datastore(name, option) -> MoRef` and `network(name, option) -> backing dict` supplied by
the caller. This file assembles the ConfigSpec (scalars, version); every device spec, of a new
VM or an existing one, comes from vm/devices.py; the Plan they fill is in vm/plan.py.
"""

from __future__ import annotations

import re

from ..vi.faults import InvalidArgument
from ..vi.find import escape
from ..vi.values import datastore_name
from . import advanced, attributes, hardware, vapp
from . import devices as dev
from .controllers import NEW_VM_DEVICES
from .plan import Machine, Plan

SCALARS = (
    "guest_id",
    "num_cpus",
    "cores_per_socket",
    "memory_mb",
    "hardware_version",
    "annotation",
)
# Facts fields esx_vm manages; the diff shows them (those the task sets) with these names.
MANAGED = ("power_state", *SCALARS, "disks", "nics", "cdroms")
_SPEC_FIELDS = {
    "guest_id": "guestId", "num_cpus": "numCPUs", "cores_per_socket": "numCoresPerSocket",
    "memory_mb": "memoryMB", "annotation": "annotation",
}  # fmt: skip
_VERSION = re.compile(r"^(?:vmx-)?(\d+)$")
# Extra VI paths the plan needs besides the facts schema.
EXTRA_PATHS = (
    "config.cpuHotAddEnabled", "config.cpuHotRemoveEnabled", "config.memoryHotAddEnabled",
    "config.files.vmPathName",
)  # fmt: skip


# ---------------------------------------------------------------- validation


def desired(config) -> dict:
    """The configuration options of a request.VmConfig, validated and normalized (None: not
    managed)."""
    want = {k: getattr(config, k) for k in SCALARS}
    if want["memory_mb"] is not None and (want["memory_mb"] <= 0 or want["memory_mb"] % 4):
        raise InvalidArgument(
            f"memory_mb must be a positive multiple of 4, got {want['memory_mb']}"
        )
    for option in ("num_cpus", "cores_per_socket"):
        if want[option] is not None and want[option] < 1:
            raise InvalidArgument(f"{option} must be 1 or more, got {want[option]}")
    if want["num_cpus"] is not None and want["cores_per_socket"] is not None:
        check_cpus(want, None)
    want["hardware_version"] = version(want["hardware_version"])
    want["disks"] = dev.wanted_disks(config.disks)
    want["networks"] = dev.wanted_nics(config.networks)
    want["cdroms"] = dev.wanted_cdroms(config.cdroms, config.cdrom)
    want.update(hardware.wanted(config), extra_config=advanced.wanted(config.extra_config))
    want["vapp_properties"] = vapp.wanted(config.vapp_properties)
    want["custom_attributes"] = attributes.wanted(config.custom_attributes)
    want["create_custom_attributes"] = config.create_custom_attributes
    return want


def version(value) -> str | None:
    """'vmx-19' from 19, '19' or 'vmx-19'."""
    if value is None:
        return None
    if str(value).strip() == "latest":  # resolved against the host (vm/config_options.py)
        return "latest"
    m = _VERSION.match(str(value).strip())
    if not m:
        raise InvalidArgument(f"hardware_version must look like vmx-19 or 19, got '{value}'")
    return f"vmx-{int(m.group(1))}"


def version_number(value: str | None) -> int | None:
    m = _VERSION.match(value or "")
    return int(m.group(1)) if m else None


def check_cpus(want: dict, facts: dict | None) -> None:
    """num_cpus must be a multiple of cores_per_socket (the wanted or the current values)."""
    facts = facts or {}
    cpus = want["num_cpus"] if want["num_cpus"] is not None else facts.get("num_cpus")
    cores = want["cores_per_socket"]
    if cores is None:
        cores = facts.get("cores_per_socket") or 1
    if cpus is not None and cpus % cores:
        raise InvalidArgument(f"num_cpus ({cpus}) must be a multiple of cores_per_socket ({cores})")


# ---------------------------------------------------------------- existing VMs


def plan(want: dict, facts: dict, props: dict, refs, powered_on: bool) -> Plan:
    """The changes that bring an existing VM to `want`, with their specs and the diff."""
    check_cpus(want, facts)
    result = Plan()
    _plan_scalars(result, want, facts, props)
    hardware.plan(result, want, facts, props)
    advanced.plan(result, want["extra_config"], facts)
    vapp.plan(result, want["vapp_properties"], props)
    vm = Machine(
        props.get("config.hardware.device") or [], facts,
        datastore_name(props.get("config.files.vmPathName")), powered_on,
    )  # fmt: skip
    dev.plan_devices(result, want, vm, refs)
    if facts.get("template"):
        _refuse_on_template(result)
    return result


def _plan_scalars(result: Plan, want: dict, facts: dict, props: dict) -> None:
    for option in SCALARS:
        value = want[option]
        if value is None:
            continue
        current = facts.get(option)
        result.before[option] = current
        result.after[option] = value
        if option == "hardware_version":
            _plan_version(result, value, current)
        elif (current or "") != value if option == "annotation" else current != value:
            result.config[_SPEC_FIELDS[option]] = value
            result.add(option, option, _is_cold(option, value, current, props))
    if result.after.get("annotation") == "" and result.before.get("annotation") is None:
        result.after["annotation"] = None


def _plan_version(result: Plan, value: str, current: str | None) -> None:
    have, want = version_number(current), version_number(value)
    if have is not None and want < have:
        raise InvalidArgument(
            f"hardware_version: the VM is at {current}; downgrading to {value} is not possible"
        )
    if want != have:
        result.upgrade = value
        result.add("hardware_version", "hardware_version", cold=True)


def _is_cold(option: str, value, current, props: dict) -> bool:
    """Whether changing `option` from current to value needs the VM powered off."""
    if option == "annotation":
        return False
    if option == "num_cpus" and current is not None:
        hot = "config.cpuHotAddEnabled" if value > current else "config.cpuHotRemoveEnabled"
        return not props.get(hot)
    if option == "memory_mb" and current is not None:
        return not (value > current and props.get("config.memoryHotAddEnabled"))
    return True


def _refuse_on_template(result: Plan) -> None:
    other = [c.option for c in result.changes if c.option != "annotation"]
    if other:
        raise InvalidArgument(
            f"the VM is a template: only annotation can change, not {', '.join(other)}"
        )


# ---------------------------------------------------------------- new VMs


def create_spec(
    want: dict, name: str, datastore: str, refs, devices=NEW_VM_DEVICES
) -> tuple[dict, dict]:
    """The CreateVM_Task config for a new VM, and its managed facts as they will read.

    `devices` are those the server gives every new VM (its default IDE controllers).
    """
    check_cpus(want, None)
    spec = {"_type": "VirtualMachineConfigSpec", "name": escape(name)}
    spec["files"] = {"_type": "VirtualMachineFileInfo", "vmPathName": f"[{datastore}]"}
    after = {"name": name}
    for option in SCALARS:
        value = want[option]
        if option == "hardware_version" and value:
            spec["version"] = value
        elif value is not None:
            spec[_SPEC_FIELDS[option]] = value
        if value is not None:
            after[option] = value
    hardware.create(spec, after, want)
    advanced.create(spec, after, want["extra_config"])
    if want["vapp_properties"] is not None:  # set right after creation (vm/lifecycle.py)
        shown = Plan()
        vapp.updates(want["vapp_properties"], {}, shown)
        after["vapp_properties"] = shown.after["vapp_properties"]
    result = Plan()
    dev.plan_devices(result, want, Machine(list(devices), {}, datastore, new=True), refs)
    if result.devices:
        spec["deviceChange"] = result.devices
    after.update((kind, listed) for kind, listed in result.after.items() if listed)
    return spec, after


def project(facts: dict | None, fields) -> dict:
    """The managed facts a diff shows, with device lists reduced to the fields esx_vm manages."""
    if not facts:
        return {}
    out = {}
    for name in fields:
        value = facts.get(name)
        keys = dev.DIFF_KEYS.get(name)
        out[name] = [{k: d.get(k) for k in keys} for d in value or []] if keys else value
    return out
