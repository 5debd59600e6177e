"""The disk part of an esx_vm plan: grow, re-mode, re-limit, add, attach or remove disks.

Pure. vm/disks.py validates the list and matches it with the VM's disks; this file turns each
entry into device changes on the plan, with the diff in facts order (the order a new disk will
be listed in is predicted from its planned place, see vm/device_lists.py).
"""

from __future__ import annotations

import copy

from ..vi.faults import InvalidArgument
from .controllers import BUSES, Slots, kind_of, name, planned
from .device_lists import by_key, project
from .disks import (
    Layout,
    _size,
    disk_backing,
    disk_facts,
    entry_order,
    group,
    io_allocation,
    match,
    new_disk,
)
from .plan import Machine, Plan


def plan_disks(result: Plan, wanted: list, vm: Machine, refs) -> None:
    """The disk changes of the disks option, and the disks' diff."""
    layout = Layout(vm)
    known = by_key(vm.facts.get("disks") or [])
    before = [project(known.get(d.get("key"), {}), "disks") for d in layout.disks]
    rows = [
        _row(layout.position(d), copy.deepcopy(b), i)
        for i, (d, b) in enumerate(zip(layout.disks, before))
    ]
    pending = []  # (entry index, path suffix, option, cold, row)
    matched = match(wanted, layout)
    for i in sorted(range(len(wanted)), key=lambda i: entry_order(wanted[i])):
        want, d = wanted[i], matched[i]
        if want["state"] == "absent":
            if d is not None:
                pending.append((i, *_remove(result, want, layout, rows[d])))
        elif d is None:
            pending.append((i, *_add(result, want, vm, refs, layout, rows)))
        else:
            device = layout.disks[d]
            facts = known.get(device.get("key"), {})
            for change in _edit(result, want, device, facts, rows[d]["facts"], layout):
                pending.append((i, *change, rows[d]))
    kept = sorted((r for r in rows if not r["removed"]), key=lambda r: r["position"])
    for _i, suffix, option, cold, row in sorted(pending, key=lambda p: p[0]):
        index = row["old"] if row["old"] is not None else kept.index(row)
        result.add(f"disks[{index}]{suffix}", option, cold)
    result.before["disks"], result.after["disks"] = before, [r["facts"] for r in kept]


def _row(position: tuple, facts: dict, old: int | None) -> dict:
    """A disk of the diff: where it is listed, its facts after the run, its index before."""
    return {"position": position, "facts": facts, "old": old, "removed": False}


def _remove(result: Plan, want: dict, layout: Layout, row: dict):
    """Detach a disk (its file deleted only with destroy); IDE disks need the VM off."""
    device = layout.disks[row["old"]]
    controller = layout.controllers.get(device.get("controllerKey")) or {}
    result.add_device("remove", device, "destroy" if want["destroy"] else None)
    row["removed"] = True
    cold = not BUSES.get(kind_of(controller) or "scsi", BUSES["scsi"]).hot
    return ("", f"{want['option']}.state", cold, row)


def _add(result: Plan, want: dict, vm: Machine, refs, layout: Layout, rows: list):
    """Add (or attach) a disk at the place its entry names, or after its group's disks."""
    option = want["option"]
    if want["size_kb"] is None and want["filename"] is None:
        raise InvalidArgument(
            f"{option}.size_gb: the VM has no {option}, and a new disk needs a size: set "
            "size_gb or size_mb"
        )
    if want["filename"] and want["size_kb"] is not None:
        raise InvalidArgument(
            f"{want['size_option']}: a disk attached from filename keeps the size of its file; "
            "set no size until it is attached (a larger size then grows it)"
        )
    kind = want["controller"] or "scsi"
    bus = BUSES[kind]
    slot = Slots(bus, planned(vm.devices, result), result)
    if want["unit_number"] is not None:
        key, unit, added = slot.place(option, want["controller_number"], want["unit_number"])
    else:
        after, last = _after(want, layout)
        if last and last[0] > slot.rank:
            raise InvalidArgument(
                f"{option}: a new disk without controller is listed after the VM's last disk, "
                f"which is on a {('IDE', 'SCSI', 'SATA', 'NVMe')[last[0]]} controller; set "
                "controller for it"
            )
        key, unit, added = slot.take(option, after, want["controller_number"])
    controller = next(c for c in slot.family if c["key"] == key)
    position = (slot.rank, controller.get("busNumber") or 0, unit)
    layout.added.append((position, controller, group(want)))
    ds = _datastore(want, vm)
    ref = refs.datastore(ds, f"{option}.datastore") if ds and not want["filename"] else None
    if want["filename"]:
        ref = refs.datastore(ds, f"{option}.filename")
    disk = new_disk(result.new_key(), key, unit, want, disk_backing(want, ds, ref))
    result.add_device("add", disk, None if want["filename"] else "create")
    row = _row(position, disk_facts(want, ds or vm.datastore, controller, unit), None)
    rows.append(row)
    return ("", option, added or not bus.hot, row)


