"""EsxModule: error details, input screening, and run() turning every ViError into fail_json."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
import vi_wire
from vi_wire import FakeTransport, fault, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils import module
from ansible_collections.viapi.esx.plugins.module_utils.module import (
    _error_details,
    _unsendable,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import (
    InvalidArgument,
    PartialFailure,
    TaskFailed,
    ViError,
    make_fault,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task


def test_no_permission_names_the_missing_privileges():
    older = make_fault("NoPermission", "Permission to perform this operation was denied.",
                       {"_type": "NoPermission", "privilegeId": "VirtualMachine.Interact.PowerOn"})  # fmt: skip
    newer = make_fault("NoPermission", "denied", {"_type": "NoPermission", "missingPrivileges": [
        {"entity": None, "privilegeIds": ["Datastore.AllocateSpace", "Resource.AssignVMToPool"]}]})  # fmt: skip
    assert _error_details(older) == {"error_type": "NoPermission", "fault": "NoPermission",
                                     "privileges": "VirtualMachine.Interact.PowerOn"}  # fmt: skip
    assert _error_details(newer)["privileges"] == "Datastore.AllocateSpace, Resource.AssignVMToPool"
    wrapped = TaskFailed("task-1", older)
    assert _error_details(wrapped)["privileges"] == "VirtualMachine.Interact.PowerOn"


def test_a_fault_without_privileges_has_none():
    assert _error_details(make_fault("InvalidLogin", "Login failure")) == {
        "error_type": "InvalidLogin", "fault": "InvalidLogin"}  # fmt: skip


def test_control_characters_are_found_in_options_and_suboptions():
    assert _unsendable({"name": "web01", "annotation": "line\nbreak\ttab"}) is None
    assert _unsendable({"name": "a\x01b"}) == "name"
    assert (
        _unsendable({"disks": [{"datastore": "ds1"}, {"datastore": "d\x0bs"}]}) == "disks.datastore"
    )
    assert _unsendable({"properties": ["ok", "bad\x00"]}) == "properties"


# ---------------------------------------------------------------- EsxModule.run, end to end

VM = MoRef("VirtualMachine", "vm-42")
# NoPermission as vCenter 8 sends it: the newer missingPrivileges list, with one entry.
DENIED = (
    '<object type="VirtualMachine">vm-42</object><privilegeId>VirtualMachine.Config.Memory'
    '</privilegeId><missingPrivileges><entity type="VirtualMachine">vm-42</entity>'
    "<privilegeIds>VirtualMachine.Config.Memory</privilegeIds></missingPrivileges>"
)
TASK = "task-77"


def task_denied() -> FakeTransport:
    """ReconfigVM_Task is accepted; its task ends in NoPermission."""
    t = FakeTransport()
    t.on("ReconfigVM_Task", response_ref("ReconfigVM_Task", "Task", TASK))
    t.on("CreatePropertyCollector", response_ref("CreatePropertyCollector", "PropertyCollector",
                                                 "session[52a6]52c1"))  # fmt: skip
    t.on("CreateFilter", response_ref("CreateFilter", "PropertyFilter", "session[52a6]52f0"))
    t.on("DestroyPropertyCollector", response("DestroyPropertyCollector"))
    info = (
        f'<key>{TASK}</key><task type="Task">{TASK}</task><name>ReconfigVM_Task</name>'
        "<descriptionId>VirtualMachine.reconfigure</descriptionId>"
        '<entity type="VirtualMachine">vm-42</entity><state>error</state>'
        f'<cancelled>false</cancelled><cancelable>false</cancelable><error><fault xsi:type="NoPermission">'
        f"{DENIED}</fault><localizedMessage>Permission to perform this operation was denied."
        "</localizedMessage></error><queueTime>2024-01-02T03:04:05.1Z</queueTime>"
        "<eventChainId>7</eventChainId>"
    )  # fmt: skip
    t.on("WaitForUpdatesEx", response("WaitForUpdatesEx", (
        '<version>1</version><filterSet><filter type="PropertyFilter">session[52a6]52f0</filter>'
        f'<objectSet><kind>enter</kind><obj type="Task">{TASK}</obj><changeSet><name>info</name>'
        f'<op>assign</op><val xsi:type="TaskInfo">{info}</val></changeSet></objectSet></filterSet>'
    )))  # fmt: skip
    return t


def submit_denied() -> FakeTransport:
    """ReconfigVM_Task itself is refused with NoPermission."""
    return FakeTransport().on(
        "ReconfigVM_Task",
        fault("NoPermission", "Permission to perform this operation was denied.", DENIED),
    )


def run_module(monkeypatch, capsys, transport, runner, request=None, **params) -> dict:
    """EsxModule(...).run(runner, request) on a client over `transport`; the JSON the module
    printed."""
    args = {
        "hostname": "vcenter.example.com",
        "username": "u",
        "password": vi_wire.PASSWORD,
        **params,
    }
    monkeypatch.setattr(module, "Client", lambda *a, **kw: vi_wire.client(transport, False))
    with patch_args(args), pytest.raises(SystemExit):
        module.EsxModule({"wait_timeout": {"type": "int", "default": 60}},
                         positive=("wait_timeout",), supports_check_mode=True).run(runner, request)  # fmt: skip
    return json.loads(capsys.readouterr().out)


@contextmanager
def patch_args(args: dict):
    """The module's arguments, as Ansible hands them over (2.19+ helper, or the older global)."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        from ansible.module_utils import basic

        old = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = old
        return
    with patch_module_args(args):
        yield


