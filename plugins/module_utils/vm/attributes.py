"""esx_vm's custom_attributes: values of vCenter custom attributes (CustomFieldsManager) on a VM.

The plan reads the attribute definitions once (only when the option is set) and compares the
VM's values (its `custom_attributes` facts); `apply_values` makes the calls: SetField per
changed value, after AddCustomFieldDef for an attribute that create_custom_attributes defines.
"""

from __future__ import annotations

from ..vi.collector import get_one
from ..vi.faults import InvalidArgument


def wanted(values) -> dict | None:
    """The custom_attributes option: name -> text (null clears the value to empty)."""
    if values is None:
        return None
    if not isinstance(values, dict):
        raise InvalidArgument(f"custom_attributes must be a dict of name: value, got {values!r}")
    out = {}
    for name, value in values.items():
        if not isinstance(name, str) or not name.strip():
            raise InvalidArgument(f"custom_attributes: '{name}' is not a valid attribute name")
        if isinstance(value, (dict, list)):
            raise InvalidArgument(f"custom_attributes: '{name}' must be text, got {value!r}")
        out[name] = "" if value is None else str(value)
    return out


def definitions(client) -> dict[str, int]:
    """Attribute name -> key, of the attributes a VM can carry (global or VirtualMachine)."""
    manager = client.content["customFieldsManager"]
    fields = get_one(client, manager, ["field"]).get("field") or []
    return {
        f["name"]: f["key"]
        for f in fields
        if (f.get("managedObjectType") or "VirtualMachine") == "VirtualMachine"
    }


def plan(client, want: dict | None, facts: dict, create: bool) -> tuple[list, dict, dict]:
    """(the values to set as (name, key or None, value), before, after) for the option."""
    if want is None:
        return [], {}, {}
    if not client.is_vcenter:
        raise InvalidArgument(
            "custom_attributes: custom attributes are a vCenter feature; this is an ESXi host"
        )
    known = definitions(client)
    missing = [name for name in want if name not in known]
    if missing and not create:
        raise InvalidArgument(
            f"custom_attributes: {', '.join(repr(n) for n in missing)} not defined on the "
            "vCenter; set create_custom_attributes: true to define them"
        )
    current = facts.get("custom_attributes") or {}
    before = {name: current.get(name) for name in want}
    todo = [
        (name, known.get(name), value)
        for name, value in want.items()
        if (current.get(name) or "") != value or name not in known
    ]
    return todo, {"custom_attributes": before}, {"custom_attributes": dict(want)}


def apply_values(client, ref, todo: list) -> None:
    """Define the attributes that lack a definition, then set each value."""
    manager = client.content["customFieldsManager"]
    for name, key, value in todo:
        if key is None:
            made = client.call(manager, "AddCustomFieldDef", name=name, moType="VirtualMachine")
            key = made["key"]
        client.call(manager, "SetField", entity=ref, key=key, value=value)
