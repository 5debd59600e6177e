"""A VM's snapshot tree as facts: read from the VM's `snapshot` property, looked up by name,
path or id. Pure functions: no calls.

The type table has no VirtualMachineSnapshotInfo, so the decoder gives its values as it finds
them on the wire: a one-element childSnapshotList as a dict, booleans and ids as strings. The
tree is normalized here, once, so every reader sees lists, booleans and ints.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone

from ..vi.faults import InvalidArgument
from ..vi.find import escape, not_found, unescape
from ..vi.values import moid

_DATETIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
POWER_STATES = {"poweredOn": "powered_on", "poweredOff": "powered_off", "suspended": "suspended"}


def listed(value) -> list:
    """A value that may be one element or a list, as a list (None: empty)."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def as_bool(value) -> bool | None:
    """A decoded boolean, or its wire text ('true', '1', 'false', '0'), as a bool."""
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1")


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def iso8601(value) -> str | None:
    """A dateTime (wire text or datetime) as ISO 8601 in UTC, to the microsecond (a finer
    fraction on the wire is cut, not rounded), e.g. 2026-12-01T10:58:14.586943+00:00."""
    if isinstance(value, str):
        m = _DATETIME.match(value.strip())
        if not m:
            return None
        fraction = (m.group(2) or ".0")[:7]
        zone = "+00:00" if m.group(3) in (None, "Z") else m.group(3)
        value = datetime.fromisoformat(m.group(1) + fraction.ljust(7, "0") + zone)
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def tree(info) -> list[dict]:
    """The facts tree of a VM's `snapshot` property (None: no snapshots): a list of roots."""
    roots = (info or {}).get("rootSnapshotList") if isinstance(info, dict) else None
    return [_node(raw, "") for raw in listed(roots)]


def _node(raw: dict, parent_path: str) -> dict:
    name = unescape(raw.get("name")) or ""
    path = f"{parent_path}/{escape(name)}" if parent_path else escape(name)
    ref = raw.get("snapshot")
    return {
        "name": name,
        "path": path,
        "description": raw.get("description") or "",
        "id": moid(ref),
        "number": as_int(raw.get("id")),
        "created": iso8601(raw.get("createTime")),
        "state": POWER_STATES.get(raw.get("state"), raw.get("state")),
        "quiesced": as_bool(raw.get("quiesced")),
        "children": [_node(c, path) for c in listed(raw.get("childSnapshotList"))],
    }


def walk(nodes: list[dict]):
    """Every node of a facts tree, parents before children."""
    for node in nodes:
        yield node
        yield from walk(node["children"])


def current_id(info) -> str | None:
    """The moid of the VM's current snapshot (None: none)."""
    ref = info.get("currentSnapshot") if isinstance(info, dict) else None
    return moid(ref)


def current(nodes: list[dict], moid: str | None) -> dict | None:
    """{name, path, id} of the current snapshot, or None."""
    node = find_id(nodes, moid) if moid else None
    return {k: node[k] for k in ("name", "path", "id")} if node else None


def count(nodes: list[dict]) -> int:
    return len(list(walk(nodes)))


def depth(nodes: list[dict]) -> int:
    """The length of the longest chain from a root to a leaf (0: no snapshots)."""
    return max((1 + depth(n["children"]) for n in nodes), default=0)


def oldest(nodes: list[dict]) -> float | None:
    """When the oldest snapshot was taken (seconds since the epoch), or None."""
    stamps = [datetime.fromisoformat(n["created"]).timestamp() for n in walk(nodes) if n["created"]]
    return min(stamps, default=None)


def facts(info) -> dict:
    """The snapshot facts of one VM: snapshots (the tree), current_snapshot, snapshot_count."""
    nodes = tree(info)
    return {
        "snapshots": nodes,
        "current_snapshot": current(nodes, current_id(info)),
        "snapshot_count": count(nodes),
    }


