"""Which VM a task means: the identity options esx_vm, esx_migrate and others share."""

from __future__ import annotations

from ..vi.envelope import MoRef
from ..vi.faults import InvalidArgument
from ..vi.find import (
    find_by_moid,
    find_by_uuid,
    find_datacenter,
    find_vm_by_name,
    in_datacenter,
    vm_place,
)
from .request import VmIdentity

# Argspec entries (plain dicts: no Ansible import here) and the rules between them.
IDENTITY_ARGS = {
    "name": {"type": "str"},
    "uuid": {"type": "str"},
    "use_instance_uuid": {"type": "bool", "default": False},
    "moid": {"type": "str"},
    "folder": {"type": "str"},
    "datacenter": {"type": "str"},
}
IDENTITY_RULES = {
    "required_one_of": [("name", "uuid", "moid")],
    "mutually_exclusive": [("name", "uuid", "moid")],
}


def datacenter_of(client, identity: VmIdentity) -> MoRef | None:
    """The datacenter option as a MoRef; None when not given."""
    name = identity.datacenter
    return find_datacenter(client, name, option="datacenter") if name else None


def find_vm(client, identity: VmIdentity, datacenter: MoRef | None = None) -> MoRef:
    """The VM the identity options name: moid, then uuid, then name (+ folder)."""
    where = in_datacenter(identity.datacenter)
    if identity.moid:
        return find_by_moid(client, "VirtualMachine", identity.moid)
    if identity.uuid:
        return find_by_uuid(client, identity.uuid, identity.use_instance_uuid, datacenter, where)
    if not identity.name:
        raise InvalidArgument("one of name, uuid or moid is required to identify the VM")
    return find_vm_by_name(client, identity.name, identity.folder, datacenter, where)


def searched(identity: VmIdentity) -> str:
    """Where find_vm looked for a VM by name, for messages."""
    return vm_place(identity.folder, in_datacenter(identity.datacenter))
