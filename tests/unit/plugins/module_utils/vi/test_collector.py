"""vi/collector.py: ContainerView + RetrievePropertiesEx paging, and cleanup in finally."""

from __future__ import annotations

import pytest
import vi_wire
from vi_wire import FakeTransport, fault, object_content, response, response_ref, retrieve_result

from ansible_collections.viapi.esx.plugins.module_utils.vi import collector, faults
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

VIEW = MoRef("ContainerView", "session[52bb85b0]5286fa88")
ROOT = MoRef("Folder", "group-d1")


def vm_objects(first: int, count: int) -> list[str]:
    """`count` VMs vm-<first>... with a name, a CPU count and a missing guest.ipAddress."""
    return [
        object_content(
            ("VirtualMachine", f"vm-{n}"),
            {
                "name": f'<val xsi:type="xsd:string">vm{n}</val>',
                "config.hardware.numCPU": f'<val xsi:type="xsd:int">{n % 4 + 1}</val>',
            },  # fmt: skip
            missing=("guest.ipAddress",),
        )
        for n in range(first, first + count)
    ]


def paged(total: int, page: int) -> FakeTransport:
    """A transport serving `total` VMs in pages of `page`, with tokens "1", "2", ..."""
    t = FakeTransport()
    t.on("CreateContainerView", response_ref("CreateContainerView", VIEW.type, VIEW.value))
    t.on("DestroyView", response("DestroyView"), always=True)
    t.on("CancelRetrievePropertiesEx", response("CancelRetrievePropertiesEx"), always=True)
    starts = list(range(0, total, page)) or [0]
    for i, start in enumerate(starts):
        token = str(i + 1) if i + 1 < len(starts) else None
        body = retrieve_result(vm_objects(start, min(page, total - start)), token)
        method = "RetrievePropertiesEx" if i == 0 else "ContinueRetrievePropertiesEx"
        t.on(method, response(method, body))
    return t


def test_collect_pages_through_every_object_and_destroys_the_view():
    t = paged(2500, 1000)
    client = vi_wire.client(t)
    rows = collector.collect(
        client,
        {"VirtualMachine": ["name", "config.hardware.numCPU", "guest.ipAddress"]},
        page_size=1000,
    )
    assert len(rows) == 2500
    assert [r.value for r, _props in rows] == [f"vm-{n}" for n in range(2500)]
    ref, props = rows[7]
    assert ref == MoRef("VirtualMachine", "vm-7")
    assert props == {"name": "vm7", "config.hardware.numCPU": 4, "guest.ipAddress": None}
    assert t.methods[2:] == [
        "CreateContainerView", "RetrievePropertiesEx", "ContinueRetrievePropertiesEx",
        "ContinueRetrievePropertiesEx", "DestroyView",
    ]  # fmt: skip
    assert [r.arg("token") for r in t.requests if r.method == "ContinueRetrievePropertiesEx"] == [
        "1",
        "2",
    ]
    assert t.requests[-1].this == VIEW


def test_collect_asks_for_exactly_the_paths_through_the_view():
    t = paged(3, 1000)
    client = vi_wire.client(t)
    collector.collect(client, {"VirtualMachine": ["name"], "HostSystem": None}, page_size=250)
    create = t.requests[2]
    assert create.this == MoRef("ViewManager", "ViewManager")
    assert create.arg("container") == ROOT
    assert create.arg("type") == ["VirtualMachine", "HostSystem"]
    assert create.arg("recursive") is True
    read = t.requests[3]
    assert read.this == MoRef("PropertyCollector", "propertyCollector")
    assert read.arg("options", "RetrieveOptions") == {"_type": "RetrieveOptions", "maxObjects": 250}
    spec = read.arg("specSet")[0]
    assert spec["propSet"] == [
        {"_type": "PropertySpec", "type": "VirtualMachine", "all": False, "pathSet": ["name"]},
        {"_type": "PropertySpec", "type": "HostSystem", "all": True},
    ]
    assert spec["objectSet"] == [{
        "_type": "ObjectSpec", "obj": VIEW, "skip": True,
        "selectSet": [{"_type": "TraversalSpec", "type": "ContainerView", "path": "view", "skip": False}],
    }]  # fmt: skip


def test_collect_below_a_root():
    t = paged(1, 1000)
    collector.collect(
        vi_wire.client(t), {"VirtualMachine": ["name"]}, root=MoRef("Folder", "group-v3")
    )
    assert t.requests[2].arg("container") == MoRef("Folder", "group-v3")


def test_an_empty_result_is_an_empty_list():
    t = FakeTransport().on(
        "CreateContainerView", response_ref("CreateContainerView", VIEW.type, VIEW.value)
    )
    t.on("RetrievePropertiesEx", response("RetrievePropertiesEx")).on(
        "DestroyView", response("DestroyView")
    )
    assert collector.collect(vi_wire.client(t), {"VirtualMachine": ["name"]}) == []
    assert t.methods[-1] == "DestroyView"


