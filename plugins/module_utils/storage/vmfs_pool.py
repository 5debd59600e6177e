"""VMFS pools for esx_storage_pool: a VMFS datastore made on a whole LUN of one host.

The server's own QueryVmfsDatastoreCreateOptions gives the partition layout (read when the
datastore is made); CreateVmfsDatastore makes it. A LUN that backs a VM's raw device mapping is
never taken; one with partitions only when overwrite_partitions says so (both read while
planning: RetrieveDiskPartitionInfo and the VMs' disk backings). Removal is pool.plan_absent's
(RemoveDatastore, refused while registered VMs have files there).
"""

from __future__ import annotations

from ..vi.collector import collect
from ..vi.faults import InvalidArgument, NotFound
from ..vi.find import unescape
from .calls import Call
from .pool import Inventory, PoolRequest, mounted


def find_lun(host: str, props: dict, lun: str) -> dict:
    """The host's LUN with this canonical name or device path."""
    for candidate in props.get("config.storageDevice.scsiLun") or []:
        if lun in (candidate.get("canonicalName"), candidate.get("devicePath")):
            return candidate
    raise NotFound(
        f"lun: '{lun}' not found on host '{host}' (give a canonical name or device path)"
    )


def extents(props: dict) -> set:
    """The disks a datastore's VMFS volume spans."""
    vmfs = (props.get("info") or {}).get("vmfs") or {}
    return {e.get("diskName") for e in vmfs.get("extent") or []}


class CreateSpec:
    """The VmfsDatastoreCreateSpec the server offers for the whole LUN, named as asked."""

    def __init__(self, system, device_path: str, name: str, version: int):
        self.system, self.device_path, self.name, self.version = system, device_path, name, version

    def resolve(self, client) -> dict:
        options = client.call(
            self.system, "QueryVmfsDatastoreCreateOptions",
            devicePath=self.device_path, vmfsMajorVersion=self.version,
        )  # fmt: skip
        options = options if isinstance(options, list) else [options] if options else []
        whole = [
            o
            for o in options
            if (o.get("info") or {}).get("_type") == "VmfsDatastoreAllExtentOption"
        ]
        if not (whole or options):
            raise NotFound(
                f"lun: the server offers no way to make a VMFS datastore on '{self.device_path}'"
            )
        spec = (whole or options)[0]["spec"]
        spec["vmfs"] = dict(spec.get("vmfs") or {}, volumeName=self.name, majorVersion=self.version)
        return spec


def plan_present(inv: Inventory, request: PoolRequest) -> list[Call]:
    """CreateVmfsDatastore on the one host, unless it has the datastore on that LUN already."""
    host = request.hosts[0]
    if host not in inv.hosts:
        raise NotFound(f"hosts: host '{host}' not found")
    props = inv.hosts[host][1]
    lun = find_lun(host, props, request.lun)
    canonical = lun.get("canonicalName")
    have = mounted(inv, host)
    if request.name in have:
        disks = extents(have[request.name][1])
        if canonical not in disks:
            shown = ", ".join(sorted(d for d in disks if d)) or "no LUN (not VMFS)"
            raise InvalidArgument(
                f"host '{host}' has datastore '{request.name}' on {shown}, not on {canonical}"
            )
        return []
    for name, (_ref, ds) in have.items():
        if canonical in extents(ds):
            raise InvalidArgument(
                f"lun: {canonical} holds VMFS datastore '{unescape(name)}' already, not '{request.name}'"
            )
    refuse_rdm(inv, lun)
    partitions = partitions_on(inv.client, props["configManager.storageSystem"], lun)
    if partitions and not request.overwrite_partitions:
        raise InvalidArgument(
            f"lun: {canonical} has partitions ({'; '.join(partitions)}); not made into VMFS "
            f"datastore '{request.name}' unless overwrite_partitions: true (their data is lost)"
        )
    system = props["configManager.datastoreSystem"]
    spec = CreateSpec(system, lun.get("devicePath"), request.name, int(request.vmfs_version))
    return [Call(host, "create", system, "CreateVmfsDatastore", {"spec": spec})]


def partitions_on(client, storage_system, lun: dict) -> list[str]:
    """The LUN's partitions (HostStorageSystem.RetrieveDiskPartitionInfo), as 'number type'."""
    infos = client.call(
        storage_system, "RetrieveDiskPartitionInfo", devicePath=[lun.get("devicePath")]
    )
    infos = infos if isinstance(infos, list) else [infos] if infos else []
    out = []
    for info in infos:
        ranges = [
            r for r in (info.get("layout") or {}).get("partition") or [] if r.get("type") != "none"
        ]
        if ranges:
            out += [f"{r.get('partition')} {r.get('type')}" for r in ranges]
        else:  # no layout: the table itself
            out += [
                f"{a.get('partition')} {a.get('type')}"
                for a in (info.get("spec") or {}).get("partition") or []
            ]
    return out


def refuse_rdm(inv: Inventory, lun: dict) -> None:
    """A LUN a VM's disk maps raw (VirtualDiskRawDiskMappingVer1BackingInfo) is never taken."""
    names = {lun.get("deviceName"), lun.get("devicePath")} - {None}
    rows = collect(inv.client, {"VirtualMachine": ["name", "config.hardware.device"]})
    users = []
    for _ref, props in rows:
        for device in props.get("config.hardware.device") or []:
            backing = device.get("backing") or {}
            if backing.get("_type") != "VirtualDiskRawDiskMappingVer1BackingInfo":
                continue
            same_uuid = lun.get("uuid") and backing.get("lunUuid") == lun.get("uuid")
            if same_uuid or backing.get("deviceName") in names:
                label = (device.get("deviceInfo") or {}).get("label") or f"disk {device.get('key')}"
                users.append(f"{unescape(props.get('name'))} ({label})")
    if users:
        raise InvalidArgument(
            f"lun: {lun.get('canonicalName')} backs raw device mapping(s) of VM(s) "
            f"{', '.join(sorted(users))}; not made into a VMFS datastore (overwrite_partitions "
            "does not override this)"
        )
