"""The one VM facts schema, shared by esx_vm, esx_vm_info, esx_migrate and the inventory.

`PATHS` are the exact VI property paths the schema needs. `gather()` reads them for any number
of VMs in one bulk read, then resolves every referenced host, cluster, pool, folder, datastore
and network name (with their ancestors, for paths) in one more. `vm_facts()` is pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..vi.collector import (
    PAGE_SIZE,
    collect,
    get_properties,
    property_spec,
    retrieve,
    traversal,
    with_ancestors,
)
from ..vi.envelope import MoRef
from ..vi.faults import ManagedObjectNotFound
from ..vi.find import Tree, unescape
from . import advanced, hardware, vapp
from .device_facts import device_facts
from .snapshot_tree import facts as snapshot_facts

# What own_facts() reads: the VM's own values, no reference to another object.
OWN_PATHS = (
    "name", "config.uuid", "config.instanceUuid", "config.template", "config.guestId",
    "config.guestFullName", "config.version", "config.annotation",
    "config.hardware.numCPU", "config.hardware.numCoresPerSocket", "config.hardware.memoryMB",
    "runtime.powerState", "runtime.connectionState",
    "guest.hostName", "guest.ipAddress", "guest.net", "guest.toolsStatus", "snapshot",
)  # fmt: skip
PATHS = (
    *OWN_PATHS, "parent", "resourcePool", "datastore", "network", "customValue",
    "config.hardware.device", "runtime.host",
)  # fmt: skip
PATHS += (
    *hardware.PATHS,
    *advanced.PATHS,
    *vapp.PATHS,
)  # firmware, boot, hot add, allocation, settings

# Every path but the device list (and the networks, named only through NIC backings): all facts
# except disks, nics and cdroms, which vm_facts() then gives as empty lists. The inventory reads
# these by default: for a fleet the device lists would be most of the transfer.
SUMMARY_PATHS = tuple(p for p in PATHS if p not in ("config.hardware.device", "network"))
# The facts vm/hardware.py and vm/advanced.py add after the schema's fields.
CONFIG_FIELDS = (*hardware.facts({}), *advanced.facts({}), *vapp.facts({}))
# Facts the inventory leaves out unless it reads devices (settings may hold whole documents).
LIST_FIELDS = ("extra_config", "vapp_properties")
DEVICE_FIELDS = ("disks", "nics", "cdroms", "controllers")
# Every path of PATHS, and the facts it is read for: a reader that drops those facts need not
# read the path (the inventory, esx_vm_info's `facts`). A fact may need several paths: disks
# name their datastores and NICs their networks (resolved through `datastore` and `network`),
# and cores_per_socket and the hot add flags tell "unset" from "no configuration" by numCPU.
READ_ONLY_FOR = {
    "name": ("name",), "config.uuid": ("uuid",), "config.instanceUuid": ("instance_uuid",),
    "config.template": ("template",), "config.guestId": ("guest_id",),
    "config.guestFullName": ("guest_full_name",), "config.version": ("hardware_version",),
    "config.annotation": ("annotation",),
    "config.hardware.numCPU": ("num_cpus", "cores_per_socket", *hardware.FLAGS),
    "config.hardware.numCoresPerSocket": ("cores_per_socket",),
    "config.hardware.memoryMB": ("memory_mb",), "runtime.powerState": ("power_state",),
    "runtime.connectionState": ("connection_state",), "guest.hostName": ("guest_hostname",),
    "guest.ipAddress": ("ip_address",), "guest.net": ("ip_addresses",),
    "guest.toolsStatus": ("tools_status",),
    "snapshot": ("snapshots", "current_snapshot", "snapshot_count"),
    "parent": ("datacenter", "folder"), "runtime.host": ("datacenter", "host", "cluster"),
    "resourcePool": ("resource_pool",), "datastore": ("datastores", "disks"),
    "network": ("nics",), "customValue": ("custom_attributes",),
    "config.hardware.device": ("disks", "nics", "cdroms", "controllers", "linked_clone"),
    **hardware.FACTS_OF,
    **dict.fromkeys(advanced.PATHS, ("extra_config",)),
    **dict.fromkeys(vapp.PATHS, ("vapp_properties",)),
}  # fmt: skip

# The facts, in schema order; every VM has every key (None when the server has no value).
FIELDS = (
    "name", "moid", "uuid", "instance_uuid", "datacenter", "folder", "host", "cluster",
    "resource_pool", "power_state", "connection_state", "template", "guest_id",
    "guest_full_name", "guest_hostname", "ip_address", "ip_addresses", "tools_status",
    "num_cpus", "cores_per_socket", "memory_mb", "hardware_version", "annotation",
    "datastores", "disks", "nics", "cdroms", "custom_attributes",
    "controllers",
    "snapshots", "current_snapshot", "snapshot_count",
    "linked_clone",
)  # fmt: skip

POWER_STATES = {"poweredOn": "powered_on", "poweredOff": "powered_off", "suspended": "suspended"}
TOOLS_STATUS = {
    "toolsOk": "ok", "toolsOld": "old", "toolsNotRunning": "not_running",
    "toolsNotInstalled": "not_installed",
}  # fmt: skip
_BLANK = dict.fromkeys(FIELDS)  # every field, in schema order, before a VM's values


class Names:
    """Names, parents and inventory paths of the objects VMs refer to."""

    def __init__(self, rows: dict, custom_fields: dict | None = None):
        self.props = rows
        self.tree = Tree(rows.items())
        self.custom_fields = custom_fields  # key -> name; None on ESXi

    def name(self, ref: MoRef | None) -> str | None:
        node = self.tree.nodes.get(ref) if ref is not None else None
        return node[0] if node else None

    def parent(self, ref: MoRef | None) -> MoRef | None:
        node = self.tree.nodes.get(ref) if ref is not None else None
        return node[1] if node else None


def referenced(props: dict) -> list[MoRef]:
    """The objects one VM's properties refer to (whose names the facts show)."""
    refs = [props.get("parent"), props.get("resourcePool"), props.get("runtime.host")]
    refs += props.get("datastore") or []
    refs += props.get("network") or []
    return [r for r in refs if r is not None]