def reconfigure_after_power_off(_module, client) -> dict:
    """Like esx_vm's runner: a failure after a step that changed the VM is a PartialFailure."""
    try:
        task = client.call(VM, "ReconfigVM_Task", spec={"_type": "VirtualMachineConfigSpec",
                                                        "memoryMB": 2048})  # fmt: skip
        wait_for_task(client, task, 60)
    except ViError as e:
        raise PartialFailure(
            f"VM 'web01': {e} (after power_off succeeded)", e, changed=True, vm={"name": "web01"}
        ) from None
    return {"changed": True}


@pytest.mark.parametrize(
    "transport, error_type", [(submit_denied, "NoPermission"), (task_denied, "TaskFailed")]
)
def test_a_partial_failure_keeps_the_missing_privilege_hint(
    monkeypatch, capsys, transport, error_type
):
    out = run_module(monkeypatch, capsys, transport(), reconfigure_after_power_off)
    assert out["failed"] is True
    assert out["msg"].startswith("VM 'web01': ")
    assert out["msg"].endswith(
        "(after power_off succeeded) (missing privilege: VirtualMachine.Config.Memory)"
    )
    assert out["changed"] is True and out["vm"] == {"name": "web01"}
    assert out["error_type"] == error_type and out["fault"] == "NoPermission"
    assert out["privileges"] == "VirtualMachine.Config.Memory"


def test_a_partial_failure_without_a_cause_carries_only_its_result(monkeypatch, capsys):
    def blocked(_module, _client):
        raise PartialFailure("web01 was not moved: blocked by cpu", changed=False, checks=[])

    out = run_module(monkeypatch, capsys, FakeTransport(), blocked)
    assert out["msg"] == "web01 was not moved: blocked by cpu"
    assert (out["changed"], out["checks"]) == (False, [])
    assert "error_type" not in out and "fault" not in out


def test_any_vi_error_fails_with_its_details(monkeypatch, capsys):
    def denied(_module, client):
        client.call(VM, "ReconfigVM_Task", spec={"_type": "VirtualMachineConfigSpec"})

    out = run_module(monkeypatch, capsys, submit_denied(), denied)
    assert out["msg"] == ("NoPermission: Permission to perform this operation was denied. "
                          "(missing privilege: VirtualMachine.Config.Memory)")  # fmt: skip
    assert (out["error_type"], out["fault"]) == ("NoPermission", "NoPermission")


@pytest.mark.parametrize("option, value", [("timeout", 0), ("wait_timeout", -5)])
def test_positive_options_are_checked_before_connecting(monkeypatch, capsys, option, value):
    transport = FakeTransport()
    out = run_module(monkeypatch, capsys, transport, None, **{option: value})
    assert out["msg"] == f"{option} must be a positive number of seconds, got {value}"
    assert transport.requests == []


# ---------------------------------------------------------------- EsxModule.run_request


def recording_runner(seen: list):
    """A runner like pool.run / maintenance.run: it records the request and returns a diff."""

    def runner(client, request):
        seen.append((client, request))
        return {"changed": True, "diff": {"before": {"a": 1}, "after": {"a": 2}}, "thing": "x"}

    return runner


def build_request(params: dict, check_mode: bool) -> tuple:
    """Like a module's request(params, check_mode): the typed request from the options."""
    return ("request", params["wait_timeout"], check_mode)


@pytest.mark.parametrize("check_mode", [False, True])
def test_run_request_builds_the_request_from_the_options_and_drops_the_diff(
    monkeypatch, capsys, check_mode
):
    seen = []
    out = run_module(
        monkeypatch, capsys, FakeTransport(),
        lambda m, client: m.run_request(client, recording_runner(seen)), build_request,
        wait_timeout=30, _ansible_check_mode=check_mode,
    )  # fmt: skip
    assert [request for _client, request in seen] == [("request", 30, check_mode)]
    assert seen[0][0] is not None
    assert (out["changed"], out["thing"]) == (True, "x")
    assert "diff" not in out


