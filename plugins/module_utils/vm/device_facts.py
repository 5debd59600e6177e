"""The device facts of a VM (disks, nics, cdroms, controllers, linked_clone) from its
config.hardware.device list; vm/facts.py puts them into the facts schema (docs/vm.md)."""

from __future__ import annotations

from ..vi import schema
from ..vi.values import disk_bytes, portgroup_of
from .controllers import FAMILY_ORDER, family_of, kind_of
from .device_lists import ordered

NIC_TYPES = {
    "VirtualVmxnet3": "vmxnet3", "VirtualE1000e": "e1000e", "VirtualE1000": "e1000",
    "VirtualPCNet32": "pcnet32", "VirtualVmxnet2": "vmxnet2", "VirtualVmxnet": "vmxnet",
    "VirtualSriovEthernetCard": "sriov", "VirtualVmxnet3Vrdma": "vmxnet3_vrdma",
}  # fmt: skip
DISK_MODES = {
    "persistent": "persistent", "independent_persistent": "independent_persistent",
    "independent_nonpersistent": "independent_nonpersistent", "nonpersistent": "nonpersistent",
    "undoable": "undoable", "append": "append",
}  # fmt: skip


def device_facts(devices: list, names) -> dict:
    """disks, nics, cdroms, controllers and linked_clone of one VM; `names` (vm/facts.Names)
    names the datastores and networks the devices refer to."""
    controllers = {
        d["key"]: _label(d) for d in devices if "controllerKey" not in d or _is_controller(d)
    }
    kinds = {c["key"]: c for c in devices if family_of(c)}
    return {
        "disks": [_disk(d, controllers, names, kinds) for d in ordered(devices, "disks")],
        "nics": [_nic(d, names) for d in ordered(devices, "nics")],
        "cdroms": [_cdrom(d, controllers, kinds) for d in ordered(devices, "cdroms")],
        "controllers": controller_facts(devices),
        "linked_clone": linked_clone(devices),
    }


def _label(device: dict) -> str | None:
    return (device.get("deviceInfo") or {}).get("label")


def _is_controller(device: dict) -> bool:
    return schema.is_subtype(device.get("_type") or "", "VirtualController")


def _connectable(device: dict) -> tuple[bool | None, bool | None]:
    c = device.get("connectable") or {}
    return c.get("connected"), c.get("startConnected")


def _disk(device: dict, controllers: dict, names, kinds: dict) -> dict:
    backing = device.get("backing") or {}
    thin = backing.get("thinProvisioned")
    return {
        "label": _label(device),
        "key": device.get("key"),
        "capacity_bytes": disk_bytes(device),
        "datastore": names.name(backing.get("datastore")),
        "file": backing.get("fileName") or None,
        "thin": bool(thin) if thin is not None else None,
        "disk_type": disk_type(backing),
        "mode": DISK_MODES.get(backing.get("diskMode"), backing.get("diskMode")),
        "controller": controllers.get(device.get("controllerKey")),
        "unit_number": device.get("unitNumber"),
        "uuid": backing.get("uuid") or None,
        **_placed(device, kinds),
        **io_facts(device.get("storageIOAllocation")),
    }


def disk_type(backing: dict) -> str | None:
    """thin | thick | eager_zeroed | rdm | sparse, from a disk backing."""
    kind = backing.get("_type") or ""
    if "RawDiskMapping" in kind:
        return "rdm"
    if kind != "VirtualDiskFlatVer2BackingInfo":
        return "sparse" if "Sparse" in kind else None
    if backing.get("thinProvisioned"):
        return "thin"
    return "eager_zeroed" if backing.get("eagerlyScrub") else "thick"


def _nic(device: dict, names) -> dict:
    backing = device.get("backing") or {}
    portgroup = portgroup_of(backing)
    network = names.name(portgroup) if portgroup else backing.get("deviceName") or None
    connected, start_connected = _connectable(device)
    return {
        "label": _label(device),
        "key": device.get("key"),
        "mac_address": device.get("macAddress") or None,
        "network": network,
        "device_type": NIC_TYPES.get(device.get("_type"), device.get("_type")),
        "connected": connected,
        "start_connected": start_connected,
    }


def _cdrom(device: dict, controllers: dict, kinds: dict) -> dict:
    backing = device.get("backing") or {}
    kind = backing.get("_type") or ""
    connected, start_connected = _connectable(device)
    return {
        "label": _label(device),
        "key": device.get("key"),
        "type": "iso"
        if "Iso" in kind
        else ("client" if "Remote" in kind else ("host" if kind else None)),
        "iso_path": backing.get("fileName") if "Iso" in kind else None,
        "controller": controllers.get(device.get("controllerKey")),
        "unit_number": device.get("unitNumber"),
        "connected": connected,
        "start_connected": start_connected,
        **_placed(device, kinds),
    }


def _placed(device: dict, kinds: dict) -> dict:
    """The kind and bus number of a disk's or CD-ROM's controller (paravirtual, sata, ...)."""
    controller = kinds.get(device.get("controllerKey"))
    if controller is None:
        return {"controller_kind": None, "controller_number": None}
    return {
        "controller_kind": kind_of(controller),
        "controller_number": controller.get("busNumber"),
    }


def io_facts(io: dict | None) -> dict:
    """A disk's storage I/O shares (low, normal, high or a number) and IOPS limit (-1: none)."""
    if not io:
        return {"shares": None, "iops_limit": None}
    shares = io.get("shares") or {}
    level = shares.get("level")
    return {
        "shares": shares.get("shares") if level == "custom" else level,
        "iops_limit": io.get("limit"),
    }


def controller_facts(devices: list) -> list[dict]:
    """The VM's storage controllers (IDE, SCSI, SATA, NVMe) in device-list order, each with the
    disks and CD-ROMs on it by unit number."""
    out = []
    for c in sorted(
        (d for d in devices if family_of(d)), key=lambda d: (_rank(d), d.get("busNumber") or 0)
    ):
        on = sorted(
            (d for d in devices if d.get("controllerKey") == c.get("key")),
            key=lambda d: d.get("unitNumber") or 0,
        )
        out.append({
            "label": _label(c), "key": c.get("key"), "kind": kind_of(c), "bus_number": c.get("busNumber"),
            "shared_bus": c.get("sharedBus"),
            "devices": [{"label": _label(d), "key": d.get("key"), "unit_number": d.get("unitNumber"),
                         "type": _DEVICE_TYPES.get(d.get("_type"), d.get("_type"))} for d in on],
        })  # fmt: skip
    return out


_DEVICE_TYPES = {"VirtualDisk": "disk", "VirtualCdrom": "cdrom"}


def _rank(controller: dict) -> int:
    return FAMILY_ORDER.index(family_of(controller))


def linked_clone(devices: list) -> list[dict] | None:
    """A linked clone's shared disks: {label, file, parent} for each disk whose chain of delta
    disks reaches a disk in another VM's directory (the source's snapshot disk); None when no
    disk does. A snapshot's delta disks stay in the VM's own directory, so they do not count."""
    found = []
    for device in ordered(devices, "disks"):
        backing = device.get("backing") or {}
        own = _directory(backing.get("fileName"))
        parent = backing.get("parent")
        while isinstance(parent, dict):
            if _directory(parent.get("fileName")) != own:
                found.append({"label": _label(device), "file": backing.get("fileName"),
                              "parent": parent.get("fileName")})  # fmt: skip
                break
            parent = parent.get("parent")
    return found or None


def _directory(path: str | None) -> str:
    return (path or "").rpartition("/")[0]
