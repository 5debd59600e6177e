"""esx_storage_pool's request and NFS plans, on a hand-built inventory (no server)."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import nfs_pool, pool
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.modules import esx_storage_pool

DS_A, DS_L = MoRef("Datastore", "ds-a"), MoRef("Datastore", "ds-local")
VM = MoRef("VirtualMachine", "vm-1")


def host(name: str, *datastores) -> tuple:
    props = {"name": name, "datastore": list(datastores),
             "configManager.datastoreSystem": MoRef("HostDatastoreSystem", f"dss-{name}"),
             "configManager.storageSystem": MoRef("HostStorageSystem", f"ss-{name}")}  # fmt: skip
    return MoRef("HostSystem", name), props


def inventory(vms=()) -> pool.Inventory:
    nas = {"nas": {"remoteHost": "nas", "remotePath": "/a"}}
    return pool.Inventory(
        hosts={"h1": host("h1", DS_A, DS_L), "h2": host("h2", DS_L)},
        datastores={DS_A: {"summary.name": "nfs1", "info": nas, "vm": list(vms)},
                    DS_L: {"summary.name": "local", "info": {}}},
        clusters={"c1": {"host": [MoRef("HostSystem", "h1"), MoRef("HostSystem", "h2")]}},
        vms={VM: "vm one"},
    )  # fmt: skip


def request(**params) -> pool.PoolRequest:
    params.setdefault("name", "nfs1")
    return esx_storage_pool.request(params, check_mode=False)


def test_present_mounts_only_where_missing():
    calls = nfs_pool.plan_present(inventory(), request(server="nas", path="/a", cluster="c1"))
    assert [(c.host, c.method) for c in calls] == [("h2", "CreateNasDatastore")]
    spec = calls[0].args["spec"]
    assert (spec["remoteHost"], spec["remotePath"], spec["localPath"], spec["type"]) == (
        "nas",
        "/a",
        "nfs1",
        "NFS",
    )


@pytest.mark.parametrize(
    ("server", "path"), [("nas", "/a/"), ("NAS", "/a"), ("nas", "//a//"), ("Nas", "/a///")]
)
def test_an_export_is_the_same_in_any_case_and_with_any_slashes(server, path):
    """RFC 4343: DNS names are case-insensitive; /a/ and //a are the directory /a."""
    assert nfs_pool.plan_present(inventory(), request(server=server, path=path, hosts=["h1"])) == []
    with pytest.raises(InvalidArgument, match=f"mounts {server}:{path} as 'nfs1', not as 'b'"):
        nfs_pool.plan_present(
            inventory(), request(name="b", server=server, path=path, hosts=["h1"])
        )
    # A host that lacks it mounts it as the others do: another spelling is another datastore.
    (call,) = nfs_pool.plan_present(inventory(), request(server=server, path=path, cluster="c1"))
    assert (call.host, call.args["spec"]["remoteHost"], call.args["spec"]["remotePath"]) == (
        "h2", "nas", "/a")  # fmt: skip


def test_another_export_under_the_name_is_refused():
    with pytest.raises(InvalidArgument, match="has datastore 'nfs1' from nas:/a, not nas:/a/b"):
        nfs_pool.plan_present(inventory(), request(server="nas", path="/a/b", hosts=["h1"]))


def test_an_iscsi_static_target_needs_an_iscsi_name_to_be_added():
    with pytest.raises(InvalidArgument) as e:
        request(name="array1", type="iscsi", address="10.0.0.1", hosts=["h1"])
    assert str(e.value) == (
        "name: 'array1' is not an iSCSI target name (no iqn., eui. or naa. prefix); RFC 3720 "
        "3.2.6.3 names are iqn.yyyy-mm.reversed.domain[:unique], eui. + 16 hex digits, naa. + "
        "16 or 32 hex digits"
    )
    # Removing one that cannot exist is no error (nothing to remove), nor a send target's label.
    request(name="array1", type="iscsi", address="10.0.0.1", state="absent")
    request(name="array1", type="iscsi", address="10.0.0.1", hosts=["h1"],
            discovery="send_targets")  # fmt: skip


