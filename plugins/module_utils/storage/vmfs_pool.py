"""VMFS pools for esx_storage_pool: a VMFS datastore made on a whole LUN of one host.

The server's own QueryVmfsDatastoreCreateOptions gives the partition layout (read when the
datastore is made); CreateVmfsDatastore makes it. Removal is pool.plan_absent's (RemoveDatastore,
refused while registered VMs have files there).
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument, NotFound
from ..vi.find import unescape
from .pool import Call, Inventory, PoolRequest, mounted


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
    system = props["configManager.datastoreSystem"]
    spec = CreateSpec(system, lun.get("devicePath"), request.name, int(request.vmfs_version))
    return [Call(host, "create", system, "CreateVmfsDatastore", {"spec": spec})]
