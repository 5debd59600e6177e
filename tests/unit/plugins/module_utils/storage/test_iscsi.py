"""Hosts' config.storageDevice -> iSCSI pools (static targets) and volumes (LUNs)."""

from __future__ import annotations

from ansible_collections.viapi.esx.plugins.module_utils.storage import iscsi
from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import (
    POOL_FIELDS,
    VOLUME_FIELDS,
)
from ansible_collections.viapi.esx.plugins.module_utils.storage.ids import md5_uuid

T1 = "iqn.2003-01.org.linux-iscsi.array1.x8664:sn.0a1b2c3d4e5f"
T2 = "iqn.1992-08.com.netapp:sn.1234567890:vs.7"
T3 = "iqn.2010-06.com.purestorage:flasharray.5b1c2d3e4f"


def lun(uuid, naa, gib, block_size=512, state="ok"):
    """A HostScsiDisk as ESXi reports it (inquiry strings space-padded)."""
    path = f"/vmfs/devices/disks/naa.{naa}"
    return {
        "_type": "HostScsiDisk", "deviceName": path, "deviceType": "disk",
        "key": f"key-vim.host.ScsiDisk-{uuid}", "uuid": uuid, "canonicalName": f"naa.{naa}",
        "displayName": f"LIO-ORG iSCSI Disk (naa.{naa})", "lunType": "disk",
        "vendor": "LIO-ORG ", "model": "block_lun0      ", "operationalState": [state],
        "capacity": {"_type": "HostDiskDimensionsLba", "blockSize": block_size,
                     "block": (gib << 30) // block_size},
        "devicePath": path, "ssd": False, "localDisk": False,
    }  # fmt: skip


L1 = lun("0200000060014051111", "60014051111", 10)
L2 = lun("0201000060014052222", "60014052222", 20, block_size=4096)
L3 = lun("02000000600a09803333", "600a09803333", 50, state="lostCommunication")


def hba(device, software, targets):
    return {
        "_type": "HostInternetScsiHba", "key": f"key-vim.host.InternetScsiHba-{device}",
        "device": device, "status": "online", "isSoftwareBased": software,
        "iScsiName": f"iqn.1998-01.com.vmware:esx-{device}",
        "configuredStaticTarget": [
            {"_type": "HostInternetScsiHbaStaticTarget", "address": address, "port": port,
             "iScsiName": iqn, "discoveryMethod": "staticMethod"}
            for iqn, address, port in targets
        ],
    }  # fmt: skip


def topology_target(device, n, iqn, luns):
    return {
        "_type": "HostScsiTopologyTarget", "key": f"key-vim.host.ScsiTopology.Target-{device}:0:{n}",
        "target": n,
        "lun": [{"_type": "HostScsiTopologyLun", "key": f"k{number}", "lun": number, "scsiLun": d["key"]}
                for number, d in luns],
        "transport": {"_type": "HostInternetScsiTargetTransport", "iScsiName": iqn,
                      "iScsiAlias": "", "address": "192.0.2.1:3260"},
    }  # fmt: skip


def storage_device():
    """One host: a software adapter with T1 (2 LUNs) and a hardware one with T2 (1 LUN) and T3."""
    return {
        "_type": "HostStorageDeviceInfo",
        "hostBusAdapter": [
            {"_type": "HostParallelScsiHba", "key": "key-vim.host.ParallelScsiHba-vmhba0", "device": "vmhba0"},
            hba("vmhba65", True, [(T1, "192.0.2.10", 3260)]),
            hba("vmhba33", False, [(T2, "192.0.2.20", 3261), (T3, "192.0.2.30", None)]),
        ],
        "scsiLun": [
            {"_type": "ScsiLun", "key": "key-vim.host.ScsiLun-cd", "uuid": "cd", "deviceName": "/vmfs/devices/cdrom/x"},
            L1, L2, L3,
        ],
        "scsiTopology": {"_type": "HostScsiTopology", "adapter": [
            {"_type": "HostScsiTopologyInterface", "key": "i0", "adapter": "key-vim.host.ParallelScsiHba-vmhba0",
             "target": [{"_type": "HostScsiTopologyTarget", "key": "t", "target": 0, "transport": ""}]},
            {"_type": "HostScsiTopologyInterface", "key": "i65", "adapter": "key-vim.host.InternetScsiHba-vmhba65",
             "target": [topology_target("vmhba65", 0, T1, [(1, L2), (0, L1)])]},
            {"_type": "HostScsiTopologyInterface", "key": "i33", "adapter": "key-vim.host.InternetScsiHba-vmhba33",
             "target": [topology_target("vmhba33", 0, T2, [(0, L3)])]},
        ]},
    }  # fmt: skip


def test_host_targets_every_adapter_software_and_hardware():
    targets = iscsi.host_targets(storage_device())
    assert [(t.iqn, t.adapter, t.adapter_type, t.address, t.port) for t in targets] == [
        (T1, "vmhba65", "software", "192.0.2.10", 3260),
        (T2, "vmhba33", "hardware", "192.0.2.20", 3261),
        (T3, "vmhba33", "hardware", "192.0.2.30", None),
    ]
    assert [(n, d["canonicalName"]) for n, d in targets[0].luns] == [
        (1, "naa.60014052222"),
        (0, "naa.60014051111"),
    ]
    assert [d["uuid"] for _n, d in targets[1].luns] == [L3["uuid"]]
    assert targets[2].luns == []  # configured, nothing behind it in the topology


def test_host_without_iscsi_or_storage_device():
    assert iscsi.host_targets({}) == []
    assert iscsi.host_targets({"hostBusAdapter": [{"_type": "HostBlockHba", "key": "k"}]}) == []


def test_pools_merge_a_target_seen_by_several_hosts():
    device2 = storage_device()
    device2["hostBusAdapter"][1]["device"] = "vmhba64"  # another software adapter name there
    device2["hostBusAdapter"][1]["configuredStaticTarget"][0]["address"] = "192.0.2.11"
    per_host = [
        ("esx2", iscsi.host_targets(device2)),
        ("esx1", iscsi.host_targets(storage_device())),
    ]
    pools = iscsi.merge_targets(per_host)
    assert [p.name for p in pools] == sorted([T1, T2, T3])
    t1 = next(p for p in pools if p.name == T1)
    assert list(t1.facts) == list(POOL_FIELDS)
    assert t1.facts == dict.fromkeys(POOL_FIELDS) | {
        "name": T1, "uuid": md5_uuid(T1), "backend": "iscsi", "type": "iscsi", "state": "running",
        "capacity_bytes": 30 << 30, "allocation_bytes": 30 << 30, "available_bytes": 0,
        "accessible": True, "multiple_host_access": True, "hosts": ["esx1", "esx2"], "iqn": T1,
        "address": "192.0.2.10", "port": 3260, "adapter": "vmhba65", "adapter_type": "software",
    }  # fmt: skip
    assert [n for n, _d in t1.handle["luns"]] == [0, 1]  # one entry per LUN, not per host

    scoped = iscsi.merge_targets(per_host, scope_host="esx2")
    assert next(p for p in scoped if p.name == T1).facts["address"] == "192.0.2.11"
    assert next(p for p in scoped if p.name == T1).facts["adapter"] == "vmhba64"


def test_scope_host_keeps_only_its_targets():
    only_t1 = storage_device()
    only_t1["hostBusAdapter"] = only_t1["hostBusAdapter"][:2]
    per_host = [
        ("esx1", iscsi.host_targets(storage_device())),
        ("esx2", iscsi.host_targets(only_t1)),
    ]
    assert [p.name for p in iscsi.merge_targets(per_host, "esx2")] == [T1]
    assert iscsi.merge_targets(per_host, "esx3") == []


def test_target_whose_luns_are_all_unreachable_is_inaccessible():
    pools = {
        p.name: p for p in iscsi.merge_targets([("esx1", iscsi.host_targets(storage_device()))])
    }
    assert (pools[T2].facts["state"], pools[T2].facts["accessible"]) == ("inaccessible", False)
    assert pools[T3].facts["state"] == "running" and pools[T3].facts["capacity_bytes"] == 0


def test_lun_volume_every_field():
    pool = {"name": T1, "uuid": md5_uuid(T1)}
    vol = iscsi.lun_volume(pool, 1, L2)
    assert list(vol) == list(VOLUME_FIELDS)
    assert vol == dict.fromkeys(VOLUME_FIELDS) | {
        "name": "naa.60014052222", "key": md5_uuid(L2["uuid"]), "path": "/vmfs/devices/disks/naa.60014052222",
        "pool": T1, "pool_uuid": md5_uuid(T1), "type": "block", "format": "lun",
        "capacity_bytes": 20 << 30, "allocation_bytes": 20 << 30,
        "device_path": "/vmfs/devices/disks/naa.60014052222", "canonical_name": "naa.60014052222",
        "display_name": "LIO-ORG iSCSI Disk (naa.60014052222)", "vendor": "LIO-ORG",
        "model": "block_lun0", "lun_number": 1, "operational_state": "ok",
    }  # fmt: skip


def test_lun_without_canonical_name_or_capacity():
    bare = {"key": "k", "uuid": "u", "deviceName": "/vmfs/devices/disks/mpx.vmhba0:C0:T0:L0"}
    vol = iscsi.lun_volume({"name": "p", "uuid": "x"}, None, bare)
    assert vol["name"] == vol["path"] == "/vmfs/devices/disks/mpx.vmhba0:C0:T0:L0"
    assert (vol["capacity_bytes"], vol["operational_state"], vol["key"]) == (
        None,
        None,
        md5_uuid("u"),
    )


def send_device():
    """A host whose software adapter has a send target that discovered T1 (L1, L2), beside T2
    configured by hand on the hardware adapter."""
    device = storage_device()
    software = device["hostBusAdapter"][1]
    software["configuredSendTarget"] = [
        {"_type": "HostInternetScsiHbaSendTarget", "address": "192.0.2.10", "port": 3260}
    ]
    software["configuredStaticTarget"][0].update(
        discoveryMethod="sendTargetMethod", parent="192.0.2.10:3260"
    )
    return device


def test_a_send_target_is_a_pool_linked_to_the_targets_it_discovered():
    per_host = [("esx1", send_device()), ("esx2", send_device())]
    targets = iscsi.merge_targets([(h, iscsi.host_targets(d)) for h, d in per_host])
    sends = iscsi.merge_send_targets(
        [(h, iscsi.host_send_targets(d)) for h, d in per_host], targets
    )
    assert [p.name for p in sends] == ["192.0.2.10:3260"]
    assert list(sends[0].facts) == list(POOL_FIELDS)
    assert sends[0].facts == dict.fromkeys(POOL_FIELDS) | {
        "name": "192.0.2.10:3260", "uuid": md5_uuid("192.0.2.10:3260"), "backend": "iscsi",
        "type": "iscsi_send_target", "state": "running", "capacity_bytes": 30 << 30,
        "allocation_bytes": 30 << 30, "available_bytes": 0, "accessible": True,
        "multiple_host_access": True, "hosts": ["esx1", "esx2"], "address": "192.0.2.10",
        "port": 3260, "adapter": "vmhba65", "adapter_type": "software", "targets": [T1],
    }  # fmt: skip
    by_name = {p.name: p.facts for p in targets}
    assert by_name[T1]["send_target"] == "192.0.2.10:3260"
    assert by_name[T2]["send_target"] is None  # configured by hand
    assert sends[0].handle["luns"] == []  # its LUNs are volumes of T1, listed once


def test_a_send_target_that_found_nothing_and_the_host_scope():
    device = send_device()
    device["hostBusAdapter"][1]["configuredStaticTarget"] = []
    per_host = [("esx1", device), ("esx2", storage_device())]
    targets = iscsi.merge_targets([(h, iscsi.host_targets(d)) for h, d in per_host])
    sends = [(h, iscsi.host_send_targets(d)) for h, d in per_host]
    (found,) = iscsi.merge_send_targets(sends, targets)
    assert (found.facts["targets"], found.facts["capacity_bytes"], found.facts["state"]) == (
        [], 0, "running")  # fmt: skip
    assert iscsi.merge_send_targets(sends, targets, scope_host="esx2") == []
