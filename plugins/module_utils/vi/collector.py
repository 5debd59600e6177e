"""Bulk reads through the PropertyCollector: ContainerView + RetrievePropertiesEx with paging.

Every function here reads many objects in one call (and its continuation pages); none makes a
call per object. Views and unfinished retrievals are cleaned up in `finally`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .envelope import MoRef
from .faults import ManagedObjectNotFound, ResponseError, ViError, make_fault

log = logging.getLogger("viapi.esx.vi")
PAGE_SIZE = 1000
PropertyMap = dict  # {"config.hardware.numCPU": 2, ...}; a path the server did not give is absent


def property_spec(type_name: str, paths: Iterable[str] | None) -> dict:
    """A PropertySpec for `paths` of `type_name` (None: every property, use sparingly)."""
    if paths is None:
        return {"_type": "PropertySpec", "type": type_name, "all": True}
    return {"_type": "PropertySpec", "type": type_name, "all": False, "pathSet": list(paths)}


def traversal(type_name: str, path: str) -> dict:
    """A TraversalSpec following one property of `type_name`."""
    return {"_type": "TraversalSpec", "type": type_name, "path": path, "skip": False}


def retrieve(
    client, spec_set: list[dict], page_size: int = PAGE_SIZE
) -> Iterator[tuple[MoRef, PropertyMap]]:
    """Yield (object, properties) for a PropertyFilterSpec list, page by page."""
    collector = client.content["propertyCollector"]
    options = {"_type": "RetrieveOptions", "maxObjects": page_size}
    result = client.call(collector, "RetrievePropertiesEx", specSet=spec_set, options=options)
    token = None
    try:
        while result:
            token = result.get("token")
            # Each object is dropped from the page as it is handed on: a consumer that turns
            # objects into something smaller holds one page at most, shrinking as it goes.
            objects = list(result.get("objects") or ())
            objects.reverse()
            result = None
            while objects:
                content = objects.pop()
                if not isinstance(content, dict) or not isinstance(content.get("obj"), MoRef):
                    raise ResponseError("the server's answer lists an object without its reference")
                yield content["obj"], _properties(content)
            if not token:
                break
            result = client.call(collector, "ContinueRetrievePropertiesEx", token=token)
        token = None
    finally:
        if token:
            call_quietly(client, collector, "CancelRetrievePropertiesEx", token=token)


def _properties(content: dict) -> PropertyMap:
    """The properties of one object; a path the server had no value for is None, a path it
    refused as unknown (InvalidProperty in missingSet, as vcsim answers) raises, as the same
    refusal does when vCenter or ESXi fault the whole call."""
    props = {p["name"]: p.get("val") for p in content.get("propSet") or ()}
    for missing in content.get("missingSet") or ():
        refusal = (missing.get("fault") or {}).get("fault") or {}
        if refusal.get("_type") == "InvalidProperty":
            path = refusal.get("name") or missing["path"]
            raise make_fault("InvalidProperty", path, {"name": path})
        props.setdefault(missing["path"], None)
    return props


def call_quietly(client, obj: MoRef, method: str, **args) -> None:
    """Cleanup calls: a failure is logged, never raised over the original error."""
    try:
        client.call(obj, method, **args)
    except ViError as e:
        log.debug("%s failed during cleanup: %s", method, e)


@contextmanager
def container_view(client, types: list[str], root: MoRef | None = None, recursive: bool = True):
    """A ContainerView over `types` below `root` (the root folder by default), destroyed after."""
    view = client.call(
        client.content["viewManager"], "CreateContainerView",
        container=root or client.content["rootFolder"], type=list(types), recursive=recursive,
    )  # fmt: skip
    try:
        yield view
    finally:
        call_quietly(client, view, "DestroyView")


def view_spec(view: MoRef) -> dict:
    """The ObjectSpec of every object a ContainerView lists (the view itself skipped)."""
    return {"_type": "ObjectSpec", "obj": view, "skip": True,
            "selectSet": [traversal("ContainerView", "view")]}  # fmt: skip


def again_if_view_lost(read, *args):
    """read(*args); once more when it failed on a ContainerView of ours that is gone. A view
    dies only with the session that made it (terminated or expired, and call() logged in
    again), so a new view in the new session reads the same objects."""
    try:
        return read(*args)
    except ManagedObjectNotFound as e:
        if getattr(e.detail.get("obj"), "type", None) != "ContainerView":
            raise
        return read(*args)


def collect(
    client,
    paths_by_type: dict[str, list[str] | None],
    root: MoRef | None = None,
    page_size: int = PAGE_SIZE,
) -> list[tuple[MoRef, PropertyMap]]:
    """Every object of the given types below `root`, with the given paths: one bulk read."""
    return again_if_view_lost(_collect_in_view, client, paths_by_type, root, page_size)


def _collect_in_view(client, paths_by_type, root, page_size):
    """collect() in one new ContainerView."""
    with container_view(client, list(paths_by_type), root) as view:
        spec = {
            "_type": "PropertyFilterSpec",
            "propSet": [property_spec(t, p) for t, p in paths_by_type.items()],
            "objectSet": [view_spec(view)],
        }
        return list(retrieve(client, [spec], page_size))


def get_properties(
    client, refs: Iterable[MoRef], paths_by_type: dict[str, list[str] | None]
) -> dict[MoRef, PropertyMap]:
    """Properties of known objects, all in one RetrievePropertiesEx (plus pages)."""
    refs = list(dict.fromkeys(refs))
    if not refs:
        return {}
    types = {r.type for r in refs}
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(t, paths_by_type.get(t, ["name"])) for t in sorted(types)],
        "objectSet": [{"_type": "ObjectSpec", "obj": r, "skip": False} for r in refs],
    }
    return dict(retrieve(client, [spec]))


def get_one(client, ref: MoRef, paths: list[str]) -> PropertyMap:
    """Properties of one object (a NotFound-free read: the server faults if it is gone)."""
    return get_properties(client, [ref], {ref.type: paths}).get(ref, {})


def retrieve_one_hop(
    client, obj: MoRef, path: str, target_type: str, paths: list[str]
) -> list[tuple[MoRef, PropertyMap]]:
    """The objects `obj.path` refers to (e.g. a host's datastores), with `paths`, in one read."""
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(target_type, paths)],
        "objectSet": [
            {"_type": "ObjectSpec", "obj": obj, "skip": True,
             "selectSet": [traversal(obj.type, path)]}
        ],
    }  # fmt: skip
    return list(retrieve(client, [spec]))


