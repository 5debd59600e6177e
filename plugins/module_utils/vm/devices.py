"""Disks, NICs and the CD-ROM of esx_vm: wanted lists, their diff with a VM, device specs.

Pure: no I/O (names resolve through `refs`, see vm/spec.py). Existing devices are matched by
order: disks by (controller, unit number), NICs by (unit number, key), the first CD-ROM.
Devices the task does not list are left alone; nothing here removes a disk or a NIC.
"""

from __future__ import annotations

import copy
import re

from ..vi import schema
from ..vi.faults import InvalidArgument

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
_ISO = re.compile(r"^\[([^\]]+)\]\s*(\S.*)$")
SCSI_UNITS = [u for u in range(16) if u != 7]  # unit 7 is the controller's own


# ---------------------------------------------------------------- wanted


def wanted_disks(items) -> list[dict] | None:
    """The disks option, validated: sizes in KiB, with the option names for messages."""
    if items is None:
        return None
    out = []
    for i, item in enumerate(items):
        option = f"disks[{i}]"
        gb, mb = item.get("size_gb"), item.get("size_mb")
        if (gb is None) == (mb is None):
            raise InvalidArgument(f"{option}: set exactly one of size_gb or size_mb")
        kb = int(round(gb * 1024 * 1024)) if gb is not None else mb * 1024
        size_option = f"{option}.size_gb" if gb is not None else f"{option}.size_mb"
        if kb <= 0:
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
    if kind == "iso" and not _ISO.match(path or ""):
        raise InvalidArgument(
            f"cdrom.iso_path must look like '[datastore] dir/file.iso', got '{path or ''}'"
        )
    return {"type": kind, "iso_path": path if kind == "iso" else None,
            "connected": item.get("connected")}  # fmt: skip


# ---------------------------------------------------------------- helpers


def _key(result) -> int:
    """A new, negative device key, unique within one spec."""
    return -(100 + len(result.devices))


def device_spec(operation: str, device: dict, file_operation: str | None = None) -> dict:
    """A VirtualDeviceConfigSpec."""
    return {"_type": "VirtualDeviceConfigSpec", "operation": operation,
            "fileOperation": file_operation, "device": device}  # fmt: skip


def _of_type(devices: list, ancestor: str) -> list[dict]:
    return [d for d in devices if schema.is_subtype(d.get("_type") or "", ancestor)]


def _size(n: int | None) -> str:
    if n is None:
        return "of unknown size"
    return f"{n / 2**30:g} GiB" if n >= 2**30 else f"{n / 2**20:g} MiB"


def _by_key(items: list[dict]) -> dict:
    return {d.get("key"): d for d in items}


def _project(facts: dict, kind: str) -> dict:
    return {k: facts.get(k) for k in DIFF_KEYS[kind]}


# ---------------------------------------------------------------- disks


def ordered_disks(devices: list) -> list[dict]:
    """The VM's disks in the order the disks option matches them."""
    disks = [d for d in devices if d.get("_type") == "VirtualDisk"]
    return sorted(disks, key=lambda d: (d.get("controllerKey") or 0, d.get("unitNumber") or 0))


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


def plan_disks(result, wanted: list, facts: dict, devices: list, refs, vm_ds: str | None):
    """Grow, re-mode or add disks; shrinking, moving or converting one is an error."""
    existing = ordered_disks(devices)
    known = _by_key(facts.get("disks") or [])
    before = [_project(known.get(d.get("key"), {}), "disks") for d in existing]
    after = copy.deepcopy(before)
    slots = _ScsiSlots(devices)
    for i, want in enumerate(wanted):
        if i < len(existing):
            _edit_disk(result, want, existing[i], known.get(existing[i].get("key"), {}), after[i])
            continue
        ds = want["datastore"]
        ref = refs.datastore(ds, f"{want['option']}.datastore") if ds else None
        controller, unit, cold = slots.take(result)
        disk = new_disk(_key(result), controller, unit, want, disk_backing(want, ds, ref))
        result.devices.append(device_spec("add", disk, "create"))
        result.add(want["option"], want["option"], cold)
        after.append(disk_facts(want, ds or vm_ds))
    result.before["disks"], result.after["disks"] = before, after


