"""The disks of esx_vm: the wanted list, its match with a VM's disks, and every disk spec.

Pure: no I/O (datastores resolve through `refs`, see vm/spec.py). Matching, in this order:
an entry with `filename` takes the disk with that file; one with `unit_number` the disk at that
place; the others, in list order, the remaining disks of their controller (kind and number
when given; any disk without `controller`), in facts order. A new disk without `unit_number`
goes after every disk its entry could have matched, so the next run matches it the same way.
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument
from ..vi.values import split_datastore_path
from .controllers import BUSES, family_of, kind_of, name, positions
from .device_lists import ordered
from .plan import Machine

DISK_FLAGS = {  # type -> (thinProvisioned, eagerlyScrub)
    "thin": (True, False), "thick": (False, False), "eager_zeroed": (False, True),
}  # fmt: skip
SHARE_LEVELS = ("low", "normal", "high")


def wanted_disks(items) -> list[dict] | None:
    """The disks option, validated: sizes in KiB (None: keep), with the option names."""
    if items is None:
        return None
    return [_wanted_disk(item, f"disks[{i}]") for i, item in enumerate(items)]


def _wanted_disk(item: dict, option: str) -> dict:
    gb, mb = item.get("size_gb"), item.get("size_mb")
    if gb is not None and mb is not None:
        raise InvalidArgument(
            f"{option}: set exactly one of size_gb or size_mb (or neither, to keep the size "
            "of an existing disk)"
        )
    kb = _kib(gb, mb)
    size_option = f"{option}.size_mb" if mb is not None else f"{option}.size_gb"
    if kb is not None and kb <= 0:
        raise InvalidArgument(f"{size_option} must be more than 0, got {gb if mb is None else mb}")
    want = {
        "size_kb": kb, "type": item.get("type"), "datastore": item.get("datastore"),
        "mode": item.get("mode"), "option": option, "size_option": size_option,
        "controller": item.get("controller"), "controller_number": item.get("controller_number"),
        "unit_number": item.get("unit_number"), "filename": item.get("filename"),
        "shares": _shares(item.get("shares"), option), "iops_limit": item.get("iops_limit"),
        "state": item.get("state") or "present", "destroy": bool(item.get("destroy")),
    }  # fmt: skip
    _check_place(want)
    _check_removal(want)
    return want


def _check_place(want: dict) -> None:
    option, path = want["option"], want["filename"]
    if path is not None and not (all(split_datastore_path(path)) and path.endswith(".vmdk")):
        raise InvalidArgument(
            f"{option}.filename must look like '[datastore] dir/disk.vmdk', got '{path}'"
        )
    if want["unit_number"] is not None and want["controller_number"] is None:
        want["controller_number"] = 0
    bus = BUSES[want["controller"] or "scsi"]
    number = want["controller_number"]
    if number is not None and not 0 <= number < bus.count:
        raise InvalidArgument(
            f"{option}.controller_number: a VM has {bus.label} controllers 0 to "
            f"{bus.count - 1}, got {number}"
        )
    limit = want["iops_limit"]
    if limit is not None and limit != -1 and limit < 1:
        raise InvalidArgument(
            f"{option}.iops_limit must be -1 (unlimited) or more than 0, got {limit}"
        )


def _check_removal(want: dict) -> None:
    option = want["option"]
    if want["destroy"] and want["state"] != "absent":
        raise InvalidArgument(f"{option}.destroy: only a disk with state absent is destroyed")
    if want["state"] == "absent" and want["unit_number"] is None and want["filename"] is None:
        raise InvalidArgument(
            f"{option}.state: a disk to remove is named by unit_number (with controller and "
            "controller_number) or by filename, so that a second run removes no other disk"
        )


def _shares(value, option: str):
    """'low' | 'normal' | 'high', or a number of shares (custom)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in SHARE_LEVELS:
        return text
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise InvalidArgument(f"{option}.shares must be low, normal, high or a number, got '{value}'")


def _kib(gb: float | None, mb: int | None) -> int | None:
    if gb is not None:
        return int(round(gb * 1024 * 1024))
    return None if mb is None else mb * 1024


def _size(n: int | None) -> str:
    if n is None:
        return "of unknown size"
    return f"{n / 2**30:g} GiB" if n >= 2**30 else f"{n / 2**20:g} MiB"


# ---------------------------------------------------------------- matching


class Layout:
    """A VM's disks and controllers, and the places of the disks a plan adds."""

    def __init__(self, vm: Machine, kind: str = "disks"):
        self.devices = vm.devices
        self.disks = ordered(vm.devices, kind)  # or the CD-ROMs (vm/cdroms.py)
        self.default = (
            "scsi" if kind == "disks" else "ide"
        )  # the bus of an entry without controller
        self.controllers = {c.get("key"): c for c in vm.devices if family_of(c)}
        self.places = positions(vm.devices)
        self.added: list[tuple] = []  # (position, controller, group) of disks the plan adds
        self.candidates: dict = {}  # group -> indexes of the disks it is matched against
        self.groups: list = []

    def position(self, disk: dict) -> tuple:
        place = self.places.get(disk.get("controllerKey"), (9, 0))
        return (*place, disk.get("unitNumber") or 0)

    def fits(self, want: dict, controller: dict | None) -> bool:
        """Whether a disk on `controller` may match an entry without unit_number."""
        if want["controller"] is None and want["controller_number"] is None:
            return True
        bus = BUSES[want["controller"] or self.default]
        if controller is None or not bus.matches(controller):
            return False
        number = want["controller_number"]
        return number is None or (controller.get("busNumber") or 0) == number

    def at(self, want: dict) -> int | None:
        """The index of the disk at the place an entry names."""
        bus = BUSES[want["controller"] or self.default]
        for i, disk in enumerate(self.disks):
            c = self.controllers.get(disk.get("controllerKey"))
            if c is not None and family_of(c) == bus.family and (
                (c.get("busNumber") or 0, disk.get("unitNumber")) ==
                (want["controller_number"], want["unit_number"])
            ):  # fmt: skip
                return i
        return None


