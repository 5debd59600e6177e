"""Where a new VM goes, and the datastores and networks its devices name.

`Catalog` reads a datacenter's hosts, clusters, pools, datastores, networks and switches in one
bulk read (on first use) and answers name lookups for vm/spec.py. `place()` turns the placement
options into the folder, pool, host and datastore CreateVM_Task needs. Errors name the option,
the value, and where it was looked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vi.collector import collect
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, MultipleFound, NotFound
from ..vi.find import (
    VM_TREE,
    find_datacenter,
    find_vm_folder,
    unescape,
    vm_tree,
)
from .request import PlacementRequest

COMPUTE = ("ComputeResource", "ClusterComputeResource")
NETWORKS = ("Network", "DistributedVirtualPortgroup", "OpaqueNetwork")
CATALOG_PATHS = {
    "HostSystem": [
        "name",
        "parent",
        "datastore",
        "runtime.connectionState",
        "runtime.inMaintenanceMode",
    ],
    "ComputeResource": ["name", "resourcePool", "host", "datastore", "environmentBrowser"],
    "ClusterComputeResource": [
        "name",
        "resourcePool",
        "host",
        "datastore",
        "environmentBrowser",
        "configurationEx.drsConfig.enabled",
    ],
    "ResourcePool": ["name", "parent", "owner"],
    "Datastore": ["name"],
    "Network": ["name"],
    "DistributedVirtualPortgroup": ["name", "key", "config.distributedVirtualSwitch"],
    "OpaqueNetwork": ["name"],
    "DistributedVirtualSwitch": ["name", "uuid"],
    "VmwareDistributedVirtualSwitch": ["name", "uuid"],
}


class Catalog:
    """Names in one datacenter, read in one bulk read the first time a lookup needs them."""

    def __init__(self, client, datacenter: MoRef | None, name: str):
        self.client, self.datacenter, self.name = client, datacenter, name
        self._rows: dict[MoRef, dict] | None = None

    @property
    def rows(self) -> dict[MoRef, dict]:
        if self._rows is None:
            if self.datacenter is None:
                self.datacenter = find_datacenter(self.client, self.name)
            self._rows = dict(collect(self.client, CATALOG_PATHS, self.datacenter))
        return self._rows

    def props(self, ref: MoRef | None) -> dict:
        return self.rows.get(ref, {}) if ref is not None else {}

    def label(self, ref: MoRef | None) -> str:
        return unescape(self.props(ref).get("name")) or (ref.value if ref else "?")

    def named(self, types, name: str) -> list[MoRef]:
        """The objects of `types` called `name` (unescaped), in this datacenter."""
        return [
            r for r, p in self.rows.items() if r.type in types and unescape(p.get("name")) == name
        ]

    def one(self, types, name: str, option: str, what: str, where: str = "") -> MoRef:
        """The single object called `name`; NotFound / MultipleFound naming the option."""
        found = self.named(types, name)
        place = where or f"datacenter '{self.name}'"
        if not found:
            raise NotFound(f"{option}: {what} '{name}' not found in {place}")
        if len(found) > 1:
            raise MultipleFound(
                f"{option}: {len(found)} objects are named {what} '{name}' in {place}",
                [r.value for r in found],
            )
        return found[0]

    def datastore(self, name: str, option: str) -> MoRef:
        """A datastore of this datacenter by name."""
        return self.one(("Datastore",), name, option, "datastore")

    def network(self, name: str, option: str, switch: str | None = None) -> dict:
        """The NIC backing for a standard or distributed port group called `name` (on the
        distributed switch called `switch`, when given)."""
        found = self.named(NETWORKS, name)
        if switch is not None:
            found = [r for r in found if self._switch_name(r) == switch]
        if not found:
            on = f" on distributed switch '{switch}'" if switch is not None else ""
            raise NotFound(f"{option}: network '{name}'{on} not found in datacenter '{self.name}'")
        if len(found) > 1:
            raise MultipleFound(
                f"{option}: {len(found)} networks are named '{name}' in datacenter "
                f"'{self.name}'; their switches",
                [self._switch_name(r) for r in found],
            )
        ref = found[0]
        if ref.type == "DistributedVirtualPortgroup":
            props = self.props(ref)
            switch = self.props(props.get("config.distributedVirtualSwitch"))
            port = {"_type": "DistributedVirtualSwitchPortConnection",
                    "switchUuid": switch.get("uuid"), "portgroupKey": props.get("key") or ref.value}  # fmt: skip
            return {"_type": "VirtualEthernetCardDistributedVirtualPortBackingInfo", "port": port}
        if ref.type == "OpaqueNetwork":
            raise InvalidArgument(f"{option}: '{name}' is an NSX opaque network, not supported")
        return {
            "_type": "VirtualEthernetCardNetworkBackingInfo",
            "deviceName": name,
            "network": ref,
        }

    def switch_name(self, uuid: str) -> str | None:
        """The name of the distributed switch with this uuid (None: not in this datacenter)."""
        for ref, props in self.rows.items():
            if "DistributedVirtualSwitch" in ref.type and props.get("uuid") == uuid:
                return self.label(ref)
        return None

    def _switch_name(self, ref: MoRef) -> str:
        switch = self.props(ref).get("config.distributedVirtualSwitch")
        return self.label(switch) if switch else "standard switch"


@dataclass
class Placement:
    """Everything CreateVM_Task needs besides the config spec."""

    datacenter: str
    folder: MoRef
    folder_path: str | None
    pool: MoRef
    host: MoRef | None
    datastore: str
    catalog: Catalog
    compute: MoRef | None = None

    @property
    def browser(self) -> MoRef | None:
        """The compute resource's EnvironmentBrowser: the config options the VM may use."""
        return self.catalog.props(self.compute).get("environmentBrowser")

    @property
    def where(self) -> str:
        """The host (or cluster) the VM goes to, for messages."""
        holder = self.host or self.compute
        kind = "host" if holder is None or holder.type != "ClusterComputeResource" else "cluster"
        return f"{kind} '{self.catalog.label(holder)}'"