def _edit_disk(result, want: dict, device: dict, facts: dict, after: dict) -> None:
    option, label = want["option"], facts.get("label") or f"disk {device.get('key')}"
    have, size = facts.get("capacity_bytes"), want["size_kb"] * 1024
    if have is not None and size < have:
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
    if have is None or size > have:
        edited["capacityInKB"], edited["capacityInBytes"] = want["size_kb"], size
        after["capacity_bytes"] = size
        result.add(f"{option}.capacity_bytes", want["size_option"])
    if want.get("mode") and facts.get("mode") != want["mode"]:
        edited.setdefault("backing", {})["diskMode"] = want["mode"]
        after["mode"] = want["mode"]
        result.add(f"{option}.mode", f"{option}.mode", cold=True)
    if edited != device:
        result.devices.append(device_spec("edit", edited))


class _ScsiSlots:
    """Free (controller, unit) places for new disks; adds a controller when all are full."""

    def __init__(self, devices: list):
        self.controllers = sorted(
            _of_type(devices, "VirtualSCSIController"), key=lambda c: c.get("busNumber") or 0
        )
        self.used = {(d.get("controllerKey"), d.get("unitNumber")) for d in devices}
        self.buses = {c.get("busNumber") for c in self.controllers}

    def take(self, result) -> tuple[int, int, bool]:
        """(controller key, unit number, whether a new controller makes the change cold)."""
        for c in self.controllers:
            own = c.get("scsiCtlrUnitNumber", 7)
            for unit in (u for u in range(16) if u != own):
                if (c["key"], unit) not in self.used:
                    self.used.add((c["key"], unit))
                    return c["key"], unit, c.get("_new", False)
        bus = next((b for b in range(4) if b not in self.buses), None)
        if bus is None:
            raise InvalidArgument("disks: every SCSI controller of the VM is full")
        controller = new_scsi_controller(_key(result), bus)
        result.devices.append(device_spec("add", controller))
        self.controllers.append(dict(controller, _new=True))
        self.buses.add(bus)
        self.used.add((controller["key"], 0))
        return controller["key"], 0, True


def new_scsi_controller(key: int, bus: int) -> dict:
    """A VMware paravirtual SCSI controller."""
    return {"_type": "ParaVirtualSCSIController", "key": key, "busNumber": bus,
            "sharedBus": "noSharing"}  # fmt: skip


# ---------------------------------------------------------------- NICs


def ordered_nics(devices: list) -> list[dict]:
    """The VM's NICs in the order the networks option matches them."""
    nics = _of_type(devices, "VirtualEthernetCard")
    return sorted(nics, key=lambda d: (d.get("unitNumber") or 0, d.get("key") or 0))


def new_nic(key: int, want: dict, backing: dict) -> dict:
    """A NIC to add: type, backing, connection flags, and a manual or generated MAC."""
    connected = want.get("connected")
    start = want.get("start_connected")
    nic = {
        "_type": NIC_CLASSES[want.get("device_type") or "vmxnet3"], "key": key,
        "backing": backing,
        "connectable": {"_type": "VirtualDeviceConnectInfo",
                        "startConnected": True if start is None else start,
                        "allowGuestControl": True,
                        "connected": True if connected is None else connected},
        "addressType": "manual" if want.get("mac_address") else "generated",
        "macAddress": want.get("mac_address"),
    }  # fmt: skip
    return nic


def nic_facts(want: dict) -> dict:
    start, connected = want.get("start_connected"), want.get("connected")
    return {"label": None, "network": want["name"],
            "device_type": want.get("device_type") or "vmxnet3",
            "mac_address": want.get("mac_address"),
            "connected": True if connected is None else connected,
            "start_connected": True if start is None else start}  # fmt: skip


