"""The device lists of a VM (disks, NICs, CD-ROMs): which devices, their one order, their diff.

Pure. Devices are matched, listed and diffed in one order, that of their facts paths
(`ordered`): disks and CD-ROMs by controller (IDE, SCSI, SATA, NVMe: the order of their keys on
ESXi, controllers.FAMILY_ORDER), bus number and unit number; NICs by unit number. The same order
is predicted for devices a plan adds (`sort_key` on a planned place).
"""

from __future__ import annotations

from ..vi import schema
from .controllers import positions

DIFF_KEYS = {
    "disks": ("label", "capacity_bytes", "datastore", "disk_type", "mode", "controller_kind",
              "controller_number", "unit_number", "file", "shares", "iops_limit"),
    "nics": ("label", "network", "device_type", "mac_address", "connected", "start_connected"),
    "cdroms": ("label", "type", "iso_path", "controller_kind", "controller_number",
               "unit_number", "connected", "start_connected"),
}  # fmt: skip


def is_nic(device: dict) -> bool:
    kind = device.get("_type") or ""
    # The type table lacks VirtualVmxnet3Vrdma (a VirtualVmxnet3 since vSphere 6.7).
    return schema.is_subtype(kind, "VirtualEthernetCard") or kind == "VirtualVmxnet3Vrdma"


def _nic_slot(device: dict, _places: dict) -> tuple:
    return (device.get("unitNumber") or 0, device.get("key") or 0)


def _slot(device: dict, places: dict) -> tuple:
    place = places.get(device.get("controllerKey"), (len(places), device.get("controllerKey") or 0))
    return (*place, device.get("unitNumber") or 0, device.get("key") or 0)


# facts list -> (which devices belong to it, their order). The order of the facts paths
# disks[i], nics[i], cdroms[i]: in the VM facts, in `changes`, in every diff, and in matching
# the disks, networks and cdroms options to the VM's devices. A replaced NIC keeps its unit.
ORDER = {
    "disks": (lambda d: d.get("_type") == "VirtualDisk", _slot),
    "nics": (is_nic, _nic_slot),
    "cdroms": (lambda d: d.get("_type") == "VirtualCdrom", _slot),
}


def ordered(devices: list, kind: str) -> list[dict]:
    """The VM's devices of one facts list (disks, nics or cdroms), in the order of its paths."""
    belongs, order = ORDER[kind]
    places = positions(devices)
    return sorted((d for d in devices if belongs(d)), key=lambda d: order(d, places))


def by_key(items: list[dict]) -> dict:
    return {d.get("key"): d for d in items}


def project(facts: dict, kind: str) -> dict:
    return {k: facts.get(k) for k in DIFF_KEYS[kind]}


def connect(result, edited: dict, after: dict, want: dict, on: bool, path: str, options: dict):
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