def test_stopping_early_cancels_the_retrieval():
    t = paged(2500, 1000)
    client = vi_wire.client(t)
    spec = {"_type": "PropertyFilterSpec", "objectSet": [{"_type": "ObjectSpec", "obj": ROOT}]}
    rows = collector.retrieve(client, [spec])
    assert next(rows)[0] == MoRef("VirtualMachine", "vm-0")
    rows.close()  # the consumer stops on page 1
    assert t.methods[-2:] == ["RetrievePropertiesEx", "CancelRetrievePropertiesEx"]
    assert t.requests[-1].arg("token") == "1"


def test_stopping_on_a_later_page_cancels_with_that_pages_token():
    t = paged(2500, 1000)
    client = vi_wire.client(t)
    for n, (_ref, _props) in enumerate(
        collector.retrieve(client, [{"_type": "PropertyFilterSpec"}])
    ):
        if n == 1500:
            break
    assert t.methods[-1] == "CancelRetrievePropertiesEx"
    assert t.requests[-1].arg("token") == "2"


def test_stopping_on_the_last_page_needs_no_cancel():
    t = paged(1500, 1000)
    client = vi_wire.client(t)
    for n, _row in enumerate(collector.retrieve(client, [{"_type": "PropertyFilterSpec"}])):
        if n == 1200:
            break
    assert "CancelRetrievePropertiesEx" not in t.methods


def test_a_failed_page_cancels_and_destroys_and_raises_the_fault():
    t = paged(2500, 1000)
    t.script["ContinueRetrievePropertiesEx"].appendleft(
        fault("InvalidArgument", "A specified parameter was not correct: token")
    )
    t.on("CancelRetrievePropertiesEx", fault("InvalidArgument", "token"))  # cleanup fails too
    client = vi_wire.client(t)
    with pytest.raises(faults.fault("InvalidArgument"), match="parameter was not correct"):
        collector.collect(client, {"VirtualMachine": ["name"]})
    assert t.methods[-3:] == [
        "ContinueRetrievePropertiesEx",
        "CancelRetrievePropertiesEx",
        "DestroyView",
    ]


def test_the_view_is_destroyed_when_the_read_fails():
    t = FakeTransport().on(
        "CreateContainerView", response_ref("CreateContainerView", VIEW.type, VIEW.value)
    )
    t.on(
        "RetrievePropertiesEx", fault("InvalidProperty", "config.nope", "<name>config.nope</name>")
    )
    t.on("DestroyView", fault("ManagedObjectNotFound", "gone"))
    client = vi_wire.client(t)
    with pytest.raises(faults.fault("InvalidProperty")):
        collector.collect(client, {"VirtualMachine": ["config.nope"]})
    assert t.methods[-1] == "DestroyView"


def test_an_object_without_a_reference_is_a_response_error():
    t = FakeTransport().on(
        "RetrievePropertiesEx",
        response("RetrievePropertiesEx", "<objects><propSet><name>n</name></propSet></objects>"),
    )
    with pytest.raises(faults.ResponseError, match="without its reference"):
        list(collector.retrieve(vi_wire.client(t), [{"_type": "PropertyFilterSpec"}]))


def test_get_properties_reads_known_objects_in_one_call():
    t = FakeTransport().on(
        "RetrievePropertiesEx", response("RetrievePropertiesEx", retrieve_result(vm_objects(1, 2)))
    )
    client = vi_wire.client(t)
    refs = [
        MoRef("VirtualMachine", "vm-1"),
        MoRef("VirtualMachine", "vm-2"),
        MoRef("VirtualMachine", "vm-1"),
    ]
    got = collector.get_properties(client, refs, {"VirtualMachine": ["name"]})
    assert got[MoRef("VirtualMachine", "vm-2")]["name"] == "vm2"
    assert t.methods.count("RetrievePropertiesEx") == 1
    spec = t.requests[-1].arg("specSet")[0]
    assert [o["obj"] for o in spec["objectSet"]] == refs[:2]  # duplicates asked once
    assert spec["propSet"] == [
        {"_type": "PropertySpec", "type": "VirtualMachine", "all": False, "pathSet": ["name"]}
    ]
    assert collector.get_properties(client, [], {"VirtualMachine": ["name"]}) == {}
    assert t.methods.count("RetrievePropertiesEx") == 1


def test_get_properties_asks_name_for_types_without_paths():
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx"))
    client = vi_wire.client(t)
    collector.get_properties(
        client,
        [MoRef("HostSystem", "host-1"), MoRef("Datastore", "ds-1")],
        {"HostSystem": ["summary"]},
    )
    spec = t.requests[-1].arg("specSet")[0]
    assert [(p["type"], p["pathSet"]) for p in spec["propSet"]] == [
        ("Datastore", ["name"]),
        ("HostSystem", ["summary"]),
    ]


def test_get_one_of_an_absent_object_is_empty():
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx"))
    assert collector.get_one(vi_wire.client(t), MoRef("VirtualMachine", "vm-1"), ["name"]) == {}


