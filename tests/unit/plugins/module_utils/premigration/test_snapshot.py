"""snapshot.build() on decoded property rows, and what a move changes (moves / targets).

The rows have the shape the VI client decodes from RetrievePropertiesEx (typed values, MoRef
tuples, "_type" on data objects); the last test maps the datastore recorded from a real
vCenter 8.0 (../shared/fixtures/real-vsphere).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.host import facts as host_facts
from ansible_collections.viapi.esx.plugins.module_utils.premigration import snapshot
from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vm import facts as vm_facts

VM = MoRef("VirtualMachine", "vm-42")
H1, H2, H9 = (
    MoRef("HostSystem", "host-1"),
    MoRef("HostSystem", "host-2"),
    MoRef("HostSystem", "host-9"),
)
C1, C9 = MoRef("ClusterComputeResource", "domain-c1"), MoRef("ComputeResource", "domain-s9")
RP1, RP9 = MoRef("ResourcePool", "resgroup-1"), MoRef("ResourcePool", "resgroup-9")
DS1, DS2 = MoRef("Datastore", "datastore-11"), MoRef("Datastore", "datastore-12")
NET, DVPG = MoRef("Network", "network-7"), MoRef("DistributedVirtualPortgroup", "dvportgroup-13")


def connectable(connected):
    return {"_type": "VirtualDeviceConnectInfo", "connected": connected, "startConnected": True}


DEVICES = [
    {"_type": "VirtualCdrom", "key": 3000, "deviceInfo": {"label": "CD/DVD drive 1"},
     "backing": {"_type": "VirtualCdromAtapiBackingInfo", "deviceName": "/vmfs/devices/cdrom/mpx.vmhba32:C0:T0:L0"},
     "connectable": connectable(True)},
    {"_type": "VirtualFloppy", "key": 8000, "deviceInfo": {"label": "Floppy drive 1"},
     "backing": {"_type": "VirtualFloppyRemoteDeviceBackingInfo", "deviceName": ""},
     "connectable": connectable(True)},
    {"_type": "VirtualSerialPort", "key": 9000, "deviceInfo": {"label": "Serial port 1"},
     "backing": {"_type": "VirtualSerialPortFileBackingInfo", "fileName": "[ssd-01] web01/serial.log"},
     "connectable": connectable(True)},
    {"_type": "VirtualDisk", "key": 2000, "deviceInfo": {"label": "Hard disk 1"}, "capacityInKB": 1024,
     "backing": {"_type": "VirtualDiskFlatVer2BackingInfo", "datastore": DS1,
                 "fileName": "[ssd-01] web01/web01.vmdk", "diskMode": "persistent"}},
    {"_type": "VirtualDisk", "key": 2001, "deviceInfo": {"label": "Hard disk 2"}, "capacityInBytes": 2**30,
     "backing": {"_type": "VirtualDiskRawDiskMappingVer1BackingInfo", "datastore": DS1,
                 "fileName": "[ssd-01] web01/web01_1.vmdk", "compatibilityMode": "physicalMode",
                 "diskMode": "independent_persistent"}},
    {"_type": "VirtualVmxnet3", "key": 4000, "deviceInfo": {"label": "Network adapter 1"},
     "backing": {"_type": "VirtualEthernetCardNetworkBackingInfo", "deviceName": "VM Network"},
     "connectable": {"_type": "VirtualDeviceConnectInfo", "startConnected": True,
                     "allowGuestControl": True, "connected": True}},
    {"_type": "VirtualE1000e", "key": 4001, "deviceInfo": {"label": "Network adapter 2"},
     "backing": {"_type": "VirtualEthernetCardDistributedVirtualPortBackingInfo",
                 "port": {"portgroupKey": "dvportgroup-13", "switchUuid": "50 2a"}}},
    {"_type": "VirtualPCIPassthrough", "key": 13000, "deviceInfo": {"label": "PCI device 0"},
     "backing": {"_type": "VirtualPCIPassthroughDeviceBackingInfo", "id": "0000:3b:00.0"}},
    {"_type": "ParaVirtualSCSIController", "key": 1000, "busNumber": 0,
     "deviceInfo": {"label": "SCSI controller 0"}, "sharedBus": "noSharing"},
    {"_type": "VirtualLsiLogicSASController", "key": 1001, "busNumber": 1,
     "deviceInfo": {"label": "SCSI controller 1"}, "sharedBus": "physicalSharing"},
]  # fmt: skip


def host_props(name, compute, vmotion=True, version="8.0.2", vendor="intel"):
    return {
        "name": name, "parent": compute, "runtime.connectionState": "connected",
        "runtime.powerState": "poweredOn", "runtime.inMaintenanceMode": False,
        "summary.config.vmotionEnabled": vmotion,
        "summary.config.product": {"_type": "AboutInfo", "version": version, "build": "22380479",
                                   "fullName": f"VMware ESXi {version} build-22380479"},
        "summary.hardware": {"_type": "HostHardwareSummary", "memorySize": 68719476736},
        "summary.quickStats.overallMemoryUsage": 20000,
        "summary.maxEVCModeKey": "intel-icelake",
        "hardware.cpuPkg": [{"_type": "HostCpuPackage", "index": 0, "vendor": vendor}],
        "config.featureCapability": [{"_type": "HostFeatureCapability", "key": "cpuid.SSE3",
                                      "featureName": "cpuid.SSE3", "value": "1"}],
        "datastore": [DS1, DS2], "network": [NET, DVPG],
    }  # fmt: skip


def rows(**vm_changes):
    vm = {
        "name": "web01", "runtime.host": H1, "resourcePool": RP1, "datastore": [DS1],
        "network": [NET, DVPG], "runtime.powerState": "poweredOn",
        "runtime.connectionState": "connected", "runtime.question": None, "config.template": False,
        "config.version": "vmx-21", "config.hardware.memoryMB": 4096,
        "config.hardware.device": DEVICES, "runtime.minRequiredEVCModeKey": "intel-haswell",
        "runtime.featureRequirement": [{"_type": "VirtualMachineFeatureRequirement",
                                        "key": "cpuid.SSE3", "featureName": "cpuid.SSE3",
                                        "value": "Bool:Min:1"}],
        "summary.storage": {"_type": "VirtualMachineStorageSummary", "committed": 5 * 2**30},
        "storage.perDatastoreUsage": [
            {"_type": "VirtualMachineUsageOnDatastore", "datastore": DS1, "committed": 4 * 2**30},
            {"_type": "VirtualMachineUsageOnDatastore", "datastore": DS2, "committed": 2**30},
        ],
        "config.files.vmPathName": "[ssd-01] web01/web01.vmx",
    }  # fmt: skip
    vm.update(vm_changes)
    mount = {"_type": "HostMountInfo", "mounted": True, "accessible": True}
    return {
        VM: vm,
        H1: host_props("esx01", C1),
        H2: host_props("esx02", C1, version="8.0.3"),
        H9: host_props("esx09", C9, vmotion=False),
        C1: {"name": "prod", "resourcePool": RP1, "host": [H1, H2]},
        C9: {"name": "esx09", "resourcePool": RP9, "host": [H9]},
        RP1: {"name": "Resources", "owner": C1},
        RP9: {"name": "Resources", "owner": C9},
        DS1: {"name": "ssd-01", "host": [{"key": H1, "mountInfo": mount},
                                         {"key": H2, "mountInfo": dict(mount, accessible=False)}],
              "summary.accessible": True, "summary.freeSpace": 100, "summary.capacity": 200,
              "summary.maintenanceMode": "normal", "summary.type": "VMFS"},
        DS2: {"name": "ssd-02", "host": [{"key": H1, "mountInfo": mount}], "summary.accessible": True},
        NET: {"name": "VM Network"},
        DVPG: {"name": "prod-dvpg"},
        MoRef("Task", "task-7"): {"info.state": "running", "info.descriptionId": "VirtualMachine.clone"},
        MoRef("Task", "task-6"): {"info.state": "success", "info.descriptionId": "VirtualMachine.powerOn"},
    }  # fmt: skip


def build(destination=None, **vm_changes):
    dest = {"host": H2, "cluster": None, "pool": None, "datastore": None}
    dest.update(destination or {})
    return snapshot.build(rows(**vm_changes), VM, dest)


def test_vm_facts_normalise_devices_disks_and_nics():
    vm = build()["vm"]
    assert vm["name"] == "web01" and vm["host"] == "host-1" and vm["pool"] == "resgroup-1"
    assert vm["running_tasks"] == ["VirtualMachine.clone"]
    assert vm["config_datastore"] == "datastore-11"
    assert vm["committed_bytes"] == 5 * 2**30
    assert vm["committed_by_datastore"] == {DS1.value: 4 * 2**30, DS2.value: 2**30}
    assert vm["devices"] == [
        {"label": "CD/DVD drive 1", "kind": "cdrom", "host_backed": True, "client_backed": False,
         "device": "/vmfs/devices/cdrom/mpx.vmhba32:C0:T0:L0", "connected": True},
        {"label": "Floppy drive 1", "kind": "floppy", "host_backed": False, "client_backed": True,
         "device": None, "connected": True},
        {"label": "Serial port 1", "kind": "serial", "host_backed": False, "client_backed": False,
         "device": "[ssd-01] web01/serial.log", "connected": True},
    ]  # fmt: skip
    assert vm["disks"] == [
        {"label": "Hard disk 1", "datastore": "datastore-11", "capacity_bytes": 1048576,
         "mode": "persistent", "rdm": None},
        {"label": "Hard disk 2", "datastore": "datastore-11", "capacity_bytes": 2**30,
         "mode": "independent_persistent", "rdm": "physical"},
    ]  # fmt: skip
    assert vm["nics"] == [
        {"label": "Network adapter 1", "network": "network-7", "network_name": "VM Network", "opaque": False,
         "distributed": False, "connected": True},
        {"label": "Network adapter 2", "network": "dvportgroup-13", "network_name": "prod-dvpg", "opaque": False,
         "distributed": True, "connected": False},
    ]  # fmt: skip
    assert vm["passthrough"] == ["PCI device 0"]
    assert vm["shared_buses"] == ["SCSI controller 1 (physicalSharing)"]
    assert vm["feature_requirements"] == [
        {"key": "cpuid.SSE3", "name": "cpuid.SSE3", "value": "Bool:Min:1"}
    ]


def test_host_and_datastore_facts():
    s = build()
    dest = s["destination"]["host"]
    assert dest["name"] == "esx02" and dest["version"] == "8.0.3" and dest["cpu_vendor"] == "intel"
    assert dest["memory_mb"] == 65536 and dest["memory_used_mb"] == 20000
    assert dest["features"] == {"cpuid.SSE3": "1"} and dest["max_evc"] == "intel-icelake"
    assert dest["datastores"] == ["datastore-11", "datastore-12"]
    assert s["source"]["host"]["name"] == "esx01" and s["source"]["compute"]["name"] == "prod"
    assert s["source"]["pool"]["name"] == "Resources"
    ds = s["datastores"]["datastore-11"]
    assert ds["mounts"]["host-2"] == {"mounted": True, "accessible": False}
    assert ds["free_bytes"] == 100 and ds["accessible"] is True
    assert s["networks"]["dvportgroup-13"]["type"] == "DistributedVirtualPortgroup"


def test_the_vm_and_hosts_carry_the_facts_vocabulary():
    s = build(**{"runtime.powerState": "suspended"})
    vm, source = s["vm"], s["source"]["host"]
    own = vm_facts.own_facts(VM, rows(**{"runtime.powerState": "suspended"})[VM])
    assert {k: vm[k] for k in own} == own
    assert vm["power_state"] == "suspended" and vm["connection_state"] == "connected"
    assert (vm["template"], vm["hardware_version"], vm["memory_mb"]) == (False, "vmx-21", 4096)
    assert {k: source[k] for k in host_facts.own_facts(H1, rows()[H1])} == host_facts.own_facts(
        H1, rows()[H1]
    )
    assert (source["power_state"], source["maintenance_mode"], source["quarantine_mode"]) == (
        "powered_on",
        False,
        False,
    )
    assert source["evc_mode"] is None and source["memory_bytes"] == 68719476736
    # The one bulk read asks for every path those facts come from.
    assert set(vm_facts.OWN_PATHS) <= set(snapshot.PATHS["VirtualMachine"])
    assert set(host_facts.OWN_PATHS) <= set(snapshot.PATHS["HostSystem"])


def test_moves_within_a_cluster_change_only_the_host():
    s = build()
    assert snapshot.moves(s) == {"host": True, "compute": False, "pool": False, "storage": False}
    assert snapshot.target_pool(s) is None
    assert snapshot.target_host(s)["name"] == "esx02"


def test_a_standalone_host_brings_its_root_pool():
    s = build({"host": H9})
    assert snapshot.moves(s) == {"host": True, "compute": True, "pool": True, "storage": False}
    assert snapshot.target_pool(s) == "resgroup-9"


def test_a_pool_of_a_standalone_host_implies_the_host():
    s = build({"host": None, "pool": RP9})
    assert s["destination"]["host"]["name"] == "esx09"
    assert snapshot.moves(s)["host"] is True


def test_a_cluster_without_host_leaves_the_host_to_drs():
    r = rows(**{"runtime.host": H9, "resourcePool": RP9})
    s = snapshot.build(r, VM, {"host": None, "cluster": C1, "pool": None, "datastore": None})
    assert snapshot.target_host(s) is None
    assert snapshot.moves(s) == {"host": True, "compute": True, "pool": True, "storage": False}


def test_storage_moves_only_when_config_or_disks_are_elsewhere():
    s = build({"host": None, "datastore": DS2})
    assert snapshot.moves(s) == {"host": False, "compute": False, "pool": False, "storage": True}
    s = build({"host": None, "datastore": DS1})
    assert not any(snapshot.moves(s).values())


def test_a_host_outside_the_cluster_or_a_foreign_pool_is_refused():
    with pytest.raises(InvalidArgument, match="host 'esx09' is not in cluster 'prod'"):
        build({"host": H9, "cluster": C1})
    with pytest.raises(
        InvalidArgument, match="resource_pool 'Resources' does not belong to 'prod'"
    ):
        build({"host": H2, "pool": RP9})


# ---------------------------------------------------------------- a real vCenter datastore

CASSETTE = (
    Path(__file__).resolve().parents[6]
    / "shared/fixtures/real-vsphere/test_json_datastore_explode.yaml"
)


@pytest.mark.skipif(not CASSETTE.is_file(), reason="../shared fixtures are absent")
def test_recorded_vsan_datastore_mounts():
    import real_vsphere

    props = {}
    for call in real_vsphere.load(CASSETTE):
        if call.soap_method == "Fetch":
            prop = re.search(r"<prop[^>]*>(\w+)</prop>", call.request).group(1)
            props[prop] = envelope.parse_response("Fetch", call.status, call.body)
    ref = props["summary"]["datastore"]
    facts = snapshot.datastore_facts(
        ref, {"name": props["summary"]["name"], "host": props["host"], "summary.accessible": True}
    )
    assert facts["name"] == "vsanDatastore" and facts["moid"] == "datastore-17"
    assert sorted(facts["mounts"]) == ["host-12", "host-14", "host-15", "host-16"]
    assert all(m == {"mounted": True, "accessible": True} for m in facts["mounts"].values())
