"""esx_storage_pool's apply(): a run that ran out of wait_timeout says what and where."""

from __future__ import annotations

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