def match(wanted: list, layout: Layout) -> list:
    """For each entry, the index of the VM's disk it names, or None (a disk to add).

    `layout.candidates` keeps, for each group of entries matched in order, the disks it was
    matched against; `layout.groups` the groups in the order they were matched.
    """
    out: list = [None] * len(wanted)
    claimed: set[int] = set()
    for i, want in enumerate(wanted):
        if want.get("filename") is not None:
            out[i] = _by_file(want, layout, claimed)
    for i, want in enumerate(wanted):
        if want["unit_number"] is not None and out[i] is None:
            out[i] = _claim(layout.at(want), claimed, want)
    groups = sorted({group(w) for w in wanted if _free(w)}, key=group_order)
    layout.groups = groups
    for key in groups:
        members = [i for i, w in enumerate(wanted) if _free(w) and group(w) == key]
        candidates = [
            d for d, disk in enumerate(layout.disks)
            if d not in claimed and layout.fits(wanted[members[0]], layout.controllers.get(disk.get("controllerKey")))
        ]  # fmt: skip
        layout.candidates[key] = candidates
        for i, d in zip(members, candidates):
            out[i] = d
            claimed.add(d)
    return out


def group_order(group: tuple) -> tuple:
    """Groups with a controller number first, then those with a kind, then the rest."""
    return (group[0] is None, group[1] is None, group[0] or "", group[1] or 0)


def entry_order(want: dict) -> tuple:
    """The order entries are planned in: by place or file first, then as their groups match."""
    return (1, *group_order(group(want))) if _free(want) else (0,)


def _free(want: dict) -> bool:
    return (
        want["unit_number"] is None and want.get("filename") is None and want["state"] == "present"
    )


def group(want: dict) -> tuple:
    """The entries matched together in order: those of one controller kind and number."""
    return (want["controller"], want["controller_number"])


def _by_file(want: dict, layout: Layout, claimed: set) -> int | None:
    for d, disk in enumerate(layout.disks):
        if (disk.get("backing") or {}).get("fileName") == want["filename"]:
            if want["unit_number"] is not None and layout.at(want) != d:
                raise InvalidArgument(
                    f"{want['option']}.unit_number: {want['filename']} is unit "
                    f"{disk.get('unitNumber')} of "
                    f"{name(layout.controllers.get(disk.get('controllerKey')) or {})}; "
                    "moving a disk is not supported"
                )
            return _claim(d, claimed, want)
    return None


def _claim(d: int | None, claimed: set, want: dict) -> int | None:
    if d is None:
        return None
    if d in claimed:
        raise InvalidArgument(f"{want['option']}: another entry of disks names the same disk")
    claimed.add(d)
    return d


# ---------------------------------------------------------------- specs


def disk_facts(want: dict, datastore: str | None, controller: dict, unit: int) -> dict:
    """The managed facts of a disk about to be added (the server names it)."""
    kb = want["size_kb"]
    return {
        "label": None, "capacity_bytes": kb * 1024 if kb is not None else None,
        "datastore": datastore, "disk_type": None if want["filename"] else want.get("type") or "thin",
        "mode": want.get("mode") or "persistent", "controller_kind": kind_of(controller),
        "controller_number": controller.get("busNumber") or 0, "unit_number": unit,
        "file": want["filename"], "shares": want["shares"], "iops_limit": want["iops_limit"],
    }  # fmt: skip


def disk_backing(want: dict, datastore: str | None, ref) -> dict:
    """A flat VMDK backing for a new disk on `datastore` (None: the VM's directory), or for the
    existing file of `filename`."""
    thin, eager = DISK_FLAGS[want.get("type") or "thin"]
    backing = {
        "_type": "VirtualDiskFlatVer2BackingInfo", "fileName": f"[{datastore}]" if ref else "",
        "datastore": ref, "diskMode": want.get("mode") or "persistent",
        "thinProvisioned": thin, "eagerlyScrub": eager,
    }  # fmt: skip
    if want["filename"]:
        backing.update(fileName=want["filename"], thinProvisioned=None, eagerlyScrub=None)
    return backing


def io_allocation(want: dict, have: dict | None = None) -> dict | None:
    """The StorageIOAllocationInfo of `shares` and `iops_limit` (None: neither set)."""
    if want["shares"] is None and want["iops_limit"] is None:
        return None
    out = dict(have or {"_type": "StorageIOAllocationInfo"})
    if want["shares"] is not None:
        level = want["shares"] if isinstance(want["shares"], str) else "custom"
        count = want["shares"] if level == "custom" else None
        out["shares"] = {"_type": "SharesInfo", "shares": count, "level": level}
    if want["iops_limit"] is not None:
        out["limit"] = want["iops_limit"]
    return out


def new_disk(key: int, controller: int, unit: int, want: dict, backing: dict) -> dict:
    """A VirtualDisk to add (with fileOperation create; attached as it is with `filename`)."""
    kb = want["size_kb"] or 0
    disk = {"_type": "VirtualDisk", "key": key, "backing": backing, "controllerKey": controller,
            "unitNumber": unit, "capacityInKB": kb, "capacityInBytes": kb * 1024}  # fmt: skip
    io = io_allocation(want)
    if io is not None:
        disk["storageIOAllocation"] = io
    return disk
