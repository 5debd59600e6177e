"""The esx_migrate runner: find, plan (choosing the host when asked), apply, verify, report."""

from __future__ import annotations

from ..vm import identify
from . import choice, relocate, result
from .request import MigrationRequest


def run(client, request: MigrationRequest) -> dict:
    """The module's result; MigrationFailed (with the result) when blocked or misplaced.

    Check mode skips apply() only: every check runs, and the server's, either way.
    """
    datacenter = identify.datacenter_of(client, request.identity)
    vm = identify.find_vm(client, request.identity, datacenter)
    destination = relocate.resolve_destination(
        client, request.destination, datacenter, request.datacenter
    )
    planner = relocate.plan if destination["candidates"] is None else choice.plan
    outcome = planner(client, vm, destination, request.checks, request.wait_timeout)
    if not request.check_mode:
        relocate.apply(client, vm, outcome, request.wait_timeout, request.priority)
    facts, wrong = relocate.read_back(client, vm, outcome)
    if wrong:
        outcome.error = f"the task succeeded but {'; '.join(wrong)}"
    values = result.result(outcome, facts, request.check_mode)
    msg = result.message(outcome, request.check_mode)
    if outcome.blocked_by or outcome.error:
        raise result.MigrationFailed(msg, values)
    return dict(values, msg=msg)
