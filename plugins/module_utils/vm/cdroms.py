"""The CD-ROM drives of esx_vm: the cdroms list (and its one-entry form, cdrom), every spec.

Pure. Drives are matched like disks (vm/disks.py `match`): an entry with `unit_number` takes
the drive at that place, the others, in order, the remaining drives (of their controller kind
when `controller` is set). A drive is removed only by an entry with state absent that names its
place, so removing one never adds one, and a second run removes nothing else.
"""

from __future__ import annotations

import copy

from ..vi.faults import InvalidArgument
from ..vi.values import datastore_name, split_datastore_path
from .controllers import BUSES, Slots, kind_of, planned
from .device_lists import by_key, connect, project
from .disks import Layout, match
from .plan import Machine, Plan


def wanted_cdroms(items, single=None) -> list[dict] | None:
    """The cdroms option (or cdrom, its one-entry form, whose errors name it), validated."""
    if single is not None and items is not None:
        raise InvalidArgument(
            "cdrom and cdroms are mutually exclusive (cdrom is the one-entry form)"
        )
    if single is not None:
        return [_wanted(single, "cdrom")]
    if items is None:
        return None
    return [_wanted(item, f"cdroms[{i}]") for i, item in enumerate(items)]


def _wanted(item: dict, option: str) -> dict:
    kind = item.get("type") or ("iso" if item.get("iso_path") else "client")
    path = item.get("iso_path")
    if path and kind != "iso":  # an ISO the drive would not get: say so, never drop it
        raise InvalidArgument(
            f"{option}.iso_path is for type iso; {option}.type is {kind}, got iso_path '{path}'"
        )
    if kind == "iso" and not all(split_datastore_path(path)):
        raise InvalidArgument(
            f"{option}.iso_path must look like '[datastore] dir/file.iso', got '{path or ''}'"
        )
    connected, start = item.get("connected"), item.get("start_connected")
    start = connected if start is None else start
    if kind == "none":  # an empty drive: the client device, disconnected
        for flag in ("connected", "start_connected"):
            if item.get(flag):  # a connection the drive would not get: say so, never drop it
                raise InvalidArgument(
                    f"{option}.{flag}: an empty drive (type none) is disconnected; got {flag} true"
                )
        kind, connected, start = "client", False, False
    want = {
        "type": kind, "iso_path": path if kind == "iso" else None, "connected": connected,
        "start_connected": start, "controller": item.get("controller"),
        "controller_number": item.get("controller_number"), "unit_number": item.get("unit_number"),
        "state": item.get("state") or "present", "option": option,
    }  # fmt: skip
    if want["unit_number"] is not None and want["controller_number"] is None:
        want["controller_number"] = 0
    if want["state"] == "absent" and want["unit_number"] is None:
        raise InvalidArgument(
            f"{option}.state: a drive to remove is named by unit_number (with controller and "
            "controller_number), so that a second run removes no other drive"
        )
    return want


def cdrom_backing(want: dict, refs) -> dict:
    """An ISO file backing, or the client device (remote passthrough)."""
    if want["type"] == "iso":
        ds = datastore_name(want["iso_path"])
        return {"_type": "VirtualCdromIsoBackingInfo", "fileName": want["iso_path"],
                "datastore": refs.datastore(ds, f"{want['option']}.iso_path")}  # fmt: skip
    return {"_type": "VirtualCdromRemotePassthroughBackingInfo", "deviceName": "",
            "useAutoDetect": False, "exclusive": False}  # fmt: skip


def new_cdrom(key: int, controller: int, unit: int, want: dict, backing: dict) -> dict:
    """A CD-ROM drive to add."""
    connected = True if want.get("connected") is None else want["connected"]
    start = connected if want.get("start_connected") is None else want["start_connected"]
    return {"_type": "VirtualCdrom", "key": key, "backing": backing,
            "connectable": {"_type": "VirtualDeviceConnectInfo", "startConnected": start,
                            "allowGuestControl": True, "connected": connected},
            "controllerKey": controller, "unitNumber": unit}  # fmt: skip


