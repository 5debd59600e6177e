"""NFS pools for esx_storage_pool: a datastore mounted from one export on every host asked.

An export has one name on every host, and a host that has the name mounts that export with
the version and access asked for; neither changes while it is mounted.
"""

from __future__ import annotations

from ..vi.faults import InvalidArgument
from ..vi.find import unescape
from .calls import Call
from .pool import ACCESS, NFS_TYPES, Inventory, PoolRequest, export_of, mounted, target_hosts


def same_export(found: tuple | None, server: str, path: str) -> bool:
    """Whether an NFS datastore's (server, path) is the export asked for: a server name in any
    case (DNS names are case-insensitive, RFC 4343), a path with or without trailing or
    doubled slashes (/export/ is /export)."""
    if found is None or found[0] is None:
        return False

    def key(host: str, where: str | None) -> tuple:
        return host.lower(), "/" + "/".join(p for p in (where or "").split("/") if p)

    return key(*found) == key(server, path)


def mounted_as(inv: Inventory, request: PoolRequest) -> tuple:
    """(server, path) to mount: as a datastore of that name mounts the export already (a
    datastore's identity is made of those strings, so another spelling would make another
    datastore), else as given."""
    for props in inv.datastores.values():
        found = export_of(props)
        if unescape(props.get("summary.name")) == request.name and same_export(
            found, request.server, request.path
        ):
            return found
    return request.server, request.path


def plan_present(inv: Inventory, request: PoolRequest) -> list[Call]:
    """CreateNasDatastore on each host that lacks the mount; errors for a conflicting one."""
    calls, (server, path) = [], mounted_as(inv, request)
    for host in target_hosts(inv, request, []):
        have = mounted(inv, host)
        if request.name in have:
            found = export_of(have[request.name][1])
            if not same_export(found, request.server, request.path):
                shown = f"{found[0]}:{found[1]}" if found else "a datastore that is not NFS"
                raise InvalidArgument(
                    f"host '{host}' has datastore '{request.name}' from {shown}, not "
                    f"{request.server}:{request.path}"
                )
            check_mount(inv, host, have[request.name][1], request)
            continue
        other = [
            n
            for n, (_r, p) in have.items()
            if same_export(export_of(p), request.server, request.path)
        ]
        if other:
            raise InvalidArgument(
                f"host '{host}' mounts {request.server}:{request.path} as '{other[0]}', not as "
                f"'{request.name}': an export has one name on every host"
            )
        spec = {
            "_type": "HostNasVolumeSpec", "remoteHost": server, "remotePath": path,
            "localPath": request.name, "accessMode": ACCESS[request.access],
            "type": NFS_TYPES[request.nfs_version],
        }  # fmt: skip
        if request.nfs_version == "4.1":
            spec["remoteHostNames"] = [server]
        system = inv.hosts[host][1]["configManager.datastoreSystem"]
        calls.append(Call(host, "mount", system, "CreateNasDatastore", {"spec": spec}))
    return calls


def check_mount(inv: Inventory, host: str, props: dict, request: PoolRequest) -> None:
    """The host's mount has the NFS version and access asked for (neither changes once mounted)."""
    kind = ((props.get("info") or {}).get("nas") or {}).get("type")
    modes = [(m.get("mountInfo") or {}).get("accessMode") for m in props.get("host") or []
             if m.get("key") == inv.hosts[host][0]]  # fmt: skip
    for option, have, table in (
        ("nfs_version", kind, NFS_TYPES),
        ("access", modes[0] if modes else None, ACCESS),
    ):
        shown = {v: k for k, v in table.items()}
        if have in shown and have != table[getattr(request, option)]:
            raise InvalidArgument(
                f"{option}: host '{host}' mounts datastore '{request.name}' with {option} "
                f"{shown[have]}, not {getattr(request, option)}; unmount it (state absent) first"
            )