def place(client, want: PlacementRequest, prefer_datastore: str | None = None) -> Placement:
    """Resolve datacenter, folder, host / cluster / resource_pool and datastore for a new VM.

    Without the datastore option, `prefer_datastore` (a clone's source's) is taken when the
    host (or cluster) sees it."""
    dc_ref, dc_name, folder, folder_path = _folder(client, want)
    catalog = Catalog(client, dc_ref, dc_name)
    compute, pool, host = _compute(catalog, want, prefer_datastore)
    datastore = _datastore(catalog, want, compute, host, prefer_datastore)
    return Placement(dc_name, folder, folder_path, pool, host, datastore, catalog, compute)


def _folder(client, want: PlacementRequest) -> tuple[MoRef, str, MoRef, str | None]:
    """(datacenter, its name, VM folder, folder path) from the datacenter and folder options."""
    rows, tree = vm_tree(client, types=VM_TREE[1:], extra={"Datacenter": ["vmFolder"]})
    props = dict(rows)
    dcs = {r: unescape(p.get("name")) for r, p in rows if r.type == "Datacenter"}
    wanted_dc = want.datacenter
    if wanted_dc:
        known = ", ".join(sorted(dcs.values()))
        dcs = {r: n for r, n in dcs.items() if n == wanted_dc}
        if not dcs:
            raise NotFound(f"datacenter: datacenter '{wanted_dc}' not found (known: {known})")
    folder = want.folder
    if folder:
        where = f"datacenter '{wanted_dc}'" if wanted_dc else "any datacenter"
        found = find_vm_folder(rows, tree, folder, dcs, where)
        dc = tree.datacenter(found)
        return dc, dcs[dc], found, tree.path(found)
    if len(dcs) != 1:
        raise MultipleFound(f"{len(dcs)} datacenters exist, set datacenter to one of them",
                            sorted(dcs.values()))  # fmt: skip
    dc = next(iter(dcs))
    vm_folder = props[dc]["vmFolder"]
    return dc, dcs[dc], vm_folder, tree.path(vm_folder)


def _compute(
    cat: Catalog, want: PlacementRequest, prefer_datastore: str | None = None
) -> tuple[MoRef, MoRef, MoRef | None]:
    """(compute resource, resource pool, host or None) from host, cluster and resource_pool."""
    cluster = host = None
    if want.cluster:
        cluster = cat.one(("ClusterComputeResource",), want.cluster, "cluster", "cluster")
    if want.host:
        host = cat.one(("HostSystem",), want.host, "host", "host")
        if cluster and cat.props(host).get("parent") != cluster:
            raise InvalidArgument(f"host: host '{want.host}' is not in cluster '{want.cluster}'")
    compute = cluster or (cat.props(host).get("parent") if host else None)
    if want.resource_pool:
        pool = _pool(cat, want.resource_pool, compute)
        compute = compute or cat.props(pool).get("owner")
    elif compute:
        pool = cat.props(compute).get("resourcePool")
    else:
        computes = [r for r in cat.rows if r.type in COMPUTE]
        if len(computes) != 1:
            names = ", ".join(sorted(cat.label(r) for r in computes))
            raise InvalidArgument(
                f"set host, cluster or resource_pool: datacenter '{cat.name}' has "
                f"{len(computes)} clusters and standalone hosts ({names})"
            )
        compute = computes[0]
        pool = cat.props(compute).get("resourcePool")
    if host is None and compute.type == "ComputeResource":
        host = (cat.props(compute).get("host") or [None])[0]
    elif host is None and not _drs_enabled(cat, compute):
        host = _eligible_host(cat, compute, want.datastore, prefer_datastore)
    return compute, pool, host


