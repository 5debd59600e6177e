"""Host facts: what esx_host_info returns and esx_host_maintenance reports, in two bulk reads."""

from __future__ import annotations

from ..vi.collector import collect, get_properties, with_ancestors
from ..vi.envelope import MoRef
from ..vi.find import Tree, unescape

# What own_facts() reads: the host's own state, no reference to another object.
OWN_PATHS = (
    "name", "runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode",
    "runtime.inQuarantineMode", "summary.config.product", "summary.config.vmotionEnabled",
    "summary.currentEVCModeKey", "summary.hardware", "hardware.cpuPkg",
)  # fmt: skip
PATHS = (*OWN_PATHS, "parent", "datastore", "network", "vm")
POWER_STATES = {"poweredOn": "powered_on", "poweredOff": "powered_off", "standBy": "standby"}


def read(client, refs: list[MoRef] | None = None, root: MoRef | None = None):
    """(ref, properties) of the given hosts, or of every host below `root`: one bulk read."""
    if refs is not None:
        return list(get_properties(client, refs, {"HostSystem": list(PATHS)}).items())
    return collect(client, {"HostSystem": list(PATHS)}, root)


def gather(client, refs: list[MoRef] | None = None, root: MoRef | None = None) -> list[dict]:
    """Facts of hosts: their properties, then every referenced name in one more read."""
    rows = read(client, refs, root)
    named = [
        r for _ref, p in rows for r in (*(p.get("datastore") or []), *(p.get("network") or []))
    ]
    names = with_ancestors(client, [ref for ref, _p in rows] + named)
    tree = Tree(names.items())
    return [host_facts(ref, props, tree) for ref, props in rows]


def host_facts(ref: MoRef, props: dict, tree: Tree) -> dict:
    """The facts dict of one host (pure)."""
    compute = tree.nodes.get(ref, (None, None))[1]
    facts = own_facts(ref, props)
    facts.update(
        datacenter=_name(tree, tree.datacenter(ref)),
        cluster=_name(tree, compute)
        if compute and compute.type == "ClusterComputeResource"
        else None,
        vm_count=len(props.get("vm") or []),
        datastores=sorted(n for n in (_name(tree, d) for d in props.get("datastore") or []) if n),
        networks=sorted(n for n in (_name(tree, d) for d in props.get("network") or []) if n),
    )
    return facts


def own_facts(ref: MoRef, props: dict) -> dict:
    """The facts a host's own properties give (OWN_PATHS), without any other object's name."""
    product = props.get("summary.config.product") or {}
    hardware = props.get("summary.hardware") or {}
    packages = props.get("hardware.cpuPkg") or []
    return {
        "name": unescape(props.get("name")),
        "moid": ref.value,
        "connection_state": props.get("runtime.connectionState") or None,
        "power_state": POWER_STATES.get(
            props.get("runtime.powerState"), props.get("runtime.powerState")
        ),
        "maintenance_mode": bool(props.get("runtime.inMaintenanceMode")),
        "quarantine_mode": bool(props.get("runtime.inQuarantineMode")),
        "product": product.get("name"),
        "version": product.get("version"),
        "build": product.get("build"),
        "api_version": product.get("apiVersion"),
        "cpu_vendor": (packages[0].get("vendor") if packages else None) or None,
        "cpu_model": hardware.get("cpuModel"),
        "cpu_cores": hardware.get("numCpuCores"),
        "cpu_threads": hardware.get("numCpuThreads"),
        "memory_bytes": hardware.get("memorySize"),
        "vmotion_enabled": props.get("summary.config.vmotionEnabled"),
        "evc_mode": props.get("summary.currentEVCModeKey") or None,
    }


def _name(tree: Tree, ref: MoRef | None) -> str | None:
    node = tree.nodes.get(ref) if ref is not None else None
    return node[0] if node else None
