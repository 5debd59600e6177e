"""Disks, NICs and the CD-ROM of esx_vm: wanted lists, their diff with a VM, every device spec.

Pure: no I/O (names resolve through `refs`, see vm/spec.py). One planner serves a new VM (a
`plan.Machine` with the devices the server gives every VM, controllers.NEW_VM_DEVICES) and an
existing one. Devices are matched, listed and diffed in one order, that of their facts paths
(`ordered`): disks by (controller, unit number), NICs by (unit number, key), CD-ROMs by
(controller, unit number). Devices the task does not list are left alone; nothing here removes
a disk or a NIC.
"""

from __future__ import annotations

import copy
import re

from ..vi import schema
from ..vi.faults import InvalidArgument
from ..vi.values import datastore_name, split_datastore_path
from .controllers import BUSES, Slots
from .plan import Machine, Plan

DIFF_KEYS = {
    "disks": ("label", "capacity_bytes", "datastore", "disk_type", "mode"),
    "nics": ("label", "network", "device_type", "mac_address", "connected", "start_connected"),
    "cdroms": ("label", "type", "iso_path", "connected", "start_connected"),
}
NIC_CLASSES = {"vmxnet3": "VirtualVmxnet3", "e1000e": "VirtualE1000e", "e1000": "VirtualE1000"}
DISK_FLAGS = {  # type -> (thinProvisioned, eagerlyScrub)
    "thin": (True, False), "thick": (False, False), "eager_zeroed": (False, True),
}  # fmt: skip
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def _slot(device: dict) -> tuple:
    return (device.get("controllerKey") or 0, device.get("unitNumber") or 0, device.get("key") or 0)


def _is_nic(device: dict) -> bool:
    kind = device.get("_type") or ""
    # The type table lacks VirtualVmxnet3Vrdma (a VirtualVmxnet3 since vSphere 6.7).
    return schema.is_subtype(kind, "VirtualEthernetCard") or kind == "VirtualVmxnet3Vrdma"


def _nic_slot(device: dict) -> tuple:
    return (device.get("unitNumber") or 0, device.get("key") or 0)


# facts list -> (which devices belong to it, their order). The order of the facts paths
# disks[i], nics[i], cdroms[i]: in the VM facts, in `changes`, in every diff, and in matching
# the disks, networks and cdrom options to the VM's devices. A replaced NIC keeps its unit.
ORDER = {
    "disks": (lambda d: d.get("_type") == "VirtualDisk", _slot),
    "nics": (_is_nic, _nic_slot),
    "cdroms": (lambda d: d.get("_type") == "VirtualCdrom", _slot),
}


def ordered(devices: list, kind: str) -> list[dict]:
    """The VM's devices of one facts list (disks, nics or cdroms), in the order of its paths."""
    belongs, order = ORDER[kind]
    return sorted((d for d in devices if belongs(d)), key=order)


def plan_devices(result: Plan, want: dict, vm: Machine, refs) -> None:
    """The device changes of the disks, networks and cdrom options that are set."""
    if want["disks"] is not None:
        plan_disks(result, want["disks"], vm, refs)
    if want["networks"] is not None:
        plan_nics(result, want["networks"], vm, refs)
    if want["cdrom"] is not None:
        plan_cdrom(result, want["cdrom"], vm, refs)


# ---------------------------------------------------------------- wanted


def wanted_disks(items) -> list[dict] | None:
    """The disks option, validated: sizes in KiB (None: keep), with the option names."""
    if items is None:
        return None
    out = []
    for i, item in enumerate(items):
        option = f"disks[{i}]"
        gb, mb = item.get("size_gb"), item.get("size_mb")
        if gb is not None and mb is not None:
            raise InvalidArgument(
                f"{option}: set exactly one of size_gb or size_mb (or neither, to keep the size "
                "of an existing disk)"
            )
        kb = _kib(gb, mb)
        size_option = f"{option}.size_mb" if mb is not None else f"{option}.size_gb"
        if kb is not None and kb <= 0:
            raise InvalidArgument(
                f"{size_option} must be more than 0, got {gb if mb is None else mb}"
            )
        out.append({
            "size_kb": kb, "type": item.get("type"), "datastore": item.get("datastore"),
            "mode": item.get("mode"), "option": option, "size_option": size_option,
        })  # fmt: skip
    return out