def _drs_enabled(cat: Catalog, cluster: MoRef) -> bool:
    """Whether DRS places VMs in this cluster (then CreateVM_Task may leave the host out)."""
    enabled = cat.props(cluster).get("configurationEx.drsConfig.enabled")
    return str(enabled).lower() == "true"  # typed or not, depending on the server's xsi:type


def _eligible_host(
    cat: Catalog, cluster: MoRef, datastore: str | None, prefer: str | None
) -> MoRef:
    """Without DRS the caller must name the host: the first (by name) that is connected, not
    in maintenance mode, and mounts the datastore option's datastore when it is set (else, of
    those that mount `prefer`, a clone's source datastore, the first when any does)."""
    hosts = [
        h for h in cat.props(cluster).get("host") or []
        if cat.props(h).get("runtime.connectionState") == "connected"
        and not cat.props(h).get("runtime.inMaintenanceMode")
    ]  # fmt: skip
    where = f"cluster '{cat.label(cluster)}'"
    if not hosts:
        raise InvalidArgument(
            f"cluster: {where} has no connected host outside maintenance "
            "mode to place the VM on (and DRS is off); set host"
        )
    if datastore:
        ref = cat.datastore(datastore, "datastore")
        hosts = [h for h in hosts if ref in (cat.props(h).get("datastore") or [])]
        if not hosts:
            raise InvalidArgument(
                f"datastore: datastore '{datastore}' is mounted by no connected host outside "
                f"maintenance mode of {where} (and DRS is off); set host or another datastore"
            )
    elif prefer:
        hosts = [h for h in hosts if _sees(cat, h, prefer)] or hosts
    return min(hosts, key=cat.label)


def _sees(cat: Catalog, host: MoRef, datastore: str) -> bool:
    return any(cat.label(r) == datastore for r in cat.props(host).get("datastore") or [])


def _pool(cat: Catalog, name: str, compute: MoRef | None) -> MoRef:
    pools = [r for r in cat.named(("ResourcePool",), name)
             if compute is None or cat.props(r).get("owner") == compute]  # fmt: skip
    where = f"datacenter '{cat.name}'"
    if compute is not None:
        kind = "cluster" if compute.type == "ClusterComputeResource" else "host"
        where = f"{kind} '{cat.label(compute)}'"
    if not pools:
        raise NotFound(f"resource_pool: resource pool '{name}' not found in {where}")
    if len(pools) > 1:
        raise MultipleFound(
            f"resource_pool: {len(pools)} resource pools are named '{name}' in {where}; "
            "set cluster or host. Their owners",
            [cat.label(cat.props(p).get("owner")) for p in pools],
        )
    return pools[0]


def _datastore(
    cat: Catalog, want: PlacementRequest, compute: MoRef, host: MoRef | None, prefer=None
) -> str:
    """The datastore option checked against what the host (or cluster) sees; else `prefer`
    when it is seen, else the only one."""
    holder = host or compute
    visible = cat.props(holder).get("datastore") or []
    kind = "host" if holder.type == "HostSystem" else "cluster"
    where = f"{kind} '{cat.label(holder)}'"
    name = want.datastore
    if name:
        ref = cat.datastore(name, "datastore")
        if ref not in visible:
            raise InvalidArgument(f"datastore: datastore '{name}' is not available to {where}")
        return name
    if prefer and prefer in (cat.label(r) for r in visible):
        return prefer
    if len(visible) != 1:
        names = ", ".join(sorted(cat.label(r) for r in visible))
        source = f", not the source's datastore '{prefer}'" if prefer else ""
        raise InvalidArgument(
            f"set datastore: {where} sees {len(visible)} datastores ({names}){source}"
        )
    return cat.label(visible[0])
