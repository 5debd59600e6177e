"""vm/vapp.py: vapp_properties validation, facts (passwords hidden) and the array updates."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import vapp
from ansible_collections.viapi.esx.plugins.module_utils.vm.plan import Plan

MODE = {"_type": "VAppPropertyInfo", "key": 3, "id": "mode", "type": "string", "value": "prod",
        "label": "Mode", "userConfigurable": True}  # fmt: skip
SECRET = {"_type": "VAppPropertyInfo", "key": 7, "id": "pw", "type": "password", "value": "s3"}
PROPS = {"config.vAppConfig": {"_type": "VmConfigInfo", "property": [MODE, SECRET]}}


def test_facts_hide_a_password():
    found = {p["id"]: p for p in vapp.facts(PROPS)["vapp_properties"]}
    assert found["mode"] == {"id": "mode", "key": 3, "value": "prod", "type": "string",
                             "label": "Mode", "default": "", "user_configurable": True}  # fmt: skip
    assert found["pw"]["value"] == vapp.HIDDEN
    assert vapp.facts({}) == {"vapp_properties": []}


def test_edit_sends_the_whole_property_and_add_takes_a_new_key():
    plan = Plan()
    want = vapp.wanted([{"id": "mode", "value": "dev"}, {"id": "port", "value": 80, "type": "int"}])
    vapp.plan(plan, want, PROPS)
    edit, add = plan.config["vAppConfig"]["property"]
    assert edit == {
        "_type": "VAppPropertySpec",
        "operation": "edit",
        "info": dict(MODE, value="dev"),
    }
    assert add["operation"] == "add"
    assert add["info"] == {"_type": "VAppPropertyInfo", "key": 8, "id": "port", "value": "80",
                           "type": "int", "userConfigurable": True}  # fmt: skip
    assert [c.path for c in plan.changes] == ["vapp_properties.mode", "vapp_properties.port"]
    assert plan.before["vapp_properties"][1] is None


def test_an_unchanged_property_sends_nothing_and_a_password_stays_hidden_in_the_diff():
    plan = Plan()
    vapp.plan(
        plan, vapp.wanted([{"id": "mode", "value": "prod"}, {"id": "pw", "value": "new"}]), PROPS
    )
    assert [u["info"]["id"] for u in plan.config["vAppConfig"]["property"]] == ["pw"]
    assert plan.after["vapp_properties"][1]["value"] == vapp.HIDDEN
    assert "new" not in repr(plan.before) + repr(plan.after)


@pytest.mark.parametrize(
    "items, fragment",
    [
        ([{"value": "x"}], r"vapp_properties\[0\].id is required"),
        ([{"id": "a"}, {"id": "a"}], "'a' is listed twice"),
        ([{"id": "a", "value": [1]}], "a value must be text"),
    ],
)
def test_bad_items_name_the_option(items, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        vapp.wanted(items)


def test_changing_a_type_is_refused():
    with pytest.raises(InvalidArgument, match="'mode' has type string"):
        vapp.plan(Plan(), vapp.wanted([{"id": "mode", "type": "int"}]), PROPS)


def test_the_secrets_are_the_password_entries_values_and_defaults():
    items = [{"id": "a", "type": "password", "value": "pw1", "default": 42},
             {"id": "b", "type": "password.256", "value": "pw2", "default": ""},
             {"id": "c", "type": "string", "value": "shown"}, {"id": "d", "value": "shown too"},
             {"id": "e", "type": "password", "value": None}]  # fmt: skip
    assert vapp.secrets(items) == {"pw1", "42", "pw2"}
    assert vapp.secrets(None) == set()


def test_hide_passwords_in_raw_values_at_any_depth():
    secret = {"_type": "VAppPropertyInfo", "id": "pw", "type": "password:8..32",
              "value": "s3cret", "defaultValue": "d3fault"}  # fmt: skip
    empty = {"_type": "VAppPropertyInfo", "id": "pw2", "type": "password", "value": ""}
    other = {"_type": "VAppPropertyInfo", "id": "host", "type": "string", "value": "h1"}
    raw = {"_type": "VmConfigInfo", "property": [secret, empty, other], "product": []}
    hidden = vapp.hide_passwords({"config": {"vAppConfig": raw}, "n": 3})
    props = hidden["config"]["vAppConfig"]["property"]
    assert (props[0]["value"], props[0]["defaultValue"]) == (vapp.HIDDEN, vapp.HIDDEN)
    assert props[1]["value"] == "" and props[2] == other and hidden["n"] == 3
    assert secret["value"] == "s3cret", "the input is not changed"
    assert vapp.hide_passwords([secret])[0]["value"] == vapp.HIDDEN
