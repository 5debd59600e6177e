"""The facts snapshot every pre-migration check reads, gathered in two bulk reads.

Read 1 fetches the VM (with its datastores, networks, pool and recent tasks through traversal
specs) and the requested destination host / cluster / pool / datastore (with the compute
resource they belong to). Read 2 fetches the VM's current host and its compute resource, plus
the only host of a standalone destination picked by pool. Everything is turned into plain dicts
keyed by moid, so checks are pure functions that unit tests feed by hand.

The VM and the hosts carry the collection's facts of their own state (vm/facts.py and
host/facts.py own_facts: `power_state: powered_on`, `maintenance_mode`, ...); what the checks
need beyond them is added here. References in the snapshot are moids, the keys of its tables.
"""

from __future__ import annotations

from ..host import facts as host_schema
from ..vi.collector import property_spec, retrieve, traversal
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument
from ..vi.find import unescape
from ..vi.values import datastore_name
from ..vi.values import moid as _moid
from ..vm import facts as vm_schema
from .devices import vm_devices

VM_PATHS = (
    *vm_schema.OWN_PATHS, "runtime.host", "resourcePool", "datastore", "network",
    "runtime.question", "config.hardware.device", "runtime.minRequiredEVCModeKey",
    "runtime.featureRequirement", "summary.storage", "config.files.vmPathName",
    "storage.perDatastoreUsage",
)  # fmt: skip
HOST_PATHS = (
    *host_schema.OWN_PATHS, "parent", "summary.maxEVCModeKey",
    "summary.quickStats.overallMemoryUsage", "config.featureCapability", "datastore", "network",
)  # fmt: skip
PATHS = {
    "VirtualMachine": VM_PATHS,
    "HostSystem": HOST_PATHS,
    "ComputeResource": ("name", "resourcePool", "host"),
    "ResourcePool": ("name", "owner"),
    "Datastore": (
        "name", "host", "summary.accessible", "summary.freeSpace", "summary.capacity",
        "summary.maintenanceMode", "summary.type",
    ),
    "Network": ("name",),
    "Task": ("info.state", "info.descriptionId", "info.name"),
}  # fmt: skip
# From each object read, the references followed to the objects the checks also need.
_ROOT_POOL = traversal("ComputeResource", "resourcePool")
HOPS = {
    "VirtualMachine": [
        traversal("VirtualMachine", p)
        for p in ("datastore", "network", "resourcePool", "recentTask")
    ],
    "HostSystem": [dict(traversal("HostSystem", "parent"), selectSet=[_ROOT_POOL])],
    "ResourcePool": [dict(traversal("ResourcePool", "owner"), selectSet=[_ROOT_POOL])],
    "ComputeResource": [_ROOT_POOL],
}


def read(client, refs: list[MoRef]) -> dict[MoRef, dict]:
    """One RetrievePropertiesEx (plus pages) for `refs` and the objects one hop from them."""
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(t, paths) for t, paths in PATHS.items()],
        "objectSet": [
            {"_type": "ObjectSpec", "obj": r, "skip": False,
             "selectSet": HOPS.get(_family(r.type), [])}
            for r in dict.fromkeys(refs)
        ],
    }  # fmt: skip
    return dict(retrieve(client, [spec]))


def _family(type_name: str) -> str:
    return {"ClusterComputeResource": "ComputeResource", "VirtualApp": "ResourcePool"}.get(
        type_name, type_name
    )


def gather(client, vm: MoRef, destination: dict) -> dict:
    """The snapshot for moving `vm` to `destination` ({host, cluster, pool, datastore} MoRefs)."""
    wanted = [vm] + [destination.get(k) for k in ("host", "cluster", "pool", "datastore")]
    rows = read(client, [r for r in wanted if r is not None])
    props = rows[vm]
    compute = _destination_compute(rows, destination)
    extra = [props.get("runtime.host")]
    if destination.get("host") is None and compute and len(compute.get("host") or []) == 1:
        extra += compute["host"]  # a standalone host: the one host the VM can go to
    extra = [r for r in extra if r is not None and r not in rows]
    if extra:
        rows.update(read(client, extra))
    return build(rows, vm, destination)


def _destination_compute(rows: dict, destination: dict) -> dict | None:
    """Properties of the compute resource the destination names, directly or through host/pool."""
    ref = destination.get("cluster")
    if ref is None and destination.get("host") is not None:
        ref = rows.get(destination["host"], {}).get("parent")
    if ref is None and destination.get("pool") is not None:
        ref = rows.get(destination["pool"], {}).get("owner")
    return rows.get(ref) if ref is not None else None