def _datastore(want: dict, vm: Machine) -> str | None:
    if want["filename"]:
        return want["filename"][1 : want["filename"].index("]")]
    return want["datastore"] or (vm.datastore if vm.new else None)


def _after(want: dict, layout: Layout):
    """Where a new disk may go, so that the next run matches every disk alike: a function of
    the controller it would go on, giving the position it must follow.

    After every disk its group was matched against and every disk the group added; on a
    controller that a group matched before it also fits, after that group's disks too, which
    the new disk could otherwise be taken for.
    """
    own = group(want)
    if not _free_entry(want, layout):  # matched by place or file on the next run
        return None, None
    mine = [layout.position(layout.disks[d]) for d in layout.candidates.get(own, [])]
    mine += [p for p, _c, g in layout.added if g == own]
    earlier = [
        {"controller": g[0], "controller_number": g[1]}
        for g in layout.groups[: layout.groups.index(own)]
    ]

    def floor(controller: dict) -> tuple | None:
        places = list(mine)
        for probe in earlier:
            if layout.fits(probe, controller):
                places += [
                    layout.position(d) for d in layout.disks
                    if layout.fits(probe, layout.controllers.get(d.get("controllerKey")))
                ] + [p for p, c, _g in layout.added if layout.fits(probe, c)]  # fmt: skip
        return max(places) if places else None

    return floor, (max(mine) if mine else None)


def _free_entry(want: dict, layout: Layout) -> bool:
    return want["unit_number"] is None and want["filename"] is None and group(want) in layout.groups


def _edit(result: Plan, want: dict, device: dict, facts: dict, after: dict, layout: Layout):
    """Grow, re-mode or re-limit an existing disk; the (path suffix, option, cold) changes."""
    option, label = want["option"], facts.get("label") or f"disk {device.get('key')}"
    _refuse(want, device, facts, label, layout)
    changes, edited = [], copy.deepcopy(device)
    have = facts.get("capacity_bytes")
    size = want["size_kb"] * 1024 if want["size_kb"] is not None else None
    if size is not None and (have is None or size > have):
        edited["capacityInKB"], edited["capacityInBytes"] = want["size_kb"], size
        after["capacity_bytes"] = size
        changes.append((".capacity_bytes", want["size_option"], False))
    if want.get("mode") and facts.get("mode") != want["mode"]:
        edited.setdefault("backing", {})["diskMode"] = want["mode"]
        after["mode"] = want["mode"]
        changes.append((".mode", f"{option}.mode", True))
    for field in ("shares", "iops_limit"):
        if want[field] is not None and facts.get(field) != want[field]:
            after[field] = want[field]
            changes.append((f".{field}", f"{option}.{field}", False))
    if changes and any(c[0] in (".shares", ".iops_limit") for c in changes):
        edited["storageIOAllocation"] = io_allocation(want, device.get("storageIOAllocation"))
    if edited != device:
        result.add_device("edit", edited)
    return changes


def _refuse(want: dict, device: dict, facts: dict, label: str, layout: Layout) -> None:
    """What an existing disk cannot become: an error naming the option."""
    option, have = want["option"], facts.get("capacity_bytes")
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
    controller = layout.controllers.get(device.get("controllerKey")) or {}
    if want["controller"] and not BUSES[want["controller"]].matches(controller):
        raise InvalidArgument(
            f"{option}.controller: {label} is on {name(controller)}, not {want['controller']}; "
            "moving a disk is not supported"
        )
    file = (device.get("backing") or {}).get("fileName")
    if want["filename"] and file != want["filename"]:
        raise InvalidArgument(
            f"{option}.filename: {label} at that place is {file}, not {want['filename']}"
        )
