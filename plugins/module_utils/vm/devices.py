"""NICs of esx_vm, and the device part of a plan: the disks, networks and cdroms options.

Pure: no I/O (names resolve through `refs`, see vm/spec.py). One planner serves a new VM (a
`plan.Machine` with the devices the server gives every VM, controllers.NEW_VM_DEVICES) and an
existing one. Devices are matched, listed and diffed in one order (vm/device_lists.py). Disks
are planned in vm/disk_plan.py, CD-ROMs in vm/cdroms.py. Devices the task does not list are
left alone; a listed one is removed only with `state: absent`.
"""

from __future__ import annotations

import copy
import re

from ..vi.faults import InvalidArgument
from .cdroms import plan_cdroms, wanted_cdroms
from .device_lists import DIFF_KEYS, ORDER, by_key, connect, ordered, project
from .disk_plan import plan_disks
from .disks import wanted_disks
from .plan import Machine, Plan

__all__ = [
    "DIFF_KEYS",
    "ORDER",
    "ordered",
    "plan_devices",
    "wanted_cdroms",
    "wanted_disks",
    "wanted_nics",
]

NIC_CLASSES = {
    "vmxnet3": "VirtualVmxnet3", "e1000e": "VirtualE1000e", "e1000": "VirtualE1000",
    "vmxnet2": "VirtualVmxnet2", "sriov": "VirtualSriovEthernetCard",
}  # fmt: skip
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def plan_devices(result: Plan, want: dict, vm: Machine, refs) -> None:
    """The device changes of the disks, networks and cdroms options that are set."""
    if want["disks"] is not None:
        plan_disks(result, want["disks"], vm, refs)
    if want["networks"] is not None:
        plan_nics(result, want["networks"], vm, refs)
    if want["cdroms"] is not None:
        plan_cdroms(result, want["cdroms"], vm, refs)


def wanted_nics(items) -> list[dict] | None:
    """The networks option, validated (MAC addresses lower case)."""
    if items is None:
        return None
    out = []
    for i, item in enumerate(items):
        option = f"networks[{i}]"
        mac = (item.get("mac_address") or "").lower() or None
        if mac and not _MAC.match(mac):
            raise InvalidArgument(
                f"{option}.mac_address must look like 00:50:56:01:02:03, got '{item['mac_address']}'"
            )
        state = item.get("state") or "present"
        if state == "absent" and not mac:
            raise InvalidArgument(
                f"{option}.state: a NIC to remove is named by its mac_address, so that a second "
                "run removes no other NIC"
            )
        if item.get("physical_function") and item.get("device_type") != "sriov":
            raise InvalidArgument(f"{option}.physical_function is for device_type sriov only")
        out.append(dict(item, mac_address=mac, option=option, state=state))
    return out


# ---------------------------------------------------------------- NICs


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
    if want.get("device_type") == "sriov":
        nic["sriovBacking"] = sriov_backing(want)
    return nic


def sriov_backing(want: dict) -> dict:
    """The SR-IOV backing: the physical function named (a PCI id), else the server's choice."""
    backing = {"_type": "VirtualSriovEthernetCardSriovBackingInfo"}
    if want.get("physical_function"):
        backing["physicalFunctionBacking"] = {
            "_type": "VirtualPCIPassthroughDeviceBackingInfo", "id": want["physical_function"]
        }  # fmt: skip
    return backing


def nic_facts(want: dict) -> dict:
    start, connected = want.get("start_connected"), want.get("connected")
    return {"label": None, "network": want["name"],
            "device_type": want.get("device_type") or "vmxnet3",
            "mac_address": want.get("mac_address"),
            "connected": True if connected is None else connected,
            "start_connected": True if start is None else start}  # fmt: skip


