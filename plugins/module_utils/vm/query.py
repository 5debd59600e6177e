"""esx_vm_info's runner without Ansible: which VMs the filters select, and their facts.

A name, uuid or moid is looked up first (one call) and only those VMs are read: one VM by name
costs one lookup and one read. Otherwise one read of the names the VMs refer to, then the VMs
below the datacenter, host or cluster through ContainerViews, in partitions read at once when
the server has several datacenters, clusters or hosts (vm/bulk.py); each page becomes facts as
it arrives. With a snapshot filter (has_snapshots: true, snapshot_older_than_days), a first read
of every VM's `snapshot` alone, through one view, picks the VMs; a second read gets the other
properties of those VMs only, and their trees come from the first. Other filters apply to the
facts.
"""

from __future__ import annotations

import re

from ..vi.collector import collect
from ..vi.envelope import MoRef, to_timestamp
from ..vi.faults import InvalidArgument, NotFound, fault
from ..vi.find import (
    VM_TREE,
    find_all_by_uuid,
    find_by_moid,
    find_by_name,
    find_datacenter,
    find_vm_folder,
    folder_matches,
    in_datacenter,
    vm_tree,
    vms_named,
)
from ..vi.session import SERVICE_INSTANCE
from ..vi.values import plain
from . import bulk, fact_selection, snapshot_tree, vapp
from .bulk import DEFAULT_PARALLEL
from .facts import DEVICE_FIELDS, gather, gather_one, resolve_names, vm_facts
from .facts import read as read_properties
from .request import VmQuery

# A VI property path: dotted names, each optionally keyed, e.g. config.extraConfig["guestinfo.x"].
_PROPERTY_PATH = re.compile(
    r'^[A-Za-z]\w*(\[("[^"]*"|\d+)\])?(\.[A-Za-z]\w*(\[("[^"]*"|\d+)\])?)*$'
)


def run(client, query: VmQuery, open_client=None, warn=None) -> dict:
    """The module result: {"changed": False, "vms": [facts, ...]} in inventory order.

    Without a name, uuid or moid, the VMs are read in partitions through up to
    `query.parallel_reads` sessions, `open_client()` giving each new one (vm/bulk.py);
    `warn(message)` hears of sessions the server refused.
    """
    extra, selection = validate(query)
    try:
        return _vm_info(
            client, query, selection, extra, open_client, warn or (lambda _message: None)
        )
    except fault("InvalidProperty") as e:
        raise refused_property(e, extra) or e from None


def validate(query: VmQuery) -> tuple[list, object]:
    """The checks of the query alone (no server; esx_vm_info runs them before it connects):
    the extra property paths and the fact selection, or InvalidArgument."""
    check_filters(query)
    extra = check_properties(query.properties or [])
    if query.snapshot_older_than_days is not None and query.snapshot_older_than_days < 0:
        raise InvalidArgument(
            f"snapshot_older_than_days: {query.snapshot_older_than_days} is negative"
        )
    if query.has_snapshots is False and query.snapshot_older_than_days is not None:
        raise InvalidArgument(  # the two would keep no VM at all
            f"snapshot_older_than_days: {query.snapshot_older_than_days} keeps VMs that have "
            "snapshots, and has_snapshots is false"
        )
    if query.parallel_reads is not None and query.parallel_reads < 1:
        raise InvalidArgument(f"parallel_reads: must be at least 1, got {query.parallel_reads}")
    return extra, fact_selection.select(query.facts, query.devices, filter_facts(query))


def refused_property(error, extra: list) -> InvalidArgument | None:
    """For a path the server refused (InvalidProperty) while `extra` paths were asked for, the
    error naming the `properties` option; None without extra paths (then it is not the user's)."""
    if not extra:
        return None
    path = error.detail.get("name") or error.message or error.name
    return InvalidArgument(
        f"properties: the server knows no such VirtualMachine property ({path}); "
        f"asked for {', '.join(extra)}"
    )


