"""esx_vm_info's runner without Ansible: which VMs the filters select, and their facts.

A name, uuid or moid is looked up first (one call) and only those VMs are read: one VM by name
costs one lookup and one read. Otherwise one ContainerView below the datacenter, host or cluster
is read in bulk, plus one read of the names the VMs refer to. Other filters apply to the facts.
"""

from __future__ import annotations

import re

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, NotFound, fault
from ..vi.find import (
    VM_TREE,
    find_by_moid,
    find_by_name,
    find_by_uuid,
    find_datacenter,
    find_vm_folder,
    folder_matches,
    vm_tree,
    vms_named,
)
from ..vi.values import plain
from .facts import DEVICE_FIELDS, PATHS, SUMMARY_PATHS, gather, gather_one

# A VI property path: dotted names, each optionally keyed, e.g. config.extraConfig["guestinfo.x"].
_PROPERTY_PATH = re.compile(
    r'^[A-Za-z]\w*(\[("[^"]*"|\d+)\])?(\.[A-Za-z]\w*(\[("[^"]*"|\d+)\])?)*$'
)


def vm_info(client, params: dict) -> dict:
    """The module result: {"changed": False, "vms": [facts, ...]} in inventory order."""
    extra = check_properties(params.get("properties") or [])
    try:
        return _vm_info(client, params, extra)
    except fault("InvalidProperty") as e:
        if not extra:
            raise
        raise InvalidArgument(
            f"properties: the server knows no such VirtualMachine property ({e.message or e.name}); "
            f"asked for {', '.join(extra)}"
        ) from None


def check_properties(paths: list) -> list:
    """The properties option, checked: each a VI property path such as config.hardware.numCPU."""
    for path in paths:
        if not _PROPERTY_PATH.match(path or ""):
            raise InvalidArgument(
                f"properties: '{path}' is not a VI property path (like config.hardware.numCPU)"
            )
    return list(paths)


def _vm_info(client, params: dict, extra: list) -> dict:
    devices = params.get("devices", True)
    paths = PATHS if devices else SUMMARY_PATHS
    datacenter = find_datacenter(client, params["datacenter"]) if params.get("datacenter") else None
    refs = _lookup(client, params, datacenter)
    if refs is None:
        root = _root(client, params, datacenter)
        rows = gather(client, root=root, extra_paths=extra, paths=paths)
    elif len(refs) == 1:
        rows = [(refs[0], *gather_one(client, refs[0], extra))]
    else:
        rows = gather(client, refs, extra_paths=extra, paths=paths)
    vms = []
    for _ref, props, facts in rows:
        if not _selected(facts, params):
            continue
        if extra:
            facts["vi_properties"] = {path: plain(props.get(path)) for path in extra}
        if not devices:
            for field in DEVICE_FIELDS:
                facts.pop(field, None)
        vms.append(facts)
    vms.sort(key=lambda f: (f["datacenter"] or "", f["folder"] or "", f["name"] or "", f["moid"]))
    return {"changed": False, "vms": vms}


def _lookup(client, params: dict, datacenter: MoRef | None) -> list[MoRef] | None:
    """The VMs a name / uuid / moid filter names (None: no such filter)."""
    try:
        if params.get("moid"):
            return [find_by_moid(client, "VirtualMachine", params["moid"])]
        if params.get("uuid"):
            return [
                find_by_uuid(client, params["uuid"], params.get("use_instance_uuid"), datacenter)
            ]
    except NotFound:
        return []
    if not params.get("name"):
        return None
    rows, tree = vm_tree(client, datacenter)
    if params.get("folder"):
        find_vm_folder(rows, tree, params["folder"])  # a folder that does not exist is an error
    return vms_named(rows, tree, params["name"], params.get("folder"))


def _root(client, params: dict, datacenter: MoRef | None) -> MoRef | None:
    """The narrowest container the host / cluster / folder / datacenter filters allow."""
    where = f"datacenter '{params['datacenter']}'" if datacenter else ""
    if params.get("host"):
        return find_by_name(client, "HostSystem", params["host"], datacenter, where)
    if params.get("cluster"):
        return find_by_name(client, "ClusterComputeResource", params["cluster"], datacenter, where)
    if params.get("folder"):
        return find_vm_folder(*vm_tree(client, datacenter, types=VM_TREE[1:]), params["folder"])
    return datacenter


def _selected(facts: dict, params: dict) -> bool:
    """Whether one VM's facts pass the filters that apply to facts."""
    if facts.get("template") and not params.get("include_templates"):
        return False
    if params.get("power_state") and facts.get("power_state") != params["power_state"]:
        return False
    for option in ("host", "cluster", "datacenter", "name"):
        if params.get(option) and facts.get(option) != params[option]:
            return False
    return not params.get("folder") or folder_matches(facts.get("folder"), params["folder"])
