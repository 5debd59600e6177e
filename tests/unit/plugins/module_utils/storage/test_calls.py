"""esx_storage_pool's apply(): a run that ran out of wait_timeout says what and where."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage.calls import Call, apply
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    PartialFailure,
    WaitTimeout,
)

SS = MoRef("HostStorageSystem", "ss-1")
CALLS = [Call("h1", "rescan", SS, "RescanAllHba"), Call("h2", "mount", SS, "CreateNasDatastore")]


class Client:
    """Answers the first `ok` calls, then raises the WaitTimeout the session raises."""

    def __init__(self, ok: int, sent: bool):
        self.ok, self.sent, self.methods = ok, sent, []

    def call(self, obj, method, **args):
        self.methods.append(method)
        if len(self.methods) > self.ok:
            raise WaitTimeout("storage pool 'p'", {"method": method, "sent": self.sent}, 30)


def test_a_rescan_cut_short_is_a_wait_timeout_saying_the_host_finishes_it():
    with pytest.raises(WaitTimeout) as info:
        apply(Client(0, sent=True), CALLS)
    assert str(info.value) == (
        "wait_timeout: rescan on host 'h1' (RescanAllHba) did not answer within 30s; the host "
        "goes on with the rescan and finishes it on its own"
    )


def test_a_change_cut_short_after_a_done_call_is_a_partial_failure():
    client = Client(1, sent=True)
    with pytest.raises(PartialFailure) as info:
        apply(client, CALLS)
    assert str(info.value) == (
        "wait_timeout: mount on host 'h2' (CreateNasDatastore) did not answer within 30s; the "
        "host may still complete it (run again to see where it stands); done before: rescan on h1"
    )
    assert info.value.result == {"changed": True, "actions": ["rescan on h1"]}
    assert client.methods == ["RescanAllHba", "CreateNasDatastore"]


def test_a_call_never_sent_says_so():
    with pytest.raises(PartialFailure, match=r"^wait_timeout: 30s ran out before mount on host "
                       r"'h2' \(CreateNasDatastore\) was sent; done before: rescan on h1$"):  # fmt: skip
        apply(Client(1, sent=False), CALLS)


class DeadlineClient:
    """A client whose deadline() records what it was given (pool.run's only use of it here)."""

    def __init__(self):
        self.bounds = []

    @contextmanager
    def deadline(self, seconds, what, stretch=False):
        self.bounds.append((seconds, what, stretch))
        yield


def test_a_run_out_while_reading_the_pool_back_lists_the_calls_made(monkeypatch):
    from ansible_collections.viapi.esx.plugins.module_utils.storage import pool
    from ansible_collections.viapi.esx.plugins.modules import esx_storage_pool

    made = []
    reads = iter([None, WaitTimeout("storage pool 'nfs1'", None, 30, "no answer")])

    def facts(client, request):
        answer = next(reads)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(pool, "read", lambda client, root: None)
    monkeypatch.setattr(pool, "pool_facts", facts)
    monkeypatch.setattr(pool, "_planner", lambda request: lambda inv, req: CALLS)
    monkeypatch.setattr(pool, "apply", lambda client, calls: made.extend(calls))
    request = esx_storage_pool.request(
        {"name": "nfs1", "server": "nas", "path": "/a", "hosts": ["h1"], "wait_timeout": 30},
        check_mode=False,
    )
    client = DeadlineClient()
    with pytest.raises(PartialFailure) as info:
        pool.run(client, request)
    assert client.bounds == [(30, "storage pool 'nfs1'", True)] and made == CALLS
    assert str(info.value) == (
        "wait_timeout: 30s ran out reading the pool back after rescan on h1, mount on h2: no answer"
    )
    assert info.value.result == {"changed": True, "actions": ["rescan on h1", "mount on h2"]}