def test_an_export_under_another_name_is_refused():
    with pytest.raises(InvalidArgument, match="mounts nas:/a as 'nfs1', not as 'other'"):
        nfs_pool.plan_present(
            inventory(), request(name="other", server="nas", path="/a", hosts=["h1"])
        )


def test_absent_refuses_a_datastore_with_vm_files():
    with pytest.raises(InvalidArgument, match="holds files of registered VMs or templates: vm one"):
        pool.plan_absent(inventory(vms=[VM]), request(state="absent"))
    calls = pool.plan_absent(inventory(), request(state="absent"))
    assert [(c.host, c.method, c.args["datastore"]) for c in calls] == [
        ("h1", "RemoveDatastore", DS_A)
    ]


def test_the_predicted_pool_follows_the_calls():
    calls = nfs_pool.plan_present(inventory(), request(server="nas", path="/a", cluster="c1"))
    after = pool.predicted(
        {"name": "nfs1", "hosts": ["h1"]}, request(server="nas", path="/a", cluster="c1"), calls
    )
    assert after["hosts"] == ["h1", "h2"]
    gone = pool.predicted({"name": "nfs1", "hosts": ["h1"]}, request(state="absent"),
                          pool.plan_absent(inventory(), request(state="absent")))  # fmt: skip
    assert gone is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"nfs_version": "2"}, "nfs_version: '2' is not one of 3, 4.1"),
        ({"hosts": ["h1"], "cluster": "c1"}, "hosts and cluster 'c1' exclude each other; give one"),
        ({"server": "nas"}, "path required for an NFS pool with state present"),
    ],
)
def test_bad_requests_name_the_option(params, message):
    with pytest.raises(InvalidArgument) as e:
        request(**params)
    assert str(e.value) == message


def test_an_iscsi_target_behind_a_datastore_is_not_removed():
    from ansible_collections.viapi.esx.plugins.module_utils.storage import iscsi_pool

    iqn = "iqn.2000-01.example:t1"
    adapter = {
        "_type": "HostInternetScsiHba",
        "device": "vmhba65",
        "key": "hba-1",
        "configuredStaticTarget": [{"iScsiName": iqn, "address": "10.0.0.1", "port": 3260}],
    }
    ref, props = host("h1", DS_A)
    props.update(
        {
            "config.storageDevice.hostBusAdapter": [adapter],
            "config.storageDevice.scsiLun": [{"key": "lun-1", "canonicalName": "naa.1"}],
            "config.storageDevice.scsiTopology": {
                "adapter": [
                    {
                        "adapter": "hba-1",
                        "target": [
                            {"transport": {"iScsiName": iqn}, "lun": [{"scsiLun": "lun-1"}]}
                        ],
                    }
                ]
            },
        }
    )
    vmfs = {"vmfs": {"extent": [{"diskName": "naa.1", "partition": 1}]}}
    inv = pool.Inventory(
        {"h1": (ref, props)}, {DS_A: {"summary.name": "vmfs1", "info": vmfs}}, {}, {}
    )
    absent = request(name=iqn, type="iscsi", address="10.0.0.1", state="absent")
    with pytest.raises(
        InvalidArgument, match=r"back mounted datastore\(s\) vmfs1 \(naa.1\); not removed"
    ):
        iscsi_pool.plan_absent(inv, absent)
    inv.datastores[DS_A]["info"] = {}
    calls = iscsi_pool.plan_absent(inv, absent)
    assert [c.method for c in calls] == ["RemoveInternetScsiStaticTargets", "RescanHba"]


def iscsi_inventory(stored: str, *holders: str) -> pool.Inventory:
    """h1 and h2 with a software adapter each; the `holders` have static target `stored`."""
    hosts = {}
    for name in ("h1", "h2"):
        ref, props = host(name)
        targets = [{"iScsiName": stored, "address": "SAN1.example", "port": 3260}]
        props["config.storageDevice.hostBusAdapter"] = [{
            "_type": "HostInternetScsiHba", "device": "vmhba65", "key": f"hba-{name}",
            "isSoftwareBased": True, "configuredStaticTarget": targets if name in holders else [],
        }]  # fmt: skip
        hosts[name] = (ref, props)
    return pool.Inventory(hosts, {}, {}, {})


