"""vi/find.py: inventory paths, name escapes, folder forms, NotFound and MultipleFound."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import FakeTransport, fault, object_content, response, response_ref

from ansible_collections.viapi.esx.plugins.module_utils.vi import faults, find
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

ROOT = MoRef("Folder", "group-d1")
DC = MoRef("Datacenter", "datacenter-2")
VMF = MoRef("Folder", "group-v3")
PROD = MoRef("Folder", "group-v10")
VIEW = ("ContainerView", "session[1]2")


def entity(ref: MoRef, name: str, parent: MoRef | None) -> str:
    props = {"name": f'<val xsi:type="xsd:string">{name}</val>'}
    if parent is not None:
        props["parent"] = (
            f'<val type="{parent.type}" xsi:type="ManagedObjectReference">{parent.value}</val>'
        )
    return object_content((ref.type, ref.value), props)


# The simulator's and vCenter's shape: /DC0/vm/prod%2fweb/web and /DC0/vm/web, and a VM named a/b.
INVENTORY = [
    (ROOT, "Datacenters", None),
    (DC, "DC0", ROOT),
    (VMF, "vm", DC),
    (PROD, "prod%2fweb", VMF),
    (MoRef("VirtualMachine", "vm-1"), "web", PROD),
    (MoRef("VirtualMachine", "vm-2"), "web", VMF),
    (MoRef("VirtualMachine", "vm-3"), "a%2fb", VMF),
    (MoRef("VirtualMachine", "vm-4"), "100%25 %5cdone", PROD),
]


def tree_rows():
    return [
        (ref, {"name": name, "parent": parent} if parent else {"name": name})
        for ref, name, parent in INVENTORY
    ]


def inventory_transport() -> FakeTransport:
    body = "".join(entity(*row) for row in INVENTORY)
    return FakeTransport().on(
        "RetrievePropertiesEx", response("RetrievePropertiesEx", body), always=True
    )


def view_transport(*rows: tuple[MoRef, str]) -> FakeTransport:
    body = "".join(entity(ref, name, None) for ref, name in rows)
    t = FakeTransport().on(
        "CreateContainerView", response_ref("CreateContainerView", *VIEW), always=True
    )
    t.on("RetrievePropertiesEx", response("RetrievePropertiesEx", body), always=True)
    return t.on("DestroyView", response("DestroyView"), always=True)


# ------------------------------------------------------------------ pure helpers


@pytest.mark.parametrize(
    "raw, shown",
    [("a%2fb", "a/b"), ("a%2Fb", "a/b"), ("back%5cslash", "back\\slash"), ("100%25", "100%"),
     ("%252f", "%2f"), ("plain", "plain"), ("50%", "50%"), ("", ""), (None, None)],
)  # fmt: skip
def test_unescape(raw, shown):
    assert find.unescape(raw) == shown


def test_split_path():
    assert find.split_path("/dc/vm/a/") == ["dc", "vm", "a"]
    assert find.split_path("vm//a") == ["vm", "a"]
    assert find.split_path("/") == []


def test_tree_paths_leave_out_the_root_folder_and_unescape_names():
    tree = find.Tree(tree_rows())
    assert tree.path(MoRef("VirtualMachine", "vm-1")) == "/DC0/vm/prod/web/web"
    assert tree.path(MoRef("VirtualMachine", "vm-3")) == "/DC0/vm/a/b"
    assert tree.path(MoRef("VirtualMachine", "vm-4")) == "/DC0/vm/prod/web/100% \\done"
    assert tree.path(VMF) == "/DC0/vm"
    assert tree.path(DC) == "/DC0"
    assert tree.path(ROOT) is None
    assert tree.path(MoRef("VirtualMachine", "vm-404")) is None
    assert tree.path(None) is None


def test_tree_datacenter():
    tree = find.Tree(tree_rows())
    assert tree.datacenter(MoRef("VirtualMachine", "vm-1")) == DC
    assert tree.datacenter(DC) == DC
    assert tree.datacenter(ROOT) is None
    assert tree.datacenter(None) is None


@pytest.mark.parametrize(
    "wanted, matches",
    [
        ("/DC0/vm/prod", True),
        ("DC0/vm/prod", True),
        ("/DC0/vm/prod/", True),
        ("vm/prod", True),
        ("prod", True),
        ("/prod", True),
        ("/DC0/vm", False),
        ("DC1/vm/prod", False),
        ("vm", False),
        ("other/prod", False),
    ],
)
def test_folder_matches_full_and_relative_forms(wanted, matches):
    assert find.folder_matches("/DC0/vm/prod", wanted) is matches


@pytest.mark.parametrize(
    "wanted, matches",
    [
        ("/Region/DC0/vm/prod", True),
        ("DC0/vm/prod", True),
        ("vm/prod", True),
        ("prod", True),
        ("/Region/DC0/vm", False),
        ("DC0/prod", False),
        ("Region/prod", False),
        ("vm", False),
    ],
)
def test_folder_matches_below_a_datacenter_in_a_folder(wanted, matches):
    """The relative forms start below the datacenter, wherever it is."""
    assert find.folder_matches("/Region/DC0/vm/prod", wanted, "DC0") is matches


def test_folder_matches_needs_a_known_folder():
    assert find.folder_matches(None, "/DC0/vm") is False
    assert find.folder_matches("/DC0/host/prod", "prod") is False  # only below the VM folder


# ------------------------------------------------------------------ lookups on recorded answers


def test_find_vm_by_name_in_one_bulk_read():
    t = inventory_transport()
    client = vi_wire.client(t)
    assert find.find_vm_by_name(client, "a/b") == MoRef("VirtualMachine", "vm-3")
    assert t.methods[2:] == ["RetrievePropertiesEx"]
    assert find.find_vm_by_name(client, "100% \\done") == MoRef("VirtualMachine", "vm-4")


def test_find_vm_by_name_reports_every_candidate_folder():
    client = vi_wire.client(inventory_transport())
    with pytest.raises(faults.MultipleFound) as info:
        find.find_vm_by_name(client, "web")
    e = info.value
    assert sorted(e.candidates) == ["/DC0/vm", "/DC0/vm/prod/web"]
    assert str(e).startswith("2 VMs are named 'web'; set folder, uuid or moid. Their folders: ")


def test_find_vm_by_name_for_another_option_names_it_and_asks_for_a_path():
    client = vi_wire.client(inventory_transport())
    with pytest.raises(faults.MultipleFound) as info:
        find.find_vm_by_name(client, "web", option="template")
    assert str(info.value).startswith(
        "template: 2 VMs are named 'web'; give template as the inventory path of one. Their "
        "folders: "
    )


@pytest.mark.parametrize(
    "folder, moid",
    [("/DC0/vm/prod/web", "vm-1"), ("prod/web", "vm-1"), ("vm", "vm-2"), ("/DC0/vm", "vm-2")],
)
def test_find_vm_by_name_in_a_folder(folder, moid):
    client = vi_wire.client(inventory_transport())
    assert find.find_vm_by_name(client, "web", folder=folder) == MoRef("VirtualMachine", moid)


def test_find_vm_by_name_not_found_names_what_and_where():
    client = vi_wire.client(inventory_transport())
    with pytest.raises(faults.NotFound, match=r"^name: VM 'db' not found in any datacenter$"):
        find.find_vm_by_name(client, "db")
    with pytest.raises(
        faults.NotFound, match=r"^name: VM 'a/b' not found in folder '/DC0/vm/prod/web'$"
    ):
        find.find_vm_by_name(client, "a/b", folder="/DC0/vm/prod/web")


def test_find_vm_by_name_below_a_datacenter_starts_there():
    t = inventory_transport()
    find.find_vm_by_name(vi_wire.client(t), "a/b", datacenter=DC)
    spec = t.requests[-1].arg("specSet")[0]
    assert spec["objectSet"][0]["obj"] == DC


def test_find_datacenter():
    dcs = [(DC, "DC0"), (MoRef("Datacenter", "datacenter-9"), "DC%2f1")]
    client = vi_wire.client(view_transport(*dcs))
    assert find.find_datacenter(client, "DC/1") == MoRef("Datacenter", "datacenter-9")
    with pytest.raises(faults.NotFound, match=r"^datacenter 'DC2' not found \(known: DC/1, DC0\)$"):
        find.find_datacenter(client, "DC2")
    with pytest.raises(faults.MultipleFound) as info:
        find.find_datacenter(client)
    assert info.value.candidates == ["DC/1", "DC0"]
    assert str(info.value) == "2 datacenters exist, set datacenter to one of them: DC/1, DC0"
    assert find.find_datacenter(vi_wire.client(view_transport((DC, "DC0")))) == DC


def test_find_by_name():
    hosts = [(MoRef("HostSystem", "host-1"), "esx1"), (MoRef("HostSystem", "host-2"), "esx2"),
             (MoRef("HostSystem", "host-3"), "esx2")]  # fmt: skip
    t = view_transport(*hosts)
    client = vi_wire.client(t)
    assert find.find_by_name(client, "HostSystem", "esx1") == MoRef("HostSystem", "host-1")
    assert t.requests[2].arg("type") == ["HostSystem"]
    with pytest.raises(faults.NotFound, match=r"^host 'esx9' not found in cluster C1$"):
        find.find_by_name(client, "HostSystem", "esx9", where="cluster C1")
    with pytest.raises(faults.MultipleFound) as info:
        find.find_by_name(client, "HostSystem", "esx2")
    assert info.value.candidates == ["host-2", "host-3"]
    assert str(info.value).startswith("2 objects named host 'esx2'")
    with pytest.raises(faults.NotFound, match=r"^OpaqueNetwork 'x' not found$"):
        find.find_by_name(client, "OpaqueNetwork", "x")


def test_find_by_moid():
    t = FakeTransport().on(
        "RetrievePropertiesEx",
        response("RetrievePropertiesEx", entity(MoRef("VirtualMachine", "vm-1"), "web", None)),
    )
    t.on(
        "RetrievePropertiesEx",
        fault(
            "ManagedObjectNotFound",
            "The object 'vim.VirtualMachine:vm-9' has already been deleted",
            '<obj type="VirtualMachine">vm-9</obj>',
        ),
    )
    client = vi_wire.client(t)
    assert find.find_by_moid(client, "VirtualMachine", "vm-1") == MoRef("VirtualMachine", "vm-1")
    with pytest.raises(faults.NotFound, match=r"^moid: VM 'vm-9' not found in any datacenter$"):
        find.find_by_moid(client, "VirtualMachine", "vm-9")


def _all(*moids: str) -> bytes:
    """FindAllByUuid's answer: a ManagedObjectReference[] (no returnval when none matched)."""
    return vi_wire.response_raw(
        "FindAllByUuid", "".join(vi_wire.moref("VirtualMachine", m) for m in moids)
    )


