"""VMDKs in a datastore: create, copy, grow, inflate, zero-fill and delete through the
VirtualDiskManager (libvirt's vol-create, vol-clone, vol-resize, vol-wipe and vol-delete).

plan() compares the disk with the request and returns the steps; the steps only run in apply.
A disk a VM uses is never grown, inflated, wiped or deleted here: the refusal names the VMs.
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument, fault
from ..vi.tasks import wait_for_task
from ..vi.values import split_datastore_path
from .backend import volume_record
from .volume import FORMATS, Plan, Step, Target, VolumeRequest, remaining


def plan(client, storage, target: Target, request: VolumeRequest, before: dict | None) -> Plan:
    """The steps that make the VMDK at `target` as the request asks."""
    if request.state == "absent":
        if before is None:
            return Plan(None, None)
        _refuse_in_use(before, "delete")
        return Plan(before, None, [disk_step(target, "delete", "DeleteVirtualDisk_Task")])
    if before is None:
        return _new_disk(client, storage, target, request)
    return _existing_disk(target, request, before)


def _new_disk(client, storage, target: Target, request: VolumeRequest) -> Plan:
    steps = mkdir_steps(target)
    if request.source:
        source = _source(storage, request)
        capacity = max(source["capacity_bytes"] or 0, _wanted_bytes(request) or 0)
        _check_shrink(request, source["capacity_bytes"], f"source '{source['path']}'")
        source_dc = storage.pool(source["pool"]).handle.get("datacenter")
        steps.append(_copy_step(client, target, request, source, source_dc))
        thin = request.format == "thin"
        if capacity > (source["capacity_bytes"] or 0):
            steps.append(_extend_step(target, request, capacity))
        if request.wipe:
            steps.append(disk_step(target, "wipe", "ZeroFillVirtualDisk_Task"))
    else:
        if request.size_kb is None:
            raise InvalidArgument(
                f"size_gb or size_mb is required to create VMDK '{target.path}' (or give source)"
            )
        fmt = request.format or "thin"
        capacity, thin = request.size_kb * 1024, fmt == "thin"
        spec = {
            "_type": "FileBackedVirtualDiskSpec", "diskType": FORMATS[fmt],
            "adapterType": request.adapter_type, "capacityKb": request.size_kb,
        }  # fmt: skip
        steps.append(disk_step(target, "create", "CreateVirtualDisk_Task", spec=spec))
    after = volume_record(
        name=target.rel, path=target.path, pool=target.pool.name, pool_uuid=target.pool.uuid,
        type="file", format="vmdk", capacity_bytes=capacity, thin=thin,
        disk_type=shown_type(thin), attached_to=[],
    )  # fmt: skip
    return Plan(None, after, steps)


def _existing_disk(target: Target, request: VolumeRequest, before: dict) -> Plan:
    steps, after = [], dict(before)
    wanted = _wanted_bytes(request)
    _check_shrink(request, before["capacity_bytes"], f"VMDK '{target.path}'")
    if wanted is not None and wanted > (before["capacity_bytes"] or wanted):
        steps.append(_extend_step(target, request, wanted))
        after["capacity_bytes"] = wanted
    if request.format in ("thick", "eager_zeroed") and before["thin"] is True:
        steps.append(disk_step(target, "inflate", "InflateVirtualDisk_Task"))
        after.update(thin=False, disk_type=shown_type(False))
    elif request.format == "thin" and before["thin"] is False:
        raise InvalidArgument(
            f"format: 'thin' for VMDK '{target.path}', which is {before['disk_type'] or 'thick'}: "
            "a disk cannot be made thin in place; copy it with source and format thin"
        )
    if request.wipe:
        steps.append(disk_step(target, "wipe", "ZeroFillVirtualDisk_Task"))
    if steps:
        _refuse_in_use(before, " and ".join(s.action for s in steps))
    return Plan(before, after, steps)


def shown_type(thin: bool) -> str:
    """The disk_type a VMDK no VM uses shows: the datastore browser tells thin from thick, not
    lazily from eagerly zeroed."""
    return "thin" if thin else "thick"


def _wanted_bytes(request: VolumeRequest) -> int | None:
    return request.size_kb * 1024 if request.size_kb is not None else None


def _check_shrink(request: VolumeRequest, capacity: int | None, what: str) -> None:
    """A disk only grows: a smaller size is an error naming both sizes."""
    wanted = _wanted_bytes(request)
    if wanted is None or capacity is None or wanted >= capacity:
        return
    unit, scale = ("GiB", 1 << 30) if request.size_option == "size_gb" else ("MiB", 1 << 20)
    raise InvalidArgument(
        f"{request.size_option}: {wanted // scale} {unit} is smaller than the {capacity / scale:g} "
        f"{unit} of {what}; a virtual disk cannot shrink"
    )


def _refuse_in_use(volume: dict, what: str) -> None:
    if volume.get("attached_to"):
        raise InvalidArgument(
            f"VMDK '{volume['path']}' is a disk of VM(s) {', '.join(volume['attached_to'])}; "
            f"not going to {what} it (change the VM's disks instead)"
        )


def _source(storage, request: VolumeRequest) -> dict:
    """The source VMDK, any pool: a datastore path."""
    ds, rel = split_datastore_path(request.source)
    if ds is None or not rel:
        raise InvalidArgument(
            f"source: '{request.source}' is not a datastore path '[ds] dir/disk.vmdk'"
        )
    found = storage.volumes(path=request.source, option="source")
    if found[0]["format"] != "vmdk":
        raise InvalidArgument(f"source: '{request.source}' is not a VMDK")
    return found[0]


def _copy_step(client, target: Target, request: VolumeRequest, source: dict, source_dc) -> Step:
    """CopyVirtualDisk_Task: without destSpec the copy is preallocated (API reference), and
    vCenter takes no destSpec, so a thin or eager-zeroed copy needs an ESXi connection."""
    spec = None
    if request.format is not None and request.format != "thick":
        if client.is_vcenter:
            raise InvalidArgument(
                f"format: '{request.format}' with source: vCenter copies a disk preallocated "
                "(thick) only; connect to the ESXi host for another format"
            )
        spec = {"_type": "VirtualDiskSpec", "diskType": FORMATS[request.format],
                "adapterType": request.adapter_type}  # fmt: skip
    return disk_step(
        target, "copy", "CopyVirtualDisk_Task", name_arg="destName",
        sourceName=source["path"], sourceDatacenter=source_dc,
        destDatacenter=target.datacenter, destSpec=spec,
    )  # fmt: skip


def _extend_step(target: Target, request: VolumeRequest, capacity: int) -> Step:
    eager = True if request.format == "eager_zeroed" else None
    return disk_step(
        target, "extend", "ExtendVirtualDisk_Task", newCapacityKb=capacity // 1024, eagerZero=eager
    )


def disk_step(target: Target, action: str, method: str, name_arg: str = "name", **args) -> Step:
    """A VirtualDiskManager task on the target's path, awaited within the deadline."""

    def run(client, deadline) -> None:
        manager = client.content["virtualDiskManager"]
        call_args = dict(args)
        call_args[name_arg] = target.path
        if name_arg == "name":
            call_args["datacenter"] = target.datacenter
        wait_for_task(client, client.call(manager, method, **call_args), remaining(deadline))

    return Step(action, f"{action} VMDK '{target.path}' ({method})", run)


def mkdir_steps(target: Target) -> list[Step]:
    """The step that makes the target's folder, when it has one that the read of the volume
    (volume.current) did not find."""
    folder = target.rel.rpartition("/")[0]
    if not folder or target.folder_there:
        return []
    return [mkdir_step(target, folder)]


def mkdir_step(target: Target, folder: str) -> Step:
    """FileManager.MakeDirectory with its parents; a folder already there is no error."""

    def run(client, deadline) -> None:
        try:
            client.call(
                client.content["fileManager"], "MakeDirectory",
                name=f"[{target.pool.name}] {folder}", datacenter=target.datacenter,
                createParentDirectories=True,
            )  # fmt: skip
        except fault("FileAlreadyExists"):
            pass

    return Step("mkdir", f"make folder '[{target.pool.name}] {folder}'", run)
