"""A run's plan: the result check mode returns, and the steps that make it true.

vm/lifecycle.py (and vm/clone.py) compute a `RunPlan` for every path; `apply` is the only code
check mode skips. A failure after something already changed is turned into the error the
user must see by the plan's `failed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..vi.faults import ViError


@dataclass
class Step:
    """One call that makes part of the change; `name` is reported as done once it returns."""

    name: str | None
    call: Callable[[], object]


@dataclass
class RunPlan:
    """What a run changes: the result check mode returns, and the steps that make it true."""

    result: dict
    steps: list[Step] = field(default_factory=list)
    # The error to raise when a step fails, from that error and the names of the steps done.
    failed: Callable[[ViError, list], ViError] = lambda error, done: error
    # The VM's facts after the steps ({} when there is no VM).
    finish: Callable[[], dict] = dict


def apply(plan: RunPlan) -> dict:
    """Make the plan's changes, step by step: the one code check mode skips."""
    done: list[str] = []
    for step in plan.steps:
        try:
            step.call()
        except ViError as e:
            raise plan.failed(e, done) from None
        if step.name:
            done.append(step.name)
    plan.result["vm"] = plan.finish()
    return plan.result


def make_result(
    changed: bool, facts: dict | None, changes: list, before: dict, after: dict
) -> dict:
    """The module result: changed, the VM's facts, the changes (when changed) and the diff."""
    result = {"changed": changed, "vm": facts or {}}
    if changed:
        result["changes"] = changes
    result["diff"] = {"before": before, "after": after}
    return result