def test_find_by_uuid():
    t = FakeTransport().on("FindAllByUuid", _all("vm-7"), _all(), _all())
    client = vi_wire.client(t)
    assert find.find_by_uuid(client, "4224a2f0-1", datacenter=DC) == MoRef("VirtualMachine", "vm-7")
    call = t.requests[-1]
    assert call.this == MoRef("SearchIndex", "SearchIndex")
    assert (
        call.arg("datacenter"),
        call.arg("uuid"),
        call.arg("vmSearch"),
        call.arg("instanceUuid"),
    ) == (DC, "4224a2f0-1", True, False)
    with pytest.raises(
        faults.NotFound, match=r"^uuid: VM with instance uuid 'abc' not found in any datacenter$"
    ):
        find.find_by_uuid(client, "abc", instance_uuid=True)
    assert t.requests[-1].arg("datacenter") is None  # unset, not sent
    assert [m for m in t.methods if m.startswith("Find")] == [
        "FindAllByUuid"
    ] * 2  # no capitals: once each


def test_a_bios_uuid_two_vms_have_is_an_error_listing_them():
    t = FakeTransport().on("FindAllByUuid", _all("vm-57", "vm-60"))
    with pytest.raises(
        faults.MultipleFound,
        match=r"^uuid: 2 VMs have BIOS uuid '4224' \(a copied VM keeps its source's\); name the "
        r"VM by moid: vm-57, vm-60$",
    ):
        find.find_by_uuid(vi_wire.client(t), "4224")


