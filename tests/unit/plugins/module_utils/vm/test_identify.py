"""vm/identify.py: which lookup each identity option makes, on the wire, and the option rules."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import FakeTransport, fault, object_content, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vm import identify
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity

ROOT = MoRef("Folder", "group-d1")
DC = MoRef("Datacenter", "datacenter-2")
VMF = MoRef("Folder", "group-v3")
WEB = MoRef("Folder", "group-v10")
VIEW = ("ContainerView", "session[52bb85b0]5286fa88")
# Two VMs named app: /DC0/vm/app and /DC0/vm/web/app.
INVENTORY = [
    (ROOT, "Datacenters", None), (DC, "DC0", ROOT), (VMF, "vm", DC), (WEB, "web", VMF),
    (MoRef("VirtualMachine", "vm-1"), "app", VMF), (MoRef("VirtualMachine", "vm-2"), "app", WEB),
    (MoRef("VirtualMachine", "vm-3"), "db", WEB),
]  # fmt: skip


def entity(ref: MoRef, name: str, parent: MoRef | None) -> str:
    props = {"name": f'<val xsi:type="xsd:string">{name}</val>'}
    if parent is not None:
        props["parent"] = (
            f'<val type="{parent.type}" xsi:type="ManagedObjectReference">{parent.value}</val>'
        )
    return object_content((ref.type, ref.value), props)


def tree_transport() -> FakeTransport:
    body = "".join(entity(*row) for row in INVENTORY)
    return FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx", body))


def identity(**given) -> VmIdentity:
    """The identity options as find_vm takes them (unset ones at their default)."""
    return VmIdentity(**given)


def calls(t: FakeTransport) -> list[str]:
    """The methods sent after connecting (RetrieveServiceContent and Login)."""
    return t.methods[2:]


def test_moid_is_checked_to_exist_and_wins_over_uuid_and_name():
    vm = MoRef("VirtualMachine", "vm-2")
    t = FakeTransport().on(
        "RetrievePropertiesEx", response("RetrievePropertiesEx", entity(vm, "app", None))
    )
    found = identify.find_vm(vi_wire.client(t), identity(moid="vm-2", uuid="4211", name="db"))
    assert found == vm
    assert calls(t) == ["RetrievePropertiesEx"]  # no FindByUuid, no tree walk
    assert [o["obj"] for o in t.requests[-1].arg("specSet")[0]["objectSet"]] == [vm]


def test_a_moid_that_does_not_exist_is_not_found():
    t = FakeTransport().on(
        "RetrievePropertiesEx",
        fault("ManagedObjectNotFound", "The object has already been deleted",
              '<obj type="VirtualMachine">vm-9</obj>'),
    )  # fmt: skip
    with pytest.raises(faults.NotFound, match="vm-9"):
        identify.find_vm(vi_wire.client(t), identity(moid="vm-9"))


@pytest.mark.parametrize("instance", [False, True])
def test_uuid_asks_the_search_index_with_the_uuid_kind_and_the_datacenter(instance):
    t = FakeTransport().on("FindAllByUuid", response_ref("FindAllByUuid", "VirtualMachine", "vm-3"))
    p = identity(uuid="4211a1c5-33a2", use_instance_uuid=instance, name="app")
    assert identify.find_vm(vi_wire.client(t), p, DC) == MoRef("VirtualMachine", "vm-3")
    assert calls(t) == ["FindAllByUuid"]  # uuid wins over name
    call = t.requests[-1]
    assert (call.arg("uuid"), call.arg("instanceUuid"), call.arg("datacenter")) == (
        "4211a1c5-33a2",
        instance,
        DC,
    )
    assert call.arg("vmSearch") is True


def test_a_uuid_no_vm_has_is_not_found_and_says_which_kind():
    t = FakeTransport().on("FindAllByUuid", response("FindAllByUuid"), response("FindAllByUuid"))
    client = vi_wire.client(t)
    with pytest.raises(faults.NotFound, match=r"^uuid: VM '42' not found in any datacenter$"):
        identify.find_vm(client, identity(uuid="42"))
    with pytest.raises(
        faults.NotFound, match=r"^uuid: VM with instance uuid '50' not found in any datacenter$"
    ):
        identify.find_vm(client, identity(uuid="50", use_instance_uuid=True))


def test_name_with_folder_picks_the_vm_in_that_folder():
    for folder, moid in [("web", "vm-2"), ("/DC0/vm/web", "vm-2"), ("vm", "vm-1")]:
        t = tree_transport()
        found = identify.find_vm(vi_wire.client(t), identity(name="app", folder=folder))
        assert found == MoRef("VirtualMachine", moid), folder
        assert calls(t) == ["RetrievePropertiesEx"]  # one walk of the VM tree


def test_the_tree_walk_starts_at_the_datacenter_when_given():
    t = tree_transport()
    identify.find_vm(vi_wire.client(t), identity(name="db"), DC)
    (start,) = t.requests[-1].arg("specSet")[0]["objectSet"]
    assert start["obj"] == DC
    t = tree_transport()
    identify.find_vm(vi_wire.client(t), identity(name="db"))
    assert t.requests[-1].arg("specSet")[0]["objectSet"][0]["obj"] == ROOT


def test_an_ambiguous_name_lists_the_folders():
    with pytest.raises(faults.MultipleFound, match="2 VMs are named 'app'") as raised:
        identify.find_vm(vi_wire.client(tree_transport()), identity(name="app"))
    assert sorted(raised.value.candidates) == ["/DC0/vm", "/DC0/vm/web"]


def test_a_name_not_in_the_folder_is_not_found():
    with pytest.raises(faults.NotFound, match=r"^name: VM 'db' not found in folder 'vm'$"):
        identify.find_vm(vi_wire.client(tree_transport()), identity(name="db", folder="vm"))


def test_without_name_uuid_or_moid_nothing_is_asked_and_the_error_names_the_options():
    t = FakeTransport()
    with pytest.raises(faults.InvalidArgument, match="one of name, uuid or moid is required"):
        identify.find_vm(vi_wire.client(t), identity(folder="web", datacenter="DC0"))
    assert calls(t) == []


def test_datacenter_of_reads_nothing_without_the_option():
    t = FakeTransport()
    assert identify.datacenter_of(vi_wire.client(t), identity()) is None
    assert calls(t) == []


def test_datacenter_of_finds_the_named_datacenter_or_names_the_known_ones():
    def datacenters() -> FakeTransport:
        t = FakeTransport().on("CreateContainerView", response_ref("CreateContainerView", *VIEW))
        t.on("DestroyView", response("DestroyView"))
        body = entity(DC, "DC0", None) + entity(MoRef("Datacenter", "datacenter-9"), "DC1", None)
        return t.on("RetrievePropertiesEx", response("RetrievePropertiesEx", body))

    assert identify.datacenter_of(vi_wire.client(datacenters()), identity(datacenter="DC0")) == DC
    with pytest.raises(faults.NotFound, match=r"datacenter 'DC9' not found \(known: DC0, DC1\)"):
        identify.datacenter_of(vi_wire.client(datacenters()), identity(datacenter="DC9"))


def test_the_rules_make_exactly_one_of_name_uuid_moid_required():
    (required,) = identify.IDENTITY_RULES["required_one_of"]
    (exclusive,) = identify.IDENTITY_RULES["mutually_exclusive"]
    assert set(required) == set(exclusive) == {"name", "uuid", "moid"}
    assert set(required) <= set(identify.IDENTITY_ARGS)
    assert identify.IDENTITY_ARGS["use_instance_uuid"] == {"type": "bool", "default": False}
