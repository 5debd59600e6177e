"""Lookups: name / inventory path / uuid / moid -> MoRef, with NotFound and MultipleFound.

vSphere keeps '/', '\\' and '%' in entity names escaped as %2f, %5c and %25 (ManagedEntity.name).
One rule both ways, so what a user writes is what they read back: a name is escape()d where it
is sent (create, rename) and unescape()d wherever it is compared or returned.

A failed lookup reads "<option>: <what> '<name>' not found in <where>" (not_found()).
"""

from __future__ import annotations

import re

from .collector import collect, get_one, walk_vm_tree
from .envelope import MoRef
from .faults import Fault, ManagedObjectNotFound, MultipleFound, NotFound, is_not_offered

_ESCAPES = re.compile(r"%(2f|5c|25)", re.I)
_UNESCAPE = {"2f": "/", "5c": "\\", "25": "%"}
LABELS = {
    "VirtualMachine": "VM", "HostSystem": "host", "ClusterComputeResource": "cluster",
    "ComputeResource": "compute resource", "ResourcePool": "resource pool",
    "Datastore": "datastore", "Network": "network", "DistributedVirtualPortgroup": "network",
    "Folder": "folder", "Datacenter": "datacenter",
}  # fmt: skip


def unescape(name: str | None) -> str | None:
    """An inventory name as a person reads it (%2f -> /)."""
    if not name or "%" not in name:
        return name
    return _ESCAPES.sub(lambda m: _UNESCAPE[m.group(1).lower()], name)


def escape(name: str) -> str:
    """A name as the server must be sent it (/ -> %2f), so that unescape() gives it back."""
    return name.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def in_datacenter(datacenter: str | None) -> str:
    """Where a lookup looked, for messages: "datacenter 'DC0'", or "any datacenter"."""
    return f"datacenter '{datacenter}'" if datacenter else "any datacenter"


def not_found(what: str, name: str, where: str = "", option: str | None = None) -> NotFound:
    """The NotFound of a lookup: "<option>: <what> '<name>' not found in <where>"."""
    prefix = f"{option}: " if option else ""
    place = f" in {where}" if where else ""
    return NotFound(f"{prefix}{what} '{name}' not found{place}")


def inside(container: str, where: str) -> str:
    """A container in `where`, for messages: "folder 'a' in datacenter 'DC0'" ("folder 'a'"
    when `where` is any datacenter)."""
    return container + ("" if where == in_datacenter(None) else f" in {where}")


def vm_place(folder: str | None, where: str) -> str:
    """Where a VM lookup looked: "folder '/DC0/vm/a' in datacenter 'DC0'", or just `where`."""
    return inside(f"folder '{folder}'", where) if folder else where


def _where_of(datacenter: MoRef | None) -> str:
    """`where` for a lookup below a datacenter MoRef whose name the caller did not give."""
    return in_datacenter(None) if datacenter is None else f"datacenter {datacenter.value}"


def split_path(path: str) -> list[str]:
    """'/dc/vm/a/' -> ['dc', 'vm', 'a']."""
    return [p for p in path.split("/") if p]


class Tree:
    """Names and parents of inventory objects, to turn a MoRef into its inventory path."""

    def __init__(self, rows):
        self.nodes = {ref: (unescape(p.get("name")), p.get("parent")) for ref, p in rows}

    def path(self, ref: MoRef | None) -> str | None:
        """'/dc/vm/folder/name' for an object of this tree; None when unknown."""
        parts = []
        while ref is not None and ref in self.nodes:
            name, parent = self.nodes[ref]
            if parent is None:  # the root folder has no name in paths
                break
            parts.append(name)
            ref = parent
        return "/" + "/".join(reversed(parts)) if parts else None

    def name(self, ref: MoRef | None) -> str | None:
        """The (unescaped) name of an object of this tree; None when unknown."""
        node = self.nodes.get(ref) if ref is not None else None
        return node[0] if node else None

    def datacenter(self, ref: MoRef | None) -> MoRef | None:
        """The datacenter an object is in."""
        while ref is not None and ref in self.nodes:
            if ref.type == "Datacenter":
                return ref
            ref = self.nodes[ref][1]
        return None


