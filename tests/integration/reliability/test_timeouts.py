"""Timeouts: a server that never answers fails after `timeout`; task waits end at their deadline."""

from __future__ import annotations

import re

import pytest
from ansible_run import run_module
from fakeserver import Reply, moref, ok
from faultproxy import HANG

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

from .helpers import DEFAULT_BACKOFF, client_for

TASK = MoRef("Task", "task-9001")
RUNNING_INFO = (
    '<val xsi:type="TaskInfo"><key>task-9001</key><task type="Task">task-9001</task>'
    "<name>CreateVM_Task</name><descriptionId>Folder.createVm</descriptionId>"
    '<entity type="Folder">group-v3</entity><entityName>vm</entityName><state>running</state>'
    "<cancelled>false</cancelled><cancelable>true</cancelable><progress>42</progress>"
    '<reason xsi:type="TaskReasonUser"><userName>VSPHERE.LOCAL\\viapi</userName></reason>'
    "<queueTime>2026-01-01T00:00:00.000Z</queueTime><startTime>2026-01-01T00:00:01.000Z"
    "</startTime><eventChainId>1234</eventChainId></val>"
)
UPDATE = (
    '<version>1</version><filterSet><filter type="PropertyFilter">session[52b4]filter-1</filter>'
    '<objectSet><kind>enter</kind><obj type="Task">task-9001</obj><changeSet><name>info</name>'
    f"<op>assign</op>{RUNNING_INFO}</changeSet></objectSet></filterSet>"
)


def long_poll(body: bytes) -> Reply:
    """WaitForUpdatesEx as a server does it: the first call gets the state, later ones wait out
    maxWaitSeconds and come back empty (the task stays at 42%)."""
    if re.search(rb"<version>\s*</version>|<version\s*/>", body):
        return ok("WaitForUpdatesEx", UPDATE)
    wait = re.search(rb"<maxWaitSeconds>(\d+)</maxWaitSeconds>", body)
    return Reply(200, ok("WaitForUpdatesEx").body, delay=float(wait.group(1)) if wait else 0.0)


@pytest.fixture
def stuck_task(fake):
    """A fake vCenter whose task 9001 runs for ever."""
    pc = "session[52b4b6a1-2c7d-4f3e-9a0b-3f6c1e2d4a5b]52d8a1f0-pc"
    fake.on("CreatePropertyCollector", moref("CreatePropertyCollector", "PropertyCollector", pc))
    fake.on("CreateFilter", ok("CreateFilter"))
    fake.on("WaitForUpdatesEx", long_poll)
    fake.on("DestroyPropertyCollector", ok("DestroyPropertyCollector"))
    return fake


def test_read_from_a_server_that_never_answers_fails_after_timeout(sim, proxy):
    """No answer within `timeout`: ReadTimeout naming it, and the read is not tried again."""
    with client_for(proxy, sim, timeout=2, backoff=DEFAULT_BACKOFF) as client:
        proxy.next(HANG, method="RetrievePropertiesEx")
        with pytest.raises(faults.ReadTimeout, match=r"did not answer within 2s"):
            collector.collect(client, {"VirtualMachine": ["name"]})
    assert proxy.count("RetrievePropertiesEx") == 1


def test_connect_to_a_server_that_never_answers_fails_after_timeout(fake):
    """The very first call hangs: connect() fails after `timeout`, once."""
    fake.on("RetrieveServiceContent", Reply(hang=True))
    client = client_for(fake, timeout=2, backoff=DEFAULT_BACKOFF)
    with pytest.raises(faults.ReadTimeout, match=r"did not answer within 2s"), client:
        pass
    assert fake.count("RetrieveServiceContent") == 1


def test_module_against_a_server_that_never_answers_fails_after_timeout(fake):
    """The module's `timeout` option reaches the transport: failed, with the reason."""
    fake.on("RetrieveServiceContent", Reply(hang=True))
    args = {"hostname": fake.host, "port": fake.port, "username": "viapi",
            "password": "viapi-secret", "ca_path": fake.ca_path, "timeout": 3}  # fmt: skip
    res = run_module("esx_about_info", args)
    assert res.failed and res["error_type"] == "ReadTimeout"
    assert "did not answer within 3s" in res["msg"]
    assert "Traceback" not in res.stdout + res.stderr


def test_task_wait_ends_at_its_deadline_with_the_task_state(stuck_task):
    """A task that does not finish: TaskTimeout with its state and progress; collector destroyed."""
    with client_for(stuck_task, timeout=30) as client, pytest.raises(faults.TaskTimeout) as err:
        wait_for_task(client, TASK, timeout=3)
    e = err.value
    assert (e.task, e.state, e.progress) == ("task-9001", "running", 42)
    assert "task-9001 still running, 42% done after 3s" in str(e)
    assert stuck_task.count("DestroyPropertyCollector") == 1


def test_task_wait_long_polls_stay_within_the_http_timeout(stuck_task):
    """A task wait longer than the HTTP `timeout` polls in steps the server answers in time."""
    with (
        client_for(stuck_task, timeout=2) as client,
        pytest.raises(faults.TaskTimeout, match="still running"),
    ):
        wait_for_task(client, TASK, timeout=5)
    assert stuck_task.count("DestroyPropertyCollector") == 1