def test_a_uuid_with_capitals_is_asked_again_in_lower_case():
    t = FakeTransport().on("FindAllByUuid", _all(), _all("vm-3"))
    assert find.find_by_uuid(vi_wire.client(t), "4224A2F0-1") == MoRef("VirtualMachine", "vm-3")
    assert [r.arg("uuid") for r in t.requests[-2:]] == ["4224A2F0-1", "4224a2f0-1"]


def test_a_server_without_find_all_by_uuid_is_asked_with_find_by_uuid():
    t = (
        FakeTransport()
        .on("FindAllByUuid", fault("MethodNotFound", "FindAllByUuid"), always=True)
        .on(
            "FindByUuid",
            response_ref("FindByUuid", "VirtualMachine", "vm-7"),
            response("FindByUuid"),
        )
    )
    client = vi_wire.client(t)
    assert find.find_all_by_uuid(client, "4224", datacenter=DC) == [MoRef("VirtualMachine", "vm-7")]
    assert find.find_all_by_uuid(client, "4225") == []
    assert t.methods[-4:] == ["FindAllByUuid", "FindByUuid"] * 2


@pytest.mark.parametrize(
    "name, sent",
    [("web01", "web01"), ("pct%2fx", "pct%252fx"), ("a/b", "a%2fb"), ("back\\slash", "back%5cslash"),
     ("50%", "50%25"), ("%25/\\", "%2525%2f%5c")],
)  # fmt: skip
def test_escape_is_what_unescape_reads_back(name, sent):
    assert find.escape(name) == sent
    assert find.unescape(find.escape(name)) == name


