"""vm/attributes.py: custom_attributes validation and the values a run sets."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import attributes

MANAGER = MoRef("CustomFieldsManager", "CustomFieldsManager")
FIELDS = [
    {"_type": "CustomFieldDef", "key": 1, "name": "owner", "managedObjectType": "VirtualMachine"},
    {"_type": "CustomFieldDef", "key": 2, "name": "site"},
    {"_type": "CustomFieldDef", "key": 3, "name": "rack", "managedObjectType": "HostSystem"},
]


@pytest.fixture(autouse=True)
def definitions(monkeypatch):
    """The manager's field list (the read itself is vi/collector's, tested there)."""
    monkeypatch.setattr(attributes, "get_one", lambda client, ref, paths: {"field": FIELDS})


class Client:
    """Answers the definitions read and records the calls."""

    def __init__(self, vcenter=True):
        self.is_vcenter, self.content, self.calls = vcenter, {"customFieldsManager": MANAGER}, []

    def call(self, obj, method, **args):
        self.calls.append((method, args))
        if method == "AddCustomFieldDef":
            return {"key": 9, "name": args["name"]}
        return None


def test_values_are_text_and_null_is_empty():
    assert attributes.wanted({"a": 1, "b": None}) == {"a": "1", "b": ""}
    with pytest.raises(InvalidArgument, match="custom_attributes: 'a' must be text"):
        attributes.wanted({"a": [1]})


def test_an_attribute_of_another_type_is_not_defined_for_vms():
    client = Client()
    with pytest.raises(InvalidArgument, match="'rack' not defined on the vCenter"):
        attributes.plan(client, {"rack": "r1"}, {}, create=False)


def test_only_differing_values_are_set_and_missing_ones_are_defined():
    client = Client()
    facts = {"custom_attributes": {"owner": "ops", "site": "a"}}
    todo, before, after = attributes.plan(
        client, {"owner": "ops", "site": "b", "new": "x"}, facts, True
    )
    assert todo == [("site", 2, "b"), ("new", None, "x")]
    assert before == {"custom_attributes": {"owner": "ops", "site": "a", "new": None}}
    assert after["custom_attributes"]["new"] == "x"
    client.calls.clear()
    vm = MoRef("VirtualMachine", "vm-1")
    attributes.apply_values(client, vm, todo)
    assert client.calls == [
        ("SetField", {"entity": vm, "key": 2, "value": "b"}),
        ("AddCustomFieldDef", {"name": "new", "moType": "VirtualMachine"}),
        ("SetField", {"entity": vm, "key": 9, "value": "x"}),
    ]


def test_esxi_is_refused():
    with pytest.raises(InvalidArgument, match="custom attributes are a vCenter feature"):
        attributes.plan(Client(vcenter=False), {"a": "b"}, {}, False)
