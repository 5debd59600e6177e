"""vm/hardware.py: firmware, boot, hot add and allocation - validation, facts, plan, new VMs."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import hardware
from ansible_collections.viapi.esx.plugins.module_utils.vm.plan import Plan
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmConfig

DISK = {"_type": "VirtualDisk", "key": 2001, "controllerKey": 1000, "unitNumber": 1,
        "capacityInKB": 1024}  # fmt: skip
FIRST_DISK = dict(DISK, key=2000, unitNumber=0)
NIC = {"_type": "VirtualVmxnet3", "key": 4000, "controllerKey": 100, "unitNumber": 7,
       "macAddress": "00:50:56:00:00:01"}  # fmt: skip
PROPS = {
    "config.firmware": "bios",
    "config.bootOptions": {"_type": "VirtualMachineBootOptions", "bootDelay": 0},
    "config.cpuHotAddEnabled": False, "config.cpuHotRemoveEnabled": False,
    "config.memoryHotAddEnabled": False, "config.nestedHVEnabled": False,
    "config.memoryReservationLockedToMax": False,
    "config.cpuAllocation": {"reservation": 0, "limit": -1,
                             "shares": {"shares": 2000, "level": "normal"}},
    "config.memoryAllocation": {"reservation": 0, "limit": -1,
                                "shares": {"shares": 20480, "level": "normal"}},
    "config.hardware.device": [DISK, FIRST_DISK, NIC],
}  # fmt: skip


def want(**options):
    return hardware.wanted(VmConfig(**options))


def plan(**options) -> Plan:
    result = Plan()
    hardware.plan(result, want(**options), hardware.facts(PROPS), PROPS)
    return result


def test_facts():
    f = hardware.facts(PROPS)
    assert (f["firmware"], f["secure_boot"], f["boot_order"], f["boot_delay_ms"]) == (
        "bios", False, [], 0,
    )  # fmt: skip
    assert (f["cpu_shares"], f["cpu_shares_level"], f["cpu_limit_mhz"]) == (2000, "normal", -1)
    assert f["cpu_hot_add"] is False and f["boot_retry_delay_ms"] == 0
    assert set(hardware.facts({}).values()) == {None}
    unset = hardware.facts({"config.hardware.numCPU": 1})  # the server leaves false flags out
    assert (unset["cpu_hot_add"], unset["nested_virtualization"]) == (False, False)


def test_boot_order_names_the_first_disk_and_nic_by_key():
    result = plan(boot_order=["network", "disk", "cdrom"])
    order = result.config["bootOptions"]["bootOrder"]
    assert order == [
        {"_type": "VirtualMachineBootOptionsBootableEthernetDevice", "deviceKey": 4000},
        {"_type": "VirtualMachineBootOptionsBootableDiskDevice", "deviceKey": 2000},
        {"_type": "VirtualMachineBootOptionsBootableCdromDevice"},
    ]
    assert result.config["bootOptions"]["bootDelay"] == 0, "the current boot options are kept"
    assert [c.path for c in result.changes] == ["boot_order"] and not result.cold


def test_same_kinds_on_another_disk_is_a_change():
    props = dict(PROPS, **{"config.bootOptions": {"bootOrder": [
        {"_type": "VirtualMachineBootOptionsBootableDiskDevice", "deviceKey": 2001}]}})  # fmt: skip
    result = Plan()
    hardware.plan(result, want(boot_order=["disk"]), hardware.facts(props), props)
    assert [c.path for c in result.changes] == ["boot_order"]
    assert result.config["bootOptions"]["bootOrder"][0]["deviceKey"] == 2000


def test_firmware_and_flags_are_cold():
    result = plan(firmware="efi", secure_boot=True, cpu_hot_add=True, nested_virtualization=True)
    assert result.cold == ["firmware", "secure_boot", "cpu_hot_add", "nested_virtualization"]
    assert result.config["firmware"] == "efi" and result.config["cpuHotAddEnabled"] is True
    assert result.config["bootOptions"]["efiSecureBootEnabled"] is True


def test_allocation_is_sent_whole_and_hot():
    result = plan(cpu_reservation_mhz=500, cpu_shares=3000, memory_shares="high")
    assert result.config["cpuAllocation"] == {
        "_type": "ResourceAllocationInfo", "reservation": 500, "limit": -1,
        "shares": {"_type": "SharesInfo", "shares": 3000, "level": "custom"},
    }  # fmt: skip
    assert result.config["memoryAllocation"]["shares"] == {
        "_type": "SharesInfo", "shares": 20480, "level": "high",
    }  # fmt: skip
    assert result.before["cpu_shares"] == "normal" and result.after["cpu_shares"] == 3000
    assert not result.cold


def test_unchanged_values_make_no_spec():
    result = plan(firmware="bios", cpu_shares="normal", cpu_limit_mhz=-1, boot_delay_ms=0)
    assert result.config == {} and result.changes == []
    assert result.before == result.after


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"firmware": "uefi"}, "firmware must be bios or efi, got 'uefi'"),
        ({"cpu_shares": "lots"}, "cpu_shares must be low, normal, high or a number, got 'lots'"),
        ({"memory_shares": -1}, "memory_shares must be 0 or more, got -1"),
        ({"cpu_limit_mhz": -2}, "cpu_limit_mhz must be -1 (unlimited) or more"),
        ({"boot_delay_ms": -1}, "boot_delay_ms must be 0 or more"),
        ({"boot_order": []}, "boot_order must name at least one device kind"),
        ({"boot_order": ["usb"]}, "boot_order: 'usb' is not one of"),
        ({"firmware": "bios", "secure_boot": True}, "secure_boot needs firmware: efi, not bios"),
        (
            {"memory_reservation_mb": 100, "memory_limit_mb": 64},
            "memory_reservation_mb (100) must not be above memory_limit_mb (64)",
        ),
        (
            {"cpu_reservation_mhz": 2000, "cpu_limit_mhz": 1000},
            "cpu_reservation_mhz (2000) must not be above cpu_limit_mhz (1000)",
        ),
    ],
)
def test_bad_values_name_the_option(options, fragment):
    with pytest.raises(InvalidArgument, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        want(**options)


def test_secure_boot_on_a_bios_vm_is_refused():
    with pytest.raises(InvalidArgument, match="the VM's firmware is bios"):
        plan(secure_boot=True)


def test_a_new_vm_gets_defaults_with_its_allocation():
    spec, after = {}, {}
    hardware.create(spec, after, want(cpu_reservation_mhz=100, cpu_hot_add=True))
    assert spec["cpuAllocation"] == {
        "_type": "ResourceAllocationInfo", "reservation": 100, "limit": -1,
        "shares": {"_type": "SharesInfo", "shares": 0, "level": "normal"},
    }  # fmt: skip
    assert "memoryAllocation" not in spec and spec["cpuHotAddEnabled"] is True
    assert after == {"cpu_hot_add": True, "cpu_reservation_mhz": 100}


def test_a_new_vm_boot_order_needs_the_devices():
    with pytest.raises(InvalidArgument, match="boot_order: 'disk' is listed but disks adds none"):
        hardware.create({}, {}, want(boot_order=["disk"]))


def test_a_reservation_up_to_the_limit_or_without_one_is_taken():
    assert want(memory_reservation_mb=64, memory_limit_mb=64)["memory_limit_mb"] == 64
    assert want(cpu_reservation_mhz=2000, cpu_limit_mhz=-1)["cpu_reservation_mhz"] == 2000
    assert want(cpu_reservation_mhz=2000)["cpu_limit_mhz"] is None
    locked = want(memory_reservation_locked=True, memory_reservation_mb=128, memory_mb=128)
    assert locked["memory_reservation_mb"] == 128  # the reservation it gets anyway
    assert (
        want(memory_reservation_locked=False, memory_reservation_mb=64)["memory_reservation_mb"]
        == 64
    )


def test_a_locked_reservation_is_the_memory_size():
    locked = dict(want(memory_reservation_locked=True, memory_reservation_mb=64), memory_mb=128)
    message = "memory_reservation_mb \\(64\\) must be the VM's memory size \\(128 MB\\)"
    with pytest.raises(InvalidArgument, match=message):
        hardware.create({}, {}, locked)
    with pytest.raises(InvalidArgument, match=message):
        hardware.plan(Plan(), locked, hardware.facts(PROPS), PROPS)
    # already locked on the VM, a reservation alone is refused too; unlocking it takes one
    now = dict(hardware.facts(PROPS), memory_reservation_locked=True, memory_mb=128)
    with pytest.raises(InvalidArgument, match=message):
        hardware.plan(Plan(), dict(want(memory_reservation_mb=64), memory_mb=None), now, PROPS)
    unlocked = want(memory_reservation_mb=64, memory_reservation_locked=False)
    hardware.plan(Plan(), dict(unlocked, memory_mb=None), now, PROPS)
    hardware.create(
        {}, {}, dict(want(memory_reservation_locked=True, memory_reservation_mb=128), memory_mb=128)
    )