def find_datacenter(client, name: str | None = None, option: str | None = None) -> MoRef:
    """The datacenter called `name`; without a name, the only one (an error if there are more).

    `option` names the option the name came from, for the error."""
    rows = collect(client, {"Datacenter": ["name"]})
    names = {ref: unescape(p.get("name")) for ref, p in rows}
    if name is None:
        if len(names) == 1:
            return next(iter(names))
        raise MultipleFound(
            f"{len(names)} datacenters exist, set datacenter to one of them", sorted(names.values())
        )
    matches = [ref for ref, n in names.items() if n == name]
    if not matches:
        prefix = f"{option}: " if option else ""
        raise NotFound(
            f"{prefix}datacenter '{name}' not found (known: {', '.join(sorted(names.values()))})"
        )
    return matches[0]


def find_by_name(
    client,
    type_name: str,
    name: str,
    root: MoRef | None = None,
    where: str = "",
    option: str | None = None,
) -> MoRef:
    """The one object of `type_name` called `name` below `root` (`where` says what root is,
    `option` which option gave the name, both for the errors)."""
    rows = collect(client, {type_name: ["name"]}, root)
    matches = [ref for ref, p in rows if unescape(p.get("name")) == name]
    label = LABELS.get(type_name, type_name)
    if not matches:
        raise not_found(label, name, where, option)
    if len(matches) > 1:
        prefix = f"{option}: " if option else ""
        place = f" in {where}" if where else ""
        raise MultipleFound(
            f"{prefix}{len(matches)} objects named {label} '{name}'{place}",
            [m.value for m in matches],
        )
    return matches[0]


def find_by_moid(client, type_name: str, moid: str, option: str = "moid") -> MoRef:
    """A MoRef for `moid`, checked to exist (a moid is unique on the server: no datacenter)."""
    ref = MoRef(type_name, moid)
    try:
        get_one(client, ref, ["name"])
    except ManagedObjectNotFound:
        raise not_found(
            LABELS.get(type_name, type_name), moid, in_datacenter(None), option
        ) from None
    return ref


def find_by_uuid(
    client,
    uuid: str,
    instance_uuid: bool = False,
    datacenter: MoRef | None = None,
    where: str | None = None,
    option: str = "uuid",
) -> MoRef:
    """The one VM with this BIOS uuid (or instance uuid); `where` names `datacenter` for the
    error. Two VMs with it (a copied VM keeps its source's BIOS uuid) are MultipleFound: acting
    on the one the server happens to answer first could change or delete the other one."""
    found = find_all_by_uuid(client, uuid, instance_uuid, datacenter)
    kind = "VM with instance uuid" if instance_uuid else "VM"
    if not found:
        raise not_found(kind, uuid, where or _where_of(datacenter), option)
    if len(found) > 1:
        what = "instance uuid" if instance_uuid else "BIOS uuid"
        raise MultipleFound(
            f"{option}: {len(found)} VMs have {what} '{uuid}' (a copied VM keeps its source's); "
            "name the VM by moid",
            [r.value for r in found],
        )
    return found[0]


def find_all_by_uuid(
    client, uuid: str, instance_uuid: bool = False, datacenter: MoRef | None = None
) -> list[MoRef]:
    """Every VM with this BIOS uuid (or instance uuid): SearchIndex.FindAllByUuid, or
    FindByUuid (one VM at most) on a server without it.

    The hex digits of a uuid are case-insensitive on input (RFC 4122, section 3) and vSphere
    writes them in lower case, but a server may compare them as text: a uuid with capitals
    that is not found is asked for again in lower case.
    """
    index = client.content["searchIndex"]
    ask = {"datacenter": datacenter, "vmSearch": True, "instanceUuid": instance_uuid}
    method = "FindAllByUuid"
    for text in dict.fromkeys((uuid, uuid.lower())):
        found: list = []
        if method == "FindAllByUuid":
            try:
                found = list(client.call(index, method, uuid=text, **ask) or [])
            except Fault as e:
                if not is_not_offered(e):
                    raise
                method = "FindByUuid"  # and not asked again for the lower-case form
        if method == "FindByUuid":
            one = client.call(index, method, uuid=text, **ask)
            found = [one] if one is not None else []
        if found:
            return found
    return []


