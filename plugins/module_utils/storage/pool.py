"""esx_storage_pool's runner: an NFS datastore (nfs_pool.py), a VMFS datastore (vmfs_pool.py) or
an iSCSI target (iscsi_pool.py) added, removed or refreshed on hosts (libvirt's pool-define /
pool-start, pool-destroy / pool-undefine and pool-refresh).

One bulk read gives the hosts, clusters and datastores; plan() compares them with the request
and returns the calls per host; apply() is the only code check mode skips. A datastore that
holds files of registered VMs or templates is never removed: the refusal lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vi.collector import collect
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, NotFound, PartialFailure, WaitTimeout
from ..vi.find import find_datacenter, unescape
from .backend import pool_record
from .calls import Call, apply
from .facade import Storage
from .ids import ISCSI_NAME_FORMS, iscsi_name_problem
from .iscsi import send_target_name

NFS_TYPES = {"3": "NFS", "4.1": "NFS41"}
ACCESS = {"read_write": "readWrite", "read_only": "readOnly"}
STATES = ("present", "absent", "refreshed")
TYPES = ("nfs", "iscsi", "vmfs")
DISCOVERY = ("static", "send_targets")
PATHS = {
    "HostSystem": ["name", "datastore", "configManager.datastoreSystem",
                   "configManager.storageSystem", "config.storageDevice.scsiLun",
                   "config.storageDevice.hostBusAdapter", "config.storageDevice.scsiTopology"],
    "ClusterComputeResource": ["name", "host"],
    "Datastore": ["summary.name", "info", "host", "vm"],
    "VirtualMachine": ["name"],
}  # fmt: skip


@dataclass(frozen=True)
class PoolRequest:
    """One esx_storage_pool run, built once from the module's options (validate() checks it)."""

    name: str
    state: str = "present"
    type: str = "nfs"
    server: str | None = None
    path: str | None = None
    nfs_version: str = "3"
    access: str = "read_write"
    hosts: tuple = ()
    cluster: str | None = None
    datacenter: str | None = None
    address: str | None = None
    port: int = 3260
    discovery: str = "static"
    adapter: str | None = None
    enable_software_adapter: bool = False
    chap_name: str | None = None
    chap_secret: str | None = None
    mutual_chap_name: str | None = None
    mutual_chap_secret: str | None = None
    lun: str | None = None
    vmfs_version: str = "6"
    overwrite_partitions: bool = False
    wait_timeout: float = 3600.0
    check_mode: bool = False

    def validate(self) -> None:
        """Refuse bad values and combinations: errors name the option and the value."""
        for option, value, choices in (
            ("state", self.state, STATES), ("type", self.type, TYPES),
            ("discovery", self.discovery, DISCOVERY),
            ("nfs_version", self.nfs_version, tuple(NFS_TYPES)), ("access", self.access, tuple(ACCESS)),
        ):  # fmt: skip
            if value not in choices:
                raise InvalidArgument(f"{option}: '{value}' is not one of {', '.join(choices)}")
        if self.hosts and self.cluster:
            raise InvalidArgument(
                f"hosts and cluster '{self.cluster}' exclude each other; give one"
            )
        if self.overwrite_partitions and self.type != "vmfs":
            raise InvalidArgument(f"overwrite_partitions applies to type vmfs, not {self.type}")
        if self.type == "iscsi":
            self.validate_iscsi()
        elif self.type == "vmfs":
            self.validate_vmfs()
        elif self.state == "present":
            missing = [o for o in ("server", "path") if not getattr(self, o)]
            if missing:
                raise InvalidArgument(
                    f"{' and '.join(missing)} required for an NFS pool with state present"
                )
            if not (self.hosts or self.cluster):
                raise InvalidArgument("hosts or cluster is required for state present")
            if not self.path.startswith("/"):
                raise InvalidArgument(f"path: '{self.path}' is not an absolute export path")

    def validate_vmfs(self) -> None:
        if self.overwrite_partitions and self.state != "present":
            raise InvalidArgument(
                f"overwrite_partitions applies with state present, not {self.state}"
            )
        if self.vmfs_version not in ("5", "6"):
            raise InvalidArgument(f"vmfs_version: '{self.vmfs_version}' is not one of 5, 6")
        if self.state == "present" and not self.lun:
            raise InvalidArgument("lun is required for a VMFS pool with state present")
        if self.state == "present" and self.cluster:
            raise InvalidArgument(
                f"cluster: '{self.cluster}' does not apply to a VMFS pool, which is made on one "
                "host; give hosts: [that host]"
            )
        if self.state == "present" and len(self.hosts) != 1:
            raise InvalidArgument(f"hosts: a VMFS pool is made on one host, got {len(self.hosts)}")

    def validate_iscsi(self) -> None:
        for name, secret in (("chap", self.chap_secret), ("mutual_chap", self.mutual_chap_secret)):
            if getattr(self, f"{name}_name") and not secret:
                raise InvalidArgument(f"{name}_secret is required with {name}_name")
        if self.mutual_chap_name and not self.chap_name:
            raise InvalidArgument(
                "mutual_chap_name needs chap_name (mutual CHAP is on top of CHAP)"
            )
        if not 0 < self.port < 65536:
            raise InvalidArgument(f"target_port: {self.port} is not a TCP port (1-65535)")
        if self.state != "refreshed" and not self.address:
            raise InvalidArgument("address is required for an iSCSI pool")
        if self.state == "present" and not (self.hosts or self.cluster):
            raise InvalidArgument("hosts or cluster is required for state present")
        problem = iscsi_name_problem(self.name) if self.discovery == "static" else None
        if problem and self.state == "present":
            raise InvalidArgument(
                f"name: '{self.name}' is not an iSCSI target name ({problem}); RFC 3720 "
                f"3.2.6.3 names are {ISCSI_NAME_FORMS}"
            )


