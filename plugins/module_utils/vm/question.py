"""Power on a VM that may ask a question (runtime.question): answer it from `answers`, or fail
at once with the question's text and choices instead of waiting for wait_timeout.

vSphere holds a PowerOnVM_Task while the VM waits for an answer (for example "This virtual
machine might have been moved or copied", message id msg.uuid.altered); VirtualMachine.AnswerVM
lets it go on. The wait watches the task and the VM's question in one filter.
"""

from __future__ import annotations

import time

from ..vi.collector import get_one
from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument, TaskTimeout, ViError, WaitTimeout
from ..vi.tasks import wait_for_task
from ..vi.wait import wait_until


class VmQuestion(ViError):
    """The VM asks a question no answer was given for."""


def power_on(client, ref: MoRef, request) -> None:
    """PowerOnVM_Task, answering each question the VM asks from request.answers."""
    deadline = time.monotonic() + request.wait_timeout
    # A question an earlier run left unanswered holds that run's power on: answer it first.
    asked = get_one(client, ref, ["runtime.question"]).get("runtime.question")
    task = None if asked else client.call(ref, "PowerOnVM_Task")
    answered: set = set()
    while True:
        if not asked:
            props = _wait(client, task, ref, answered, deadline, request.wait_timeout)
            asked = props.get("runtime.question")
            if not _asks(props, answered):
                if task is not None:
                    wait_for_task(client, task, max(1.0, deadline - time.monotonic()))
                return
        choice = choose(asked, request.answers or {})
        client.call(ref, "AnswerVM", questionId=asked["id"], answerChoice=choice)
        answered.add(asked["id"])
        asked = None


def _asks(props: dict, answered: set) -> bool:
    question = props.get("runtime.question") or {}
    return bool(question.get("id")) and question["id"] not in answered


def _wait(client, task, ref: MoRef, answered: set, deadline: float, timeout: float) -> dict:
    """Until the power on ends (the task, or the VM's power state) or a new question comes."""
    if task is None:

        def done(p):
            return p.get("runtime.powerState") == "poweredOn" or _asks(p, answered)

        return wait_until(client, ref, ["runtime.powerState", "runtime.question"], done, deadline)

    def finished(p):
        return (p.get("info") or {}).get("state") in ("success", "error") or _asks(p, answered)

    try:
        return wait_until(client, task, ["info"], finished, deadline,
                          what=f"task {task.value}", also={ref: ["runtime.question"]})  # fmt: skip
    except WaitTimeout as e:
        info = (e.last_seen or {}).get("info") or {}
        raise TaskTimeout(task.value, info.get("state"), info.get("progress"), timeout) from None


def choose(question: dict, answers: dict) -> str:
    """The choice key `answers` gives for the question (by its id or a message id)."""
    choices = (question.get("choice") or {}).get("choiceInfo") or []
    ids = [question.get("id"), *[m.get("id") for m in question.get("message") or []]]
    listed = ", ".join(f"{c.get('key')} ({c.get('label') or c.get('summary')})" for c in choices)
    given = next((answers[i] for i in ids if i in answers), None)
    if given is None:
        key = next((i for i in ids[1:] if i), ids[0])
        raise VmQuestion(
            f"the VM asks a question at power on (id {question.get('id')}, message ids "
            f"{', '.join(str(i) for i in ids[1:] if i) or 'none'}): "
            f"{(question.get('text') or '').strip()} Choices: {listed}. Answer it with "
            f"answers: {{{key}: <choice>}}"
        )
    for c in choices:
        if str(given).strip().lower() in (str(c.get("key")).lower(), (c.get("label") or "").lower(),
                                          (c.get("summary") or "").lower()):  # fmt: skip
            return c.get("key")
    raise InvalidArgument(
        f"answers: '{given}' is not a choice of the question the VM asks; choices: {listed}"
    )