VM_TREE = ("VirtualMachine", "Folder", "Datacenter")


def vm_tree(client, datacenter: MoRef | None = None, types=VM_TREE, extra=None):
    """(rows, Tree) of the VM folders and datacenters (and VMs, by default) below `datacenter`:
    name and parent of each, plus `extra` paths by type; one request."""
    paths = {t: ["name", "parent", *((extra or {}).get(t) or [])] for t in types}
    rows = walk_vm_tree(client, paths, root=datacenter)
    return rows, Tree(rows)


def vms_named(rows, tree: Tree, name: str, folder: str | None = None) -> list[MoRef]:
    """The VMs of a vm_tree called `name` (directly in `folder`, when given)."""
    return [
        ref for ref, p in rows
        if ref.type == "VirtualMachine" and unescape(p.get("name")) == name
        and (not folder or folder_matches(tree.path(p.get("parent")), folder,
                                          tree.name(tree.datacenter(p.get("parent")))))
    ]  # fmt: skip


def find_vm_folder(
    rows, tree: Tree, folder: str, datacenters=None, where="any datacenter"
) -> MoRef:
    """The one VM folder of a vm_tree that `folder` names (in `datacenters`, when given)."""
    found = [
        ref for ref, _p in rows
        if ref.type == "Folder" and tree.datacenter(ref) is not None
        and (datacenters is None or tree.datacenter(ref) in datacenters)
        and folder_matches(tree.path(ref), folder, tree.name(tree.datacenter(ref)))
    ]  # fmt: skip
    if not found:
        raise not_found("VM folder", folder, where, "folder")
    if len(found) > 1:
        raise MultipleFound(
            f"folder: {len(found)} VM folders match '{folder}'; set datacenter",
            sorted(tree.path(r) for r in found),
        )
    return found[0]


def find_vm_by_name(
    client,
    name: str,
    folder: str | None = None,
    datacenter: MoRef | None = None,
    where: str | None = None,
    option: str = "name",
) -> MoRef:
    """The VM called `name` (in `folder`, an inventory path, when given); one bulk read.

    `where` names `datacenter` for the error ("datacenter 'DC0'")."""
    rows, tree = vm_tree(client, datacenter)
    vms = vms_named(rows, tree, name, folder)
    if not vms:
        raise not_found("VM", name, vm_place(folder, where or _where_of(datacenter)), option)
    if len(vms) > 1:
        in_folder = f" in folder '{folder}'" if folder else ""
        # The VM's own name is told apart by the identity options; another option's VM (a
        # clone's template) by its inventory path in that option.
        prefix, hint = ("", "set folder, uuid or moid") if option == "name" else (
            f"{option}: ", f"give {option} as the inventory path of one")  # fmt: skip
        raise MultipleFound(
            f"{prefix}{len(vms)} VMs are named '{name}'{in_folder}; {hint}. Their folders",
            sorted(tree.path(tree.nodes[ref][1]) or "?" for ref in vms),
        )
    return vms[0]


def folder_matches(actual: str | None, wanted: str, datacenter: str | None = None) -> bool:
    """Whether folder path `actual` ('/dc/vm/a/b') is `wanted` given in full or below 'vm'.

    `datacenter` is the name of the folder's datacenter: one in folders of its own
    ('/region/dc/vm/a/b') is not the path's first part, and the relative forms start below it.
    """
    if actual is None:
        return False
    have, want = split_path(actual), split_path(wanted)
    if have == want:
        return True
    # Relative forms: 'dc/vm/a/b' (from the datacenter), 'vm/a/b' (below it) or 'a/b' (below
    # the VM folder).
    below = have[_vm_folder_at(have, datacenter) - 1 :]
    return want in (below, below[1:]) or (below[1:2] == ["vm"] and below[2:] == want)


def _vm_folder_at(parts: list[str], datacenter: str | None) -> int:
    """Where the datacenter's VM folder ('vm') is in a folder path's parts: after the first
    part named `datacenter` that 'vm' follows, else second (a datacenter at the top)."""
    for i in range(len(parts) - 1):
        if datacenter is not None and parts[i] == datacenter and parts[i + 1] == "vm":
            return i + 1
    return 1
