"""vm/question.py: which choice `answers` gives for a VM question, and the error without one."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import question

MOVED = {
    "id": "7",
    "text": "This virtual machine might have been moved or copied.",
    "choice": {"choiceInfo": [
        {"key": "0", "label": "Cancel", "summary": "Cancel"},
        {"key": "1", "label": "I Moved It", "summary": "I Moved It"},
        {"key": "2", "label": "I Copied It", "summary": "I Copied It"},
    ], "defaultIndex": 2},
    "message": [{"id": "msg.uuid.altered", "text": "moved or copied"}],
}  # fmt: skip


@pytest.mark.parametrize(
    "answers, key",
    [
        ({"msg.uuid.altered": "2"}, "2"),
        ({"msg.uuid.altered": 1}, "1"),
        ({"7": "i copied it"}, "2"),
        ({"other": "0", "msg.uuid.altered": "Cancel"}, "0"),
    ],
)
def test_an_answer_by_question_or_message_id_and_key_or_label(answers, key):
    assert question.choose(MOVED, answers) == key


def test_no_answer_fails_with_the_text_ids_and_choices():
    with pytest.raises(question.VmQuestion) as e:
        question.choose(MOVED, {"unrelated": "1"})
    message = str(e.value)
    assert "id 7, message ids msg.uuid.altered" in message
    assert "might have been moved or copied" in message
    assert "Choices: 0 (Cancel), 1 (I Moved It), 2 (I Copied It)" in message
    assert "answers: {msg.uuid.altered: <choice>}" in message


def test_an_answer_that_is_no_choice_names_the_option():
    with pytest.raises(InvalidArgument, match="answers: 'maybe' is not a choice"):
        question.choose(MOVED, {"msg.uuid.altered": "maybe"})