def check_filters(query: VmQuery) -> None:
    """Refuse an empty name, uuid, moid, folder, datacenter, host or cluster: it names no
    object (often a variable that came out empty), and left unset it would read every VM."""
    who = query.identity
    for option, value in (
        ("name", who.name), ("uuid", who.uuid), ("moid", who.moid), ("folder", who.folder),
        ("datacenter", who.datacenter), ("host", query.host), ("cluster", query.cluster),
    ):  # fmt: skip
        if value == "":
            raise InvalidArgument(f"{option}: '' is empty; leave {option} out for every VM")


def check_properties(paths: list) -> list:
    """The properties option, checked: each a VI property path such as config.hardware.numCPU."""
    for path in paths:
        if not _PROPERTY_PATH.match(path or ""):
            raise InvalidArgument(
                f"properties: '{path}' is not a VI property path (like config.hardware.numCPU)"
            )
    return list(paths)


def filter_facts(query: VmQuery) -> tuple[str, ...]:
    """The facts the filters of `query` judge each VM by (read even when not returned)."""
    wanted = [] if query.include_templates else ["template"]
    wanted += [fact for fact in ("power_state", "host", "cluster") if getattr(query, fact)]
    if query.has_snapshots is not None or query.snapshot_older_than_days is not None:
        wanted += fact_selection.SNAPSHOT_FACTS
    return tuple(wanted)


def _vm_info(client, query: VmQuery, selection, extra: list, open_client, warn) -> dict:
    devices, keep, paths = query.devices, selection.keep, selection.paths
    dc_name = query.identity.datacenter
    datacenter = find_datacenter(client, dc_name, option="datacenter") if dc_name else None
    refs = _lookup(client, query, datacenter)
    # Every host / cluster / folder filter names an object that exists, with a lookup too: a
    # typo is an error, not an empty list (the lookup by name has checked its folder).
    named = refs is not None and bool(query.identity.name) and not _picks_one(query)
    root = _root(client, query, datacenter, folder=not named)
    now: list = []  # the server's clock, read once its VMs start to arrive

    def convert(_ref, props, facts):
        if not now:
            now.append(_server_now(client, query))
        if not _selected(facts, query) or not snapshots_selected(facts, query, now[0]):
            return None
        if not devices:
            for field in DEVICE_FIELDS:
                facts.pop(field, None)
        facts = fact_selection.project(facts, keep)
        if extra:
            facts["vi_properties"] = {
                path: vapp.hide_passwords(plain(props.get(path))) for path in extra
            }
        return facts

    trees = None  # the snapshot property of the VMs a snapshot filter picked
    if refs is None and (query.has_snapshots or query.snapshot_older_than_days is not None):
        trees = _with_snapshots(client, query, root, now)
        refs = list(trees)
    if refs is None:
        parallel = query.parallel_reads or DEFAULT_PARALLEL
        read = bulk.read(client, convert, (*paths, *extra), root, parallel, open_client)
        for message in read.warnings:
            warn(message)
        vms = read.items
    else:
        if not refs:
            rows = []
        elif trees is not None:
            rows = _gather_picked(client, trees, extra, paths)
        elif len(refs) == 1:
            # Every fact, with the device lists: the paths esx_vm reads (gather_one's default).
            one = {} if keep is None and devices else {"paths": paths}
            rows = [(refs[0], *gather_one(client, refs[0], extra, **one))]
        else:
            rows = gather(client, refs, extra_paths=extra, paths=paths)
        vms = [convert(ref, props, facts) for ref, props, facts in rows]
        vms = [facts for facts in vms if facts is not None]
    vms.sort(key=lambda f: (f["datacenter"] or "", f["folder"] or "", f["name"] or "", f["moid"]))
    return {"changed": False, "vms": vms}


def _with_snapshots(client, query: VmQuery, root, now) -> dict:
    """{ref: snapshot property} of the VMs below `root` that pass the snapshot filters, from one
    read of every VM's `snapshot` alone through one view and session: a fleet report then reads
    the other properties of those VMs only (most VMs have no snapshot). The property is small,
    so parallel sessions would cost more round trips (logins, one view per part) than they save."""
    rows = collect(client, {"VirtualMachine": ["snapshot"]}, root)
    now.append(_server_now(client, query))
    picked = {}
    for ref, props in rows:
        info = props.get("snapshot")
        if snapshots_selected(snapshot_tree.facts(info), query, now[0]):
            picked[ref] = info
    return picked


