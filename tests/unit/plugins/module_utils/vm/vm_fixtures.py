"""Hand-built VM properties, shaped like decoded RetrievePropertiesEx values, for the vm tests."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

DS1 = MoRef("Datastore", "datastore-11")
DS2 = MoRef("Datastore", "datastore-12")
NET = MoRef("Network", "network-7")
DVPG = MoRef("DistributedVirtualPortgroup", "dvportgroup-13")


def label(text: str) -> dict:
    return {"_type": "Description", "label": text, "summary": text}


def devices() -> list[dict]:
    """IDE 0/1, a PCI bus, an LSI Logic SAS controller with one 10 GiB thin disk, a vmxnet3 NIC
    on a distributed port group, an e1000 NIC on 'VM Network', and a CD-ROM with an ISO."""
    conn = {"_type": "VirtualDeviceConnectInfo", "startConnected": True, "allowGuestControl": True,
            "connected": True, "status": "ok"}  # fmt: skip
    return [
        {"_type": "VirtualIDEController", "key": 200, "deviceInfo": label("IDE 0"), "busNumber": 0,
         "device": [3000]},
        {"_type": "VirtualIDEController", "key": 201, "deviceInfo": label("IDE 1"), "busNumber": 1},
        {"_type": "VirtualPCIController", "key": 100, "deviceInfo": label("PCI controller 0"), "busNumber": 0},
        {"_type": "VirtualLsiLogicSASController", "key": 1000, "deviceInfo": label("SCSI controller 0"),
         "controllerKey": 100, "unitNumber": 3, "busNumber": 0, "sharedBus": "noSharing",
         "scsiCtlrUnitNumber": 7, "device": [2000]},
        {"_type": "VirtualDisk", "key": 2000, "deviceInfo": label("Hard disk 1"), "controllerKey": 1000,
         "unitNumber": 0, "capacityInKB": 10 * 2**20, "capacityInBytes": 10 * 2**30,
         "backing": {"_type": "VirtualDiskFlatVer2BackingInfo", "fileName": "[ds1] web/web.vmdk",
                     "datastore": DS1, "diskMode": "persistent", "thinProvisioned": True,
                     "uuid": "6000C29a-0000-0000-0000-000000000001"}},
        {"_type": "VirtualVmxnet3", "key": 4000, "deviceInfo": label("Network adapter 1"),
         "controllerKey": 100, "unitNumber": 7, "addressType": "assigned",
         "macAddress": "00:50:56:aa:bb:01", "connectable": dict(conn),
         "backing": {"_type": "VirtualEthernetCardDistributedVirtualPortBackingInfo",
                     "port": {"_type": "DistributedVirtualSwitchPortConnection",
                              "switchUuid": "50 2a", "portgroupKey": "dvportgroup-13"}}},
        {"_type": "VirtualE1000", "key": 4001, "deviceInfo": label("Network adapter 2"),
         "controllerKey": 100, "unitNumber": 8, "addressType": "generated",
         "macAddress": "00:50:56:aa:bb:02", "connectable": dict(conn, connected=False),
         "backing": {"_type": "VirtualEthernetCardNetworkBackingInfo", "deviceName": "VM Network",
                     "network": NET}},
        {"_type": "VirtualCdrom", "key": 3000, "deviceInfo": label("CD/DVD drive 1"),
         "controllerKey": 200, "unitNumber": 0, "connectable": dict(conn),
         "backing": {"_type": "VirtualCdromIsoBackingInfo", "fileName": "[ds1] iso/a.iso", "datastore": DS1}},
    ]  # fmt: skip


def props(**over) -> dict:
    """The properties of one powered-on VM 'web' (hot add off), as facts.PATHS + spec extras read them."""
    base = {
        "name": "web", "parent": MoRef("Folder", "group-v3"), "resourcePool": MoRef("ResourcePool", "resgroup-8"),
        "datastore": [DS1], "network": [DVPG, NET], "customValue": [],
        "config.uuid": "4211a1c5-33a2-d5c4-5e1f-1b6f4d2c3b9a",
        "config.instanceUuid": "5011a1c5-33a2-d5c4-5e1f-1b6f4d2c3b9a", "config.template": False,
        "config.guestId": "ubuntu64Guest", "config.guestFullName": "Ubuntu Linux (64-bit)",
        "config.version": "vmx-15", "config.annotation": "", "config.hardware.numCPU": 2,
        "config.hardware.numCoresPerSocket": 1, "config.hardware.memoryMB": 2048,
        "config.hardware.device": devices(), "runtime.host": MoRef("HostSystem", "host-21"),
        "runtime.powerState": "poweredOn", "runtime.connectionState": "connected",
        "guest.hostName": "web.example.com", "guest.ipAddress": "10.0.0.5",
        "guest.net": [{"_type": "GuestNicInfo", "ipAddress": ["10.0.0.5", "fe80::1"]},
                      {"_type": "GuestNicInfo", "ipAddress": ["10.0.0.5", "10.1.0.5"]}],
        "guest.toolsStatus": "toolsOk", "config.cpuHotAddEnabled": False,
        "config.cpuHotRemoveEnabled": False, "config.memoryHotAddEnabled": True,
        "config.files.vmPathName": "[ds1] web/web.vmx",
    }  # fmt: skip
    base.update(over)
    return base


# name and parent of everything props() refers to: the tree the facts resolve names with.
INVENTORY = {
    MoRef("Folder", "group-d1"): {"name": "Datacenters", "parent": None},
    MoRef("Datacenter", "datacenter-2"): {"name": "DC0", "parent": MoRef("Folder", "group-d1")},
    MoRef("Folder", "group-v1"): {"name": "vm", "parent": MoRef("Datacenter", "datacenter-2")},
    MoRef("Folder", "group-v3"): {"name": "web%2fapps", "parent": MoRef("Folder", "group-v1")},
    MoRef("Folder", "group-h4"): {"name": "host", "parent": MoRef("Datacenter", "datacenter-2")},
    MoRef("ClusterComputeResource", "domain-c7"): {"name": "C1", "parent": MoRef("Folder", "group-h4")},
    MoRef("HostSystem", "host-21"): {"name": "esx1", "parent": MoRef("ClusterComputeResource", "domain-c7")},
    MoRef("ResourcePool", "resgroup-8"): {"name": "Resources", "parent": MoRef("ClusterComputeResource", "domain-c7")},
    DS1: {"name": "ds1", "parent": MoRef("Folder", "group-s5")},
    DS2: {"name": "ds2", "parent": MoRef("Folder", "group-s5")},
    NET: {"name": "VM Network", "parent": MoRef("Folder", "group-n6")},
    DVPG: {"name": "prod-pg", "parent": MoRef("Folder", "group-n6")},
}  # fmt: skip


class Refs:
    """A name resolver like placement.Catalog, over fixed names; records what was asked."""

    def __init__(self):
        self.asked = []

    def datastore(self, name: str, option: str):
        self.asked.append(("datastore", name, option))
        if name not in ("ds1", "ds2"):
            from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import NotFound

            raise NotFound(f"{option}: datastore '{name}' not found in datacenter 'DC0'")
        return DS1 if name == "ds1" else DS2

    def switch_name(self, uuid: str):
        return {"50 2a": "dvs-prod"}.get(uuid)

    def network(self, name: str, option: str, switch=None) -> dict:
        self.asked.append(("network", name, option))
        if name == "prod-pg":
            return {"_type": "VirtualEthernetCardDistributedVirtualPortBackingInfo",
                    "port": {"_type": "DistributedVirtualSwitchPortConnection", "switchUuid": "50 2a",
                             "portgroupKey": "dvportgroup-13"}}  # fmt: skip
        return {
            "_type": "VirtualEthernetCardNetworkBackingInfo",
            "deviceName": name,
            "network": NET,
        }
