"""vm/fact_selection.py: the paths a selection of facts reads, from vm/facts.py READ_ONLY_FOR,
and the checks of the `facts` option."""

from __future__ import annotations

import pytest
from vm_fixtures import INVENTORY, props

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import fact_selection as selection
from ansible_collections.viapi.esx.plugins.module_utils.vm import facts

VM = MoRef("VirtualMachine", "vm-42")


def test_the_table_names_every_path_and_every_fact():
    assert set(facts.READ_ONLY_FOR) == set(facts.PATHS)
    read_for = {fact for fields in facts.READ_ONLY_FOR.values() for fact in fields}
    assert read_for == set(selection.NAMES) - {"moid"}, "moid is the reference, not a path"
    assert tuple(facts.vm_facts(VM, props(), facts.Names(dict(INVENTORY)))) == selection.NAMES


def variants() -> list[dict]:
    """The fixture VM, and one whose hot add flags, annotation and cores per socket are unset
    (their facts then depend on numCPU, or on whether the path was read at all)."""
    bare = props()
    for path in ("config.cpuHotAddEnabled", "config.cpuHotRemoveEnabled",
                 "config.memoryHotAddEnabled", "config.hardware.numCoresPerSocket",
                 "config.annotation"):  # fmt: skip
        bare.pop(path, None)
    return [props(), bare]


@pytest.mark.parametrize("fact", selection.NAMES)
@pytest.mark.parametrize("variant", [0, 1])
def test_each_fact_from_its_paths_alone_equals_a_full_read(fact, variant):
    full = variants()[variant]
    names = facts.Names(dict(INVENTORY), {101: "owner"})
    paths = selection.paths_for([fact])
    assert paths or fact == "moid"
    read = {p: v for p, v in full.items() if p in paths}
    assert facts.vm_facts(VM, read, names)[fact] == facts.vm_facts(VM, full, names)[fact]


def test_paths_keep_the_order_of_the_base_and_leave_out_the_rest():
    assert selection.paths_for(["snapshots", "name"]) == ("name", "snapshot")
    assert selection.paths_for(["disks"]) == ("datastore", "config.hardware.device")
    assert selection.paths_for(["disks"], facts.SUMMARY_PATHS) == ("datastore",)
    assert selection.paths_for(["cpu_hot_add"]) == (
        "config.hardware.numCPU",
        "config.cpuHotAddEnabled",
    )
    assert selection.paths_for([]) == ()


def test_without_the_option_every_path_is_read_and_every_fact_kept():
    assert selection.select(None, True) == selection.Selection(None, facts.PATHS)
    assert selection.select(None, False) == selection.Selection(None, facts.SUMMARY_PATHS)
    assert selection.select(None, True, ["power_state"]).paths == facts.PATHS
    every = {"name": "web", "disks": []}
    assert selection.project(every, None) is every


def test_a_selection_keeps_the_identity_and_reads_the_filters_facts():
    chosen = selection.select(["memory_mb"], True, ["template", "snapshots"])
    assert chosen.keep == frozenset({*selection.IDENTITY, "memory_mb"})
    assert chosen.paths == (
        "name", "config.uuid", "config.instanceUuid", "config.template",
        "config.hardware.memoryMB", "snapshot", "parent", "runtime.host",
    )  # fmt: skip
    assert selection.select([], False).paths == (
        "name", "config.uuid", "config.instanceUuid", "parent", "runtime.host",
    )  # fmt: skip
    one = facts.vm_facts(VM, props(), facts.Names(dict(INVENTORY)))
    cut = selection.project(one, chosen.keep)
    assert list(cut) == ["name", "moid", "uuid", "instance_uuid", "datacenter", "folder",
                         "memory_mb"]  # fmt: skip
    assert cut == {k: one[k] for k in cut}


def test_unknown_names_are_an_error_naming_the_option_the_values_and_the_facts():
    with pytest.raises(InvalidArgument) as e:
        selection.check(["power_state", "disk", "vi_properties"])
    assert str(e.value) == (
        "facts: no such fact: 'disk', 'vi_properties'; the facts are: " + ", ".join(selection.NAMES)
    )


def test_device_lists_need_devices():
    assert selection.check(["disks", "disks"], True) == ("disks", "disks")
    assert selection.check(["linked_clone"], False) == ("linked_clone",)
    with pytest.raises(InvalidArgument, match=r"^facts: controllers are device lists, which "):
        selection.select(["name", "controllers"], False)