def plan_nics(result: Plan, wanted: list, vm: Machine, refs) -> None:
    """Reconnect, re-back, re-address, add or remove NICs; a new device_type replaces the NIC.

    An entry with state absent removes the NIC with its MAC address; the others are matched in
    order to the NICs that are left.
    """
    existing = ordered(vm.devices, "nics")
    known = by_key(vm.facts.get("nics") or [])
    before = [project(known.get(d.get("key"), {}), "nics") for d in existing]
    after = copy.deepcopy(before)
    removed = _remove_nics(result, wanted, existing)
    left = [n for n in range(len(existing)) if n not in removed]
    present = [w for w in wanted if w["state"] == "present"]
    for j, want in enumerate(present):
        if j < len(left):
            n = left[j]
            if want.get("dvswitch"):
                before[n]["dvswitch"] = after[n]["dvswitch"] = _switch(existing[n], refs)
            _edit_nic(result, n, want, existing[n], after[n], refs, vm.powered_on)
            continue
        backing = _backing(refs, want)
        result.add_device("add", new_nic(result.new_key(), want, backing))
        result.add(f"nics[{j}]", want["option"])  # after the NICs that are left
        after.append(nic_facts(want))
        if want.get("dvswitch"):
            after[-1]["dvswitch"] = want["dvswitch"]
    result.before["nics"] = before
    result.after["nics"] = [a for n, a in enumerate(after) if n not in removed]


def _remove_nics(result: Plan, wanted: list, existing: list) -> set:
    """Remove the NICs the absent entries name by MAC address; their indexes."""
    macs = {(d.get("macAddress") or "").lower(): n for n, d in enumerate(existing)}
    removed = set()
    for want in wanted:
        n = macs.get(want["mac_address"]) if want["state"] == "absent" else None
        if n is not None and n not in removed:
            removed.add(n)
            result.add_device("remove", existing[n])
            result.add(f"nics[{n}]", f"{want['option']}.state")
    return removed


def _edit_nic(result, i: int, want: dict, device: dict, after: dict, refs, powered_on: bool):
    option, path, edited = want["option"], f"nics[{i}]", copy.deepcopy(device)
    switch = want.get("dvswitch")
    if after["network"] != want["name"] or after.get("dvswitch", switch) != switch:
        edited["backing"] = _backing(refs, want)
        after["network"] = want["name"]
        if switch:
            after["dvswitch"] = switch
        result.add(f"{path}.network", f"{option}.name")
    options = {"start_connected": f"{option}.start_connected", "connected": f"{option}.connected"}
    connect(result, edited, after, want, powered_on, path, options)
    mac = want.get("mac_address")
    if mac and after["mac_address"] != mac:
        edited["addressType"], edited["macAddress"], after["mac_address"] = "manual", mac, mac
        result.add(f"{path}.mac_address", f"{option}.mac_address", cold=True)
    kind = want.get("device_type")
    if kind and after["device_type"] != kind:
        _replace_nic(result, device, edited, kind, after, want)
        result.add(f"{path}.device_type", f"{option}.device_type", cold=True)
    elif edited != device:
        result.add_device("edit", edited)


def _backing(refs, want: dict) -> dict:
    """The backing of an entry's port group (on its dvswitch, when set)."""
    option = f"{want['option']}.name"
    if want.get("dvswitch"):
        return refs.network(want["name"], option, want["dvswitch"])
    return refs.network(want["name"], option)


def _switch(device: dict, refs) -> str | None:
    """The distributed switch of a NIC's port group (None: a standard network), for the diff
    of an entry that sets dvswitch."""
    uuid = ((device.get("backing") or {}).get("port") or {}).get("switchUuid")
    return refs.switch_name(uuid) if uuid else None


def _replace_nic(result: Plan, device: dict, edited: dict, kind: str, after: dict, want: dict):
    """A new device type: remove the NIC and add one in its slot with the same settings.

    A manual MAC address (set now or by an earlier run) goes with it: the server keeps a
    manual address as given, while it may replace a generated or assigned one
    (VirtualEthernetCard.macAddress), so those are not sent: the new NIC gets a new address,
    which the diff shows as unknown (null).
    """
    nic = {k: v for k, v in edited.items() if k not in ("slotInfo", "deviceInfo", "_type", "key")}
    if nic.get("addressType") != "manual":
        nic["addressType"], nic["macAddress"], after["mac_address"] = "generated", None, None
    nic.pop("sriovBacking", None)
    if kind == "sriov":
        nic["sriovBacking"] = sriov_backing(want)
    result.add_device("remove", device)
    result.add_device("add", {"_type": NIC_CLASSES[kind], "key": result.new_key(), **nic})
    after["device_type"] = kind
