"""The datastore backend: every datastore is a pool (VMFS, NFS, vSAN, vVol, local), files are volumes.

Pools come from one bulk read of the datastores, the hosts (which datastores each one sees)
and the datacenters (which datastores each one holds). Volumes are in datastore_files.py.
"""

from __future__ import annotations

from ..vi.collector import collect
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument
from ..vi.find import not_found, unescape
from ..vi.values import split_datastore_path
from . import datastore_files
from .backend import CachedPools, Pool, host_in_scope, pool_record
from .ids import datastore_pool_uuid, mount_path_from_url

DATASTORE_PATHS = ("name", "summary", "info", "host", "vm", "browser")
# DatastoreSummary.type -> pool type. A LocalDatastoreInfo (a directory on the host's own file
# system, summary.type OTHER) is `local`; a VMFS volume on a local disk stays `vmfs`.
TYPES = {"VMFS": "vmfs", "NFS": "nfs", "NFS41": "nfs41", "VSAN": "vsan", "VVOL": "vvol"}


def datastore_type(summary_type: str | None, info_type: str | None) -> str:
    """vmfs | nfs | nfs41 | vsan | vvol | local | other."""
    if info_type == "LocalDatastoreInfo":
        return "local"
    return TYPES.get((summary_type or "").upper(), "other")


def pool_state(accessible: bool | None, maintenance_mode: str | None) -> str:
    """running | inaccessible | maintenance."""
    if maintenance_mode == "inMaintenance":
        return "maintenance"
    return "running" if accessible else "inaccessible"


def mount_path(mounts: list, info_url: str | None, host: MoRef | None = None) -> str | None:
    """The datastore's mount path: the host's mount (the first with a path), else from its url."""
    for mount in mounts:
        if host is not None and mount.get("key") != host:
            continue
        path = (mount.get("mountInfo") or {}).get("path")
        if path:
            return path
    return mount_path_from_url(info_url)


def datastore_pool(
    ref: MoRef, props: dict, hosts: list[str], datacenter: str | None, host: MoRef | None = None
) -> dict:
    """The pool fields of one datastore from its properties (name, summary, info, host)."""
    summary = props.get("summary") or {}
    info = props.get("info") or {}
    url = summary.get("url") or info.get("url") or None
    path = mount_path(props.get("host") or [], url, host)
    capacity, free = summary.get("capacity"), summary.get("freeSpace")
    multiple = summary.get("multipleHostAccess")
    return pool_record(
        name=unescape(summary.get("name") or props.get("name")),
        uuid=datastore_pool_uuid(path) if path else None,
        backend=DatastoreBackend.name,
        type=datastore_type(summary.get("type"), info.get("_type")),
        state=pool_state(summary.get("accessible"), summary.get("maintenanceMode")),
        capacity_bytes=capacity,
        allocation_bytes=capacity - free if capacity is not None and free is not None else None,
        available_bytes=free,
        accessible=summary.get("accessible"),
        multiple_host_access=multiple if multiple is not None else len(hosts) > 1,
        url=url,
        path=path,
        hosts=hosts,
        datacenter=datacenter,
        moid=ref.value,
    )


class DatastoreBackend(CachedPools):
    """Datastores as pools; their files (VMDK, ISO, VMX, ...) as volumes."""

    name = "datastore"
    pool_types = frozenset(("vmfs", "nfs", "nfs41", "vsan", "vvol", "local", "other"))
    volume_type = "file"

    def _read_pools(self) -> list[Pool]:
        rows = collect(
            self.client,
            {
                "Datastore": list(DATASTORE_PATHS),
                "HostSystem": ["name", "datastore"],
                "Datacenter": ["name", "datastore"],
            },
            self.scope.root,
        )
        by_type: dict[str, list] = {"Datastore": [], "HostSystem": [], "Datacenter": []}
        for ref, props in rows:
            by_type.setdefault(ref.type, []).append((ref, props))
        host_names = {ref: unescape(p.get("name")) for ref, p in by_type["HostSystem"]}
        host_in_scope(host_names.values(), self.scope)
        seen_by = _seen_by(by_type["HostSystem"], by_type["Datastore"])
        dcs = {
            ds: (ref, unescape(p.get("name")))
            for ref, p in by_type["Datacenter"]
            for ds in p.get("datastore") or []
        }
        scoped = next((r for r, n in host_names.items() if n == self.scope.host), None)
        pools = []
        for ref, props in by_type["Datastore"]:
            hosts = sorted({host_names[h] for h in seen_by.get(ref, ()) if h in host_names})
            if self.scope.host is not None and self.scope.host not in hosts:
                continue
            # Below a datacenter, the view holds its datastores but not the datacenter itself.
            dc_ref, dc_name = dcs.get(ref, (self.scope.root, self.scope.datacenter))
            facts = datastore_pool(ref, props, hosts, dc_name, scoped)
            handle = {
                "ref": ref,
                "browser": props.get("browser"),
                "vms": props.get("vm") or [],
                "datacenter": dc_ref,
            }
            pools.append(Pool(facts, handle))
        return sorted(pools, key=lambda p: (p.name or "", p.facts["datacenter"] or ""))

    def volumes(self, pools: list[Pool]) -> list[dict]:
        return datastore_files.list_volumes(self.client, pools, self.warnings)

    def owns_path(self, path: str) -> bool:
        return path.startswith("[")

    def volumes_at(self, path: str) -> list[dict]:
        name, rel = split_datastore_path(path)
        if name is None or not rel:
            raise InvalidArgument(
                f"path '{path}' is not a datastore path like '[datastore] dir/file'"
            )
        pools = [p for p in self.pools() if p.name == name]
        if not pools:
            where = self.scope.place(f"from path '{path}'")
            raise not_found("storage pool", name, where, "path")
        return datastore_files.volumes_at(self.client, pools, path, self.warnings)


def _seen_by(hosts: list, datastores: list) -> dict[MoRef, set]:
    """Datastore -> the hosts that mount it (its host mounts) or list it (HostSystem.datastore)."""
    seen: dict[MoRef, set] = {}
    for ref, props in datastores:
        seen[ref] = {m.get("key") for m in props.get("host") or [] if m.get("key") is not None}
    for host, props in hosts:
        for ds in props.get("datastore") or []:
            seen.setdefault(ds, set()).add(host)
    return seen