def _vm_tree() -> list[dict]:
    """TraversalSpecs from a folder down to every VM: folders, datacenters' vmFolder, vApps."""
    recurse = [{"_type": "SelectionSpec", "name": n} for n in ("folder", "datacenter", "vapp")]
    return [
        dict(traversal("Folder", "childEntity"), name="folder", selectSet=recurse),
        dict(traversal("Datacenter", "vmFolder"), name="datacenter", selectSet=recurse[:1]),
        dict(traversal("VirtualApp", "vm"), name="vapp"),
    ]


def walk_vm_tree(
    client, paths_by_type: dict[str, list[str]], root: MoRef | None = None, page_size=None
):
    """Folders, datacenters and VMs below `root` (as asked by type), in one bulk read.

    Unlike collect(), this needs no ContainerView (no create/destroy round trips), and by
    default asks for no page size (the server's own policy applies): it serves lookups, whose
    objects are small, so one lookup costs one round trip however many VMs there are.
    """
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(t, p) for t, p in paths_by_type.items()],
        "objectSet": [
            {"_type": "ObjectSpec", "obj": root or client.content["rootFolder"], "skip": False,
             "selectSet": _vm_tree()}
        ],
    }  # fmt: skip
    return list(retrieve(client, [spec], page_size))


def with_ancestors(client, refs: Iterable[MoRef], extra: dict[str, list[str]] | None = None):
    """Name and parent of `refs` and of all their ancestors (to build paths), in one bulk read.

    `extra` reads exactly the given paths of other objects among `refs` (for example
    {"CustomFieldsManager": ["field"]}); entities always get name and parent.
    """
    refs = list(dict.fromkeys(r for r in refs if r is not None))
    if not refs:
        return {}
    up = {"_type": "TraversalSpec", "name": "up", "type": "ManagedEntity", "path": "parent",
          "skip": False, "selectSet": [{"_type": "SelectionSpec", "name": "up"}]}  # fmt: skip
    paths = {"ManagedEntity": ["name", "parent"]}
    for type_name, type_paths in (extra or {}).items():
        # Exactly these paths: `extra` may name objects that are not entities (a manager has no
        # name or parent, and a real server refuses the whole read for a path a type lacks).
        paths[type_name] = list(type_paths)
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(t, p) for t, p in paths.items()],
        "objectSet": [
            {"_type": "ObjectSpec", "obj": r, "skip": False, "selectSet": [up]} for r in refs
        ],
    }
    return dict(retrieve(client, [spec]))