def wanted_nics(items) -> list[dict] | None:
    """The networks option, validated (MAC addresses lower case)."""
    if items is None:
        return None
    out = []
    for i, item in enumerate(items):
        mac = (item.get("mac_address") or "").lower() or None
        if mac and not _MAC.match(mac):
            raise InvalidArgument(
                f"networks[{i}].mac_address must look like 00:50:56:01:02:03, "
                f"got '{item['mac_address']}'"
            )
        out.append(dict(item, mac_address=mac, option=f"networks[{i}]"))
    return out


def wanted_cdrom(item) -> dict | None:
    """The cdrom option, validated: type iso needs an iso_path like '[ds] dir/file.iso'."""
    if item is None:
        return None
    kind = item.get("type") or ("iso" if item.get("iso_path") else "client")
    path = item.get("iso_path")
    if kind == "iso" and not all(split_datastore_path(path)):
        raise InvalidArgument(
            f"cdrom.iso_path must look like '[datastore] dir/file.iso', got '{path or ''}'"
        )
    return {"type": kind, "iso_path": path if kind == "iso" else None,
            "connected": item.get("connected")}  # fmt: skip


# ---------------------------------------------------------------- helpers


def _kib(gb: float | None, mb: int | None) -> int | None:
    if gb is not None:
        return int(round(gb * 1024 * 1024))
    return None if mb is None else mb * 1024


def _size(n: int | None) -> str:
    if n is None:
        return "of unknown size"
    return f"{n / 2**30:g} GiB" if n >= 2**30 else f"{n / 2**20:g} MiB"


def _by_key(items: list[dict]) -> dict:
    return {d.get("key"): d for d in items}


def _project(facts: dict, kind: str) -> dict:
    return {k: facts.get(k) for k in DIFF_KEYS[kind]}


# ---------------------------------------------------------------- disks


def disk_facts(want: dict, datastore: str | None) -> dict:
    """The managed facts of a disk about to be added (the server names it)."""
    return {"label": None, "capacity_bytes": want["size_kb"] * 1024, "datastore": datastore,
            "disk_type": want.get("type") or "thin", "mode": want.get("mode") or "persistent"}  # fmt: skip


def disk_backing(want: dict, datastore: str | None, ref) -> dict:
    """A flat VMDK backing for a new disk on `datastore` (None: the VM's directory)."""
    thin, eager = DISK_FLAGS[want.get("type") or "thin"]
    return {
        "_type": "VirtualDiskFlatVer2BackingInfo", "fileName": f"[{datastore}]" if ref else "",
        "datastore": ref, "diskMode": want.get("mode") or "persistent",
        "thinProvisioned": thin, "eagerlyScrub": eager,
    }  # fmt: skip


def new_disk(key: int, controller: int, unit: int, want: dict, backing: dict) -> dict:
    """A VirtualDisk to add (with fileOperation create)."""
    kb = want["size_kb"]
    return {"_type": "VirtualDisk", "key": key, "backing": backing, "controllerKey": controller,
            "unitNumber": unit, "capacityInKB": kb, "capacityInBytes": kb * 1024}  # fmt: skip


def plan_disks(result: Plan, wanted: list, vm: Machine, refs) -> None:
    """Grow, re-mode or add disks; shrinking, moving or converting one is an error."""
    existing = ordered(vm.devices, "disks")
    known = _by_key(vm.facts.get("disks") or [])
    before = [_project(known.get(d.get("key"), {}), "disks") for d in existing]
    after = copy.deepcopy(before)
    slots = Slots(BUSES["scsi"], vm.devices, result)
    for i, want in enumerate(wanted):
        if i < len(existing):
            _edit_disk(result, want, existing[i], known.get(existing[i].get("key"), {}), after[i])
        else:
            after.append(_add_disk(result, want, vm, refs, slots))
    result.before["disks"], result.after["disks"] = before, after


def _add_disk(result: Plan, want: dict, vm: Machine, refs, slots: Slots) -> dict:
    """Add a disk on a free SCSI slot; its facts as they will read."""
    option = want["option"]
    if want["size_kb"] is None:
        raise InvalidArgument(
            f"{option}.size_gb: the VM has no {option}, and a new disk needs a size: set "
            "size_gb or size_mb"
        )
    ds = want["datastore"] or (vm.datastore if vm.new else None)
    ref = refs.datastore(ds, f"{option}.datastore") if ds else None
    controller, unit, cold = slots.take(option)
    disk = new_disk(result.new_key(), controller, unit, want, disk_backing(want, ds, ref))
    result.add_device("add", disk, "create")
    result.add(option, option, cold)
    return disk_facts(want, ds or vm.datastore)


