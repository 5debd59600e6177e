"""EsxModule's error details and input screening (pure helpers of module.py)."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.module import (
    _error_details,
    _unsendable,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import TaskFailed, make_fault


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