def test_retrieve_one_hop_follows_one_property():
    ds = object_content(
        ("Datastore", "datastore-17"), {"name": '<val xsi:type="xsd:string">vsanDatastore</val>'}
    )
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx", ds))
    host = MoRef("HostSystem", "host-15")
    rows = collector.retrieve_one_hop(vi_wire.client(t), host, "datastore", "Datastore", ["name"])
    assert rows == [(MoRef("Datastore", "datastore-17"), {"name": "vsanDatastore"})]
    spec = t.requests[-1].arg("specSet")[0]
    assert spec["objectSet"][0]["obj"] == host and spec["objectSet"][0]["skip"] is True
    assert spec["objectSet"][0]["selectSet"][0] == {
        "_type": "TraversalSpec",
        "type": "HostSystem",
        "path": "datastore",
        "skip": False,
    }


def test_walk_vm_tree_recurses_through_folders_datacenters_and_vapps():
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx"))
    collector.walk_vm_tree(vi_wire.client(t), {"VirtualMachine": ["name"]})
    spec = t.requests[-1].arg("specSet")[0]
    obj = spec["objectSet"][0]
    assert obj["obj"] == ROOT and obj["skip"] is False
    by_name = {s["name"]: s for s in obj["selectSet"]}
    assert (by_name["folder"]["type"], by_name["folder"]["path"]) == ("Folder", "childEntity")
    assert (by_name["datacenter"]["type"], by_name["datacenter"]["path"]) == (
        "Datacenter",
        "vmFolder",
    )
    assert (by_name["vapp"]["type"], by_name["vapp"]["path"]) == ("VirtualApp", "vm")
    assert [s["name"] for s in by_name["folder"]["selectSet"]] == ["folder", "datacenter", "vapp"]


def test_with_ancestors_climbs_parents_in_one_read():
    def parent(type_name: str, value: str) -> str:
        return f'<val type="{type_name}" xsi:type="ManagedObjectReference">{value}</val>'

    vm = {"name": '<val xsi:type="xsd:string">web</val>', "parent": parent("Folder", "group-v3")}
    folder = {
        "name": '<val xsi:type="xsd:string">vm</val>',
        "parent": parent("Datacenter", "datacenter-2"),
    }
    rows = object_content(("VirtualMachine", "vm-1"), vm) + object_content(
        ("Folder", "group-v3"), folder
    )
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx", rows))
    manager = MoRef("CustomFieldsManager", "CustomFieldsManager")
    got = collector.with_ancestors(
        vi_wire.client(t), [MoRef("VirtualMachine", "vm-1"), None, manager],
        {"CustomFieldsManager": ["field"]},
    )  # fmt: skip
    assert got[MoRef("VirtualMachine", "vm-1")]["parent"] == MoRef("Folder", "group-v3")
    spec = t.requests[-1].arg("specSet")[0]
    # Exactly the extra paths for a non-entity: a real vCenter refuses the whole read when a
    # type is asked for a property it lacks (a manager has no name or parent).
    assert [(p["type"], p["pathSet"]) for p in spec["propSet"]] == [
        ("ManagedEntity", ["name", "parent"]), ("CustomFieldsManager", ["field"]),
    ]  # fmt: skip
    up = spec["objectSet"][0]["selectSet"][0]
    assert (up["name"], up["type"], up["path"]) == ("up", "ManagedEntity", "parent")
    assert up["selectSet"] == [{"_type": "SelectionSpec", "name": "up"}]
    assert collector.with_ancestors(vi_wire.client(FakeTransport()), [None]) == {}


# The simulator's answer for an unknown path (recorded from vcsim 0.24): the path is listed in
# missingSet with an InvalidProperty fault, beside the paths it could read.
REFUSED = (
    '<objects><obj type="VirtualMachine">vm-9</obj><propSet><name>name</name>'
    '<val xsi:type="xsd:string">ha-host_VM0</val></propSet><missingSet>'
    '<path>config.nosuch</path><fault><fault xsi:type="InvalidProperty">'
    "<name>config.nosuch</name></fault></fault></missingSet></objects>"
)


def test_a_path_refused_in_missing_set_is_the_invalid_property_fault():
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx", REFUSED))
    with pytest.raises(faults.fault("InvalidProperty")) as info:
        collector.get_one(vi_wire.client(t), MoRef("VirtualMachine", "vm-9"), ["config.nosuch"])
    assert info.value.detail == {"name": "config.nosuch"}
    assert str(info.value) == "InvalidProperty: config.nosuch"


def test_a_path_missing_for_another_reason_is_none():
    content = object_content(("VirtualMachine", "vm-1"), {}, missing=("config.annotation",))
    t = FakeTransport().on("RetrievePropertiesEx", response("RetrievePropertiesEx", content))
    ref = MoRef("VirtualMachine", "vm-1")
    assert collector.get_one(vi_wire.client(t), ref, ["config.annotation"]) == {
        "config.annotation": None
    }
