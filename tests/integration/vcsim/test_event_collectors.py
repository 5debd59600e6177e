"""Event collectors destroyed while events are posted (tests/vcsim/eventcollector.go).

The bare simulator takes the collector's lock and then the EventManager's to destroy a
collector, and the EventManager's and then each collector's to post an event: a session that
destroys its collector while another session's work posts events deadlocks every session.
This happened under esx_vm_fleet (several VMs customizing at once, each waiting on its own
event collector). Sessions here do both at once, through pyVmomi (a client independent of ours).
"""

from __future__ import annotations

import ssl
import threading
from datetime import datetime, timezone

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

ROUNDS = 150
SESSIONS = 4


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    return vcsim_factory()


def _connect(sim):
    context = ssl.create_default_context(cafile=str(sim.ca_path))
    return SmartConnect(host=sim.host, port=sim.port, user=sim.username, pwd=sim.password,
                        sslContext=context)  # fmt: skip


def test_collectors_destroyed_while_events_are_posted(sim):
    errors, seen = [], []

    def collect(n):
        si = _connect(sim)
        try:
            manager = si.RetrieveContent().eventManager
            for _round in range(ROUNDS):
                collector = manager.CreateCollectorForEvents(vim.event.EventFilterSpec())
                seen.append(len(collector.latestPage))
                collector.DestroyCollector()
        except Exception as e:  # reported below, with the others
            errors.append(f"collector session {n}: {e!r}")
        finally:
            Disconnect(si)

    def post():
        si = _connect(sim)
        try:
            content = si.RetrieveContent()
            entity = content.rootFolder.childEntity[0]
            for i in range(ROUNDS * SESSIONS):
                event = vim.event.GeneralUserEvent(message=f"event {i}", createdTime=datetime.now(timezone.utc),
                                                   userName="", chainId=0, key=0)  # fmt: skip
                event.entity = vim.event.ManagedEntityEventArgument(entity=entity, name=entity.name)
                content.eventManager.PostEvent(event)
        except Exception as e:
            errors.append(f"poster: {e!r}")
        finally:
            Disconnect(si)

    threads = [threading.Thread(target=collect, args=(n,)) for n in range(SESSIONS)]
    threads.append(threading.Thread(target=post))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(seen) == ROUNDS * SESSIONS

    # A destroyed collector is gone from the server, as HistoryCollector.DestroyCollector says.
    si = _connect(sim)
    try:
        manager = si.RetrieveContent().eventManager
        collector = manager.CreateCollectorForEvents(vim.event.EventFilterSpec())
        collector.DestroyCollector()
        with pytest.raises(vmodl.fault.ManagedObjectNotFound):
            collector.latestPage  # noqa: B018 - the read is the check
    finally:
        Disconnect(si)
