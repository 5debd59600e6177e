"""vm/disks.py and vm/disk_plan.py: matching entries with disks, placing new ones, removal."""

from __future__ import annotations

import pytest
from test_spec import plan
from vm_fixtures import props

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import disks as dk
from ansible_collections.viapi.esx.plugins.module_utils.vm.plan import Machine


def on(controller: dict, *units) -> list[dict]:
    return [{"_type": "VirtualDisk", "key": controller["key"] * 10 + u, "controllerKey": controller["key"],
             "unitNumber": u, "capacityInKB": 1024,
             "backing": {"_type": "VirtualDiskFlatVer2BackingInfo",
                         "fileName": f"[ds1] v/{controller['key']}_{u}.vmdk"}}
            for u in units]  # fmt: skip


PV0 = {"_type": "ParaVirtualSCSIController", "key": 1000, "busNumber": 0}
LSI1 = {"_type": "VirtualLsiLogicController", "key": 1001, "busNumber": 1}
NVME0 = {"_type": "VirtualNVMEController", "key": 31000, "busNumber": 0}


def matched(devices: list, entries: list) -> list:
    layout = dk.Layout(Machine(devices))
    return [
        None if d is None else layout.disks[d]["key"]
        for d in dk.match(dk.wanted_disks(entries), layout)
    ]


def test_file_then_place_then_order_within_the_controller_kind():
    devices = [PV0, LSI1, *on(PV0, 0, 1), *on(LSI1, 0, 3)]
    entries = [{}, {"controller": "lsilogic"}, {"filename": "[ds1] v/1000_1.vmdk"},
               {"controller": "lsilogic", "controller_number": 1, "unit_number": 0}, {"size_mb": 1}]  # fmt: skip
    assert matched(devices, entries) == [10000, 10013, 10001, 10010, None]


def test_an_entry_without_controller_takes_any_remaining_disk_in_order():
    assert matched([PV0, LSI1, *on(PV0, 0), *on(LSI1, 2)], [{}, {}]) == [10000, 10012]


def test_a_new_disk_goes_after_the_disks_of_its_group_never_into_a_gap():
    p = props()
    p["config.hardware.device"].append(dict(p["config.hardware.device"][4], key=2005, unitNumber=5))
    result = plan(p, disks=[{}, {}, {"size_mb": 1}])
    (add,) = [c["device"] for c in result.devices]
    assert (add["controllerKey"], add["unitNumber"]) == (1000, 6)
    assert [c.path for c in result.changes] == ["disks[2]"]


def test_an_earlier_kind_group_is_not_taken_for_a_later_disk():
    """[{}, {controller: paravirtual}] on a VM with no disks: the plain disk may not sit before the
    paravirtual group's on its controller, or the next run would match them the other way."""
    result = plan(props(**{"config.hardware.device": []}), powered_on=False,
                  disks=[{"size_mb": 1}, {"size_mb": 2, "controller": "paravirtual"}])  # fmt: skip
    added = [c["device"] for c in result.devices if c["device"]["_type"] == "VirtualDisk"]
    places = {d["capacityInKB"] // 1024: (d["controllerKey"], d["unitNumber"]) for d in added}
    assert places[2][1] == 0 and places[1] == (places[2][0], 1)
    assert [c.path for c in result.changes] == ["disks[1]", "disks[0]"], (
        "paths follow the list order of the diff"
    )


def test_removal_names_the_disk_and_keeps_the_file_unless_destroy():
    kept = plan(disks=[{"unit_number": 0, "state": "absent"}])
    assert [(c["operation"], c["fileOperation"]) for c in kept.devices] == [("remove", None)]
    assert kept.after["disks"] == [] and [c.path for c in kept.changes] == ["disks[0]"]
    assert kept.cold == []
    gone = plan(disks=[{"filename": "[ds1] web/web.vmdk", "state": "absent", "destroy": True}])
    assert gone.devices[0]["fileOperation"] == "destroy"
    assert plan(disks=[{"unit_number": 3, "state": "absent"}]).devices == [], (
        "no such disk: nothing"
    )


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"state": "absent"}, "disks[0].state: a disk to remove is named by unit_number"),
        ({"destroy": True, "unit_number": 0}, "disks[0].destroy: only a disk with state absent is destroyed"),
        ({"iops_limit": 0}, "disks[0].iops_limit must be -1 (unlimited) or more than 0, got 0"),
        ({"controller": "ide", "controller_number": 2},
         "disks[0].controller_number: a VM has IDE controllers 0 to 1, got 2"),
        ({"filename": "[ds1] a.iso"}, "disks[0].filename must look like '[datastore] dir/disk.vmdk'"),
    ],
)  # fmt: skip
def test_bad_entries_are_errors_naming_the_option(entry, message):
    with pytest.raises(InvalidArgument) as e:
        dk.wanted_disks([entry])
    assert message in str(e.value)


def test_attaching_a_file_sends_no_create_and_refuses_a_size():
    result = plan(disks=[{}, {"filename": "[ds2] shared/a.vmdk"}])
    (change,) = result.devices
    assert (change["operation"], change["fileOperation"]) == ("add", None)
    assert change["device"]["backing"]["fileName"] == "[ds2] shared/a.vmdk"
    assert result.after["disks"][1]["capacity_bytes"] is None, (
        "the file's size, unknown until attached"
    )
    with pytest.raises(
        InvalidArgument, match=r"^disks\[1\]\.size_gb: a disk attached from filename"
    ):
        plan(disks=[{}, {"filename": "[ds2] shared/a.vmdk", "size_gb": 1}])


def test_shares_and_iops_limit_edit_the_io_allocation():
    result = plan(disks=[{"shares": "high", "iops_limit": 300}])
    io = result.devices[0]["device"]["storageIOAllocation"]
    shares = {"_type": "SharesInfo", "shares": None, "level": "high"}
    assert io == {"_type": "StorageIOAllocationInfo", "shares": shares, "limit": 300}
    assert [c.path for c in result.changes] == [
        "disks[0].shares",
        "disks[0].iops_limit",
    ] and result.cold == []


def test_a_plain_disk_cannot_follow_an_nvme_disk_it_is_matched_with():
    p = props()
    p["config.hardware.device"] += [NVME0, *on(NVME0, 0)]
    with pytest.raises(
        InvalidArgument, match=r"^disks\[2\]: a new disk without controller is listed after"
    ):
        plan(p, disks=[{}, {}, {"size_mb": 1}])
    assert plan(p, disks=[{}, {}, {"size_mb": 1, "controller": "paravirtual"}]).cold == ["disks[2]"]


def test_only_disks_attached_from_their_file_are_looked_for():
    from ansible_collections.viapi.esx.plugins.module_utils.vm.attach_check import attached_files

    def change(operation, name, file_operation=None, kind="VirtualDisk"):
        device = {"_type": kind, "backing": {"fileName": name}}
        return {"operation": operation, "fileOperation": file_operation, "device": device}

    wanted = [{"option": "disks[0]", "filename": "[ds1] a/a.vmdk"},
              {"option": "disks[1]", "filename": None},
              {"option": "disks[2]", "filename": "[ds1] b/b.vmdk"}]  # fmt: skip
    devices = [
        change("add", "[ds1] a/a.vmdk"),
        change("add", "[ds1]", "create"),  # a new disk: its file is made
        change("edit", "[ds1] b/b.vmdk"),  # attached already
        change("add", "[ds1] a/a.vmdk", kind="VirtualCdrom"),
    ]
    assert attached_files(devices, wanted) == {"[ds1] a/a.vmdk": "disks[0].filename"}
    assert attached_files(devices, None) == {}