def build(rows: dict, vm: MoRef, destination: dict) -> dict:
    """The snapshot from the read rows (pure: unit tests call it on recorded rows)."""
    props = rows[vm]
    hosts = {r.value: host_facts(r, p) for r, p in rows.items() if r.type == "HostSystem"}
    computes = {r.value: compute_facts(r, p) for r, p in rows.items() if _is_compute(r)}
    pools = {
        r.value: {
            "moid": r.value,
            "type": r.type,
            "name": unescape(p.get("name")),
            "owner": _moid(p.get("owner")),
        }
        for r, p in rows.items()
        if r.type in ("ResourcePool", "VirtualApp")
    }
    source_host = hosts.get(_moid(props.get("runtime.host")))
    source = {
        "host": source_host,
        "compute": computes.get(source_host["compute"]) if source_host else None,
        "pool": pools.get(_moid(props.get("resourcePool"))),
    }
    return {
        "vm": vm_facts(vm, props, rows),
        "source": source,
        "destination": destination_facts(destination, hosts, computes, pools),
        "pools": pools,
        "datastores": {
            r.value: datastore_facts(r, p) for r, p in rows.items() if r.type == "Datastore"
        },
        "networks": {
            r.value: {"moid": r.value, "name": unescape(p.get("name")), "type": r.type}
            for r, p in rows.items()
            if r.type in ("Network", "DistributedVirtualPortgroup", "OpaqueNetwork")
        },
    }


def _is_compute(ref: MoRef) -> bool:
    return ref.type in ("ComputeResource", "ClusterComputeResource")


class OutsideDestination(InvalidArgument):
    """The host named is outside the cluster, or the compute resource of the resource pool,
    named with it (`option`: cluster or resource_pool); with `hosts`, that host alone is refused."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


def destination_facts(destination: dict, hosts: dict, computes: dict, pools: dict) -> dict:
    """Where the VM goes: host, compute resource, pool (asked for or implied) and datastore."""
    host = hosts.get(_moid(destination.get("host")))
    pool = pools.get(_moid(destination.get("pool")))
    compute_id = _moid(destination.get("cluster"))
    compute_id = compute_id or (host or {}).get("compute") or (pool or {}).get("owner")
    compute = computes.get(compute_id)
    if host and compute and host["moid"] not in compute["hosts"]:
        raise OutsideDestination(
            f"host '{host['name']}' is not in cluster '{compute['name']}'", "cluster"
        )
    if pool and compute and pool["owner"] != compute["moid"]:
        # The host must be a member of the ComputeResource the pool belongs to (vSphere API:
        # MarkAsVirtualMachine, MigrateVM_Task host; VM.RelocatePlacementSpec).
        raise OutsideDestination(
            f"resource_pool '{pool['name']}' does not belong to '{compute['name']}'",
            "resource_pool",
        )
    if host is None and compute and len(compute["hosts"]) == 1:
        host = hosts.get(compute["hosts"][0])
    return {
        "host": host,
        "compute": compute,
        "pool": pool,
        "datastore": _moid(destination.get("datastore")),
    }


def host_facts(ref: MoRef, p: dict) -> dict:
    """One host as the checks see it: its own facts, plus CPU features, memory and references."""
    facts = host_schema.own_facts(ref, p)
    memory = facts["memory_bytes"]
    facts.update(
        compute=_moid(p.get("parent")),
        max_evc=p.get("summary.maxEVCModeKey") or None,
        features={f.get("key"): f.get("value") for f in p.get("config.featureCapability") or []},
        memory_mb=memory // (1024 * 1024) if isinstance(memory, int) else None,
        memory_used_mb=p.get("summary.quickStats.overallMemoryUsage"),
        datastores=[_moid(r) for r in p.get("datastore") or []],
        networks=[_moid(r) for r in p.get("network") or []],
    )
    return facts


def compute_facts(ref: MoRef, p: dict) -> dict:
    """A cluster or a standalone host's compute resource."""
    return {
        "moid": ref.value,
        "name": unescape(p.get("name")),
        "type": "cluster" if ref.type == "ClusterComputeResource" else "standalone",
        "pool": _moid(p.get("resourcePool")),
        "hosts": [_moid(r) for r in p.get("host") or []],
    }