def _server_now(client, query: VmQuery) -> float:
    """Now on the server's clock, for snapshot ages: ServiceInstance.CurrentTime, to the
    microsecond, only when an age filter asks (the HTTP Date the client keeps is to the
    second, which would make a snapshot taken this second look younger than 0 days)."""
    if query.snapshot_older_than_days is None:
        return client.server_time()  # no age is compared
    return to_timestamp(client.call(SERVICE_INSTANCE, "CurrentTime"))


def _gather_picked(client, trees: dict, extra: list, paths) -> list:
    """(ref, props, facts) of the VMs a snapshot filter picked: one read of every path but
    `snapshot` (the first read's tree is the one the filter judged), one read of the names."""
    wanted = [p for p in paths if p != "snapshot"]
    rows = read_properties(client, list(trees), extra_paths=extra, paths=wanted)
    for ref, props in rows:
        props.setdefault("snapshot", trees[ref])
    names = resolve_names(client, rows, "customValue" in paths)
    return [(ref, props, vm_facts(ref, props, names)) for ref, props in rows]


def _picks_one(query: VmQuery) -> bool:
    """Whether a moid or uuid picks the VM (then a name is only matched against its facts)."""
    return bool(query.identity.moid or query.identity.uuid)


def _lookup(client, query: VmQuery, datacenter: MoRef | None) -> list[MoRef] | None:
    """The VMs a name / uuid / moid filter names (None: no such filter)."""
    who = query.identity
    if who.moid:
        try:
            return [find_by_moid(client, "VirtualMachine", who.moid)]
        except NotFound:
            return []
    if who.uuid:  # every VM with it: a copied VM keeps its source's BIOS uuid
        return find_all_by_uuid(client, who.uuid, who.use_instance_uuid, datacenter)
    if not who.name:
        return None
    rows, tree = vm_tree(client, datacenter)
    if who.folder:  # a folder that does not exist is an error
        find_vm_folder(rows, tree, who.folder, where=in_datacenter(who.datacenter))
    return vms_named(rows, tree, who.name, who.folder)


def _root(client, query: VmQuery, datacenter: MoRef | None, folder=True) -> MoRef | None:
    """The narrowest container the host / cluster / folder / datacenter filters allow, each
    filter's object looked up (an error naming the option when it does not exist); the folder
    only when `folder`."""
    where = in_datacenter(query.identity.datacenter)
    found = [
        find_by_name(client, type_name, name, datacenter, where, option)
        for option, name, type_name in (
            ("host", query.host, "HostSystem"),
            ("cluster", query.cluster, "ClusterComputeResource"),
        )
        if name
    ]
    if query.identity.folder and folder:
        found.append(find_vm_folder(
            *vm_tree(client, datacenter, types=VM_TREE[1:]), query.identity.folder, where=where
        ))  # fmt: skip
    return found[0] if found else datacenter


def snapshots_selected(facts: dict, query: VmQuery, now: float) -> bool:
    """Whether one VM passes the snapshot filters (`now`: the server's clock, epoch seconds)."""
    if query.has_snapshots is not None and bool(facts["snapshot_count"]) != query.has_snapshots:
        return False
    days = query.snapshot_older_than_days
    if days is None:
        return True
    taken = snapshot_tree.oldest(facts["snapshots"])
    return taken is not None and now - taken > days * 86400


def _selected(facts: dict, query: VmQuery) -> bool:
    """Whether one VM's facts pass the filters that apply to facts."""
    if facts.get("template") and not query.include_templates:
        return False
    if query.power_state and facts.get("power_state") != query.power_state:
        return False
    wanted = {"host": query.host, "cluster": query.cluster,
              "datacenter": query.identity.datacenter, "name": query.identity.name}  # fmt: skip
    for option, value in wanted.items():
        if value and facts.get(option) != value:
            return False
    who = query.identity
    if who.uuid:  # beside a moid, which picked the VM, the uuid must be the VM's too
        have = facts.get("instance_uuid" if who.use_instance_uuid else "uuid") or ""
        if have.lower() != who.uuid.lower():
            return False
    return not who.folder or folder_matches(facts["folder"], who.folder, facts["datacenter"])