def _edit_disk(result: Plan, want: dict, device: dict, facts: dict, after: dict) -> None:
    """Grow or re-mode an existing disk; a disk without a size keeps its size."""
    option, label = want["option"], facts.get("label") or f"disk {device.get('key')}"
    have = facts.get("capacity_bytes")
    size = want["size_kb"] * 1024 if want["size_kb"] is not None else None
    if have is not None and size is not None and size < have:
        raise InvalidArgument(
            f"{want['size_option']}: {label} is {_size(have)}; shrinking it to {_size(size)} "
            "is not possible"
        )
    if want.get("type") and facts.get("disk_type") != want["type"]:
        raise InvalidArgument(
            f"{option}.type: {label} is {facts.get('disk_type')}; converting an existing disk "
            f"to {want['type']} is not supported"
        )
    if want.get("datastore") and facts.get("datastore") != want["datastore"]:
        raise InvalidArgument(
            f"{option}.datastore: {label} is on {facts.get('datastore')}; moving a disk to "
            f"{want['datastore']} is not supported by esx_vm"
        )
    edited = copy.deepcopy(device)
    if size is not None and (have is None or size > have):
        edited["capacityInKB"], edited["capacityInBytes"] = want["size_kb"], size
        after["capacity_bytes"] = size
        result.add(f"{option}.capacity_bytes", want["size_option"])
    if want.get("mode") and facts.get("mode") != want["mode"]:
        edited.setdefault("backing", {})["diskMode"] = want["mode"]
        after["mode"] = want["mode"]
        result.add(f"{option}.mode", f"{option}.mode", cold=True)
    if edited != device:
        result.add_device("edit", edited)


# ---------------------------------------------------------------- NICs


def new_nic(key: int, want: dict, backing: dict) -> dict:
    """A NIC to add: type, backing, connection flags, and a manual or generated MAC."""
    connected = want.get("connected")
    start = want.get("start_connected")
    return {
        "_type": NIC_CLASSES[want.get("device_type") or "vmxnet3"], "key": key,
        "backing": backing,
        "connectable": {"_type": "VirtualDeviceConnectInfo",
                        "startConnected": True if start is None else start,
                        "allowGuestControl": True,
                        "connected": True if connected is None else connected},
        "addressType": "manual" if want.get("mac_address") else "generated",
        "macAddress": want.get("mac_address"),
    }  # fmt: skip


def nic_facts(want: dict) -> dict:
    start, connected = want.get("start_connected"), want.get("connected")
    return {"label": None, "network": want["name"],
            "device_type": want.get("device_type") or "vmxnet3",
            "mac_address": want.get("mac_address"),
            "connected": True if connected is None else connected,
            "start_connected": True if start is None else start}  # fmt: skip


def plan_nics(result: Plan, wanted: list, vm: Machine, refs) -> None:
    """Reconnect, re-back, re-address or add NICs; a new device_type replaces the NIC."""
    existing = ordered(vm.devices, "nics")
    known = _by_key(vm.facts.get("nics") or [])
    before = [_project(known.get(d.get("key"), {}), "nics") for d in existing]
    after = copy.deepcopy(before)
    for i, want in enumerate(wanted):
        if i < len(existing):
            _edit_nic(result, i, want, existing[i], after[i], refs, vm.powered_on)
            continue
        backing = refs.network(want["name"], f"{want['option']}.name")
        result.add_device("add", new_nic(result.new_key(), want, backing))
        result.add(f"nics[{i}]", want["option"])
        after.append(nic_facts(want))
    result.before["nics"], result.after["nics"] = before, after


def _edit_nic(result, i: int, want: dict, device: dict, after: dict, refs, powered_on: bool):
    option, path, edited = want["option"], f"nics[{i}]", copy.deepcopy(device)
    if after["network"] != want["name"]:
        edited["backing"] = refs.network(want["name"], f"{option}.name")
        after["network"] = want["name"]
        result.add(f"{path}.network", f"{option}.name")
    options = {"start_connected": f"{option}.start_connected", "connected": f"{option}.connected"}
    _connect(result, edited, after, want, powered_on, path, options)
    mac = want.get("mac_address")
    if mac and after["mac_address"] != mac:
        edited["addressType"], edited["macAddress"], after["mac_address"] = "manual", mac, mac
        result.add(f"{path}.mac_address", f"{option}.mac_address", cold=True)
    kind = want.get("device_type")
    if kind and after["device_type"] != kind:
        _replace_nic(result, device, edited, kind, after)
        result.add(f"{path}.device_type", f"{option}.device_type", cold=True)
    elif edited != device:
        result.add_device("edit", edited)