def find_id(nodes: list[dict], wanted: str) -> dict | None:
    """The node whose moid (or per-VM number) is `wanted`."""
    for node in walk(nodes):
        if node["id"] == wanted or str(node["number"]) == str(wanted):
            return node
    return None


def find_path(
    nodes: list[dict], path: str, option: str = "snapshot_path", instead: str = "snapshot_id"
) -> dict | None:
    """The node at `path` (names joined by '/', a '/' inside a name written %2f); an error
    listing the ids when snapshots of one parent share a name along it (vSphere allows it),
    saying what to give `instead`."""
    level, node = nodes, None
    for part in split_path(path):
        found = [n for n in level if n["name"] == part]
        if len(found) > 1:
            raise InvalidArgument(
                f"{option}: '{path}' names {len(found)} snapshots ({_listed(found)}); "
                f"give {instead} instead"
            )
        if not found:
            return None
        node = found[0]
        level = node["children"]
    return node


def _listed(nodes: list[dict]) -> str:
    """The paths of `nodes`, each with its id when another one has the same path."""
    paths = [n["path"] for n in nodes]
    return ", ".join(
        f"{n['path']} ({n['id']})" if paths.count(n["path"]) > 1 else n["path"] for n in nodes
    )


def split_path(path: str) -> list[str]:
    """The names along a snapshot path, unescaped; an empty (or blank) part is an error."""
    parts = [unescape(p) for p in path.strip("/").split("/")]
    if not path.strip("/") or any(not p.strip() for p in parts):
        raise InvalidArgument(
            f"snapshot_path: '{path}' is not a path like before-patch/after-reboot"
        )
    return parts


def find_name(
    nodes: list[dict],
    name: str,
    option: str = "snapshot_name",
    instead: str = "snapshot_path or snapshot_id",
) -> dict | None:
    """The one node called `name` anywhere in the tree; None if none; an error listing the
    matching paths if several, saying what to give `instead`."""
    found = [n for n in walk(nodes) if n["name"] == name]
    if len(found) > 1:
        raise InvalidArgument(
            f"{option}: '{name}' names {len(found)} snapshots ({_listed(found)}); "
            f"give {instead} instead"
        )
    return found[0] if found else None


def require(node: dict | None, option: str, value: str, vm: str) -> dict:
    """`node`, or NotFound naming the option, the value and the VM."""
    if node is None:
        raise not_found("snapshot", value, f"VM '{vm}'", option)
    return node


# ------------------------------------------------------------------ predicted trees (what a
# step leaves: esx_vm_snapshot's check mode and diff)


def repath(nodes: list[dict], parent: str = "") -> list[dict]:
    """The tree with every path recomputed from the names (after a rename or a move)."""
    for node in nodes:
        node["path"] = f"{parent}/{escape(node['name'])}" if parent else escape(node["name"])
        repath(node["children"], node["path"])
    return nodes


def removed(nodes: list[dict], moid: str, with_children: bool) -> list[dict]:
    """The tree without snapshot `moid`; its children take its place unless removed too."""
    out = []
    for node in copy.deepcopy(nodes):
        if node["id"] == moid:
            out.extend([] if with_children else node["children"])
        else:
            node["children"] = removed(node["children"], moid, with_children)
            out.append(node)
    return repath(out)


def renamed(nodes: list[dict], moid: str, name: str | None, description: str | None) -> list[dict]:
    """The tree with snapshot `moid` renamed and/or re-described."""
    out = copy.deepcopy(nodes)
    node = find_id(out, moid)
    node["name"] = name if name is not None else node["name"]
    node["description"] = description if description is not None else node["description"]
    return repath(out)


def created(nodes, current, name, description, state, quiesced) -> tuple[list, dict]:
    """The tree with a new snapshot below `current` (a root without one), and that node."""
    out = copy.deepcopy(nodes)
    new = {"name": name, "path": "", "description": description, "id": None, "number": None,
           "created": None, "state": state, "quiesced": quiesced, "children": []}  # fmt: skip
    level = find_id(out, current["id"])["children"] if current else out
    level.append(new)
    return repath(out), new
