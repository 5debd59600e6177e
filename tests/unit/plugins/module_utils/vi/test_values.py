"""The shared readers of decoded VI values: disk sizes, datastore paths, portgroups, plain()."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi import values
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef


@pytest.mark.parametrize(
    "device, expected",
    [
        ({"capacityInBytes": 2**30, "capacityInKB": 1}, 2**30),  # bytes win when both are set
        ({"capacityInKB": 1024}, 1048576),  # servers before 5.5 give kilobytes only
        ({"capacityInBytes": 0}, 0),
        ({"capacityInKB": 0}, 0),
        ({}, None),
    ],
)
def test_disk_bytes(device, expected):
    assert values.disk_bytes(dict(device, _type="VirtualDisk")) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("[ds1] vm1/vm1.vmdk", ("ds1", "vm1/vm1.vmdk")),
        ("[ds1]vm1/vm1.vmdk", ("ds1", "vm1/vm1.vmdk")),
        ("[ds 1] a b/c.iso", ("ds 1", "a b/c.iso")),
        ("[ds1] vm1/", ("ds1", "vm1")),  # ESXi's folderPath
        ("[ds1]/vm1", ("ds1", "vm1")),  # the simulator's folderPath
        ("[ds1]", ("ds1", "")),
        ("[ds1] /", ("ds1", "")),
        ("vm1/vm1.vmdk", (None, "")),
        ("[ds1 vm1.vmdk", (None, "")),
        ("[] vm1.vmdk", (None, "")),
        ("", (None, "")),
        (None, (None, "")),
    ],
)
def test_split_datastore_path(path, expected):
    assert values.split_datastore_path(path) == expected
    assert values.datastore_name(path) == expected[0]


def test_join_datastore_path_is_the_inverse_of_split():
    assert values.join_datastore_path("ds1", "vm1/a.vmdk") == "[ds1] vm1/a.vmdk"
    assert values.join_datastore_path("ds1", "") == "[ds1]"
    for path in ("[ds 1] a b/c.iso", "[ds1]"):
        assert values.join_datastore_path(*values.split_datastore_path(path)) == path


def test_portgroup_of_a_distributed_port_backing_only():
    dvs = {
        "_type": "VirtualEthernetCardDistributedVirtualPortBackingInfo",
        "port": {"_type": "DistributedVirtualSwitchPortConnection", "switchUuid": "50 2a",
                 "portgroupKey": "dvportgroup-13"},
    }  # fmt: skip
    assert values.portgroup_of(dvs) == MoRef("DistributedVirtualPortgroup", "dvportgroup-13")
    standard = {"_type": "VirtualEthernetCardNetworkBackingInfo", "deviceName": "VM Network",
                "network": MoRef("Network", "network-7")}  # fmt: skip
    assert values.portgroup_of(standard) is None
    assert values.portgroup_of({"port": {"switchUuid": "50 2a"}}) is None  # a port, no group
    assert values.portgroup_of(None) is None


def test_plain_turns_references_into_dicts_recursively():
    ref = MoRef("HostSystem", "host-21")
    as_dict = {"_type": "ManagedObjectReference", "type": "HostSystem", "value": "host-21"}
    value = {"_type": "X", "host": ref, "list": [ref, 1, "a"], "tuple": (ref,)}
    assert values.plain(value) == {
        "_type": "X",
        "host": as_dict,
        "list": [as_dict, 1, "a"],
        "tuple": [as_dict],
    }
    assert values.plain(ref) == as_dict
    assert values.plain(None) is None and values.plain(False) is False


@pytest.mark.parametrize(
    "ref, expected",
    [(MoRef("VirtualMachine", "vm-42"), "vm-42"), (None, None), ("vm-42", None), ({}, None)],
)
def test_moid_is_the_id_of_a_reference_only(ref, expected):
    assert values.moid(ref) == expected