@dataclass
class Inventory:
    """What the bulk read found: hosts by name, datastores by ref, clusters by name."""

    hosts: dict  # name -> (ref, props)
    datastores: dict  # ref -> props
    clusters: dict  # name -> props
    vms: dict  # ref -> name
    client: object = None  # for a planner's own reads (a LUN's partitions, VMs' RDMs)


def read(client, root: MoRef | None) -> Inventory:
    rows = collect(client, PATHS, root)
    hosts, datastores, clusters, vms = {}, {}, {}, {}
    for ref, props in rows:
        if ref.type == "HostSystem":
            hosts[unescape(props.get("name"))] = (ref, props)
        elif ref.type == "Datastore":
            datastores[ref] = props
        elif ref.type == "ClusterComputeResource":
            clusters[unescape(props.get("name"))] = props
        elif ref.type == "VirtualMachine":
            vms[ref] = unescape(props.get("name"))
    return Inventory(hosts, datastores, clusters, vms, client)


def export_of(props: dict) -> tuple | None:
    """(server, path) of an NFS datastore, None for any other."""
    nas = (props.get("info") or {}).get("nas") or {}
    if not nas.get("remoteHost"):
        return None
    return nas.get("remoteHost"), nas.get("remotePath")


def target_hosts(inv: Inventory, request: PoolRequest, mounting: list[str]) -> list[str]:
    """The hosts the request names (hosts, or the cluster's); else those that mount the pool."""
    if request.cluster:
        cluster = inv.clusters.get(request.cluster)
        if cluster is None:
            raise NotFound(f"cluster: cluster '{request.cluster}' not found")
        by_ref = {ref: name for name, (ref, _p) in inv.hosts.items()}
        return sorted(by_ref[h] for h in cluster.get("host") or [] if h in by_ref)
    for name in request.hosts:
        if name not in inv.hosts:
            raise NotFound(f"hosts: host '{name}' not found")
    return sorted(request.hosts) if request.hosts else mounting


