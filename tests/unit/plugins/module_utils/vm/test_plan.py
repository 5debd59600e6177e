"""vm/plan.py: a plan's changes, its device changes and their temporary keys, its ConfigSpec."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.vm.plan import Change, Plan


def test_keys_count_down_with_the_device_changes():
    p = Plan()
    assert p.new_key() == -100
    p.add_device("add", {"_type": "ParaVirtualSCSIController", "key": -100})
    p.add_device("edit", {"_type": "VirtualDisk", "key": 2000})
    assert p.new_key() == -102, "the key follows the number of device changes"


def test_keys_taken_before_their_devices_are_added_never_repeat():
    p = Plan()
    keys = [p.new_key() for _n in range(3)]
    p.add_device("add", {"_type": "VirtualDisk", "key": keys[0]})
    keys.append(p.new_key())
    assert keys == [-100, -101, -102, -103]


def test_add_device_is_one_virtual_device_config_spec():
    p = Plan()
    p.add_device("add", {"_type": "VirtualDisk", "key": -100}, "create")
    p.add_device("remove", {"_type": "VirtualE1000", "key": 4001})
    assert p.devices == [
        {"_type": "VirtualDeviceConfigSpec", "operation": "add", "fileOperation": "create",
         "device": {"_type": "VirtualDisk", "key": -100}},
        {"_type": "VirtualDeviceConfigSpec", "operation": "remove", "fileOperation": None,
         "device": {"_type": "VirtualE1000", "key": 4001}},
    ]  # fmt: skip


def test_cold_names_each_option_once_in_order():
    p = Plan()
    p.add("nics[0].mac_address", "networks[0].mac_address", cold=True)
    p.add("annotation", "annotation")
    p.add("nics[0].device_type", "networks[0].device_type", cold=True)
    p.add("nics[0].mac_address", "networks[0].mac_address", cold=True)
    assert p.cold == ["networks[0].mac_address", "networks[0].device_type"]
    assert p.changes[1] == Change("annotation", "annotation", False)


def test_config_spec():
    assert Plan().config_spec() is None
    p = Plan(config={"memoryMB": 4096})
    assert p.config_spec() == {"_type": "VirtualMachineConfigSpec", "memoryMB": 4096}
    p.add_device("edit", {"_type": "VirtualDisk", "key": 2000})
    assert p.config_spec()["deviceChange"] == p.devices
    assert Plan(upgrade="vmx-19").config_spec() is None, "an upgrade is its own task"