def fields_manager(client, wanted: bool = True):
    """The CustomFieldsManager whose field names a read takes along (vCenter only), or None."""
    return client.content.get("customFieldsManager") if wanted and client.is_vcenter else None


def field_names(found: dict, manager) -> dict | None:
    """{key: name} of the custom fields, taken out of `found` (None without a manager)."""
    if manager is None:
        return None
    return {f["key"]: f["name"] for f in (found.pop(manager, {}) or {}).get("field") or []}


def read_with_fields(client, objects: list, types: dict, manager, page_size: int = PAGE_SIZE):
    """One read of `objects` for the paths of `types`, with `manager`'s custom field names
    when it is not None: (found, {key: name} or None)."""
    if manager is not None:
        objects = [*objects, {"_type": "ObjectSpec", "obj": manager, "skip": False}]
        types = {**types, "CustomFieldsManager": ["field"]}
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(t, p) for t, p in types.items()],
        "objectSet": objects,
    }
    found = dict(retrieve(client, [spec], page_size))
    return found, field_names(found, manager)


def resolve_names(client, rows: Iterable[tuple[MoRef, dict]], custom_fields=True) -> Names:
    """One bulk read of every referenced object and its ancestors (plus custom field names,
    unless `custom_fields` is false: no custom_attributes fact is wanted)."""
    refs = [r for _ref, props in rows for r in referenced(props)]
    manager = fields_manager(client, custom_fields)
    if manager is not None:
        refs.append(manager)
    found = with_ancestors(
        client, refs, extra={"CustomFieldsManager": ["field"]} if manager else None
    )
    return Names(found, field_names(found, manager))


def read(
    client, refs: list[MoRef] | None = None, root: MoRef | None = None, extra_paths=(), paths=PATHS
):
    """(ref, properties) for the given VMs, or for every VM below `root`: one bulk read."""
    paths = list(dict.fromkeys((*paths, *extra_paths)))
    if refs is not None:
        return list(get_properties(client, refs, {"VirtualMachine": paths}).items())
    return collect(client, {"VirtualMachine": paths}, root)


def gather(
    client, refs: list[MoRef] | None = None, root: MoRef | None = None, extra_paths=(), paths=PATHS
):
    """Facts of the given VMs (or every VM below root), as (ref, props, facts) triples.

    `paths` may be SUMMARY_PATHS to skip the device lists (disks, nics, cdroms are then empty).
    """
    rows = read(client, refs, root, extra_paths, paths)
    names = resolve_names(client, rows, "customValue" in paths)
    return [(ref, props, vm_facts(ref, props, names)) for ref, props in rows]


