"""Datastore files as volumes: one datastore browser task per datastore, VM disks in one read.

The files of every datastore asked for come from HostDatastoreBrowser.SearchDatastoreSubFolders_Task
(all tasks submitted first, then their results read in one bulk read). Which VMs use a VMDK, its
uuid, capacity and provisioning come from the VMs' disk backings, read in one bulk read of the
VMs on those datastores. Only a VMDK no VM uses has its uuid asked with
VirtualDiskManager.QueryVirtualDiskUuid, when the server has that method.
"""

from __future__ import annotations

import re

from ..vi.collector import get_properties
from ..vi.envelope import MoRef
from ..vi.faults import Fault, TaskFailed, is_not_offered
from ..vi.find import unescape
from ..vi.tasks import wait_for_tasks
from ..vi.values import disk_bytes, join_datastore_path, split_datastore_path
from ..vm.device_facts import disk_type
from .backend import Pool, volume_record
from .ids import reformat_uuid

SEARCH = "datastore search"  # what a failed search task is called in its error
FORMATS = {
    "VmDiskFileInfo": "vmdk", "IsoImageFileInfo": "iso", "VmConfigFileInfo": "vmx",
    "VmNvramFileInfo": "nvram", "VmLogFileInfo": "log",
}  # fmt: skip
EXTENSIONS = {".iso": "iso", ".vmx": "vmx", ".nvram": "nvram", ".log": "log"}
# A disk's data files: the browser shows the descriptor (.vmdk) as the volume.
_EXTENTS = re.compile(r"-(flat|delta|sesparse|rdm|rdmp|ctk|s\d{3})\.vmdk$")
_SHOWN = 5  # files named in a warning; the rest are counted
DISK_QUERY = {
    "_type": "VmDiskFileQuery",
    "details": {"_type": "VmDiskFileQueryFlags", "diskType": True, "capacityKb": True,
                "hardwareVersion": False, "thin": True},
}  # fmt: skip
# VmDiskFileQuery first: a simulator matches queries in order, and this one hides disk extents.
QUERIES = [DISK_QUERY] + [
    {"_type": t}
    for t in (
        "IsoImageFileQuery",
        "VmConfigFileQuery",
        "VmNvramFileQuery",
        "VmLogFileQuery",
        "FileQuery",
    )
]


def search_spec(pattern: str = "*") -> dict:
    """A HostDatastoreBrowserSearchSpec for every file (or those matching `pattern`)."""
    return {
        "_type": "HostDatastoreBrowserSearchSpec",
        "query": QUERIES,
        "details": {"_type": "FileQueryFlags", "fileType": True, "fileSize": True,
                    "modification": False, "fileOwner": False},
        "matchPattern": [pattern],
    }  # fmt: skip


def list_volumes(client, pools: list[Pool], warnings: list[str]) -> list[dict]:
    """Every file of the given datastores: one search task per accessible datastore."""
    pools = [p for p in pools if p.facts["accessible"] and p.handle.get("browser")]
    submitted = [
        (p, client.call(p.handle["browser"], "SearchDatastoreSubFolders_Task",
                        datastorePath=join_datastore_path(p.name, ""), searchSpec=search_spec()))
        for p in pools
    ]  # fmt: skip
    results = wait_for_tasks(client, [task for _p, task in submitted], description=SEARCH)
    found = [(p, r) for (p, task), r in zip(submitted, results)]
    return _volumes(client, found, warnings)


def volumes_at(client, pools: list[Pool], path: str, warnings: list[str]) -> list[dict]:
    """The file at a datastore path: one search task in its folder, on each datastore so named."""
    return look(client, pools, path, warnings)[0]


def look(client, pools: list[Pool], path: str, warnings: list[str]) -> tuple[list, bool, bool]:
    """The same one search per datastore, and what else it shows: (the volumes at the path,
    whether its folder is there, whether the path itself is a folder)."""
    name, rel = split_datastore_path(path)
    folder, _sep, base = rel.rpartition("/")
    if not base:
        return [], bool(rel), False
    found = []
    for pool in [p for p in pools if p.facts["accessible"] and p.handle.get("browser")]:
        task = client.call(
            pool.handle["browser"], "SearchDatastore_Task",
            datastorePath=join_datastore_path(name, folder), searchSpec=search_spec(base),
        )  # fmt: skip
        try:
            found.append((pool, wait_for_tasks(client, [task], description=SEARCH)[0]))
        except TaskFailed as e:
            if e.fault.name not in ("FileNotFound", "InvalidDatastorePath", "CannotAccessFile"):
                raise
    entries = [i for _p, r in found for f in _folders(r) for i in f.get("file") or []]
    is_folder = any(i.get("_type") == "FolderFileInfo" and i.get("path") == base for i in entries)
    volumes = [v for v in _volumes(client, found, warnings) if v["name"] == rel]
    return volumes, bool(found), is_folder