def mounted(inv: Inventory, host: str) -> dict:
    """name -> (ref, props) of the datastores a host has."""
    _ref, props = inv.hosts[host]
    out = {}
    for ds in props.get("datastore") or []:
        if ds in inv.datastores:
            out[unescape(inv.datastores[ds].get("summary.name"))] = (ds, inv.datastores[ds])
    return out


def plan_absent(inv: Inventory, request: PoolRequest) -> list[Call]:
    """RemoveDatastore on each host that mounts it, unless registered VMs have files there."""
    having = sorted(h for h in inv.hosts if request.name in mounted(inv, h))
    calls = []
    for host in target_hosts(inv, request, having):
        if host not in having:
            continue
        ref, props = mounted(inv, host)[request.name]
        is_vmfs = bool((props.get("info") or {}).get("vmfs"))
        if (export_of(props) is None) if request.type == "nfs" else not is_vmfs:
            raise InvalidArgument(
                f"datastore '{request.name}' on host '{host}' is not "
                f"{'an NFS' if request.type == 'nfs' else 'a VMFS'} datastore"
            )
        users = sorted(inv.vms.get(vm, vm.value) for vm in props.get("vm") or [])
        if users:
            raise InvalidArgument(
                f"datastore '{request.name}' holds files of registered VMs or templates: "
                f"{', '.join(users)}; not removed (force does not override this)"
            )
        system = inv.hosts[host][1]["configManager.datastoreSystem"]
        calls.append(Call(host, "unmount", system, "RemoveDatastore", {"datastore": ref}))
    if request.type == "vmfs" and len(calls) > 1:
        # Removing a VMFS datastore deletes its volume, which every host shares: once, on the
        # first host; the others rescan their VMFS volumes and see it gone.
        calls = calls[:1] + [
            Call(
                c.host, "rescan", inv.hosts[c.host][1]["configManager.storageSystem"], "RescanVmfs"
            )
            for c in calls[1:]
        ]
    return calls


def plan_refresh(inv: Inventory, request: PoolRequest) -> list[Call]:
    """Rescan every HBA and VMFS on the hosts, then refresh the datastore on each."""
    having = sorted(h for h in inv.hosts if holds(inv, h, request))
    hosts = target_hosts(inv, request, having)
    if not hosts:
        raise NotFound(f"name: storage pool '{request.name}' is mounted on no host")
    calls = []
    for host in hosts:
        system = inv.hosts[host][1]["configManager.storageSystem"]
        calls += [
            Call(host, "rescan", system, "RescanAllHba"),
            Call(host, "rescan", system, "RescanVmfs"),
        ]
        if request.type in ("nfs", "vmfs") and request.name in mounted(inv, host):
            ref = mounted(inv, host)[request.name][0]
            calls.append(Call(host, "refresh", ref, "RefreshDatastore"))
    return calls


def holds(inv: Inventory, host: str, request: PoolRequest) -> bool:
    """Whether the host has the pool: the datastore mounted, or the target on an adapter."""
    if request.type in ("nfs", "vmfs"):
        return request.name in mounted(inv, host)
    from . import iscsi_pool

    return bool(iscsi_pool._holding(inv.hosts[host][1], request))


def seen(inv: Inventory, hosts: list[str]) -> dict:
    """What a refresh may add: each host's datastores and LUNs."""
    out = {}
    for host in hosts:
        props = inv.hosts[host][1]
        luns = {lun.get("canonicalName") for lun in props.get("config.storageDevice.scsiLun") or []}
        out[host] = {"datastores": sorted(mounted(inv, host)), "luns": sorted(n for n in luns if n)}
    return out


def pool_name(request: PoolRequest) -> str:
    """The pool's name as esx_storage_pool_info shows it: a send target's is address:port (the
    host keeps no label for it)."""
    if request.type == "iscsi" and request.discovery == "send_targets":
        return send_target_name(request.address, request.port)
    return request.name


