"""Datastore browser results and VM disk backings -> file volumes."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import datastore_files as files
from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import VOLUME_FIELDS, Pool
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import make_fault

DS = MoRef("Datastore", "datastore-31")
VDM = MoRef("VirtualDiskManager", "vdm")
POOL = Pool(
    {"name": "ds1", "uuid": "73c8896d-9e71-0635-54ff-fe0827cb731b"},
    {"ref": DS, "browser": MoRef("HostDatastoreBrowser", "b"), "vms": [], "datacenter": None},
)


def test_search_spec_asks_for_disk_details_and_every_file():
    spec = files.search_spec()
    assert spec["matchPattern"] == ["*"]
    assert spec["query"][0]["_type"] == "VmDiskFileQuery"
    assert spec["query"][0]["details"]["capacityKb"] is True
    assert spec["query"][-1] == {"_type": "FileQuery"}
    assert spec["details"]["fileSize"] is True and spec["details"]["fileType"] is True
    assert files.search_spec("a.vmdk")["matchPattern"] == ["a.vmdk"]


def test_plain_file_volume_has_every_field():
    info = {"_type": "IsoImageFileInfo", "path": "tools.iso", "fileSize": 4096}
    vol = files.file_volume(POOL, "[ds1] iso/", info, {})
    assert list(vol) == list(VOLUME_FIELDS)
    assert vol == dict.fromkeys(VOLUME_FIELDS) | {
        "name": "iso/tools.iso", "path": "[ds1] iso/tools.iso", "pool": "ds1",
        "pool_uuid": POOL.uuid, "type": "file", "format": "iso",
        "capacity_bytes": 4096, "allocation_bytes": 4096,
    }  # fmt: skip


@pytest.mark.parametrize(
    "kind, name, expected",
    [
        ("VmConfigFileInfo", "vm.vmx", "vmx"),
        ("VmNvramFileInfo", "vm.nvram", "nvram"),
        ("VmLogFileInfo", "vmware.log", "log"),
        ("FileInfo", "vmware-1.log", "log"),  # a query matched it only as a plain file
        ("FileInfo", "notes.txt", "other"),
        ("FileInfo", "README", "other"),
        ("VmSnapshotFileInfo", "vm-Snapshot1.vmsn", "other"),
    ],
)
def test_formats(kind, name, expected):
    vol = files.file_volume(POOL, "[ds1]", {"_type": kind, "path": name}, {})
    assert vol["format"] == expected
    assert vol["name"] == name and vol["path"] == f"[ds1] {name}"
    assert vol["capacity_bytes"] == 0  # the server leaves fileSize out when it is 0


@pytest.mark.parametrize(
    "name", ["disk-flat.vmdk", "disk-delta.vmdk", "disk-sesparse.vmdk", "disk-ctk.vmdk"]
)
def test_disk_extents_and_folders_are_not_volumes(name):
    assert files.file_volume(POOL, "[ds1] vm", {"_type": "FileInfo", "path": name}, {}) is None
    assert files.file_volume(POOL, "[ds1]", {"_type": "FolderFileInfo", "path": "vm"}, {}) is None


def disk_device(file_name, uuid=None, thin=True, eager=False, kb=2048, parent=None):
    backing = {
        "_type": "VirtualDiskFlatVer2BackingInfo", "fileName": file_name, "datastore": DS,
        "diskMode": "persistent", "thinProvisioned": thin, "eagerlyScrub": eager,
    }  # fmt: skip
    if uuid:
        backing["uuid"] = uuid
    if parent:
        backing["parent"] = parent
    return {"_type": "VirtualDisk", "key": 2000, "capacityInKB": kb, "backing": backing}


class FakeClient:
    """Answers RetrievePropertiesEx with fixed VM rows and QueryVirtualDiskUuid from a table."""

    def __init__(self, vms=None, uuids=None, manager=VDM):
        self.vms = vms or {}
        self.uuids = uuids or {}
        self.content = {
            "propertyCollector": MoRef("PropertyCollector", "pc"),
            "virtualDiskManager": manager,
        }
        self.calls = []

    def call(self, obj, method, **args):
        self.calls.append(method)
        if method == "RetrievePropertiesEx":
            objects = [
                {"obj": ref, "propSet": [{"name": k, "val": v} for k, v in props.items()]}
                for ref, props in self.vms.items()
            ]
            return {"objects": objects}
        if method == "QueryVirtualDiskUuid":
            answer = self.uuids[args["name"]]
            if isinstance(answer, Exception):
                raise answer
            return answer
        raise AssertionError(method)


def test_disk_index_walks_snapshot_parents():
    base = disk_device("[ds1] vm1/vm1.vmdk", uuid="6000C29a-1b2c-3d4e-5f60-718293a4b5c6")["backing"]
    vm1 = MoRef("VirtualMachine", "vm-1")
    vm2 = MoRef("VirtualMachine", "vm-2")
    client = FakeClient(
        {
            vm1: {
                "name": "vm1",
                "config.hardware.device": [disk_device("[ds1] vm1/vm1-000001.vmdk", parent=base)],
            },
            vm2: {
                "name": "vm2",
                "config.hardware.device": [
                    {"_type": "VirtualCdrom"},
                    disk_device("[ds1] vm1/vm1.vmdk"),
                ],
            },
        }
    )
    index = files.disk_index(client, [vm1, vm2])
    assert sorted(index) == [(DS, "vm1/vm1-000001.vmdk"), (DS, "vm1/vm1.vmdk")]
    assert index[(DS, "vm1/vm1.vmdk")]["vms"] == ["vm1", "vm2"]
    assert index[(DS, "vm1/vm1-000001.vmdk")]["capacity"] == 2048 * 1024
    assert client.calls == ["RetrievePropertiesEx"]  # one bulk read for every VM


def test_attached_vmdk_takes_key_thin_type_capacity_from_the_backing():
    index = {(DS, "vm1/vm1.vmdk"): {
        "backing": disk_device("[ds1] vm1/vm1.vmdk", uuid="6000C29A-1B2C-3D4E-5F60-718293A4B5C6",
                               thin=False, eager=True)["backing"],
        "capacity": 10 << 30, "vms": ["vm2", "vm1"]}}  # fmt: skip
    info = {"_type": "VmDiskFileInfo", "path": "vm1.vmdk", "fileSize": 1024}
    vol = files.file_volume(POOL, "[ds1] vm1/", info, index)
    assert vol["key"] == "6000c29a-1b2c-3d4e-5f60-718293a4b5c6"
    assert (vol["thin"], vol["disk_type"], vol["attached_to"]) == (
        False,
        "eager_zeroed",
        ["vm1", "vm2"],
    )
    assert (vol["capacity_bytes"], vol["allocation_bytes"], vol["format"]) == (
        10 << 30,
        1024,
        "vmdk",
    )


def test_browser_details_win_over_the_backing():
    index = {
        (DS, "a.vmdk"): {
            "backing": disk_device("[ds1] a.vmdk")["backing"],
            "capacity": 1,
            "vms": ["v"],
        }
    }
    info = {"_type": "VmDiskFileInfo", "path": "a.vmdk", "capacityKb": 4096, "thin": False,
            "diskType": "VirtualDiskFlatVer2BackingInfo"}  # fmt: skip
    vol = files.file_volume(POOL, "[ds1]", info, index)
    assert (vol["capacity_bytes"], vol["thin"]) == (4096 * 1024, False)


def test_unattached_vmdk_uses_browser_details_only():
    info = {"_type": "VmDiskFileInfo", "path": "orphan.vmdk", "fileSize": 512, "capacityKb": 1024,
            "thin": True, "diskType": "VirtualDiskFlatVer2BackingInfo"}  # fmt: skip
    vol = files.file_volume(POOL, "[ds1] o", info, {})
    assert (vol["key"], vol["attached_to"], vol["thin"], vol["disk_type"]) == (
        None,
        [],
        True,
        "thin",
    )
    assert vol["capacity_bytes"] == 1024 * 1024
    bare = files.file_volume(POOL, "[ds1] o", {"_type": "VmDiskFileInfo", "path": "x.vmdk"}, {})
    assert (bare["thin"], bare["disk_type"], bare["capacity_bytes"]) == (None, None, 0)


def _orphans(*paths):
    return [(POOL, {"path": p, "key": None}) for p in paths]


def test_query_disk_uuids_per_unattached_disk():
    client = FakeClient(uuids={"[ds1] a.vmdk": "60 00 C2 9a 1b 2c 3d 4e-5f 60 71 82 93 a4 b5 c6",
                               "[ds1] b.vmdk": make_fault("FileNotFound", "gone")})  # fmt: skip
    disks = _orphans("[ds1] a.vmdk", "[ds1] b.vmdk")
    warnings = []
    files.query_disk_uuids(client, disks, warnings)
    assert [v["key"] for _p, v in disks] == ["6000c29a-1b2c-3d4e-5f60-718293a4b5c6", None]
    # The file the server could not answer for is named, with the fault, in one warning.
    assert warnings == [
        "the virtual disk uuid of 1 VMDK(s) no VM uses could not be read, so their key is null: "
        "[ds1] b.vmdk (FileNotFound: gone)"
    ]


def test_query_disk_uuids_names_the_first_five_failures_and_counts_the_rest():
    paths = [f"[ds1] d{n}.vmdk" for n in range(7)]
    client = FakeClient(uuids={p: make_fault("FileLocked", "locked") for p in paths})
    warnings = []
    files.query_disk_uuids(client, _orphans(*paths), warnings)
    (warning,) = warnings
    assert warning.startswith("the virtual disk uuid of 7 VMDK(s)")
    assert "[ds1] d4.vmdk (FileLocked: locked); and 2 more" in warning
    assert "d5.vmdk" not in warning and client.calls == ["QueryVirtualDiskUuid"] * 7


@pytest.mark.parametrize("name", ["MethodNotFound", "NotImplemented", "NotSupported"])
def test_query_disk_uuids_stops_when_the_server_lacks_the_method(name):
    client = FakeClient(uuids={"[ds1] a.vmdk": make_fault(name, "no")})
    disks = _orphans("[ds1] a.vmdk", "[ds1] b.vmdk")
    warnings = []
    files.query_disk_uuids(client, disks, warnings)
    assert [v["key"] for _p, v in disks] == [None, None]
    assert client.calls == ["QueryVirtualDiskUuid"]  # not asked again for b
    assert warnings == []  # a server without the method has no keys to give (documented)


def test_query_disk_uuids_without_a_disk_manager():
    client = FakeClient(manager=None)
    disks = _orphans("[ds1] a.vmdk")
    warnings = []
    files.query_disk_uuids(client, disks, warnings)
    assert disks[0][1]["key"] is None and client.calls == [] and warnings == []
