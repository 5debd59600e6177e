"""sessions.spread: the caller's session and extra ones, each in its own thread."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import ViError
from ansible_collections.viapi.esx.plugins.module_utils.vi.sessions import spread


class Session:
    def __init__(self, refuse=False, trips=3):
        self.refuse, self.trips, self.logged_out, self.round_trips = refuse, trips, 0, 0

    def connect(self):
        if self.refuse:
            raise ViError("HTTP 503 Service Unavailable")
        self.round_trips = self.trips
        return self

    def logout(self):
        self.logged_out += 1


def opener(*sessions):
    made = list(sessions)
    lock = threading.Lock()

    def open_client():
        with lock:
            return made.pop(0)

    return open_client


def test_the_caller_works_on_its_own_session_and_each_extra_on_a_new_one():
    caller, a, b = Session(), Session(trips=2), Session(trips=5)
    seen = []
    done = spread(caller, opener(a, b), 3, lambda s, own: seen.append((s, own)), "t")
    assert sorted(map(id, (s for s, _own in seen))) == sorted(map(id, (caller, a, b)))
    assert dict((id(s), own) for s, own in seen) == {id(caller): True, id(a): False, id(b): False}
    assert (a.logged_out, b.logged_out, caller.logged_out) == (1, 1, 0)
    assert done.sessions == 3 and done.round_trips == 7 and done.refusal("x") is None


def test_a_refused_session_is_logged_out_and_said_so():
    refused = Session(refuse=True)
    done = spread(Session(), opener(Session(), refused), 3, lambda s, own: None, "t")
    assert refused.logged_out == 1 and done.sessions == 2
    assert done.refusal("the work went {n} at a time") == (
        "the server opened 2 of the 3 sessions asked for, so the work went 2 at a time "
        "(refused: HTTP 503 Service Unavailable)"
    )


def test_a_bug_in_a_worker_is_raised_in_the_caller_after_every_worker_ended():
    extra = Session()

    def work(session, own):
        if not own:
            raise KeyError("bug")

    with pytest.raises(KeyError, match="bug"):
        spread(Session(), opener(extra), 2, work, "t")
    assert extra.logged_out == 1


def test_one_worker_opens_no_session():
    done = spread(Session(), None, 1, lambda s, own: None, "t")
    assert done.sessions == 1 and done.round_trips == 0
