"""vm/cdroms.py: the cdroms list, drives on IDE and SATA, removal that never adds a drive."""

from __future__ import annotations

import pytest
from test_spec import plan

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import cdroms


def test_a_sata_drive_adds_its_controller_and_none_is_a_disconnected_client_drive():
    result = plan(cdroms=[{"iso_path": "[ds1] iso/a.iso"}, {"type": "none", "controller": "sata"}])
    added = [c["device"] for c in result.devices]
    assert [d["_type"] for d in added] == ["VirtualAHCIController", "VirtualCdrom"]
    drive = added[1]
    assert drive["controllerKey"] == added[0]["key"] and drive["unitNumber"] == 0
    assert drive["backing"]["_type"] == "VirtualCdromRemotePassthroughBackingInfo"
    assert (drive["connectable"]["connected"], drive["connectable"]["startConnected"]) == (
        False,
        False,
    )
    assert [c.path for c in result.changes] == ["cdroms[1]"] and result.cold == ["cdroms[1]"]
    assert result.after["cdroms"][1]["controller_kind"] == "sata"


def test_removal_names_the_drive_and_a_missing_one_changes_nothing():
    removed = plan(cdroms=[{"unit_number": 0, "state": "absent"}])
    assert [(c["operation"], c["device"]["key"]) for c in removed.devices] == [("remove", 3000)]
    assert removed.cold == ["cdroms[0].state"], "an IDE drive is removed with the VM off"
    assert removed.after["cdroms"] == []
    nothing = plan(
        cdroms=[
            {"unit_number": 1, "state": "absent"},
            {"controller": "sata", "unit_number": 3, "state": "absent"},
        ]
    )
    assert nothing.devices == [] and nothing.changes == []


@pytest.mark.parametrize(
    "items, single, message",
    [
        ([{"state": "absent"}], None, "cdroms[0].state: a drive to remove is named by unit_number"),
        ([{"type": "iso", "iso_path": "x.iso"}], None, "cdroms[0].iso_path must look like"),
        ([{}], {"type": "client"}, "cdrom and cdroms are mutually exclusive"),
        (None, {"type": "iso", "iso_path": "no"}, "cdrom.iso_path must look like"),
        # An ISO beside another type was dropped without a word.
        (
            [{}, {"type": "client", "iso_path": "[ds] a.iso"}],
            None,
            "cdroms[1].iso_path is for type iso; cdroms[1].type is client, got iso_path '[ds] a.iso'",
        ),
        ([{"type": "none", "iso_path": "[ds] a.iso"}], None, "cdroms[0].iso_path is for type iso"),
        (None, {"type": "client", "iso_path": "[ds] a.iso"}, "cdrom.iso_path is for type iso"),
        (
            [{"type": "none", "connected": True}],
            None,
            "cdroms[0].connected: an empty drive",
        ),
        (
            [{}, {"type": "none", "start_connected": True}],
            None,
            "cdroms[1].start_connected: an empty drive",
        ),
    ],
)
def test_bad_entries_name_the_option(items, single, message):
    with pytest.raises(InvalidArgument, match=message.replace("[", r"\[").replace("]", r"\]")):
        cdroms.wanted_cdroms(items, single)
