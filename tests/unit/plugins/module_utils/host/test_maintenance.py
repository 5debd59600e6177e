"""Maintenance mode: the request, the plan (diff and call), and check mode skipping apply only."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.host import maintenance
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.modules import esx_host_maintenance

REF = MoRef("HostSystem", "host-7")
PARAMS = {
    "name": "esx07",
    "state": "present",
    "evacuate_powered_off_vms": True,
    "wait_timeout": 600,
}
EXIT = dict(PARAMS, state="absent", evacuate_powered_off_vms=False)


class Server:
    """The host as the runner sees it through find/facts, and the calls it would send."""

    def __init__(self, in_maintenance: bool, is_vcenter: bool = True):
        self.in_maintenance, self.is_vcenter, self.calls = in_maintenance, is_vcenter, []

    def call(self, obj, method, **args):
        self.calls.append((obj, method, args))
        self.in_maintenance = method == "EnterMaintenanceMode_Task"
        return MoRef("Task", "task-1")


@pytest.fixture
def server(monkeypatch):
    def make(in_maintenance: bool, is_vcenter: bool = True) -> Server:
        s = Server(in_maintenance, is_vcenter)
        monkeypatch.setattr(maintenance, "find_by_name", lambda client, t, name, where, option: REF)
        monkeypatch.setattr(
            maintenance.facts,
            "gather",
            lambda client, refs: [{"name": "esx07", "maintenance_mode": s.in_maintenance}],
        )
        monkeypatch.setattr(maintenance, "wait_for_task", lambda client, task, timeout: None)
        return s

    return make


def test_entering_plans_one_call_with_its_diff(server):
    s = server(False)
    planned = maintenance.plan(s, esx_host_maintenance.request(PARAMS, check_mode=False))
    (change,) = planned.changes
    assert (change.method, change.args) == (
        "EnterMaintenanceMode_Task", {"timeout": 600, "evacuatePoweredOffVms": True}
    )  # fmt: skip
    assert planned.diff() == {
        "before": {"maintenance_mode": False},
        "after": {"maintenance_mode": True},
    }
    assert planned.predicted()["maintenance_mode"] is True and s.calls == []


def test_esxi_is_not_sent_the_vcenter_only_argument(server):
    s = server(False, is_vcenter=False)
    (change,) = maintenance.plan(s, esx_host_maintenance.request(PARAMS, check_mode=False)).changes
    assert change.args == {"timeout": 600, "evacuatePoweredOffVms": None}


def test_check_mode_sends_nothing_and_reports_the_predicted_host(server):
    s = server(True)
    request = esx_host_maintenance.request(EXIT, check_mode=True)
    got = maintenance.run(s, request)
    assert got["changed"] is True and got["host"]["maintenance_mode"] is False
    assert s.calls == [] and s.in_maintenance is True


def test_a_real_run_applies_the_call_and_reads_the_host_again(server):
    s = server(True)
    request = esx_host_maintenance.request(EXIT, check_mode=False)
    got = maintenance.run(s, request)
    assert s.calls == [(REF, "ExitMaintenanceMode_Task", {"timeout": 600})]
    assert got["changed"] is True and got["host"]["maintenance_mode"] is False


def test_already_there_plans_nothing(server):
    s = server(True)
    got = maintenance.run(s, esx_host_maintenance.request(PARAMS, check_mode=False))
    assert got["changed"] is False and s.calls == []
    assert got["diff"] == {
        "before": {"maintenance_mode": True},
        "after": {"maintenance_mode": True},
    }


@pytest.mark.parametrize(
    "changes, words",
    # (a wait_timeout that is not positive is refused by EsxModule, before any request)
    [({"state": "sideways"}, "state: 'sideways' is not one of present, absent"),
     ({"state": "absent", "evacuate_powered_off_vms": True},
      "evacuate_powered_off_vms applies to state present .entering maintenance mode., not to "
      "state absent")],
)  # fmt: skip
def test_bad_values_name_the_option(changes, words):
    with pytest.raises(InvalidArgument, match=words):
        esx_host_maintenance.request(dict(PARAMS, **changes), check_mode=False)
