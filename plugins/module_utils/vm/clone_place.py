"""Where a clone goes (esx_vm with `template`): the placement options against the source's own.

The rule (docs/vm.md "Deploy from a template"), as vCenter reads a clone's RelocateSpec:
- nothing given (no host, cluster, resource_pool, datastore, folder): the source's placement -
  its host, its resource pool (a template has none: the root pool of its host's cluster or
  standalone host), its datastore;
- host, cluster or resource_pool: they place the clone as they place a new VM;
- datastore without them: the source's host when it mounts the datastore, else a connected
  host outside maintenance mode that does (one of the source's cluster first, then by name);
- folder without any of these: a new VM's default compute placement (the only cluster or
  standalone host of the datacenter, else an error asking for one);
- without datastore: the source's datastore when the clone's host (or cluster) sees it, else
  the only one it sees, else an error asking for one. A given datastore must be mounted by the
  clone's host, or by a host of the cluster DRS places it in;
- without folder: the VM folder of the source's datacenter.
"""

from __future__ import annotations

from dataclasses import replace

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument
from ..vi.values import datastore_name
from .placement import Catalog, Placement, place
from .request import PlacementRequest

COMPUTE = ("host", "cluster", "resource_pool")


def target(want: PlacementRequest, facts: dict, catalog=None) -> PlacementRequest:
    """The placement request the clone is placed by: `want` completed by the rule above.

    `catalog()` gives the source datacenter's Catalog (read only for a datastore alone)."""
    if not want.datacenter and not want.folder:
        want = replace(want, datacenter=facts["datacenter"])
    if any(getattr(want, option) for option in COMPUTE):
        return want
    if want.datastore:
        return replace(want, host=mounting_host(catalog(), want.datastore, facts))
    if want.folder:
        return want
    return replace(want, host=facts["host"])


def mounting_host(cat: Catalog, datastore: str, facts: dict) -> str:
    """The host a clone given only `datastore` goes to: the source's when it mounts it, else
    one that does, of the source's cluster first."""
    ref = cat.datastore(datastore, "datastore")
    hosts = [
        h for h, p in cat.rows.items()
        if h.type == "HostSystem" and ref in (p.get("datastore") or [])
        and p.get("runtime.connectionState") == "connected" and not p.get("runtime.inMaintenanceMode")
    ]  # fmt: skip
    if not hosts:
        raise InvalidArgument(
            f"datastore: datastore '{datastore}' is mounted by no connected host outside "
            f"maintenance mode in datacenter '{cat.name}'; set host or cluster"
        )
    preferred = (
        [h for h in hosts if cat.label(h) == facts["host"]]
        or [h for h in hosts if cat.label(cat.props(h).get("parent")) == _compute_of(facts)]
        or hosts
    )
    return cat.label(min(preferred, key=cat.label))


def _compute_of(facts: dict) -> str | None:
    """The name of the source's cluster, or of its standalone host's compute resource."""
    return facts.get("cluster") or facts.get("host")


def finish(where: Placement, want: PlacementRequest, props: dict, derived: bool) -> Placement:
    """The source VM's own pool when the rule (`derived`: not an option) put the clone on a
    host of the source's cluster (vCenter's default for a RelocateSpec without pool); a given
    datastore checked against the hosts of the cluster DRS places the clone in."""
    cat = where.catalog
    pool = props.get("resourcePool")
    if (
        derived
        and not props.get("config.template")
        and pool is not None
        and cat.props(pool).get("owner") == where.compute
    ):
        where = replace(where, pool=pool)
    if want.datastore and where.host is None and where.compute is not None:
        _check_cluster_sees(cat, where.compute, want.datastore)
    return where


def _check_cluster_sees(cat: Catalog, cluster: MoRef, datastore: str) -> None:
    ref = cat.datastore(datastore, "datastore")
    hosts = cat.props(cluster).get("host") or []
    if not any(ref in (cat.props(h).get("datastore") or []) for h in hosts):
        raise InvalidArgument(
            f"datastore: datastore '{datastore}' is mounted by no host of cluster "
            f"'{cat.label(cluster)}'"
        )


def place_clone(client, want: PlacementRequest, facts: dict, props: dict) -> Placement:
    """Resolve the clone's folder, pool, host and datastore (see the module's rule)."""
    request = target(want, facts, lambda: Catalog(client, None, facts["datacenter"]))
    source_ds = datastore_name(props.get("config.files.vmPathName"))
    where = place(client, request, prefer_datastore=source_ds)
    return finish(where, want, props, derived=bool(request.host and not want.host))
