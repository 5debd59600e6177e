"""vm/controllers.py: the slot rule of each controller kind, and controllers added as needed."""

from __future__ import annotations

import re

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm.controllers import (
    BUSES,
    NEW_VM_DEVICES,
    Slots,
    planned,
    positions,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm.plan import Plan

SCSI, IDE = BUSES["scsi"], BUSES["ide"]


def lsi(key: int, bus: int, **extra) -> dict:
    return {"_type": "VirtualLsiLogicSASController", "key": key, "busNumber": bus, **extra}


def disks_on(controller: int, units) -> list[dict]:
    return [{"_type": "VirtualDisk", "key": 2000 + controller * 16 + u, "controllerKey": controller,
             "unitNumber": u} for u in units]  # fmt: skip


def test_scsi_units_skip_the_controllers_own_unit():
    assert SCSI.free_units(lsi(1000, 0)) == [u for u in range(16) if u != 7]
    assert SCSI.free_units(lsi(1000, 0, scsiCtlrUnitNumber=15)) == list(range(15))


def test_a_device_takes_the_first_free_unit_of_the_lowest_bus():
    devices = [lsi(1001, 1), lsi(1000, 0), *disks_on(1000, [0, 1, 3])]
    slots = Slots(SCSI, devices, Plan())
    assert [slots.take("disks[3]") for _n in range(2)] == [(1000, 2, False), (1000, 4, False)]


def test_a_full_kind_gets_a_controller_on_the_first_free_bus():
    devices = [lsi(1000, 0), lsi(1002, 2), *disks_on(1000, SCSI.free_units(lsi(1000, 0))),
               *disks_on(1002, SCSI.free_units(lsi(1002, 2)))]  # fmt: skip
    plan = Plan()
    slots = Slots(SCSI, devices, plan)
    assert slots.take("disks[30]") == (-100, 0, True)
    assert slots.take("disks[31]") == (-100, 1, True), "the added controller is new as well"
    (added,) = plan.devices
    assert added["operation"] == "add" and added["device"] == {
        "_type": "ParaVirtualSCSIController", "sharedBus": "noSharing", "key": -100, "busNumber": 1}  # fmt: skip


def test_four_full_scsi_controllers_are_the_limit():
    controllers = [lsi(1000 + b, b) for b in range(4)]
    devices = controllers + [d for c in controllers for d in disks_on(c["key"], SCSI.free_units(c))]
    with pytest.raises(InvalidArgument) as e:
        Slots(SCSI, devices, Plan()).take("disks[60]")
    assert str(e.value) == (
        "disks[60]: the VM has no free SCSI slot, and a VM has at most 4 SCSI controllers"
    )


def test_ide_controllers_are_never_added():
    drives = [{"_type": "VirtualCdrom", "key": 3000 + i, "controllerKey": 200 + i // 2,
               "unitNumber": i % 2} for i in range(4)]  # fmt: skip
    plan = Plan()
    with pytest.raises(InvalidArgument, match=r"^cdrom: the VM has no free IDE slot$"):
        Slots(IDE, [*NEW_VM_DEVICES, *drives], plan).take("cdrom")
    assert plan.devices == []


def test_a_new_vm_has_its_two_ide_controllers():
    slots = Slots(IDE, list(NEW_VM_DEVICES), Plan())
    assert [slots.take("cdrom") for _n in range(3)] == [
        (200, 0, False),
        (200, 1, False),
        (201, 0, False),
    ]


def test_a_place_names_the_controller_and_unit_or_says_why_not():
    drive = {"_type": "VirtualCdrom", "key": 3000, "controllerKey": 1000, "unitNumber": 1}
    devices = [lsi(1000, 0), *disks_on(1000, [0]), drive]
    slots = Slots(BUSES["lsilogic_sas"], devices, Plan())
    assert slots.place("disks[1]", 0, 2) == (1000, 2, False)
    for unit, message in ((7, "unit 7 is SCSI controller 0 (lsilogic_sas)'s own"),
                          (1, "unit 1 of SCSI controller 0 (lsilogic_sas) is taken"),
                          (16, "SCSI units are 0 to 15, got 16")):  # fmt: skip
        with pytest.raises(
            InvalidArgument, match=r"^disks\[1\]\.unit_number: " + re.escape(message)
        ):
            slots.place("disks[1]", 0, unit)
    with pytest.raises(
        InvalidArgument,
        match=r"^disks\[1\]\.controller: SCSI controller 0 \(lsilogic_sas\) is not paravirtual$",
    ):
        Slots(BUSES["paravirtual"], devices, Plan()).place("disks[1]", 0, 2)


def test_a_place_on_a_missing_controller_adds_it_on_that_bus():
    plan = Plan()
    assert Slots(BUSES["nvme"], [lsi(1000, 0)], plan).place("disks[0]", 2, 4) == (-100, 4, True)
    assert plan.devices[0]["device"] == {
        "_type": "VirtualNVMEController",
        "key": -100,
        "busNumber": 2,
    }


def test_a_full_numbered_controller_is_an_error_naming_it():
    devices = [lsi(1000, 0), *disks_on(1000, SCSI.free_units(lsi(1000, 0)))]
    with pytest.raises(
        InvalidArgument, match=r"^disks\[15\]: SCSI controller 0 \(lsilogic_sas\) is full$"
    ):
        Slots(SCSI, devices, Plan()).take("disks[15]", number=0)


def test_kinds_share_the_scsi_bus_numbers_and_keep_their_own_slots():
    devices = [lsi(1000, 0)]
    plan = Plan()
    key, unit, added = Slots(BUSES["paravirtual"], devices, plan).take("disks[0]")
    assert (unit, added) == (0, True) and plan.devices[0]["device"]["busNumber"] == 1
    # A second kind sees the controller the plan added (a temporary key) through planned().
    again = Slots(BUSES["scsi"], planned(devices, plan), plan)
    assert again.take("disks[1]", after=(1, 1, 0)) == (key, 1, True)


def test_take_after_a_position_skips_the_gaps_before_it():
    devices = [lsi(1000, 0), *disks_on(1000, [0, 5])]
    assert Slots(SCSI, devices, Plan()).take("disks[2]", after=(1, 0, 5)) == (1000, 6, False)
    assert Slots(SCSI, devices, Plan()).take("disks[2]") == (1000, 1, False)


def test_the_list_order_follows_the_esxi_key_ranges():
    devices = [{"_type": "VirtualNVMEController", "key": 31000, "busNumber": 0},
               {"_type": "VirtualAHCIController", "key": 15000, "busNumber": 0},
               lsi(1001, 1), lsi(1000, 0), *NEW_VM_DEVICES]  # fmt: skip
    assert positions(devices) == {
        31000: (3, 0),
        15000: (2, 0),
        1001: (1, 1),
        1000: (1, 0),
        200: (0, 0),
        201: (0, 1),
    }