def cdrom_facts(want: dict, controller: dict, unit: int) -> dict:
    connected = True if want.get("connected") is None else want["connected"]
    start = connected if want.get("start_connected") is None else want["start_connected"]
    return {"label": None, "type": want["type"], "iso_path": want["iso_path"],
            "controller_kind": kind_of(controller),
            "controller_number": controller.get("busNumber") or 0, "unit_number": unit,
            "connected": connected, "start_connected": start}  # fmt: skip


def plan_cdroms(result: Plan, wanted: list, vm: Machine, refs) -> None:
    """Change a drive's medium or connection, add a drive, or remove one an entry names."""
    layout = Layout(vm, "cdroms")
    known = by_key(vm.facts.get("cdroms") or [])
    before = [project(known.get(d.get("key"), {}), "cdroms") for d in layout.disks]
    after = copy.deepcopy(before)
    removed, added = set(), []
    for want, d in zip(wanted, match(wanted, layout)):
        if want["state"] == "absent":
            if d is not None:
                removed.add(d)
                _remove(result, want, layout, d)
        elif d is None:
            added.append(_add(result, want, vm, refs, layout))
        else:
            _edit(result, want, layout.disks[d], after[d], refs, vm.powered_on, d)
    kept = sorted(
        [(layout.position(dev), after[i]) for i, dev in enumerate(layout.disks) if i not in removed]
        + [(position, facts) for position, facts, _w, _c in added],
        key=lambda row: row[0],
    )
    for _position, facts, want, cold in added:
        index = next(i for i, row in enumerate(kept) if row[1] is facts)
        result.add(f"cdroms[{index}]", want["option"], cold)
    result.before["cdroms"], result.after["cdroms"] = before, [facts for _p, facts in kept]


def _remove(result: Plan, want: dict, layout: Layout, d: int) -> None:
    device = layout.disks[d]
    controller = layout.controllers.get(device.get("controllerKey")) or {}
    result.add_device("remove", device)
    bus = BUSES.get(kind_of(controller) or "ide", BUSES["ide"])
    result.add(f"cdroms[{d}]", f"{want['option']}.state", cold=not bus.hot)


def _add(result: Plan, want: dict, vm: Machine, refs, layout: Layout) -> tuple:
    """Add a drive at its place, or on a free slot after the drives its entry could match."""
    kind = want["controller"] or "ide"
    slots = Slots(BUSES[kind], planned(layout.devices, result), result)
    option = want["option"]
    if want["unit_number"] is not None:
        key, unit, new = slots.place(option, want["controller_number"], want["unit_number"])
    else:
        places = [
            layout.position(d) for d in layout.disks
            if layout.fits(want, layout.controllers.get(d.get("controllerKey")))
        ] + [p for p, c, _g in layout.added if layout.fits(want, c)]  # fmt: skip
        key, unit, new = slots.take(
            option, max(places) if places else None, want["controller_number"]
        )
    controller = next(c for c in slots.family if c["key"] == key)
    position = (slots.rank, controller.get("busNumber") or 0, unit)
    layout.added.append((position, controller, None))
    result.add_device(
        "add", new_cdrom(result.new_key(), key, unit, want, cdrom_backing(want, refs))
    )
    cold = new or not BUSES[kind].hot
    return position, cdrom_facts(want, controller, unit), want, cold


def _edit(result, want: dict, device: dict, after: dict, refs, powered_on: bool, d: int) -> None:
    option, path, edited = want["option"], f"cdroms[{d}]", copy.deepcopy(device)
    if after["type"] != want["type"] or after["iso_path"] != want["iso_path"]:
        edited["backing"] = cdrom_backing(want, refs)
        for name in ("type", "iso_path"):
            if after[name] != want[name]:
                result.add(
                    f"{path}.{name}", f"{option}.{'iso_path' if name == 'iso_path' else 'type'}"
                )
        after["type"], after["iso_path"] = want["type"], want["iso_path"]
    wanted = {"start_connected": want["start_connected"], "connected": want["connected"]}
    names = ("connected", "start_connected") if option != "cdrom" else ("connected", "connected")
    options = {"connected": f"{option}.{names[0]}", "start_connected": f"{option}.{names[1]}"}
    connect(result, edited, after, wanted, powered_on, path, options)
    if edited != device:
        result.add_device("edit", edited)