def plan_nics(result, wanted: list, facts: dict, devices: list, refs, powered_on: bool):
    """Reconnect, re-back, re-address or add NICs; a new device_type replaces the NIC."""
    existing = ordered_nics(devices)
    known = _by_key(facts.get("nics") or [])
    before = [_project(known.get(d.get("key"), {}), "nics") for d in existing]
    after = copy.deepcopy(before)
    for i, want in enumerate(wanted):
        if i < len(existing):
            _edit_nic(result, i, want, existing[i], after[i], refs, powered_on)
            continue
        backing = refs.network(want["name"], f"{want['option']}.name")
        result.devices.append(device_spec("add", new_nic(_key(result), want, backing)))
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
        _replace_nic(result, device, edited, want)
        after["device_type"] = kind
        result.add(f"{path}.device_type", f"{option}.device_type", cold=True)
    elif edited != device:
        result.devices.append(device_spec("edit", edited))


def _replace_nic(result, device: dict, edited: dict, want: dict) -> None:
    """A new device type: remove the NIC and add one in its slot with the same settings."""
    nic = {k: v for k, v in edited.items() if k not in ("slotInfo", "deviceInfo", "_type", "key")}
    if not want.get("mac_address"):
        nic["addressType"], nic["macAddress"] = "generated", None
    result.devices.append(device_spec("remove", device))
    nic = {"_type": NIC_CLASSES[want["device_type"]], "key": _key(result), **nic}
    result.devices.append(device_spec("add", nic))


def _connect(result, edited: dict, after: dict, want: dict, on: bool, path: str, options: dict):
    """startConnected as wanted, and connected too while the VM runs (off, it never is)."""
    have = edited.get("connectable") or {"_type": "VirtualDeviceConnectInfo"}
    conn = dict(have)
    for name, field, live in (("start_connected", "startConnected", False),
                              ("connected", "connected", True)):  # fmt: skip
        value = want.get(name)
        if value is None or (live and not on) or after[name] == value:
            continue
        conn[field], after[name] = value, value
        result.add(f"{path}.{name}", options[name])
    if conn != have:
        edited["connectable"] = conn


# ---------------------------------------------------------------- CD-ROM


def cdrom_backing(want: dict, refs) -> dict:
    """An ISO file backing, or the client device (remote passthrough)."""
    if want["type"] == "iso":
        ds = _ISO.match(want["iso_path"]).group(1)
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


def plan_cdrom(result, want: dict, facts: dict, devices: list, refs, powered_on: bool):
    """Change the first CD-ROM's medium or connection, or add a CD-ROM on a free IDE slot."""
    drives = sorted(
        (d for d in devices if d.get("_type") == "VirtualCdrom"),
        key=lambda d: (d.get("controllerKey") or 0, d.get("unitNumber") or 0),
    )
    known = _by_key(facts.get("cdroms") or [])
    before = [_project(known.get(d.get("key"), {}), "cdroms") for d in drives]
    after = copy.deepcopy(before)
    if drives:
        _edit_cdrom(result, want, drives[0], after[0], refs, powered_on)
    else:
        controller, unit = _ide_slot(devices)
        drive = new_cdrom(_key(result), controller, unit, want, cdrom_backing(want, refs))
        result.devices.append(device_spec("add", drive))
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
        result.devices.append(device_spec("edit", edited))


def _ide_slot(devices: list) -> tuple[int, int]:
    used = {(d.get("controllerKey"), d.get("unitNumber")) for d in devices}
    for c in sorted(
        _of_type(devices, "VirtualIDEController"), key=lambda c: c.get("busNumber") or 0
    ):
        for unit in (0, 1):
            if (c["key"], unit) not in used:
                return c["key"], unit
    raise InvalidArgument("cdrom: the VM has no free IDE slot for a CD-ROM drive")


def cdrom_facts(want: dict) -> dict:
    connected = True if want.get("connected") is None else want["connected"]
    return {"label": None, "type": want["type"], "iso_path": want["iso_path"],
            "connected": connected, "start_connected": connected}  # fmt: skip
