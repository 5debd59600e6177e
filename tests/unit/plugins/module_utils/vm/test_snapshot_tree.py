"""The snapshot tree as facts, from wire-shaped XML the type table has no entry for."""

from __future__ import annotations

import pytest
import vi_wire as w

from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import get_one
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument, NotFound
from ansible_collections.viapi.esx.plugins.module_utils.vm import snapshot_tree as st

VM = ("VirtualMachine", "vm-1")


def node(moid: str, name: str, number: int, children: str = "", quiesced: str = "false") -> str:
    return (
        f'<snapshot type="VirtualMachineSnapshot">{moid}</snapshot>'
        '<vm type="VirtualMachine">vm-1</vm>'
        f"<name>{name}</name><description>d {name}</description><id>{number}</id>"
        "<createTime>2026-11-28T10:00:00.123456789Z</createTime><state>poweredOff</state>"
        f"<quiesced>{quiesced}</quiesced>{children}<replaySupported>false</replaySupported>"
    )


# Two roots; the first has one child (a one-element list on the wire), which has one child.
INFO = (
    '<val xsi:type="VirtualMachineSnapshotInfo">'
    '<currentSnapshot type="VirtualMachineSnapshot">snapshot-3</currentSnapshot>'
    "<rootSnapshotList>"
    + node("snapshot-1", "before%2fpatch", 1, "<childSnapshotList>"
           + node("snapshot-2", "after-reboot", 2, "<childSnapshotList>"
                  + node("snapshot-3", "dup", 3, quiesced="true") + "</childSnapshotList>")
           + "</childSnapshotList>")
    + "</rootSnapshotList><rootSnapshotList>" + node("snapshot-4", "dup", 4)
    + "</rootSnapshotList></val>"
)  # fmt: skip


@pytest.fixture
def info():
    t = w.FakeTransport()
    objects = [w.object_content(VM, {"snapshot": INFO})]
    t.on("RetrievePropertiesEx", w.response("RetrievePropertiesEx", w.retrieve_result(objects)))
    return get_one(w.client(t), MoRef(*VM), ["snapshot"])["snapshot"]


def test_tree_normalizes_what_the_decoder_gives(info):
    roots = st.tree(info)
    assert [n["path"] for n in st.walk(roots)] == [
        "before%2fpatch", "before%2fpatch/after-reboot", "before%2fpatch/after-reboot/dup", "dup",
    ]  # fmt: skip
    first = roots[0]
    assert first["name"] == "before/patch", "unescaped like VM names"
    assert first["id"] == "snapshot-1" and first["number"] == 1
    assert first["created"] == "2026-11-28T10:00:00.123456+00:00"
    assert first["state"] == "powered_off" and first["quiesced"] is False
    assert isinstance(first["children"], list) and len(first["children"]) == 1
    assert st.find_id(roots, "snapshot-3")["quiesced"] is True


def test_facts_count_current_depth_oldest(info):
    facts = st.facts(info)
    assert facts["snapshot_count"] == 4
    assert facts["current_snapshot"] == {
        "name": "dup", "path": "before%2fpatch/after-reboot/dup", "id": "snapshot-3",
    }  # fmt: skip
    assert st.depth(facts["snapshots"]) == 3
    assert st.oldest(facts["snapshots"]) == pytest.approx(1795860000.123456)


def test_no_snapshots():
    assert st.facts(None) == {"snapshots": [], "current_snapshot": None, "snapshot_count": 0}
    assert st.depth([]) == 0 and st.oldest([]) is None


def test_lookups(info):
    roots = st.tree(info)
    assert st.find_path(roots, "before%2fpatch/after-reboot")["id"] == "snapshot-2"
    assert st.find_path(roots, "after-reboot") is None
    assert st.find_id(roots, "2")["id"] == "snapshot-2", "the number within the VM works too"
    assert st.find_name(roots, "before/patch")["id"] == "snapshot-1"
    assert st.find_name(roots, "nothing") is None
    with pytest.raises(InvalidArgument) as e:
        st.find_name(roots, "dup")
    assert str(e.value) == (
        "snapshot_name: 'dup' names 2 snapshots (before%2fpatch/after-reboot/dup, dup); "
        "give snapshot_path or snapshot_id instead"
    )
    with pytest.raises(NotFound, match="^snapshot_id: snapshot 'x' not found in VM 'web'$"):
        st.require(None, "snapshot_id", "x", "web")


@pytest.mark.parametrize("path", ["", "/", "a//b"])
def test_bad_paths_name_the_option(path):
    with pytest.raises(InvalidArgument, match=r"^snapshot_path: '.*' is not a path"):
        st.split_path(path)


@pytest.mark.parametrize(
    "raw, expected",
    [("true", True), ("1", True), ("false", False), ("0", False), (True, True), (None, None)],
)
def test_as_bool(raw, expected):
    assert st.as_bool(raw) is expected


def test_a_path_that_names_two_snapshots_of_one_parent_is_an_error():
    """vSphere lets two snapshots of one parent share a name: the path then names both, and
    the error lists their ids (the paths alone are the same)."""
    twin = {"name": "a", "description": "", "number": None, "created": None,
            "state": "powered_off", "quiesced": False, "children": []}  # fmt: skip
    nodes = [{**twin, "name": "p", "path": "p", "id": "snapshot-1", "children": [
        {**twin, "path": "p/a", "id": "snapshot-2"}, {**twin, "path": "p/a", "id": "snapshot-3"}]}]  # fmt: skip
    with pytest.raises(InvalidArgument) as e:
        st.find_path(nodes, "p/a")
    assert str(e.value) == (
        "snapshot_path: 'p/a' names 2 snapshots (p/a (snapshot-2), p/a (snapshot-3)); "
        "give snapshot_id instead"
    )
    with pytest.raises(InvalidArgument) as e:
        st.find_name(nodes, "a")
    assert str(e.value).startswith("snapshot_name: 'a' names 2 snapshots (p/a (snapshot-2), ")
    assert st.find_path(nodes, "p")["id"] == "snapshot-1"