def pool_facts(client, request: PoolRequest) -> dict | None:
    name = pool_name(request)
    found = [p for p in Storage(client, datacenter=request.datacenter).pools() if p.named(name)]
    return found[0].facts if found else None


def run(client, request: PoolRequest) -> dict:
    """The module's result: changed, actions per host, diff, and the pool (predicted in check
    mode). Every server call of the run shares the one wait_timeout."""
    what = f"storage pool '{pool_name(request)}'"
    with client.deadline(request.wait_timeout, what, stretch=True):
        return _run(client, request)


def _run(client, request: PoolRequest) -> dict:
    root = (
        find_datacenter(client, request.datacenter, option="datacenter")
        if request.datacenter
        else None
    )
    inv = read(client, root)
    before = pool_facts(client, request)
    calls = _planner(request)(inv, request)
    after = predicted(before, request, calls)
    actions = [{"host": c.host, "action": c.action, "method": c.method} for c in calls]
    if request.check_mode or not calls:
        changed = bool(calls) and request.state != "refreshed"
    else:
        apply(client, calls)
        try:
            after = pool_facts(client, request)
            changed = request.state != "refreshed"
            if request.state == "refreshed":
                hosts = sorted({c.host for c in calls})
                changed = seen(read(client, root), hosts) != seen(inv, hosts)
        except WaitTimeout as e:
            done = [f"{c.action} on {c.host}" for c in calls]  # as apply() reports them
            raise PartialFailure(
                f"wait_timeout: {e.timeout:g}s ran out reading the pool back after "
                f"{', '.join(done)}: {e}", e, changed=True, actions=done,
            ) from None  # fmt: skip
    result = {"changed": changed, "actions": actions, "pool": after,
              "diff": {"before": before or {}, "after": after or {}}}  # fmt: skip
    if request.type == "iscsi" and request.discovery == "send_targets":
        from . import iscsi_pool

        result["discovered"] = iscsi_pool.discovered(client, request)
    return result


def _planner(request: PoolRequest):
    if request.type == "vmfs" and request.state == "present":
        from . import vmfs_pool

        return vmfs_pool.plan_present
    if request.type == "iscsi" and request.state != "refreshed":
        from . import iscsi_pool

        return iscsi_pool.plan_present if request.state == "present" else iscsi_pool.plan_absent
    if request.state == "present":
        from . import nfs_pool

        return nfs_pool.plan_present
    return plan_absent if request.state == "absent" else plan_refresh


def predicted(before: dict | None, request: PoolRequest, calls: list[Call]) -> dict | None:
    """The pool once the calls are made (its hosts; the server fills in the rest)."""
    hosts = set((before or {}).get("hosts") or [])
    if request.state == "present":
        hosts |= {c.host for c in calls}
    elif request.state == "absent":
        hosts -= {c.host for c in calls}
    if not hosts:
        return None
    if before is None and request.type == "iscsi" and request.discovery == "send_targets":
        return pool_record(name=pool_name(request), backend="iscsi", type="iscsi_send_target",
                           hosts=sorted(hosts), address=request.address, port=request.port,
                           targets=[])  # fmt: skip
    if before is None and request.type == "iscsi":
        return pool_record(name=request.name, backend="iscsi", type="iscsi", hosts=sorted(hosts),
                           iqn=request.name, address=request.address, port=request.port)  # fmt: skip
    if before is None and request.type == "vmfs":
        return pool_record(name=request.name, backend="datastore", type="vmfs", hosts=sorted(hosts))
    if before is None:
        kind = "nfs" if request.nfs_version == "3" else "nfs41"
        return pool_record(name=request.name, backend="datastore", type=kind, hosts=sorted(hosts),
                           datacenter=request.datacenter)  # fmt: skip
    return dict(before, hosts=sorted(hosts))
