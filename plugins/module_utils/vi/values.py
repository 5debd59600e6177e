"""Readers of decoded VI values that several layers share: sizes, datastore paths, references.

Pure functions over what the client decodes (dicts with `_type`, MoRefs, typed scalars); no
calls. One reader of each value, so the modules, the inventory and the checks agree on it.
"""

from __future__ import annotations

import re

from .envelope import MoRef

# '[datastore] dir/file': the datastore name in brackets, then the path inside it.
_DATASTORE_PATH = re.compile(r"^\[([^\]]+)\]\s*(.*)$")


def disk_bytes(device: dict) -> int | None:
    """A VirtualDisk's capacity in bytes: capacityInBytes, else capacityInKB (older servers)."""
    capacity = device.get("capacityInBytes")
    if capacity is None and device.get("capacityInKB") is not None:
        capacity = device["capacityInKB"] * 1024
    return capacity


def split_datastore_path(path: str | None) -> tuple[str | None, str]:
    """'[ds] dir/file' -> ('ds', 'dir/file'); (None, '') when `path` is not a datastore path.

    The path inside the datastore loses surrounding blanks and slashes: '[ds]' and '[ds] /'
    are ('ds', ''), the datastore's top folder.
    """
    m = _DATASTORE_PATH.match(path or "")
    if not m:
        return None, ""
    return m.group(1), m.group(2).strip().strip("/")


def datastore_name(path: str | None) -> str | None:
    """'ds' from '[ds] dir/file'; None when `path` is not a datastore path."""
    return split_datastore_path(path)[0]


def join_datastore_path(datastore: str, rel: str) -> str:
    """('ds', 'dir/file') -> '[ds] dir/file' (the form the VI API and libvirt use)."""
    return f"[{datastore}] {rel}" if rel else f"[{datastore}]"


def moid(ref) -> str | None:
    """A reference's id ("vm-42"); None for anything that is not a MoRef (unset, unknown)."""
    return ref.value if isinstance(ref, MoRef) else None


def portgroup_of(backing: dict | None) -> MoRef | None:
    """The distributed portgroup a NIC backing connects to; None for any other backing.

    A distributed port backing names its portgroup by key, which is the portgroup's moid.
    """
    key = ((backing or {}).get("port") or {}).get("portgroupKey")
    return MoRef("DistributedVirtualPortgroup", key) if key else None


def plain(value):
    """A decoded VI value as plain data: MoRefs become {_type, type, value}; lists and dicts recurse.

    `_type` is what data objects carry too, so a reference reads like any other VI object.
    """
    if isinstance(value, MoRef):
        return {"_type": "ManagedObjectReference", "type": value.type, "value": value.value}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
