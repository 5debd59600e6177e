"""Waiting for tasks: a private PropertyCollector, WaitForUpdatesEx, a deadline, cleanup."""

from __future__ import annotations

import time

from .collector import call_quietly
from .envelope import MoRef
from .faults import Fault, ManagedObjectNotFound, TaskFailed, TaskTimeout, make_fault

_DONE = ("success", "error")
_MAX_RENEWALS = 2  # new collectors after a lost session, per wait: never a loop


def wait_for_task(client, task: MoRef, timeout: float = 3600.0, poll: int = 10):
    """Wait until `task` ends; return its result, raise TaskFailed or TaskTimeout."""
    deadline = time.monotonic() + timeout
    collector = _watch(client, task)
    renewals = 0
    try:
        version, info = "", {}
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TaskTimeout(task.value, info.get("state"), info.get("progress"), timeout)
            # Each long poll must come back within the HTTP read timeout of the client.
            wait = max(1, min(poll, int(remaining), int(client.timeout) - 1))
            try:
                update = client.call(
                    collector, "WaitForUpdatesEx", version=version,
                    options={"_type": "WaitOptions", "maxWaitSeconds": wait},
                )  # fmt: skip
            except ManagedObjectNotFound:
                # The session was renewed (terminated or expired, then a relogin in call()):
                # its private collector went with it. Watch again from the task's current state.
                if renewals >= _MAX_RENEWALS:
                    raise
                renewals += 1
                collector, version = _watch(client, task), ""
                continue
            if not update:
                continue
            version = update.get("version", version)
            info = _merge_info(info, update)
            if info.get("state") in _DONE:
                return _outcome(task, info)
    finally:
        call_quietly(client, collector, "DestroyPropertyCollector")


def _watch(client, task: MoRef) -> MoRef:
    """A private PropertyCollector with a filter on the task's info."""
    collector = client.call(client.content["propertyCollector"], "CreatePropertyCollector")
    spec = {
        "_type": "PropertyFilterSpec",
        "propSet": [{"_type": "PropertySpec", "type": "Task", "all": False, "pathSet": ["info"]}],
        "objectSet": [{"_type": "ObjectSpec", "obj": task, "skip": False}],
    }
    try:
        client.call(collector, "CreateFilter", spec=spec, partialUpdates=False)
    except BaseException:
        call_quietly(client, collector, "DestroyPropertyCollector")
        raise
    return collector


def _merge_info(info: dict, update: dict) -> dict:
    """Apply the property changes of an UpdateSet to the task info we know so far."""
    info = dict(info)
    for filter_update in update.get("filterSet") or ():
        for obj_update in filter_update.get("objectSet") or ():
            for change in obj_update.get("changeSet") or ():
                name, val = change.get("name", ""), change.get("val")
                if name == "info" and isinstance(val, dict):
                    info.update(val)
                elif name.startswith("info."):
                    info[name[5:]] = val
    return info


def _outcome(task: MoRef, info: dict):
    if info.get("state") == "success":
        return info.get("result")
    raise TaskFailed(task.value, task_fault(info), info.get("descriptionId") or "")


def task_fault(info: dict) -> Fault:
    """The fault a failed TaskInfo carries, typed like a SOAP fault."""
    error = info.get("error") or {}
    detail = error.get("fault") or {}
    name = detail.get("_type") or "TaskError"
    return make_fault(name, error.get("localizedMessage") or "", detail)
