"""vi/faults.py: the error tree, fault() matching and make_fault()."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults


def test_fault_names_a_typed_class_that_except_matches():
    with pytest.raises(faults.fault("DuplicateName")):
        raise faults.make_fault("DuplicateName", "The name 'vm1' already exists.")
    try:
        raise faults.make_fault("InvalidPowerState", "powered off", {"existingState": "poweredOff"})
    except faults.fault("DuplicateName"):
        pytest.fail("an InvalidPowerState must not match DuplicateName")
    except faults.fault("InvalidPowerState") as e:
        assert e.detail == {"existingState": "poweredOff"}


def test_known_faults_are_module_classes():
    assert faults.fault("NotAuthenticated") is faults.NotAuthenticated
    assert faults.fault("InvalidLogin") is faults.InvalidLogin
    assert faults.fault("ManagedObjectNotFound") is faults.ManagedObjectNotFound
    assert faults.fault("InvalidArgument") is faults.InvalidArgumentFault
    assert isinstance(faults.make_fault("TaskInProgress", "busy"), faults.TaskInProgress)


def test_unknown_fault_names_get_one_class_each():
    cls = faults.fault("SomethingNewFromVsphere9")
    assert cls is faults.fault("SomethingNewFromVsphere9")
    assert issubclass(cls, faults.Fault) and cls.__name__ == "SomethingNewFromVsphere9"
    e = faults.make_fault("SomethingNewFromVsphere9", "new")
    assert e.__class__ is cls
    assert not isinstance(e, faults.fault("AnotherNewOne"))


def test_aliases_map_to_the_fault_we_act_on():
    assert isinstance(faults.make_fault("InvalidType", "bad type"), faults.InvalidRequest)
    assert isinstance(faults.make_fault("RestrictedVersion", "free license"), faults.NotSupported)
    assert faults.make_fault("InvalidType", "bad").name == "InvalidType"


def test_fault_message_and_fields():
    e = faults.make_fault(
        "InvalidLogin", "Cannot complete login due to an incorrect user name or password."
    )
    assert e.name == "InvalidLogin"
    assert e.message.startswith("Cannot complete login")
    assert (
        str(e) == "InvalidLogin: Cannot complete login due to an incorrect user name or password."
    )
    assert e.detail == {}
    assert str(faults.make_fault("NotSupported", "")) == "NotSupported"


def test_every_error_is_a_vi_error():
    for cls in (faults.TransportError, faults.CertificateError, faults.ConnectTimeout,
                faults.ReadTimeout, faults.ResponseError, faults.Fault, faults.TaskFailed,
                faults.TaskTimeout, faults.NotFound, faults.MultipleFound, faults.InvalidArgument,
                faults.WaitTimeout, faults.PartialFailure):  # fmt: skip
        assert issubclass(cls, faults.ViError)
    assert issubclass(faults.CertificateError, faults.TransportError)
    assert not issubclass(faults.InvalidArgument, faults.Fault)


def test_transport_error_carries_status_and_retryable():
    e = faults.TransportError("HTTP 503 from x: busy", status=503, retryable=True)
    assert (e.status, e.retryable, str(e)) == (503, True, "HTTP 503 from x: busy")
    assert faults.CertificateError("tls").retryable is False


def test_task_failed_names_the_task_and_the_fault():
    fault = faults.make_fault("InvalidPowerState", "The VM is powered off.")
    e = faults.TaskFailed("task-42", fault, "VirtualMachine.powerOff")
    assert e.task == "task-42" and e.fault is fault
    assert (
        str(e)
        == "task task-42 (VirtualMachine.powerOff) failed: InvalidPowerState: The VM is powered off."
    )
    assert (
        str(faults.TaskFailed("task-1", fault))
        == "task task-1 failed: InvalidPowerState: The VM is powered off."
    )


def test_task_timeout_carries_state_and_progress():
    e = faults.TaskTimeout("task-7", "running", 40, 30.0)
    assert (e.task, e.state, e.progress) == ("task-7", "running", 40)
    assert (
        str(e)
        == "task task-7 still running, 40% done after 30s; it may still complete on the server"
    )
    assert "still unknown after 1.5s" in str(faults.TaskTimeout("task-7", None, None, 1.5))


def test_multiple_found_lists_candidates():
    e = faults.MultipleFound("2 VMs are named 'web'", ["/dc/vm/a", "/dc/vm/b"])
    assert e.candidates == ["/dc/vm/a", "/dc/vm/b"]
    assert str(e) == "2 VMs are named 'web': /dc/vm/a, /dc/vm/b"


def test_wait_timeout_names_what_was_awaited_and_what_was_seen_last():
    e = faults.WaitTimeout("the VM to power off", {"runtime.powerState": "poweredOn"}, 300.0)
    assert (e.what, e.last_seen, e.timeout) == (
        "the VM to power off", {"runtime.powerState": "poweredOn"}, 300.0)  # fmt: skip
    assert str(e) == (
        "gave up waiting for the VM to power off after 300s; last seen: runtime.powerState=poweredOn"
    )
    assert str(faults.WaitTimeout("an IP address", {}, 1.5)).endswith(
        "after 1.5s; last seen: nothing"
    )
    assert not issubclass(faults.WaitTimeout, faults.Fault)  # a client-side wait, no server fault


def test_task_timeout_is_a_wait_timeout():
    e = faults.TaskTimeout("task-7", "running", 40, 30.0)
    assert isinstance(e, faults.WaitTimeout)
    assert (e.what, e.last_seen, e.timeout) == (
        "task task-7 to finish", {"state": "running", "progress": 40}, 30.0)  # fmt: skip


def test_partial_failure_carries_the_result_and_the_cause():
    cause = faults.make_fault("NoPermission", "denied")
    e = faults.PartialFailure("VM 'web': denied (after power_off succeeded)", cause,
                              changed=True, vm={"name": "web"})  # fmt: skip
    assert isinstance(e, faults.ViError) and e.cause is cause
    assert e.result == {"changed": True, "vm": {"name": "web"}}
    assert str(e) == "VM 'web': denied (after power_off succeeded)"
    assert faults.PartialFailure("blocked", changed=False).cause is None
