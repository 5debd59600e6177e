"""Waiting on the property collector: WaitForUpdatesEx through a private collector.

wait_until is the one way to wait for a server-side change (a task's end, a power state, a
guest's IP address): a private PropertyCollector with one filter, long polls that each end
within the HTTP read timeout, an absolute deadline, and the collector destroyed in `finally`.
No sleep loops: the server answers as soon as a watched property changes. This is govmomi's
property.Wait (property/wait.go), which its task.Wait builds on as tasks.py does here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .collector import PropertyMap, call_quietly, property_spec
from .envelope import MoRef
from .faults import ManagedObjectNotFound, WaitTimeout, make_fault

POLL = 10  # seconds one WaitForUpdatesEx long poll may last (never past the HTTP read timeout)
_MAX_RENEWALS = 2  # new private collectors after a lost session, per wait: never a loop


def wait_until(
    client,
    obj: MoRef,
    paths: Iterable[str],
    predicate: Callable[[PropertyMap], bool],
    deadline: float,
    what: str = "",
    poll: int = POLL,
    also: dict | None = None,
) -> PropertyMap:
    """Wait until predicate(properties of `obj` at `paths`) holds; return those properties.

    `deadline` is absolute (time.monotonic()), so several waits can share one. Running out
    raises WaitTimeout naming `what` and the properties seen last. The private collector is
    destroyed whatever happens; when the session is renewed under it, a new one takes over.
    `also` ({MoRef: paths}) watches more objects in the same filter (paths unlike obj's): their
    properties join the map the predicate sees.
    """
    paths = list(paths)
    also = {ref: list(more) for ref, more in (also or {}).items()}
    what = what or f"{', '.join(paths)} of {obj.type} {obj.value}"
    started = time.monotonic()
    collector = _private_filter(client, obj, paths, also)
    every = paths + [p for more in also.values() for p in more]
    version, props, renewals = "", {}, 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(what, props, round(deadline - started, 1))
            # Each long poll must come back within the HTTP read timeout of the client.
            wait = max(1, min(poll, int(remaining), int(client.timeout) - 1))
            try:
                update = client.call(
                    collector, "WaitForUpdatesEx", version=version,
                    options={"_type": "WaitOptions", "maxWaitSeconds": wait},
                )  # fmt: skip
            except ManagedObjectNotFound:
                # The session was renewed (terminated or expired, then a relogin in call()):
                # its private collector went with it. Watch again from the current values.
                if renewals >= _MAX_RENEWALS:
                    raise
                renewals += 1
                collector, version = _private_filter(client, obj, paths, also), ""
                continue
            if not update:
                continue  # maxWaitSeconds passed without a change
            version = update.get("version", version)
            props = merge_update(props, every, update)
            if predicate(props):
                return props
    finally:
        call_quietly(client, collector, "DestroyPropertyCollector")


def _private_filter(client, obj: MoRef, paths: list[str], also: dict | None = None) -> MoRef:
    """A new PropertyCollector of this session with one filter on `paths` of `obj` (and on
    the paths of the objects in `also`)."""
    collector = client.call(client.content["propertyCollector"], "CreatePropertyCollector")
    watched = {obj: paths, **(also or {})}
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [property_spec(ref.type, more) for ref, more in watched.items()],
        "objectSet": [{"_type": "ObjectSpec", "obj": ref, "skip": False} for ref in watched],
    }
    try:
        client.call(collector, "CreateFilter", spec=spec, partialUpdates=False)
    except BaseException:
        call_quietly(client, collector, "DestroyPropertyCollector")
        raise
    return collector


def merge_update(props: PropertyMap, paths: list[str], update: dict) -> PropertyMap:
    """The properties known so far with an UpdateSet's changes applied (a new dict).

    A change names a filtered path (its full value) or a path below one (`info.state`: that
    part of the value); a removed or missing property is None.
    """
    props = dict(props)
    for filter_update in update.get("filterSet") or ():
        for obj_update in filter_update.get("objectSet") or ():
            if obj_update.get("kind") == "leave":
                gone = obj_update.get("obj")
                raise make_fault(
                    "ManagedObjectNotFound", f"{gone} was deleted during the wait", {"obj": gone}
                )
            for change in obj_update.get("changeSet") or ():
                _apply_change(props, paths, change)
            for missing in obj_update.get("missingSet") or ():
                props[missing.get("path")] = None
    return props


def _apply_change(props: PropertyMap, paths: list[str], change: dict) -> None:
    name = change.get("name") or ""
    val = None if change.get("op") in ("remove", "indirectRemove") else change.get("val")
    parent = next((p for p in paths if name.startswith(p + ".")), None)
    if parent is None or "[" in name:  # a path of its own, or an array element: keep it as named
        props[name] = val
        return
    props[parent] = _with(props.get(parent), name[len(parent) + 1 :].split("."), val)


def _with(value, keys: list[str], val) -> dict:
    """A copy of the nested dict `value` with keys[0].keys[1]... set to `val`."""
    out = dict(value) if isinstance(value, dict) else {}
    out[keys[0]] = val if len(keys) == 1 else _with(out.get(keys[0]), keys[1:], val)
    return out