def test_an_iqn_in_another_case_is_the_configured_target_and_keeps_its_spelling():
    """RFC 3722: iSCSI names compare case-insensitively. A request that spelled the IQN (or the
    address's host name) otherwise added the target again beside the stored one, and on a host
    that lacked it added a second spelling: two targets, two pools."""
    from ansible_collections.viapi.esx.plugins.module_utils.storage import iscsi_pool

    stored = "iqn.2000-01.com.example:Array1"
    asked = dict(name="IQN.2000-01.COM.EXAMPLE:array1", type="iscsi", address="san1.example")
    assert (
        iscsi_pool.plan_present(iscsi_inventory(stored, "h1"), request(**asked, hosts=["h1"])) == []
    )
    calls = iscsi_pool.plan_present(
        iscsi_inventory(stored, "h1"), request(**asked, hosts=["h1", "h2"])
    )
    assert [(c.host, c.method) for c in calls] == [
        ("h2", "AddInternetScsiStaticTargets"), ("h2", "RescanHba")]  # fmt: skip
    (target,) = calls[0].args["targets"]
    assert (target["iScsiName"], target["address"]) == (stored, "SAN1.example")

    removing = iscsi_pool.plan_absent(
        iscsi_inventory(stored, "h1", "h2"), request(**asked, state="absent")
    )
    assert [(c.host, c.method) for c in removing] == [
        ("h1", "RemoveInternetScsiStaticTargets"), ("h1", "RescanHba"),
        ("h2", "RemoveInternetScsiStaticTargets"), ("h2", "RescanHba")]  # fmt: skip
    for call in removing[::2]:
        assert call.args["targets"][0]["iScsiName"] == stored  # the server's own entry


class PartitionClient:
    """Answers RetrieveDiskPartitionInfo with `infos` (the only call a VMFS plan makes)."""

    def __init__(self, infos=()):
        self.infos, self.calls = list(infos), []

    def call(self, obj, method, **args):
        self.calls.append((method, args))
        assert method == "RetrieveDiskPartitionInfo"
        return self.infos


def vmfs_inventory(client, monkeypatch, vms=()):
    """h1 with LUNs naa.1 (VMFS datastore vmfs1) and naa.2; the VMs' devices as `vms` rows."""
    from ansible_collections.viapi.esx.plugins.module_utils.storage import vmfs_pool

    monkeypatch.setattr(vmfs_pool, "collect", lambda c, paths: list(vms))
    ref, props = host("h1", DS_A)
    props["config.storageDevice.scsiLun"] = [
        {"canonicalName": "naa.1", "devicePath": "/vmfs/devices/disks/naa.1"},
        {"canonicalName": "naa.2", "devicePath": "/vmfs/devices/disks/naa.2", "uuid": "0200"},
    ]
    vmfs = {"vmfs": {"extent": [{"diskName": "naa.1"}]}}
    return pool.Inventory(
        {"h1": (ref, props)}, {DS_A: {"summary.name": "vmfs1", "info": vmfs}}, {}, {}, client
    )


def test_a_lun_with_partitions_is_refused_naming_them(monkeypatch):
    from ansible_collections.viapi.esx.plugins.module_utils.storage import vmfs_pool

    info = {"deviceName": "/vmfs/devices/disks/naa.2",
            "layout": {"partition": [{"partition": 1, "type": "ntfs"},
                                     {"partition": 0, "type": "none"}]}}  # fmt: skip
    client = PartitionClient([info])
    inv = vmfs_inventory(client, monkeypatch)
    asked = request(name="new", type="vmfs", lun="naa.2", hosts=["h1"])
    with pytest.raises(InvalidArgument) as e:
        vmfs_pool.plan_present(inv, asked)
    assert str(e.value) == (
        "lun: naa.2 has partitions (1 ntfs); not made into VMFS datastore 'new' unless "
        "overwrite_partitions: true (their data is lost)"
    )
    assert client.calls == [
        ("RetrieveDiskPartitionInfo", {"devicePath": ["/vmfs/devices/disks/naa.2"]})
    ]
    overwrite = request(
        name="new", type="vmfs", lun="naa.2", hosts=["h1"], overwrite_partitions=True
    )
    assert [c.method for c in vmfs_pool.plan_present(inv, overwrite)] == ["CreateVmfsDatastore"]