def test_run_request_keeps_the_diff_in_diff_mode(monkeypatch, capsys):
    out = run_module(
        monkeypatch, capsys, FakeTransport(),
        lambda m, client: m.run_request(client, recording_runner([])), build_request,
        _ansible_diff=True,
    )  # fmt: skip
    assert out["diff"] == {"before": {"a": 1}, "after": {"a": 2}}


def test_run_request_takes_a_result_without_a_diff(monkeypatch, capsys):
    def migrate(_client, request):
        return {"changed": False, "request": list(request)}

    out = run_module(monkeypatch, capsys, FakeTransport(),
                     lambda m, client: m.run_request(client, migrate), build_request)  # fmt: skip
    assert (out["changed"], out["request"]) == (False, ["request", 60, False])


def test_a_request_wrong_by_itself_fails_before_connecting(monkeypatch, capsys):
    def refuse(params, _check_mode):
        raise InvalidArgument(f"wait_timeout: {params['wait_timeout']} is not what it takes")

    transport = FakeTransport()
    out = run_module(monkeypatch, capsys, transport,
                     lambda m, client: m.run_request(client, recording_runner([])), refuse)  # fmt: skip
    assert out["failed"] is True and out["msg"] == "wait_timeout: 60 is not what it takes"
    assert out["error_type"] == "InvalidArgument"
    assert transport.requests == []  # no Login, no call


def test_run_request_leaves_a_runner_error_to_run(monkeypatch, capsys):
    def fails(_client, _request):
        raise PartialFailure("pool 'ds9': removed, then the refresh failed", changed=True,
                             diff={"before": {"name": "ds9"}, "after": {}})  # fmt: skip

    out = run_module(monkeypatch, capsys, FakeTransport(),
                     lambda m, client: m.run_request(client, fails), build_request)  # fmt: skip
    assert out["failed"] is True and out["changed"] is True
    assert out["msg"] == "pool 'ds9': removed, then the refresh failed"
    assert "diff" not in out  # not in diff mode


def test_a_partial_failure_keeps_its_diff_in_diff_mode_only(monkeypatch, capsys):
    def fails(_module, _client):
        raise PartialFailure("removed, then the refresh failed", changed=True,
                             diff={"before": {"name": "ds9"}, "after": {}})  # fmt: skip

    out = run_module(monkeypatch, capsys, FakeTransport(), fails, _ansible_diff=True)
    assert out["diff"] == {"before": {"name": "ds9"}, "after": {}}
    out = run_module(monkeypatch, capsys, FakeTransport(), fails)
    assert "diff" not in out and out["changed"] is True


def test_typed_request_builds_nested_requests_from_flat_options():
    from ansible_collections.viapi.esx.plugins.module_utils.vm.options import ARGS
    from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
        CloneRequest,
        PlacementRequest,
        VmConfig,
        VmIdentity,
        VmRequest,
        field_names,
    )

    values = {name: None for name in ARGS}
    values.update(name="web-1", datacenter="DC0", folder="/DC0/vm/web", state="powered_on",
                  new_name=None, force=False, allow_power_cycle=True, guest_timeout=60,
                  wait_timeout=120, use_instance_uuid=False, linked_clone=False,
                  create_custom_attributes=False, num_cpus=2, host="H0", template="tpl",
                  wait_for=["customization", "ip"])  # fmt: skip
    got = module.typed_request(VmRequest, values, check_mode=True)

    def pick(cls):
        return cls(**{k: values[k] for k in field_names(cls)})

    assert got == VmRequest(
        identity=pick(VmIdentity), config=pick(VmConfig), placement=pick(PlacementRequest),
        state="powered_on", new_name=None, force=False, allow_power_cycle=True, guest_timeout=60,
        wait_timeout=120, check_mode=True, answers=None,
        clone=CloneRequest(template="tpl", wait_for=("customization", "ip")),
    )  # fmt: skip
    assert got.identity.folder == got.placement.folder == "/DC0/vm/web"
    # No wait_for given: an empty tuple, as the dataclass's default.
    values["wait_for"] = None
    assert module.typed_request(VmRequest, values, check_mode=False).clone.wait_for == ()


def test_typed_request_needs_every_option_of_the_request():
    from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity

    with pytest.raises(KeyError, match="uuid"):
        module.typed_request(VmIdentity, {"name": "x"}, check_mode=False)