def test_not_found_names_the_option_and_where():
    error = find.not_found("host", "esx9", find.in_datacenter("DC0"), "host")
    assert str(error) == "host: host 'esx9' not found in datacenter 'DC0'"
    assert str(find.not_found("host", "esx9", find.in_datacenter(None), "name")) == (
        "name: host 'esx9' not found in any datacenter"
    )


def test_find_by_name_and_datacenter_with_the_option():
    client = vi_wire.client(view_transport((MoRef("HostSystem", "host-1"), "esx1")))
    with pytest.raises(faults.NotFound) as info:
        find.find_by_name(client, "HostSystem", "esx9", where="any datacenter", option="host")
    assert str(info.value) == "host: host 'esx9' not found in any datacenter"
    client = vi_wire.client(view_transport((DC, "DC0")))
    with pytest.raises(faults.NotFound) as info:
        find.find_datacenter(client, "DC9", option="datacenter")
    assert str(info.value) == "datacenter: datacenter 'DC9' not found (known: DC0)"


def test_without_find_all_by_uuid_a_uuid_with_capitals_asks_find_by_uuid_twice():
    t = (
        FakeTransport()
        .on("FindAllByUuid", fault("MethodNotFound", "FindAllByUuid"), always=True)
        .on(
            "FindByUuid",
            response("FindByUuid"),
            response_ref("FindByUuid", "VirtualMachine", "vm-7"),
        )
    )
    assert find.find_all_by_uuid(vi_wire.client(t), "4224AB") == [MoRef("VirtualMachine", "vm-7")]
    assert [m for m in t.methods if m.startswith("Find")] == [
        "FindAllByUuid",
        "FindByUuid",
        "FindByUuid",
    ]
