"""The VM's devices as the pre-migration checks see them (premigration/snapshot.py vm_facts):
host- and client-backed drives and ports, NICs and their networks, disks and their RDM mode,
passthrough devices and SCSI controllers that share their bus."""

from __future__ import annotations

from ..vi import schema
from ..vi.find import unescape
from ..vi.values import disk_bytes, moid, portgroup_of

HOST_BACKINGS = {
    "VirtualCdromAtapiBackingInfo", "VirtualCdromPassthroughBackingInfo",
    "VirtualFloppyDeviceBackingInfo", "VirtualSerialPortDeviceBackingInfo",
    "VirtualParallelPortDeviceBackingInfo",
}  # fmt: skip
# Backed by a device of the vSphere Client's computer: "You cannot use migration with vMotion to
# migrate a virtual machine that uses a virtual device backed by a device on the client computer"
# (vSphere, Virtual Machine Conditions and Limitations for vMotion).
CLIENT_BACKINGS = {
    "VirtualCdromRemotePassthroughBackingInfo", "VirtualCdromRemoteAtapiBackingInfo",
    "VirtualFloppyRemoteDeviceBackingInfo",
}  # fmt: skip
DEVICE_KINDS = {
    "VirtualCdrom": "cdrom", "VirtualFloppy": "floppy", "VirtualSerialPort": "serial",
    "VirtualParallelPort": "parallel",
}  # fmt: skip


def vm_devices(devices: list, props: dict, rows: dict) -> dict:
    """The device facts of vm_facts from config.hardware.device (`props` and `rows`: the VM's
    properties and the read rows, for NIC network names)."""
    return {
        "devices": [_device(d) for d in devices if d.get("_type") in DEVICE_KINDS],
        "nics": [_nic(d, props, rows) for d in devices if _is(d, "VirtualEthernetCard")],
        "disks": [_disk(d) for d in devices if d.get("_type") == "VirtualDisk"],
        "passthrough": [_label(d) for d in devices if _is_passthrough(d)],
        "shared_buses": [
            f"{_label(d)} ({d['sharedBus']})"
            for d in devices
            if d.get("sharedBus") not in (None, "noSharing")
        ],
    }


def _is(device: dict, ancestor: str) -> bool:
    return schema.is_subtype(device.get("_type") or "", ancestor)


def _label(device: dict) -> str:
    return (device.get("deviceInfo") or {}).get("label") or str(device.get("key"))


def _is_passthrough(device: dict) -> bool:
    return device.get("_type") in ("VirtualPCIPassthrough", "VirtualSriovEthernetCard")


def _device(device: dict) -> dict:
    backing = device.get("backing") or {}
    kind = backing.get("_type") or ""
    connectable = device.get("connectable") or {}
    return {
        "label": _label(device),
        "kind": DEVICE_KINDS[device["_type"]],
        "host_backed": kind in HOST_BACKINGS,
        "client_backed": kind in CLIENT_BACKINGS,
        "device": backing.get("deviceName") or backing.get("fileName") or None,
        "connected": bool(connectable.get("connected")),
    }


def _nic(device: dict, props: dict, rows: dict) -> dict:
    backing = device.get("backing") or {}
    network, name = backing.get("network"), backing.get("deviceName") or None
    portgroup = portgroup_of(backing)
    if portgroup is not None:
        network = portgroup
    elif backing.get("opaqueNetworkId"):
        name = backing["opaqueNetworkId"]
    elif network is None and name:
        # Standard portgroups are matched by name among the VM's networks.
        for ref in props.get("network") or []:
            if unescape((rows.get(ref) or {}).get("name")) == name:
                network = ref
    if network is not None and network in rows:
        name = unescape(rows[network].get("name")) or name
    return {
        "label": _label(device),
        "network": moid(network),
        "network_name": name,
        "opaque": bool(backing.get("opaqueNetworkId")),
        "distributed": portgroup is not None,
        "connected": bool((device.get("connectable") or {}).get("connected")),
    }


def _disk(device: dict) -> dict:
    backing = device.get("backing") or {}
    rdm = None
    if "RawDiskMapping" in (backing.get("_type") or ""):
        rdm = "physical" if backing.get("compatibilityMode") == "physicalMode" else "virtual"
    return {
        "label": _label(device),
        "datastore": moid(backing.get("datastore")),
        "capacity_bytes": disk_bytes(device),
        "mode": backing.get("diskMode"),
        "rdm": rdm,
    }
