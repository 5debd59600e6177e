"""Waiting for tasks: a private PropertyCollector, WaitForUpdatesEx, a deadline, cleanup."""

from __future__ import annotations

import time

from .collector import call_quietly
from .envelope import MoRef
from .faults import Fault, TaskFailed, TaskTimeout, make_fault

_DONE = ("success", "error")


def wait_for_task(client, task: MoRef, timeout: float = 3600.0, poll: int = 10):
    """Wait until `task` ends; return its result, raise TaskFailed or TaskTimeout."""
    deadline = time.monotonic() + timeout
    collector = client.call(client.content["propertyCollector"], "CreatePropertyCollector")
    try:
        spec = {
            "_type": "PropertyFilterSpec",
            "propSet": [
                {"_type": "PropertySpec", "type": "Task", "all": False, "pathSet": ["info"]}
            ],
            "objectSet": [{"_type": "ObjectSpec", "obj": task, "skip": False}],
        }
        client.call(collector, "CreateFilter", spec=spec, partialUpdates=False)
        version, info = "", {}
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TaskTimeout(task.value, info.get("state"), info.get("progress"), timeout)
            wait = max(1, min(poll, int(remaining)))
            update = client.call(
                collector, "WaitForUpdatesEx", version=version,
                options={"_type": "WaitOptions", "maxWaitSeconds": wait},
            )  # fmt: skip
            if not update:
                continue
            version = update.get("version", version)
            info = _merge_info(info, update)
            if info.get("state") in _DONE:
                return _outcome(task, info)
    finally:
        call_quietly(client, collector, "DestroyPropertyCollector")


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
