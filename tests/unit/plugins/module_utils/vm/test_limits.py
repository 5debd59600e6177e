"""The limits of a hardware version, from a decoded VirtualMachineConfigOption."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument, make_fault
from ansible_collections.viapi.esx.plugins.module_utils.vm import limits
from ansible_collections.viapi.esx.plugins.module_utils.vm.limits import Limits, devices_after

OPTION = {
    "_type": "VirtualMachineConfigOption",
    "version": "vmx-13",
    "hardwareOptions": {
        "_type": "VirtualHardwareOption",
        "numCPU": list(range(1, 129)),
        "numCoresPerSocket": {"_type": "IntOption", "min": 1, "max": 64, "defaultValue": 1},
        "memoryMB": {"_type": "LongOption", "min": 4, "max": 6275072, "defaultValue": 0},
        "virtualDeviceOption": [
            {"_type": "VirtualIDEControllerOption", "type": "VirtualIDEController",
             "devices": {"_type": "IntOption", "min": 0, "max": 2}},
            {"_type": "VirtualLsiLogicControllerOption", "type": "VirtualLsiLogicController",
             "devices": {"_type": "IntOption", "min": 0, "max": 15}},
            {"_type": "ParaVirtualSCSIControllerOption", "type": "ParaVirtualSCSIController",
             "devices": {"_type": "IntOption", "min": 0, "max": 15}},
        ],
    },
}  # fmt: skip
WHERE = "host 'esx1'"


def test_limits_read_from_the_option():
    limits = Limits.from_option(OPTION)
    assert limits.version == "vmx-13" and limits.cpus == list(range(1, 129))
    assert limits.cores == (1, 64) and limits.memory == (4, 6275072)
    assert limits.per_controller == {
        "VirtualIDEController": 2, "VirtualLsiLogicController": 15, "ParaVirtualSCSIController": 15,
    }  # fmt: skip


@pytest.mark.parametrize(
    "want, message",
    [
        ({"num_cpus": 200}, "num_cpus: 200 is not allowed by host 'esx1' at vmx-13 (allowed: 1 to 128); "
                            "the nearest valid value is 128"),
        ({"cores_per_socket": 65}, "cores_per_socket: 65 is not allowed by host 'esx1' at vmx-13 "
                                   "(allowed: 1 to 64); the nearest valid value is 64"),
        ({"memory_mb": 6275076}, "memory_mb: 6275076 is not allowed by host 'esx1' at vmx-13 "
                                 "(allowed: 4 to 6275072); the nearest valid value is 6275072"),
    ],
)  # fmt: skip
def test_a_value_out_of_range_names_the_option_and_the_nearest_valid_value(want, message):
    with pytest.raises(InvalidArgument) as raised:
        Limits.from_option(OPTION).check(want, WHERE)
    assert str(raised.value) == message


def test_values_in_range_and_unset_ones_pass():
    Limits.from_option(OPTION).check({"num_cpus": 128, "cores_per_socket": 64, "memory_mb": 4,
                                      "guest_id": "x"}, WHERE)  # fmt: skip
    Limits.from_option(OPTION).check({"num_cpus": None, "memory_mb": None}, WHERE)


def test_a_server_that_answers_no_limits_checks_nothing():
    """vcsim without the harness answers every limit as 0: nothing is known, nothing refused."""
    zeros = {
        "version": "vmx-13",
        "hardwareOptions": {
            "numCPU": [],
            "numCoresPerSocket": {"min": 0, "max": 0},
            "memoryMB": {"min": 0, "max": 0},
        },
    }
    Limits.from_option(zeros).check(
        {"num_cpus": 500, "cores_per_socket": 99, "memory_mb": 8}, WHERE
    )
    Limits.from_option({}).check({"num_cpus": 500}, WHERE)


def pvscsi(key, bus=0):
    return {"_type": "ParaVirtualSCSIController", "key": key, "busNumber": bus,
            "deviceInfo": {"label": f"SCSI controller {bus}"}}  # fmt: skip


def disk(key, controller, unit):
    return {"_type": "VirtualDisk", "key": key, "controllerKey": controller, "unitNumber": unit}


def test_devices_per_controller():
    limits = Limits.from_option(OPTION)
    devices = [pvscsi(1000)] + [disk(2000 + u, 1000, u) for u in range(15)]
    limits.check_devices(devices, WHERE)
    with pytest.raises(InvalidArgument) as raised:
        limits.check_devices([*devices, disk(2099, 1000, 16)], WHERE)
    assert str(raised.value) == (
        "disks: SCSI controller 0 would hold 16 devices; host 'esx1' at vmx-13 allows at most 15 "
        "on a ParaVirtualSCSIController"
    )


def test_a_controller_kind_counts_by_its_parent_type_and_ide_holds_cdroms():
    limits = Limits.from_option(OPTION)
    ide = {"_type": "VirtualIDEController", "key": 200, "busNumber": 0}
    cdroms = [{"_type": "VirtualCdrom", "key": 3000 + u, "controllerKey": 200, "unitNumber": u}
              for u in range(3)]  # fmt: skip
    with pytest.raises(
        InvalidArgument, match=r"^cdrom: VirtualIDEController 0 would hold 3 devices"
    ):
        limits.check_devices([ide, *cdroms], WHERE)
    unknown = {"_type": "VirtualNVMEController", "key": 31000, "busNumber": 0}
    limits.check_devices([unknown] + [disk(5000 + u, 31000, u) for u in range(40)], WHERE)


def test_devices_after_a_spec():
    devices = [pvscsi(1000), disk(2000, 1000, 0)]
    changes = [
        {"operation": "remove", "device": disk(2000, 1000, 0)},
        {"operation": "add", "device": disk(-101, 1000, 1)},
        {"operation": "edit", "device": pvscsi(1000, 1)},
    ]
    assert devices_after(devices, changes) == [pvscsi(1000, 1), disk(-101, 1000, 1)]


class Options:
    """A ConfigOptions stand-in: the answer (or fault) of one QueryConfigOptionEx."""

    browser, where = "envbrowser-1", WHERE

    def __init__(self, answer):
        self.answer = answer

    def option(self, version):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_check_reads_the_option_of_the_version():
    with pytest.raises(
        InvalidArgument, match=r"^num_cpus: 999 is not allowed by host 'esx1' at vmx-13"
    ):
        limits.check(Options(OPTION), "vmx-13", {"num_cpus": 999}, [])
    limits.check(Options(OPTION), "vmx-13", {"num_cpus": 8}, [pvscsi(1000), disk(2000, 1000, 0)])


def test_a_version_without_a_config_option_on_the_host_is_not_checked():
    unknown = make_fault("InvalidArgument", "invalid key", {"invalidProperty": "key"})
    limits.check(Options(unknown), "vmx-99", {"num_cpus": 999}, [])