def gather_one(client, ref: MoRef, extra_paths=(), paths=PATHS) -> tuple[dict, dict]:
    """(props, facts) of one VM in one read, traversing from it to every object it names.

    From the VM: its parent chain (folders, datacenter), resourcePool -> owner -> host (and
    their parents), datastore and network; plus the custom field names on vCenter. A name the
    traversal cannot reach (a template has no pool, so no path to its host) costs one more read.
    With fewer `paths`, the datastores, networks and custom field names are only read when the
    paths that name them (datastore, network, customValue) are.
    """
    fetched = paths
    paths = list(dict.fromkeys((*paths, *extra_paths)))
    objects = [{"_type": "ObjectSpec", "obj": ref, "skip": False, "selectSet": _from_vm(fetched)}]
    types = {"VirtualMachine": paths, "ManagedEntity": ["name", "parent"]}
    manager = fields_manager(client, "customValue" in fetched)
    found, custom = read_with_fields(client, objects, types, manager)
    props = found.pop(ref, None)
    if props is None:
        raise ManagedObjectNotFound("ManagedObjectNotFound", f"VM {ref.value} is gone")
    missing = [r for r in referenced(props) if r not in found]
    if missing:
        found.update(with_ancestors(client, missing))
    found[ref] = {"name": props.get("name"), "parent": props.get("parent")}
    return props, vm_facts(ref, props, Names(found, custom))


def _from_vm(paths=PATHS) -> list[dict]:
    """TraversalSpecs from a VM to the objects the facts of `paths` name, and up their parent
    chains."""
    up = {"_type": "TraversalSpec", "name": "up", "type": "ManagedEntity", "path": "parent",
          "skip": False, "selectSet": [{"_type": "SelectionSpec", "name": "up"}]}  # fmt: skip
    hosts = dict(traversal("ComputeResource", "host"))
    owner = dict(traversal("ResourcePool", "owner"), selectSet=[hosts, up])
    specs = [up, dict(traversal("VirtualMachine", "resourcePool"), selectSet=[owner, up])]
    return specs + [traversal("VirtualMachine", p) for p in ("datastore", "network") if p in paths]


def vm_facts(ref: MoRef, props: dict, names: Names) -> dict:
    """The facts dict of one VM from its properties and the resolved names."""
    host = props.get("runtime.host")
    compute = names.parent(host)
    facts = dict(_BLANK)  # schema order
    facts.update(own_facts(ref, props))
    facts["datacenter"] = names.name(names.tree.datacenter(props.get("parent") or host))
    facts["folder"] = names.tree.path(props.get("parent"))
    facts["host"] = names.name(host)
    if compute and compute.type == "ClusterComputeResource":
        facts["cluster"] = names.name(compute)
    facts["resource_pool"] = names.name(props.get("resourcePool"))
    facts["datastores"] = [names.name(d) for d in props.get("datastore") or []]
    facts.update(device_facts(props.get("config.hardware.device") or [], names))
    facts["custom_attributes"] = _custom(props.get("customValue"), names.custom_fields)
    facts.update(**hardware.facts(props), **advanced.facts(props), **vapp.facts(props))
    return facts


def own_facts(ref: MoRef, props: dict) -> dict:
    """The facts a VM's own properties give (OWN_PATHS), without any other object's name."""
    return {
        **snapshot_facts(props.get("snapshot")),
        "name": unescape(props.get("name")),
        "moid": ref.value,
        "uuid": props.get("config.uuid") or None,
        "instance_uuid": props.get("config.instanceUuid") or None,
        "power_state": POWER_STATES.get(props.get("runtime.powerState")),
        "connection_state": props.get("runtime.connectionState") or None,
        "template": props.get("config.template"),
        "guest_id": props.get("config.guestId") or None,
        "guest_full_name": props.get("config.guestFullName") or None,
        "guest_hostname": props.get("guest.hostName") or None,
        "ip_address": props.get("guest.ipAddress") or None,
        "ip_addresses": _ip_addresses(props.get("guest.net")),
        "tools_status": TOOLS_STATUS.get(props.get("guest.toolsStatus")),
        "num_cpus": props.get("config.hardware.numCPU"),
        "cores_per_socket": cores_per_socket(props),
        "memory_mb": props.get("config.hardware.memoryMB"),
        "hardware_version": props.get("config.version") or None,
        "annotation": props.get("config.annotation") if "config.annotation" in props else None,
    }


def cores_per_socket(props: dict) -> int | None:
    """Cores per socket; unset (old hardware versions) is one per socket; None without config."""
    cores = props.get("config.hardware.numCoresPerSocket")
    if cores:
        return cores
    return 1 if props.get("config.hardware.numCPU") is not None else None


def _ip_addresses(nets) -> list[str]:
    addresses = []
    for net in nets or []:
        for ip in net.get("ipAddress") or []:
            if ip not in addresses:
                addresses.append(ip)
    return addresses


def _custom(values, fields: dict | None) -> dict | None:
    if fields is None:
        return None
    return {fields.get(v.get("key"), str(v.get("key"))): v.get("value") for v in values or []}