def datastore_facts(ref: MoRef, p: dict) -> dict:
    """A datastore: state, space, and which hosts mount it (and whether they can reach it)."""
    mounts = {}
    for mount in p.get("host") or []:
        info = mount.get("mountInfo") or {}
        mounts[_moid(mount.get("key"))] = {
            "mounted": info.get("mounted") is not False,
            "accessible": info.get("accessible") is not False,
        }
    return {
        "moid": ref.value,
        "name": unescape(p.get("name")),
        "accessible": p.get("summary.accessible") is not False,
        "maintenance_mode": p.get("summary.maintenanceMode") or "normal",
        "type": p.get("summary.type"),
        "free_bytes": p.get("summary.freeSpace"),
        "capacity_bytes": p.get("summary.capacity"),
        "mounts": mounts,
    }


def vm_facts(ref: MoRef, p: dict, rows: dict) -> dict:
    """The VM as the checks see it: its own facts, plus devices, placement and pending work."""
    devices = p.get("config.hardware.device") or []
    question = p.get("runtime.question")
    storage = p.get("summary.storage") or {}
    facts = vm_schema.own_facts(ref, p)
    facts.update(
        question=(question.get("text") or "a question") if question else None,
        running_tasks=_running_tasks(rows),
        min_evc=p.get("runtime.minRequiredEVCModeKey") or None,
        feature_requirements=[
            {"key": f.get("key"), "name": f.get("featureName"), "value": f.get("value")}
            for f in p.get("runtime.featureRequirement") or []
        ],
        host=_moid(p.get("runtime.host")),
        pool=_moid(p.get("resourcePool")),
        datastores=[_moid(r) for r in p.get("datastore") or []],
        config_datastore=_datastore_of(p.get("config.files.vmPathName"), rows),
        networks=[_moid(r) for r in p.get("network") or []],
        committed_bytes=storage.get("committed"),
        committed_by_datastore={
            _moid(u.get("datastore")): u.get("committed")
            for u in p.get("storage.perDatastoreUsage") or []
        },
        **vm_devices(devices, p, rows),
    )
    return facts


def _datastore_of(path: str | None, rows: dict) -> str | None:
    """The moid of the datastore a '[name] dir/file' path is on (among the read datastores)."""
    name = datastore_name(path)
    if name is None:
        return None
    for ref, props in rows.items():
        if ref.type == "Datastore" and unescape(props.get("name")) == name:
            return ref.value
    return None


def _running_tasks(rows: dict) -> list[str]:
    """Descriptions of the VM's recent tasks that are still queued or running."""
    return [
        p.get("info.descriptionId") or p.get("info.name") or r.value
        for r, p in rows.items()
        if r.type == "Task" and p.get("info.state") in ("queued", "running")
    ]


# ---------------------------------------------------------------- what the move changes


def target_pool(s: dict) -> str | None:
    """The pool the relocate spec names: the one asked for, or the new compute's root pool."""
    dest, source = s["destination"], s["source"]
    if dest["pool"]:
        return dest["pool"]["moid"]
    compute = dest["compute"]
    if compute and compute["moid"] != (source["compute"] or {}).get("moid"):
        return compute["pool"]
    return None


def target_host(s: dict) -> dict | None:
    """The host the VM runs on after the move; None when the cluster's DRS will choose."""
    dest, source = s["destination"], s["source"]
    if dest["host"]:
        return dest["host"]
    if dest["compute"] and dest["compute"]["moid"] != (source["compute"] or {}).get("moid"):
        return None
    return source["host"]


def storage_datastores(vm: dict) -> set:
    """The datastores holding the VM's configuration and disks (what a storage move moves)."""
    found = {d["datastore"] for d in vm["disks"] if d["datastore"]}
    if vm.get("config_datastore"):
        found.add(vm["config_datastore"])
    return found


def moves(s: dict) -> dict:
    """Which parts of the placement change: host, compute resource, pool, storage.

    `host` is true when the VM leaves its current host, also when DRS picks the new one.
    """
    vm, dest = s["vm"], s["destination"]
    pool = target_pool(s)
    source_compute = (s["source"]["compute"] or {}).get("moid")
    host = target_host(s)
    return {
        "host": host is None or host["moid"] != vm["host"],
        "compute": bool(dest["compute"]) and dest["compute"]["moid"] != source_compute,
        "pool": pool is not None and pool != vm["pool"],
        "storage": bool(dest["datastore"]) and storage_datastores(vm) != {dest["datastore"]},
    }
