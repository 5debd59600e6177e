"""Many VMs converged at once: esx_vm's runner for each, a few VMs at a time, one session each.

A VM's run is mostly waiting on the server (its clone task, its power-on, the customization
event), so a handful of runs side by side take little longer than one. A Client is not shared
between threads (vi/session.py): the caller's session works on one VM at a time like every
other worker, and up to `parallel - 1` more sessions are opened, each always logged out. A
session the server refuses leaves its share to the others (a warning says how many worked).

A VM that fails is recorded with its error and the others go on; nothing stops early, so the
caller reports every VM, in the order asked.
"""

from __future__ import annotations

import queue
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from ..vi import sessions
from ..vi.faults import InvalidArgument, ViError
from . import lifecycle
from .request import VmRequest

DEFAULT_PARALLEL = 5


@dataclass
class Outcome:
    """One VM's run: its result, or the error that ended it (a bug keeps its traceback)."""

    result: dict | None = None
    error: Exception | None = None
    trace: str | None = None


@dataclass
class Fleet:
    """Every VM's outcome in the order asked, and how many sessions did the work."""

    outcomes: list[Outcome]
    sessions: int = 1
    warnings: list[str] = field(default_factory=list)


def validate(names: list[str], requests: list[VmRequest]) -> None:
    """Every entry's options checked as esx_vm checks them before it connects, so that one bad
    entry fails the run before any VM changes; the error names the entry."""
    for n, (name, request) in enumerate(zip(names, requests)):
        try:
            lifecycle.validate(request)
        except InvalidArgument as e:
            raise InvalidArgument(f"vms[{n}] ({name}): {e}") from None


def run(
    client,
    requests: list[VmRequest],
    parallel: int = DEFAULT_PARALLEL,
    open_client: Callable | None = None,
    runner: Callable = lifecycle.run,
) -> Fleet:
    """Converge every request, up to `parallel` at once; returns when all are done.

    `open_client()` gives a new, not connected client for the same endpoint (without it, the
    caller's session alone); `runner(client, request)` is esx_vm's, lifecycle.run.
    """
    pool = _Pool(requests, runner)
    workers = min(parallel, len(requests)) if open_client else 1
    return pool.fleet(sessions.spread(client, open_client, workers, pool.work, "esx-fleet"))


class _Pool:
    """The positions left, and what each VM's run gave."""

    def __init__(self, requests: list[VmRequest], runner: Callable):
        self.requests, self.runner = requests, runner
        self.todo: queue.SimpleQueue = queue.SimpleQueue()
        for n in range(len(requests)):
            self.todo.put(n)
        self.outcomes: list[Outcome | None] = [None] * len(requests)

    def work(self, session, _own: bool) -> None:
        """Take the next VM left and converge it, until none is left."""
        while True:
            try:
                n = self.todo.get_nowait()
            except queue.Empty:
                return
            self.outcomes[n] = _converge(self.runner, session, self.requests[n])

    def fleet(self, spread: sessions.Spread) -> Fleet:
        outcomes = [o or Outcome(error=ViError("not run")) for o in self.outcomes]
        done = Fleet(outcomes, spread.sessions)
        warning = spread.refusal("{n} VMs were worked on at a time")
        if warning:
            done.warnings.append(warning)
        return done


def _converge(runner: Callable, session, request: VmRequest) -> Outcome:
    try:
        return Outcome(result=runner(session, request))
    except ViError as e:
        return Outcome(error=e)
    except Exception as e:  # a bug in one VM's run must not hide the others' outcomes
        return Outcome(error=e, trace=traceback.format_exc())


def report(names: list[str], fleet: Fleet, describe: Callable, diff: bool) -> dict:
    """The module's result: one entry per VM (name, changed, failed, msg and esx_vm's result),
    `changed` when any changed, and `msg` naming every VM that failed.

    `describe(error)` gives a ViError's message and result keys, as esx_vm would fail with.
    """
    vms = [_entry(name, outcome, describe, diff) for name, outcome in zip(names, fleet.outcomes)]
    result = {"changed": any(vm["changed"] for vm in vms), "vms": vms}
    if diff:
        result["diff"] = [
            dict(vm["diff"], before_header=vm["name"], after_header=vm["name"])
            for vm in vms
            if vm["changed"] and vm.get("diff")
        ]
    failed = [vm for vm in vms if vm["failed"]]
    if failed:
        result["msg"] = f"{len(failed)} of {len(vms)} VMs failed: " + "; ".join(
            f"{vm['name']}: {vm['msg']}" for vm in failed
        )
    return result


def _entry(name: str, outcome: Outcome, describe: Callable, diff: bool) -> dict:
    if outcome.error is None:
        entry = dict(outcome.result or {}, failed=False, msg="")
    elif isinstance(outcome.error, ViError):
        msg, details = describe(outcome.error)
        entry = dict(details, failed=True, msg=msg)
    else:
        entry = {"failed": True, "error_type": type(outcome.error).__name__,
                 "msg": f"unexpected error: {outcome.error}", "exception": outcome.trace}  # fmt: skip
    entry["changed"] = bool(entry.get("changed"))
    if not diff:
        entry.pop("diff", None)
    return {"name": name, **entry}
