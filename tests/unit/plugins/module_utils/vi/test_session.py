"""vi/session.py: connect, call(), relogin once, retry of reads only, lost task submits, secrets."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import vi_wire
from vi_wire import (
    PASSWORD,
    FakeTransport,
    fault,
    not_authenticated,
    object_content,
    response,
    response_ref,
)

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, session
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.retry import NO_DELAY, Backoff

ROOT = MoRef("Folder", "group-d1")
VM = MoRef("VirtualMachine", "vm-42")
NAME = response(
    "RetrievePropertiesEx",
    object_content(
        ("Folder", "group-d1"), {"name": '<val xsi:type="xsd:string">Datacenters</val>'}
    ),
)


def lost(method: str = "x") -> faults.ReadTimeout:
    return faults.ReadTimeout(
        "https://vcenter.example.com:443/sdk did not answer within 60s", retryable=True
    )


def read_name(client) -> str:
    spec = {"_type": "PropertyFilterSpec",
            "propSet": [{"_type": "PropertySpec", "type": "Folder", "pathSet": ["name"]}],
            "objectSet": [{"_type": "ObjectSpec", "obj": ROOT}]}  # fmt: skip
    result = client.call(
        client.content["propertyCollector"], "RetrievePropertiesEx", specSet=[spec]
    )
    return result["objects"][0]["propSet"][0]["val"]


# ------------------------------------------------------------------ connect / logout


def test_connect_reads_service_content_then_logs_in_in_english():
    t = FakeTransport()
    client = vi_wire.client(t)
    assert t.methods == ["RetrieveServiceContent", "Login"]
    login = t.requests[1]
    assert login.this == MoRef("SessionManager", "SessionManager")
    assert login.arg("userName") == vi_wire.USERNAME and login.arg("password") == PASSWORD
    assert login.arg("locale") == "en"
    # The first call speaks the bootstrap version; later ones the server's own.
    assert t.requests[0].soap_action == "urn:vim25/6.0"
    assert login.soap_action == "urn:vim25/8.0.2.0"
    assert client.api_version == "8.0.2.0"
    assert client.content["rootFolder"] == ROOT
    assert client.content["propertyCollector"] == MoRef("PropertyCollector", "propertyCollector")
    assert client.about["apiType"] == "VirtualCenter" and client.is_vcenter
    assert client.session["key"] == "5220f274-9ba1-a663-b51f-9b16fca182f1"
    assert client.session["callCount"] == 0
    assert client.round_trips == 2


def test_an_esxi_host_is_not_vcenter():
    content = vi_wire.SERVICE_CONTENT.replace("VirtualCenter", "HostAgent").replace(
        "8.0.2.0", "7.0.3.0"
    )
    t = FakeTransport().on("RetrieveServiceContent", response("RetrieveServiceContent", content))
    client = vi_wire.client(t)
    assert client.about["apiType"] == "HostAgent" and not client.is_vcenter
    assert client.api_version == "7.0.3.0"


def test_without_an_api_version_the_bootstrap_version_is_kept():
    content = vi_wire.SERVICE_CONTENT.replace("<apiVersion>8.0.2.0</apiVersion>", "")
    t = FakeTransport().on("RetrieveServiceContent", response("RetrieveServiceContent", content))
    assert vi_wire.client(t).api_version == session.BOOTSTRAP_VERSION


def test_with_logs_out_and_closes_even_when_the_body_fails():
    t = vi_wire.standard(FakeTransport())
    client = session.Client("vc", "u", "p", backoff=NO_DELAY, transport=t)
    with pytest.raises(RuntimeError), client as c:
        assert c is client and c.session is not None
        raise RuntimeError("boom")
    assert t.methods == ["RetrieveServiceContent", "Login", "Logout"]
    assert t.closed and client.session is None
    client.logout()  # a second logout does nothing
    assert t.methods[-1] == "Logout" and len(t.methods) == 3


def test_a_failing_logout_is_swallowed():
    t = FakeTransport().on("Logout", not_authenticated())
    client = vi_wire.client(t)
    client.logout()
    assert t.methods == ["RetrieveServiceContent", "Login", "Logout"]
    assert t.closed and client.session is None


def test_a_failed_login_closes_the_transport_and_raises_invalid_login():
    t = FakeTransport().on(
        "Login",
        fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password."),
    )
    client = session.Client("vc", "u", PASSWORD, backoff=NO_DELAY, transport=vi_wire.standard(t))
    with pytest.raises(faults.InvalidLogin) as info:
        client.__enter__()  # what `with client:` runs first
    assert (
        str(info.value)
        == "InvalidLogin: Cannot complete login due to an incorrect user name or password."
    )
    assert t.closed
    assert "Logout" not in t.methods


def test_validate_certs_false_adds_a_warning():
    client = session.Client("vc.example", "u", "p", validate_certs=False, transport=FakeTransport())
    assert len(client.warnings) == 1
    assert "validate_certs is false" in client.warnings[0] and "vc.example" in client.warnings[0]
    assert session.Client("vc.example", "u", "p", transport=FakeTransport()).warnings == []


# ------------------------------------------------------------------ relogin


def test_not_authenticated_relogs_in_once_and_repeats_only_that_call():
    t = FakeTransport().on("RetrievePropertiesEx", not_authenticated(), NAME)
    client = vi_wire.client(t)
    t.on("Login", response("Login", vi_wire.user_session("second-session")))
    assert read_name(client) == "Datacenters"
    assert t.methods == [
        "RetrieveServiceContent",
        "Login",
        "RetrievePropertiesEx",
        "Login",
        "RetrievePropertiesEx",
    ]
    assert t.requests[2].body == t.requests[4].body  # the same call, repeated
    assert client.session["key"] == "second-session"


def test_a_second_not_authenticated_is_a_clear_error():
    t = FakeTransport().on("RetrievePropertiesEx", not_authenticated(), not_authenticated(), NAME)
    client = vi_wire.client(t)
    with pytest.raises(faults.NotAuthenticated) as info:
        read_name(client)
    assert t.methods.count("Login") == 2  # the connect, and one relogin: no loop
    assert t.methods.count("RetrievePropertiesEx") == 2
    message = str(info.value)
    assert "RetrievePropertiesEx was refused again right after a fresh login" in message
    assert "The session is not authenticated." in message
    assert info.value.detail["privilegeId"] == "System.View"


def test_a_relogin_that_fails_reports_the_login_fault():
    t = FakeTransport().on("RetrievePropertiesEx", not_authenticated())
    client = vi_wire.client(t)
    t.on(
        "Login",
        fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password."),
    )
    with pytest.raises(faults.InvalidLogin):
        read_name(client)
    assert t.methods[-2:] == ["RetrievePropertiesEx", "Login"]


def test_not_authenticated_before_login_is_not_retried():
    t = FakeTransport().on("RetrieveServiceContent", not_authenticated())
    client = session.Client("vc", "u", "p", backoff=NO_DELAY, transport=t)
    with pytest.raises(faults.NotAuthenticated):
        client.connect()
    assert t.methods == ["RetrieveServiceContent"]


# ------------------------------------------------------------------ retry


def test_idempotent_reads_are_retried_on_connection_errors():
    refused = faults.TransportError("connection to x failed: refused", retryable=True)
    reset = faults.TransportError("connection to x failed: reset by peer", retryable=True)
    t = FakeTransport().on("RetrievePropertiesEx", refused, reset, NAME)
    client = vi_wire.client(t)
    assert read_name(client) == "Datacenters"
    assert t.methods.count("RetrievePropertiesEx") == 3
    assert client.round_trips == 5


def test_retries_sleep_the_backoffs_delays_through_its_own_sleep():
    refused = faults.TransportError("connection to x failed: refused", retryable=True)
    slept = []
    backoff = Backoff(uniform=lambda low, high: high, sleep=slept.append)
    t = vi_wire.standard(FakeTransport().on("RetrievePropertiesEx", refused, refused, NAME))
    client = session.Client("vc", "u", "p", backoff=backoff, transport=t).connect()
    assert read_name(client) == "Datacenters"
    assert slept == [0.5, 1.0]  # before retry 0 and 1: the upper bound this uniform returns


def test_a_read_that_timed_out_is_not_waited_out_again():
    t = FakeTransport().on("RetrievePropertiesEx", lost(), NAME)
    with pytest.raises(faults.ReadTimeout):
        read_name(vi_wire.client(t))
    assert t.methods.count("RetrievePropertiesEx") == 1


def test_properties_missing_for_not_authenticated_count_as_a_lost_session():
    gone = (
        '<objects><obj type="Folder">group-d1</obj><missingSet><path>name</path><fault>'
        '<fault xsi:type="NotAuthenticated"><object type="Folder">group-d1</object>'
        "<privilegeId>System.View</privilegeId></fault><localizedMessage></localizedMessage>"
        "</fault></missingSet></objects>"
    )
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx", gone), NAME)
    client = vi_wire.client(t)
    assert read_name(client) == "Datacenters"
    assert t.methods[2:] == ["RetrievePropertiesEx", "Login", "RetrievePropertiesEx"]


def test_retries_are_bounded():
    refused = faults.TransportError("connection to x failed: refused", retryable=True)
    t = FakeTransport().on("RetrievePropertiesEx", refused, always=True)
    client = vi_wire.client(t)
    with pytest.raises(faults.TransportError, match="refused"):
        read_name(client)
    assert t.methods.count("RetrievePropertiesEx") == NO_DELAY.attempts == 3


def test_an_error_that_is_not_transient_is_not_retried():
    t = FakeTransport().on(
        "RetrievePropertiesEx", faults.TransportError("HTTP 404 from x", status=404)
    )
    client = vi_wire.client(t)
    with pytest.raises(faults.TransportError, match="404"):
        read_name(client)
    assert t.methods.count("RetrievePropertiesEx") == 1


def test_faults_are_not_retried():
    t = FakeTransport().on("RetrievePropertiesEx", fault("InvalidProperty", "name2"))
    with pytest.raises(faults.fault("InvalidProperty")):
        read_name(vi_wire.client(t))
    assert t.methods.count("RetrievePropertiesEx") == 1


def test_a_call_that_changes_state_is_not_repeated_after_a_lost_answer():
    t = FakeTransport().on("MarkAsTemplate", lost(), response("MarkAsTemplate"))
    client = vi_wire.client(t)
    with pytest.raises(faults.ReadTimeout):
        client.call(VM, "MarkAsTemplate")
    assert t.methods.count("MarkAsTemplate") == 1


def test_a_call_that_never_left_is_sent_again_even_if_it_changes_state():
    never_sent = faults.ConnectTimeout("no connection to x within 30s", retryable=True)
    t = FakeTransport().on("MarkAsTemplate", never_sent, response("MarkAsTemplate"))
    t.on("PowerOnVM_Task", never_sent, response_ref("PowerOnVM_Task", "Task", "task-9"))
    client = vi_wire.client(t)
    assert client.call(VM, "MarkAsTemplate") is None
    assert client.call(VM, "PowerOnVM_Task") == MoRef("Task", "task-9")
    assert t.methods.count("MarkAsTemplate") == 2 and t.methods.count("PowerOnVM_Task") == 2


# ------------------------------------------------------------------ lost task submits


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def task_info(task: str, entity: MoRef, name: str, queued: datetime, description: str = "") -> str:
    description = description or f"VirtualMachine.{name[0].lower()}{name[1:].split('VM_')[0]}"
    info = (
        f'<val xsi:type="TaskInfo"><key>{task}</key><task type="Task">{task}</task>'
        f"<name>{name}</name><descriptionId>{description}</descriptionId>"
        f'<entity type="{entity.type}">{entity.value}</entity><entityName>web01</entityName>'
        "<state>running</state><cancelled>false</cancelled><cancelable>false</cancelable>"
        f"<queueTime>{_iso(queued)}</queueTime><eventChainId>4711</eventChainId></val>"
    )
    return object_content(("Task", task), {"info": info})


def recent_tasks(*objects: str) -> bytes:
    return response("RetrievePropertiesEx", "".join(objects))


def test_a_lost_task_submit_is_found_on_the_server_and_not_sent_again():
    now = datetime.now(timezone.utc)
    tasks = recent_tasks(
        task_info("task-1", VM, "PowerOnVM_Task", now - timedelta(hours=1)),  # an older one
        task_info("task-2", MoRef("VirtualMachine", "vm-7"), "PowerOnVM_Task", now),  # another VM
        task_info("task-3", VM, "ReconfigVM_Task", now),  # another method
        task_info("task-4", VM, "PowerOnVM_Task", now),  # ours
    )
    t = FakeTransport().on("PowerOnVM_Task", lost()).on("RetrievePropertiesEx", tasks)
    client = vi_wire.client(t)
    assert client.call(VM, "PowerOnVM_Task") == MoRef("Task", "task-4")
    assert t.methods == [
        "RetrieveServiceContent",
        "Login",
        "PowerOnVM_Task",
        "RetrievePropertiesEx",
    ]
    lookup = t.requests[3]
    spec = lookup.arg("specSet")[0]
    assert spec["objectSet"][0]["obj"] == MoRef("TaskManager", "TaskManager")
    assert spec["objectSet"][0]["selectSet"][0]["path"] == "recentTask"
    assert spec["propSet"][0]["type"] == "Task" and spec["propSet"][0]["pathSet"] == ["info"]


def test_the_task_is_recognised_however_the_server_names_it():
    # vcsim names a task after its action ("PowerOn", "VirtualMachine.powerOn").
    now = datetime.now(timezone.utc)
    tasks = recent_tasks(task_info("task-8", VM, "PowerOn", now, "VirtualMachine.powerOn"))
    t = FakeTransport().on("PowerOnVM_Task", lost()).on("RetrievePropertiesEx", tasks)
    assert vi_wire.client(t).call(VM, "PowerOnVM_Task") == MoRef("Task", "task-8")


def test_a_task_our_own_submit_returned_is_not_taken_for_a_lost_one():
    now = datetime.now(timezone.utc)
    mine = response_ref("PowerOnVM_Task", "Task", "task-1")
    tasks = recent_tasks(task_info("task-1", VM, "PowerOnVM_Task", now))
    t = FakeTransport().on("PowerOnVM_Task", mine, lost()).on("RetrievePropertiesEx", tasks)
    client = vi_wire.client(t)
    assert client.call(VM, "PowerOnVM_Task") == MoRef("Task", "task-1")
    with pytest.raises(faults.TransportError, match="the server shows no task for it"):
        client.call(VM, "PowerOnVM_Task")
    assert t.methods.count("PowerOnVM_Task") == 2


def test_a_lost_task_submit_without_a_task_on_the_server_is_a_clear_error():
    now = datetime.now(timezone.utc)
    tasks = recent_tasks(task_info("task-1", VM, "PowerOnVM_Task", now - timedelta(minutes=10)))
    t = FakeTransport().on("PowerOnVM_Task", lost()).on("RetrievePropertiesEx", tasks)
    client = vi_wire.client(t)
    with pytest.raises(faults.TransportError) as info:
        client.call(VM, "PowerOnVM_Task")
    message = str(info.value)
    assert message.startswith("PowerOnVM_Task on VirtualMachine:vm-42: the answer was lost")
    assert "did not answer within 60s" in message
    assert message.endswith("the server shows no task for it; it was not sent again")
    assert info.value.retryable is False
    assert t.methods.count("PowerOnVM_Task") == 1


def test_the_task_lookup_uses_the_servers_clock():
    # The server's clock runs 3 hours behind ours: its queueTime is read on its own clock.
    server_now = datetime.now(timezone.utc) - timedelta(hours=3)
    tasks = recent_tasks(task_info("task-5", VM, "PowerOnVM_Task", server_now))
    t = FakeTransport().on("PowerOnVM_Task", lost()).on("RetrievePropertiesEx", tasks)
    t.on("CurrentTime", response("CurrentTime", _iso(server_now)))
    client = vi_wire.client(t)
    t.last_date = format_datetime(server_now, usegmt=True)  # the HTTP Date of the next answer
    client.call(MoRef("ServiceInstance", "ServiceInstance"), "CurrentTime")
    assert client.call(VM, "PowerOnVM_Task") == MoRef("Task", "task-5")


# ------------------------------------------------------------------ secrets


def _flows(caplog):
    """Run every path that handles the password; return the errors they raised."""
    errors = []
    # connect, relogin, second refusal
    t = FakeTransport().on(
        "RetrievePropertiesEx", not_authenticated(), NAME, not_authenticated(), not_authenticated()
    )
    client = vi_wire.client(t)
    read_name(client)
    try:
        read_name(client)
    except faults.ViError as e:
        errors.append(e)
    client.logout()
    # wrong password
    t = FakeTransport().on(
        "Login",
        fault("InvalidLogin", "Cannot complete login due to an incorrect user name or password."),
    )
    try:
        with session.Client("vc", "u", PASSWORD, backoff=NO_DELAY, transport=vi_wire.standard(t)):
            pass
    except faults.ViError as e:
        errors.append(e)
    # a password the envelope cannot carry
    t = vi_wire.standard(FakeTransport())
    try:
        with session.Client("vc", "u", PASSWORD + "\x01", backoff=NO_DELAY, transport=t):
            pass
    except faults.ViError as e:
        errors.append(e)
    assert t.methods == ["RetrieveServiceContent"]  # nothing was sent with it
    # the connection drops during login
    t = vi_wire.standard(FakeTransport()).on("Login", lost())
    try:
        with session.Client("vc", "u", PASSWORD, backoff=NO_DELAY, transport=t):
            pass
    except faults.ViError as e:
        errors.append(e)
    return errors


def test_credentials_never_appear_in_errors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    errors = _flows(caplog)
    assert [type(e).__name__ for e in errors] == [
        "NotAuthenticated",
        "InvalidLogin",
        "ViError",
        "ReadTimeout",
    ]
    assert "Login: text contains characters that XML 1.0 cannot carry" in str(errors[2])
    assert caplog.records  # the flows do log
    for e in errors:
        for text in (str(e), repr(e), repr(e.args), repr(getattr(e, "detail", ""))):
            assert PASSWORD not in text
    assert PASSWORD not in caplog.text
    assert "Pa55" not in caplog.text


def holders(value, secret: str, path: str = "", seen=None) -> list[str]:
    """The attribute paths below `value` whose text holds `secret`."""
    if isinstance(value, (str, bytes)):
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        return [path] if secret in text else []
    seen = set() if seen is None else seen
    if id(value) in seen:  # objects that refer to each other
        return []
    seen.add(id(value))
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = enumerate(value)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        items = vars(value).items()
    else:
        return [path] if secret in repr(value) else []
    return [p for key, item in items for p in holders(item, secret, f"{path}.{key}", seen)]


def test_the_password_is_kept_in_one_attribute_only():
    # After a login and a relogin; the transport is left out: this fake one records requests.
    t = FakeTransport().on("RetrievePropertiesEx", not_authenticated(), NAME)
    client = vi_wire.client(t)
    assert read_name(client) == "Datacenters" and t.methods.count("Login") == 2
    state = {k: v for k, v in vars(client).items() if k != "transport"}
    assert holders(state, PASSWORD) == ["._password"]
    assert PASSWORD not in repr(client) and PASSWORD not in str(client)


def test_redaction_covers_the_escaped_forms_of_the_password():
    secret = 'p&ss<w>"rd'
    error = faults.TransportError(
        f'HTTP 400: echoed {secret} / p&amp;ss&lt;w&gt;&quot;rd / p&amp;ss&lt;w&gt;"rd'
    )
    session._redact(error, secret)
    assert "p&" not in str(error) and str(error).count("********") == 3


# ------------------------------------------------------------------ deadline()


class TimedTransport(FakeTransport):
    """A FakeTransport that keeps the read timeout each request was given."""

    def __init__(self):
        super().__init__()
        self.read_timeouts: list = []

    def post(self, body: bytes, soap_action: str, read_timeout: float | None = None):
        self.read_timeouts.append(read_timeout)
        return super().post(body, soap_action)


def timed() -> tuple[TimedTransport, session.Client]:
    t = TimedTransport()
    client = vi_wire.client(t)
    t.read_timeouts.clear()
    t.requests.clear()  # the connect's
    return t, client


def test_outside_a_deadline_the_connection_timeout_reads():
    t, client = timed()
    t.on("RetrievePropertiesEx", NAME)
    assert read_name(client) == "Datacenters"
    assert t.read_timeouts == [None]


def test_a_deadline_shortens_an_answer_to_what_is_left_and_stretch_lengthens_it():
    t, client = timed()
    t.on("RetrievePropertiesEx", NAME, NAME, NAME)
    with client.deadline(5, "pool 'p'"):
        read_name(client)
    with client.deadline(3600, "pool 'p'"):
        read_name(client)
    with client.deadline(3600, "pool 'p'", stretch=True):
        read_name(client)
    short, capped, stretched = t.read_timeouts
    assert 4 < short <= 5 and capped == client.timeout == 60 and 3599 < stretched <= 3600
    assert client._bound is None  # gone with the block


def test_no_call_is_sent_once_the_deadline_is_over(monkeypatch):
    t, client = timed()
    with client.deadline(2, "pool 'p'"):
        later = session.time.monotonic() + 3
        monkeypatch.setattr(session.time, "monotonic", lambda: later)
        with pytest.raises(faults.WaitTimeout) as info:
            read_name(client)
    assert str(info.value) == (
        "pool 'p': RetrievePropertiesEx on propertyCollector not sent, the 2s given were over"
    )
    assert t.requests == []


def test_an_answer_cut_by_the_deadline_is_a_wait_timeout_naming_the_call():
    t, client = timed()
    t.on("RescanAllHba", lost(), lost())
    host = MoRef("HostStorageSystem", "storageSystem-1")
    with (
        client.deadline(5, "rescan of host 'h'", stretch=True),
        pytest.raises(faults.WaitTimeout) as info,
    ):
        client.call(host, "RescanAllHba")
    assert str(info.value) == (
        "rescan of host 'h': RescanAllHba on storageSystem-1 got no answer within the 5s given"
    )
    assert t.methods == ["RescanAllHba"]  # not sent again
    # A read timeout the connection's timeout set (more was left) stays a ReadTimeout.
    with client.deadline(3600, "rescan of host 'h'"), pytest.raises(faults.ReadTimeout):
        client.call(host, "RescanAllHba")


SNAPSHOT = MoRef("VirtualMachineSnapshot", "snapshot-7")


def test_a_lost_snapshot_task_is_found_by_the_snapshots_vm():
    # vCenter names the snapshot's VM as the entity of a snapshot task (a snapshot is no
    # managed entity), so the lookup reads the snapshot's vm first.
    now = datetime.now(timezone.utc)
    vm_of_snapshot = response(
        "RetrievePropertiesEx",
        object_content(("VirtualMachineSnapshot", "snapshot-7"),
                       {"vm": '<val type="VirtualMachine" xsi:type="ManagedObjectReference">vm-42</val>'}),
    )  # fmt: skip
    tasks = recent_tasks(
        task_info("task-1", MoRef("VirtualMachine", "vm-7"), "RemoveSnapshot_Task", now),
        task_info("task-2", VM, "RemoveSnapshot_Task", now, "VirtualMachineSnapshot.remove"),
    )
    t = (
        FakeTransport()
        .on("RemoveSnapshot_Task", lost())
        .on("RetrievePropertiesEx", vm_of_snapshot, tasks)
    )
    client = vi_wire.client(t)
    assert client.call(SNAPSHOT, "RemoveSnapshot_Task", removeChildren=False) == MoRef(
        "Task", "task-2"
    )
    assert t.methods.count("RemoveSnapshot_Task") == 1


def test_a_lost_snapshot_task_of_a_snapshot_already_gone_is_a_clear_error():
    gone = fault(
        "ManagedObjectNotFound",
        "The object has already been deleted or has not been completely created",
    )
    t = FakeTransport().on("RemoveSnapshot_Task", lost()).on("RetrievePropertiesEx", gone)
    with pytest.raises(faults.TransportError, match="the server shows no task for it"):
        vi_wire.client(t).call(SNAPSHOT, "RemoveSnapshot_Task", removeChildren=False)
    assert t.methods.count("RemoveSnapshot_Task") == 1