def _volumes(client, found: list[tuple[Pool, object]], warnings: list[str]) -> list[dict]:
    """Volumes from search results, with disk details from the VMs and, if need be, the server."""
    files = [
        (p, folder, info)
        for p, result in found
        for folder in _folders(result)
        for info in folder.get("file") or []
    ]
    has_disks = any(info.get("_type") == "VmDiskFileInfo" for _p, _f, info in files)
    vms = [vm for p, _r in found for vm in p.handle.get("vms") or []] if has_disks else []
    disks = disk_index(client, vms)
    volumes = []
    for pool, folder, info in files:
        vol = file_volume(pool, folder.get("folderPath") or "", info, disks)
        if vol is not None:
            volumes.append((pool, vol))
    unattached = [
        (p, v)
        for p, v in volumes
        if v["format"] == "vmdk" and not v["attached_to"] and v["key"] is None
    ]
    query_disk_uuids(client, unattached, warnings)
    return sorted((v for _p, v in volumes), key=lambda v: (v["pool"], v["name"]))


def _folders(result) -> list[dict]:
    """SearchDatastoreSubFolders_Task gives a list of folders, SearchDatastore_Task one."""
    if isinstance(result, list):
        return result
    return [result] if isinstance(result, dict) else []


def file_volume(pool: Pool, folder_path: str, info: dict, disks: dict) -> dict | None:
    """The volume of one FileInfo found in `folder_path`; None for folders and disk extents."""
    kind, name = info.get("_type") or "FileInfo", info.get("path") or ""
    if kind == "FolderFileInfo" or not name or (kind != "VmDiskFileInfo" and _EXTENTS.search(name)):
        return None
    _ds, folder = split_datastore_path(folder_path)
    rel = f"{folder}/{name}" if folder else name
    ext = name[name.rfind(".") :].lower() if "." in name else ""
    fmt = FORMATS.get(kind) or EXTENSIONS.get(ext, "other")
    size = info.get("fileSize") or 0
    vol = volume_record(
        name=rel, path=join_datastore_path(pool.name, rel), pool=pool.name, pool_uuid=pool.uuid,
        type="file", format=fmt, capacity_bytes=size, allocation_bytes=size,
    )  # fmt: skip
    if fmt == "vmdk":
        vol.update(_disk_fields(info, disks.get((pool.handle["ref"], rel))))
    return vol


def _disk_fields(info: dict, disk: dict | None) -> dict:
    """key, capacity, thin, disk_type and attached_to of a VMDK, from the browser and its VMs."""
    backing = (disk or {}).get("backing") or {}
    capacity = info.get("capacityKb") * 1024 if info.get("capacityKb") is not None else None
    if capacity is None:
        capacity = (disk or {}).get("capacity")
    thin = info.get("thin")
    if thin is None and "thinProvisioned" in backing:
        thin = bool(backing["thinProvisioned"])
    if backing:
        kind = disk_type(backing)
    else:
        kind = (
            disk_type({"_type": info.get("diskType"), "thinProvisioned": thin})
            if info.get("diskType")
            else None
        )
    fields = {"key": reformat_uuid(backing.get("uuid")), "thin": thin, "disk_type": kind}
    fields["attached_to"] = sorted((disk or {}).get("vms") or [])
    if capacity is not None:
        fields["capacity_bytes"] = capacity
    return fields


def disk_index(client, vms: list[MoRef]) -> dict[tuple[MoRef, str], dict]:
    """(datastore, 'dir/file.vmdk') -> backing, capacity and VM names, for every disk file in use.

    One bulk read of the VMs' devices; snapshot parents count as used by the VM too.
    """
    rows = get_properties(client, vms, {"VirtualMachine": ["name", "config.hardware.device"]})
    index: dict[tuple[MoRef, str], dict] = {}
    for props in rows.values():
        vm = unescape(props.get("name"))
        for device in props.get("config.hardware.device") or []:
            if device.get("_type") != "VirtualDisk":
                continue
            capacity = disk_bytes(device)
            backing = device.get("backing") or {}
            while backing:
                _ds, rel = split_datastore_path(backing.get("fileName") or "")
                if backing.get("datastore") is not None and rel:
                    entry = index.setdefault(
                        (backing["datastore"], rel),
                        {"backing": backing, "capacity": capacity, "vms": []},
                    )
                    if vm not in entry["vms"]:
                        entry["vms"].append(vm)
                backing = backing.get("parent") or {}
    return index


def query_disk_uuids(client, disks: list[tuple[Pool, dict]], warnings: list[str]) -> None:
    """Set the key of unattached VMDKs with QueryVirtualDiskUuid, if the server has it.

    A file the server answers with a fault (gone, locked, not a disk) keeps a null key; one
    warning names those files and the faults.
    """
    manager = (client.content or {}).get("virtualDiskManager")
    if manager is None:
        return
    failed = []
    for pool, vol in disks:
        try:
            uuid = client.call(
                manager,
                "QueryVirtualDiskUuid",
                name=vol["path"],
                datacenter=pool.handle.get("datacenter"),
            )
        except Fault as e:
            if is_not_offered(e):
                break  # the server has no such method: no file has a key to give
            failed.append(f"{vol['path']} ({e})")
            continue
        vol["key"] = reformat_uuid(uuid)
    if failed:
        warnings.append(_unread_uuids(failed))


def _unread_uuids(failed: list[str]) -> str:
    """The warning for VMDKs whose uuid the server did not give (the first few named)."""
    shown = "; ".join(failed[:_SHOWN])
    if len(failed) > _SHOWN:
        shown += f"; and {len(failed) - _SHOWN} more"
    return (
        f"the virtual disk uuid of {len(failed)} VMDK(s) no VM uses could not be read, "
        f"so their key is null: {shown}"
    )