@pytest.mark.parametrize(
    "backing",
    [{"lunUuid": "0200", "deviceName": "vml.other"}, {"deviceName": "/vmfs/devices/disks/naa.2"}],
)
def test_a_lun_behind_a_raw_device_mapping_is_refused(monkeypatch, backing):
    from ansible_collections.viapi.esx.plugins.module_utils.storage import vmfs_pool

    disk = {"_type": "VirtualDisk", "key": 2000, "deviceInfo": {"label": "Hard disk 2"},
            "backing": dict(backing, _type="VirtualDiskRawDiskMappingVer1BackingInfo")}  # fmt: skip
    flat = {"_type": "VirtualDisk", "key": 2001,
            "backing": {"_type": "VirtualDiskFlatVer2BackingInfo", "fileName": "[ds] a/a.vmdk"}}  # fmt: skip
    rows = [(VM, {"name": "db01", "config.hardware.device": [flat, disk]}),
            (MoRef("VirtualMachine", "vm-2"), {"name": "web", "config.hardware.device": [flat]})]  # fmt: skip
    inv = vmfs_inventory(PartitionClient(), monkeypatch, rows)
    asked = request(name="new", type="vmfs", lun="naa.2", hosts=["h1"], overwrite_partitions=True)
    with pytest.raises(InvalidArgument) as e:
        vmfs_pool.plan_present(inv, asked)
    assert str(e.value) == (
        "lun: naa.2 backs raw device mapping(s) of VM(s) db01 (Hard disk 2); not made into a "
        "VMFS datastore (overwrite_partitions does not override this)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [({"type": "nfs"}, "overwrite_partitions applies to type vmfs, not nfs"),
     ({"type": "vmfs", "state": "absent"}, "overwrite_partitions applies with state present, not absent")],
)  # fmt: skip
def test_overwrite_partitions_is_for_a_new_vmfs_pool(args, message):
    with pytest.raises(InvalidArgument, match=message):
        request(name="p", overwrite_partitions=True, **args)


def test_a_vmfs_pool_is_one_datastore_per_lun(monkeypatch):
    from ansible_collections.viapi.esx.plugins.module_utils.storage import vmfs_pool

    ref, props = host("h1", DS_A)
    props["config.storageDevice.scsiLun"] = [
        {"canonicalName": "naa.1", "devicePath": "/vmfs/devices/disks/naa.1"},
        {"canonicalName": "naa.2", "devicePath": "/vmfs/devices/disks/naa.2"},
    ]
    vmfs = {"vmfs": {"extent": [{"diskName": "naa.1"}]}}
    inv = pool.Inventory(
        {"h1": (ref, props)}, {DS_A: {"summary.name": "vmfs1", "info": vmfs}}, {}, {},
        PartitionClient(),
    )  # fmt: skip
    monkeypatch.setattr(vmfs_pool, "collect", lambda c, paths: [])  # no VM maps a LUN raw
    assert (
        vmfs_pool.plan_present(inv, request(name="vmfs1", type="vmfs", lun="naa.1", hosts=["h1"]))
        == []
    )
    with pytest.raises(
        InvalidArgument, match="lun: naa.1 holds VMFS datastore 'vmfs1' already, not 'other'"
    ):
        vmfs_pool.plan_present(inv, request(name="other", type="vmfs", lun="naa.1", hosts=["h1"]))
    with pytest.raises(InvalidArgument, match="has datastore 'vmfs1' on naa.1, not on naa.2"):
        vmfs_pool.plan_present(inv, request(name="vmfs1", type="vmfs", lun="naa.2", hosts=["h1"]))
    calls = vmfs_pool.plan_present(
        inv, request(name="new", type="vmfs", lun="/vmfs/devices/disks/naa.2", hosts=["h1"])
    )
    assert [(c.method, c.args["spec"].device_path, c.args["spec"].version) for c in calls] == [
        ("CreateVmfsDatastore", "/vmfs/devices/disks/naa.2", 6)]  # fmt: skip