def _replace_nic(result: Plan, device: dict, edited: dict, kind: str, after: dict) -> None:
    """A new device type: remove the NIC and add one in its slot with the same settings.

    A manual MAC address (set now or by an earlier run) goes with it: the server keeps a
    manual address as given, while it may replace a generated or assigned one
    (VirtualEthernetCard.macAddress), so those are not sent: the new NIC gets a new address,
    which the diff shows as unknown (null).
    """
    nic = {k: v for k, v in edited.items() if k not in ("slotInfo", "deviceInfo", "_type", "key")}
    if nic.get("addressType") != "manual":
        nic["addressType"], nic["macAddress"], after["mac_address"] = "generated", None, None
    result.add_device("remove", device)
    result.add_device("add", {"_type": NIC_CLASSES[kind], "key": result.new_key(), **nic})
    after["device_type"] = kind


def _connect(result, edited: dict, after: dict, want: dict, on: bool, path: str, options: dict):
    """startConnected as wanted, and connected too while the VM runs (off, it never is)."""
    have = edited.get("connectable") or {"_type": "VirtualDeviceConnectInfo"}
    conn = dict(have)
    for name, vi_field, live in (("start_connected", "startConnected", False),
                                 ("connected", "connected", True)):  # fmt: skip
        value = want.get(name)
        if value is None or (live and not on) or after[name] == value:
            continue
        conn[vi_field], after[name] = value, value
        result.add(f"{path}.{name}", options[name])
    if conn != have:
        edited["connectable"] = conn


# ---------------------------------------------------------------- CD-ROM


def cdrom_backing(want: dict, refs) -> dict:
    """An ISO file backing, or the client device (remote passthrough)."""
    if want["type"] == "iso":
        ds = datastore_name(want["iso_path"])
        return {"_type": "VirtualCdromIsoBackingInfo", "fileName": want["iso_path"],
                "datastore": refs.datastore(ds, "cdrom.iso_path")}  # fmt: skip
    return {"_type": "VirtualCdromRemotePassthroughBackingInfo", "deviceName": "",
            "useAutoDetect": False, "exclusive": False}  # fmt: skip


def new_cdrom(key: int, controller: int, unit: int, want: dict, backing: dict) -> dict:
    """A CD-ROM drive to add."""
    connected = True if want.get("connected") is None else want["connected"]
    return {"_type": "VirtualCdrom", "key": key, "backing": backing,
            "connectable": {"_type": "VirtualDeviceConnectInfo", "startConnected": connected,
                            "allowGuestControl": True, "connected": connected},
            "controllerKey": controller, "unitNumber": unit}  # fmt: skip


def plan_cdrom(result: Plan, want: dict, vm: Machine, refs) -> None:
    """Change the first CD-ROM's medium or connection, or add a CD-ROM on a free IDE slot."""
    drives = ordered(vm.devices, "cdroms")
    known = _by_key(vm.facts.get("cdroms") or [])
    before = [_project(known.get(d.get("key"), {}), "cdroms") for d in drives]
    after = copy.deepcopy(before)
    if drives:
        _edit_cdrom(result, want, drives[0], after[0], refs, vm.powered_on)
    else:
        controller, unit, _added = Slots(BUSES["ide"], vm.devices, result).take("cdrom")
        drive = new_cdrom(result.new_key(), controller, unit, want, cdrom_backing(want, refs))
        result.add_device("add", drive)
        result.add("cdroms[0]", "cdrom", cold=True)
        after.append(cdrom_facts(want))
    result.before["cdroms"], result.after["cdroms"] = before, after


def _edit_cdrom(result, want: dict, device: dict, after: dict, refs, powered_on: bool) -> None:
    edited = copy.deepcopy(device)
    if after["type"] != want["type"] or after["iso_path"] != want["iso_path"]:
        edited["backing"] = cdrom_backing(want, refs)
        for name in ("type", "iso_path"):
            if after[name] != want[name]:
                result.add(f"cdroms[0].{name}", "cdrom.iso_path" if name == "iso_path" else "cdrom")
        after["type"], after["iso_path"] = want["type"], want["iso_path"]
    value = want.get("connected")
    wanted = {"start_connected": value, "connected": value}
    options = {"start_connected": "cdrom.connected", "connected": "cdrom.connected"}
    _connect(result, edited, after, wanted, powered_on, "cdroms[0]", options)
    if edited != device:
        result.add_device("edit", edited)


def cdrom_facts(want: dict) -> dict:
    connected = True if want.get("connected") is None else want["connected"]
    return {"label": None, "type": want["type"], "iso_path": want["iso_path"],
            "connected": connected, "start_connected": connected}  # fmt: skip
