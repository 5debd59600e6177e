"""Every VM below a root, as facts made page by page, optionally read through parallel sessions.

One read of a small reference table first, through one ContainerView: the name and parent of
every inventory object but the VMs (folders, datacenters, clusters, hosts, pools, datastores,
networks) and the custom field names. Then the VMs, through ContainerViews: each page of
RetrievePropertiesEx becomes facts (and whatever `convert` makes of them) as it arrives, and is
dropped before the next page is asked for, so a read holds its results and one page, never
every page.

With `parallel` above 1 and a way to open more sessions, an endpoint is split into partitions
(its datacenters, or the clusters and standalone hosts of its datacenters when there are fewer
datacenters than parallel reads), read at once, each session taking the next partition left.
Results are sorted by the caller: the order never depends on which session read what.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..vi import sessions
from ..vi.collector import (
    again_if_view_lost,
    call_quietly,
    container_view,
    property_spec,
    retrieve,
    view_spec,
)
from ..vi.envelope import MoRef
from ..vi.faults import ViError, fault
from ..vi.find import LABELS
from .facts import Names, fields_manager, read_with_fields, vm_facts

# What the reference table holds: every type a VM's facts name, and their ancestors.
REFERENCE_TYPES = (
    "Folder", "Datacenter", "ComputeResource", "HostSystem", "ResourcePool", "Datastore", "Network",
)  # fmt: skip
COMPUTE_TYPES = ("ComputeResource", "ClusterComputeResource")
DEFAULT_PARALLEL = 4
# A part covers at least this many hosts: below twice that, one session reads the endpoint
# (logging in another costs more than it saves there).
MIN_HOSTS_PER_PART = 4
PAGE_SIZE = 1000
MIN_PAGE_SIZE = 100


class PartitionFailed(ViError):
    """One partition of a partitioned read failed; the whole read is given up."""

    def __init__(self, message: str, partition: str, cause: Exception):
        super().__init__(message)
        self.partition = partition
        self.cause = cause


@dataclass(frozen=True)
class Partition:
    """VMs below some containers (None: the root folder), read through one view each."""

    label: str
    roots: tuple
    weight: int = 0


@dataclass
class Read:
    """What a read gave: the converted VMs, and how they were read."""

    items: list = field(default_factory=list)
    partitions: int = 1
    sessions: int = 1
    round_trips: int = 0  # of the extra sessions (the caller's client counts its own)
    warnings: list = field(default_factory=list)


def reference_table(client) -> Names:
    """Name and parent of every inventory object but VMs, plus custom field names: one read.

    Through one recursive ContainerView of the root folder over REFERENCE_TYPES (a type takes
    in its subtypes: clusters, vApps, portgroups), destroyed after; the root folder itself,
    which a view does not list, and the custom fields manager are asked for beside it. A
    traversal from the root folder gives the same table, but the PropertyCollector follows its
    specs through every VM folder and every VM in it on the way (about 10x the time on the
    simulator with 4,800 VMs: docs/performance.md, "Scale").
    """
    return again_if_view_lost(_read_reference_table, client)


def _read_reference_table(client) -> Names:
    root = client.content["rootFolder"]
    types = {t: ["name", "parent"] for t in REFERENCE_TYPES}
    with container_view(client, REFERENCE_TYPES) as view:
        objects = [view_spec(view), {"_type": "ObjectSpec", "obj": root, "skip": False}]
        found, custom = read_with_fields(client, objects, types, fields_manager(client), PAGE_SIZE)
    return Names(found, custom)


def plan(names: Names, parallel: int, root: MoRef | None = None) -> list[Partition]:
    """The partitions to read the VMs below `root` in: one, or up to `parallel` balanced ones.

    Below the root folder: the datacenters when there are at least `parallel`, otherwise the
    clusters and standalone hosts. Below a datacenter: its clusters and standalone hosts.
    Below anything narrower: one. Each unit weighs its number of hosts, and each part holds at
    least MIN_HOSTS_PER_PART hosts.
    """
    whole = [Partition("every VM" if root is None else _label(names, root), (root,))]
    if parallel <= 1 or (root is not None and root.type != "Datacenter"):
        return whole
    nodes = names.tree.nodes
    hosts: dict[MoRef, int] = {}
    for ref, (_name, parent) in nodes.items():
        if ref.type == "HostSystem" and parent is not None:
            hosts[parent] = hosts.get(parent, 0) + 1
    computes = [r for r in nodes if r.type in COMPUTE_TYPES]
    if root is not None:
        computes = [r for r in computes if names.tree.datacenter(r) == root]
        units = {r: hosts.get(r, 0) for r in computes}
    else:
        datacenters = [r for r in nodes if r.type == "Datacenter"]
        units = {dc: 0 for dc in datacenters}
        for r in computes:
            dc = names.tree.datacenter(r)
            if dc in units:
                units[dc] += hosts.get(r, 0)
        if len(datacenters) < parallel:
            units = {r: hosts.get(r, 0) for r in computes}
    count = min(parallel, len(units), sum(units.values()) // MIN_HOSTS_PER_PART)
    if count <= 1:
        return whole
    return _balanced(names, units, count)


def _balanced(names: Names, units: dict, parallel: int) -> list[Partition]:
    """Units in `parallel` groups of about equal weight (largest first, each to the lightest)."""
    order = sorted(units, key=lambda r: (-units[r], _label(names, r)))
    groups = [[] for _group in range(min(parallel, len(order)))]
    weights = [0] * len(groups)
    for ref in order:
        n = weights.index(min(weights))
        groups[n].append(ref)
        weights[n] += units[ref]
    parts = []
    for group, weight in zip(groups, weights):
        label = _label(names, group[0])
        if len(group) > 1:
            label += f" and {len(group) - 1} more"
        parts.append(Partition(label, tuple(group), weight))
    return sorted(parts, key=lambda p: -p.weight)


def _label(names: Names, ref: MoRef) -> str:
    kind = LABELS.get(ref.type, ref.type)
    return f"{kind} {names.tree.path(ref) or names.name(ref) or ref.value}"


def read_partition(
    client, part: Partition, paths: list, names: Names, convert, destroy=True, page_size=PAGE_SIZE
) -> list:
    """convert(ref, props, facts) of every VM of one partition, page by page (None: left out).

    `destroy=False` leaves the views to the logout that ends a session opened for this read
    (the server destroys a session's views with it): fewer round trips.
    """
    return again_if_view_lost(_read_views, client, part, paths, names, convert, destroy, page_size)


def _read_views(client, part, paths, names, convert, destroy, page_size) -> list:
    views = []
    try:
        for root in part.roots:
            views.append(client.call(
                client.content["viewManager"], "CreateContainerView",
                container=root or client.content["rootFolder"], type=["VirtualMachine"],
                recursive=True,
            ))  # fmt: skip
        spec = {
            "_type": "PropertyFilterSpec",
            "propSet": [property_spec("VirtualMachine", paths)],
            "objectSet": [view_spec(v) for v in views],
        }
        items = []
        for ref, props in retrieve(client, [spec], page_size):
            item = convert(ref, props, vm_facts(ref, props, names))
            if item is not None:
                items.append(item)
        return items
    finally:
        for view in views if destroy else ():
            call_quietly(client, view, "DestroyView")


def read(
    client,
    convert: Callable,
    paths,
    root: MoRef | None = None,
    parallel: int = 1,
    open_client: Callable | None = None,
) -> Read:
    """Every VM below `root`, converted; partitioned over up to `parallel` sessions.

    `open_client()` gives a new, not connected client for the same endpoint (without it, one
    session). A partition that fails fails the read (PartitionFailed, naming it) and nothing
    is returned; a session the server refuses to open leaves its partitions to the others.
    """
    paths = list(dict.fromkeys(paths))
    names = reference_table(client)
    parts = plan(names, parallel if open_client else 1, root)
    if len(parts) == 1:
        return Read(read_partition(client, parts[0], paths, names, convert))
    return _read_parallel(client, parts, paths, names, convert, open_client)


def _read_parallel(client, parts, paths, names, convert, open_client) -> Read:
    """Partitions read by `client` and len(parts) - 1 new sessions, each taking the next one."""
    run = _Run(parts, paths, names, convert)
    return run.result(sessions.spread(client, open_client, len(parts), run.work, "esx-read"))


class _Run:
    """The shared state of one partitioned read: the parts left, and what each session gave."""

    def __init__(self, parts, paths, names, convert):
        self.parts, self.paths, self.names, self.convert = parts, paths, names, convert
        self.todo: queue.Queue = queue.Queue()
        for n, part in enumerate(parts):
            self.todo.put((n, part))
        self.results: dict[int, list] = {}
        self.failed: list[tuple[int, Partition, Exception]] = []
        self.stop = threading.Event()
        # Pages of PAGE_SIZE in all across the sessions: a page's answer, parsed tree and
        # decoded objects are the read's peak memory, and the sessions hold theirs at once.
        self.page_size = max(MIN_PAGE_SIZE, PAGE_SIZE // len(parts))

    def work(self, session, own: bool) -> None:
        """Read the parts left, one after the other, until none is left or one failed. The
        caller's own session lives on, so its views are destroyed; an extra session's end with
        its logout."""
        try:
            while not self.stop.is_set():
                try:
                    n, part = self.todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    self.results[n] = read_partition(
                        session, part, self.paths, self.names, self.convert, own, self.page_size
                    )
                except ViError as e:
                    self.failed.append((n, part, e))
                    self.stop.set()
        except BaseException:  # the others stop too; sessions.spread raises it in the caller
            self.stop.set()
            raise

    def result(self, spread: sessions.Spread) -> Read:
        """The items in partition order, or the first error."""
        if self.failed:
            raise _failure(min(self.failed, key=lambda f: f[0]), len(self.parts))
        read = Read(partitions=len(self.parts), sessions=spread.sessions)
        read.round_trips = spread.round_trips
        warning = spread.refusal("the VMs were read {n} at a time")
        if warning:
            read.warnings.append(warning)
        for n in range(len(self.parts)):
            read.items.extend(self.results.pop(n))
        return read


def _failure(first: tuple, count: int) -> ViError:
    """The error of the first failed partition, naming it; a refused property stays itself
    (every partition asks for the same paths: the option at fault is what the caller names)."""
    _n, part, error = first
    if isinstance(error, fault("InvalidProperty")):
        return error
    failure = PartitionFailed(
        f"reading the VMs of {part.label} (one of {count} partitions read at once) failed: "
        f"{error}; no VM is returned",
        part.label,
        error,
    )
    failure.__cause__ = error
    return failure
