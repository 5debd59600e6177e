"""vm/advanced.py: extra_config validation, the facts without vSphere's keys, the plan."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import advanced
from ansible_collections.viapi.esx.plugins.module_utils.vm.plan import Plan


def option(key, value):
    return {"_type": "OptionValue", "key": key, "value": value}


def test_values_become_text_and_null_removes():
    want = advanced.wanted({"a": 1, "b": True, "c": False, "d": "x", "e": None})
    assert want == {"a": "1", "b": "TRUE", "c": "FALSE", "d": "x", "e": None}


@pytest.mark.parametrize(
    "key, fragment",
    [
        ("numvcpus", "set through the VM's configuration"),
        ("sched.cpu.min", "set through the VM's configuration"),
        ("ethernet0.virtualDev", "a virtual device's setting"),
        ("scsi0:1.fileName", "a virtual device's setting"),
        ("migrate.hostLog", "written by vSphere itself"),
        ("guestinfo.vmtools.versionString", "written by vSphere itself"),
    ],
)
def test_keys_vsphere_owns_are_refused(key, fragment):
    with pytest.raises(InvalidArgument, match=f"extra_config: '{key}' is {fragment}"):
        advanced.wanted({key: "1"})


def test_user_keys_that_look_alike_are_allowed():
    assert advanced.owner("ethernetX.custom") is None
    assert advanced.owner("guestinfo.userdata") is None
    assert advanced.owner("Numvcpus") is None  # keys are compared exactly


@pytest.mark.parametrize("value", ["", [1], {"a": 1}])
def test_bad_values_name_the_key(value):
    with pytest.raises(InvalidArgument, match="extra_config: 'k' "):
        advanced.wanted({"k": value})


def test_facts_leave_out_owned_keys():
    props = {"config.extraConfig": [option("guestinfo.a", "b"), option("numvcpus", "2"),
                                    option("vmware.tools.internalversion", "1")]}  # fmt: skip
    assert advanced.facts(props) == {"extra_config": {"guestinfo.a": "b"}}
    assert advanced.facts({}) == {"extra_config": None}


def test_plan_sets_changes_and_removes_only_what_differs():
    plan = Plan()
    have = {"extra_config": {"a": "1", "b": "2", "gone": "x"}}
    advanced.plan(plan, {"a": "1", "b": "3", "gone": None, "never": None, "new": "n"}, have)
    assert plan.config["extraConfig"] == [option("b", "3"), option("gone", ""), option("new", "n")]
    assert [c.path for c in plan.changes] == [
        "extra_config.b", "extra_config.gone", "extra_config.new",
    ]  # fmt: skip
    assert not any(c.cold for c in plan.changes)
    assert plan.before["extra_config"]["gone"] == "x" and plan.after["extra_config"]["gone"] is None


def test_no_change_no_spec():
    plan = Plan()
    advanced.plan(plan, {"a": "1"}, {"extra_config": {"a": "1"}})
    assert plan.config == {} and plan.changes == []
