"""Waiting for tasks: wait_until on the task's info, with the task's own result and errors."""

from __future__ import annotations

import time

from .collector import get_properties
from .envelope import MoRef
from .faults import Fault, TaskFailed, TaskTimeout, WaitTimeout, make_fault
from .wait import POLL, wait_until

_DONE = ("success", "error")
# What a bulk read of finished tasks needs (TaskInfo is large; these three say how it ended).
_OUTCOME_PATHS = ["info.state", "info.result", "info.error"]


def wait_for_task(client, task: MoRef, timeout: float = 3600.0, poll: int = POLL):
    """Wait until `task` ends; return its result, raise TaskFailed or TaskTimeout."""
    return _wait(client, task, time.monotonic() + timeout, timeout, poll)


def wait_for_tasks(client, tasks: list[MoRef], timeout: float = 3600.0, description: str = ""):
    """The results of several tasks, in order, under one deadline: one bulk read of how they
    stand, then a wait for each one still running. The first failed task raises TaskFailed
    (`description` names what the tasks do, in its message)."""
    deadline = time.monotonic() + timeout
    infos = get_properties(client, tasks, {"Task": _OUTCOME_PATHS})
    out = []
    for task in tasks:
        known = infos.get(task) or {}
        info = {path.partition(".")[2]: known.get(path) for path in _OUTCOME_PATHS}
        if info["state"] in _DONE:
            out.append(_outcome(task, info, description))
        else:
            out.append(_wait(client, task, deadline, timeout, POLL, description))
    return out


def _finished(props: dict) -> bool:
    return (props.get("info") or {}).get("state") in _DONE


def _wait(client, task: MoRef, deadline: float, timeout: float, poll: int, description=""):
    """wait_until the task's info says it ended; its outcome, or TaskTimeout."""
    try:
        props = wait_until(
            client, task, ["info"], _finished, deadline, what=f"task {task.value}", poll=poll
        )
    except WaitTimeout as e:
        info = (e.last_seen or {}).get("info") or {}
        raise TaskTimeout(task.value, info.get("state"), info.get("progress"), timeout) from None
    return _outcome(task, props["info"], description)


def _outcome(task: MoRef, info: dict, description: str = ""):
    if info.get("state") == "success":
        return info.get("result")
    raise TaskFailed(task.value, task_fault(info), description or info.get("descriptionId") or "")


def task_fault(info: dict) -> Fault:
    """The fault a failed TaskInfo carries, typed like a SOAP fault."""
    error = info.get("error") or {}
    detail = error.get("fault") or {}
    name = detail.get("_type") or "TaskError"
    return make_fault(name, error.get("localizedMessage") or "", detail)
