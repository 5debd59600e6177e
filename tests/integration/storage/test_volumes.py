"""esx_volume_info against the simulator: datastore files checked against the files on disk and
the VMs' disks (independent reads), LUNs against the manifest; lookups, errors, call counts."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module
from return_docs import assert_matches_return

from ansible_collections.viapi.esx.plugins.module_utils.storage.facade import Storage
from ansible_collections.viapi.esx.plugins.module_utils.vi.collector import collect
from ansible_collections.viapi.esx.plugins.module_utils.vi.tasks import wait_for_task

DISK_UUID = "6000C29a-1b2c-3d4e-5f60-718293A4B5C6"  # the backing uuid of the disk the fixture adds
EXTENSIONS = {"vmdk": "vmdk", "iso": "iso", "vmx": "vmx", "nvram": "nvram", "log": "log"}
LUN_FIELDS = (
    "device_path",
    "canonical_name",
    "display_name",
    "vendor",
    "model",
    "lun_number",
    "operational_state",
)
IQN1 = "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e"


def add_disk(sim) -> None:
    """Give DC0_H0_VM0 a second, eager-zeroed disk whose backing carries a uuid."""
    with reads.client(sim) as c:
        vm, props = next(
            (r, p) for r, p in collect(c, {"VirtualMachine": ["name", "config.hardware.device"]})
            if p["name"] == "DC0_H0_VM0"
        )  # fmt: skip
        first = next(d for d in props["config.hardware.device"] if d["_type"] == "VirtualDisk")
        disk = {
            "_type": "VirtualDisk", "key": -1, "controllerKey": first["controllerKey"], "unitNumber": 1,
            "capacityInKB": 4096,
            "backing": {"_type": "VirtualDiskFlatVer2BackingInfo", "fileName": "[LocalDS_0] DC0_H0_VM0/data.vmdk",
                        "diskMode": "persistent", "thinProvisioned": False, "eagerlyScrub": True,
                        "uuid": DISK_UUID},
        }  # fmt: skip
        change = {
            "_type": "VirtualDeviceConfigSpec",
            "operation": "add",
            "fileOperation": "create",
            "device": disk,
        }
        spec = {"_type": "VirtualMachineConfigSpec", "deviceChange": [change]}
        wait_for_task(c, c.call(vm, "ReconfigVM_Task", spec=spec))


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """Two datastores; LocalDS_1 gets an ISO, a VMDK no VM uses and a text file; a disk is added."""
    sim = vcsim_factory("--iscsi-hosts", "DC0_H0", "--ds", "2")
    ds1 = reads.datastore_dir(sim, "LocalDS_1")
    (ds1 / "iso").mkdir()
    (ds1 / "iso" / "tools.iso").write_bytes(b"\0" * 12345)
    (ds1 / "orphans").mkdir()
    (ds1 / "orphans" / "orphan.vmdk").write_text('# Disk DescriptorFile\ncreateType="vmfs"\n')
    (ds1 / "orphans" / "orphan-flat.vmdk").write_bytes(b"\0" * 8192)
    (ds1 / "notes.txt").write_text("hello")
    add_disk(sim)
    return sim


def volume_info(sim, **args):
    result = run_module("esx_volume_info", args, sim=sim)
    assert result.rc == 0 and not result.failed, result.stdout[-3000:] + result.stderr[-2000:]
    assert result["changed"] is False
    assert_matches_return("esx_volume_info", result.result)
    return result["volumes"]


def failure(sim, **args):
    result = run_module("esx_volume_info", args, sim=sim)
    assert result.failed, result.result
    assert "Traceback" not in result.stdout + result.stderr
    return result["msg"]


def query_uuid(sim, path: str) -> str:
    """QueryVirtualDiskUuid, asked directly."""
    with reads.client(sim) as c:
        dc = next(r for r, _p in collect(c, {"Datacenter": ["name"]}))
        return c.call(
            c.content["virtualDiskManager"], "QueryVirtualDiskUuid", name=path, datacenter=dc
        )


def expected_file(sim, pool: str, name: str, size: int, disks: dict) -> dict:
    path = f"[{pool}] {name}"
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    expected = {
        "name": name, "path": path, "pool": pool,
        "pool_uuid": reads.libvirt_uuid(str(reads.datastore_dir(sim, pool))), "type": "file",
        "format": EXTENSIONS.get(ext, "other"), "capacity_bytes": size, "allocation_bytes": size,
        "key": None, "thin": None, "disk_type": None, "attached_to": None,
    }  # fmt: skip
    expected.update(dict.fromkeys(LUN_FIELDS))
    if ext == "vmdk":
        users = disks.get(path, [])
        if users:
            backing = users[0]["backing"]
            thin = backing["thinProvisioned"]
            expected.update(
                capacity_bytes=users[0]["capacityInKB"] * 1024, thin=thin,
                disk_type="thin" if thin else ("eager_zeroed" if backing["eagerlyScrub"] else "thick"),
                key=backing["uuid"].lower() if backing.get("uuid") else None,
            )  # fmt: skip
        else:
            raw = query_uuid(sim, path).replace("-", "").replace(" ", "").lower()
            expected["key"] = "-".join((raw[:8], raw[8:12], raw[12:16], raw[16:20], raw[20:]))
        expected["attached_to"] = sorted(d["vm"] for d in users)
    return expected


@pytest.mark.parametrize("pool", ["LocalDS_0", "LocalDS_1"])
def test_datastore_files_every_field(sim, pool):
    volumes = volume_info(sim, pool=pool)
    on_disk = reads.files_on_disk(reads.datastore_dir(sim, pool))
    disks = reads.vm_disks(sim)
    assert [v["name"] for v in volumes] == sorted(on_disk)
    for vol in volumes:
        assert vol == expected_file(sim, pool, vol["name"], on_disk[vol["name"]], disks)


def test_what_the_fixture_made(sim):
    by_path = {
        v["path"]: v
        for v in volume_info(sim, pool="LocalDS_0") + volume_info(sim, pool="LocalDS_1")
    }
    added = by_path["[LocalDS_0] DC0_H0_VM0/data.vmdk"]
    assert (added["key"], added["attached_to"]) == (DISK_UUID.lower(), ["DC0_H0_VM0"])
    assert (added["disk_type"], added["thin"], added["capacity_bytes"]) == (
        "eager_zeroed",
        False,
        4096 * 1024,
    )
    orphan = by_path["[LocalDS_1] orphans/orphan.vmdk"]
    assert orphan["attached_to"] == [] and orphan["key"] is not None  # from QueryVirtualDiskUuid
    assert by_path["[LocalDS_1] iso/tools.iso"]["allocation_bytes"] == 12345
    assert by_path["[LocalDS_1] notes.txt"]["format"] == "other"
    assert not [p for p in by_path if p.endswith("-flat.vmdk")]


def file_listing_calls(sim) -> list[str]:
    with reads.client(sim) as c:
        storage = Storage(c)
        backend = storage.backends(volume_type="file")[0]
        pools = backend.pools()
        recorder = reads.Recorder(c)
        backend.volumes(pools)
        return list(recorder.methods)


def test_one_search_task_per_datastore_never_a_call_per_file(sim):
    calls = file_listing_calls(sim)
    assert calls.count("SearchDatastoreSubFolders_Task") == 2  # LocalDS_0 and LocalDS_1
    assert calls.count("SearchDatastore_Task") == 0
    assert calls.count("QueryVirtualDiskUuid") == 1  # only the VMDK no VM uses
    # one read of both tasks' results, one read of the VMs' disks
    assert calls.count("RetrievePropertiesEx") == 2
    extra = reads.datastore_dir(sim, "LocalDS_1") / "many"
    extra.mkdir()
    try:
        for i in range(25):
            (extra / f"image{i}.iso").write_bytes(b"x" * i)
        assert file_listing_calls(sim) == calls
    finally:
        for f in extra.iterdir():
            f.unlink()
        extra.rmdir()


def test_listing_one_pool_searches_one_datastore(sim):
    with reads.client(sim) as c:
        storage = Storage(c)
        recorder = reads.Recorder(c)
        storage.volumes(pool="LocalDS_0")
        calls = list(recorder.methods)
    assert calls.count("SearchDatastoreSubFolders_Task") == 1
    assert calls.count("QueryVirtualDiskUuid") == 0  # every VMDK there is used by a VM


def test_lookup_by_path(sim):
    listed = {
        v["path"]: v
        for v in volume_info(sim, pool="LocalDS_0") + volume_info(sim, pool="LocalDS_1")
    }
    for path in (
        "[LocalDS_0] DC0_H0_VM0/disk1.vmdk",
        "[LocalDS_1] notes.txt",
        "[LocalDS_1] orphans/orphan.vmdk",
    ):
        assert volume_info(sim, path=path) == [listed[path]]
    with reads.client(sim) as c:
        recorder = reads.Recorder(c)
        Storage(c).volumes(path="[LocalDS_0] DC0_H0_VM0/disk1.vmdk")
        calls = list(recorder.methods)
    assert (calls.count("SearchDatastore_Task"), calls.count("SearchDatastoreSubFolders_Task")) == (
        1,
        0,
    )


def test_lookup_by_name_and_key(sim):
    tools = volume_info(sim, pool="LocalDS_1", name="iso/tools.iso")
    assert [v["path"] for v in tools] == ["[LocalDS_1] iso/tools.iso"]
    pool_uuid = tools[0]["pool_uuid"]
    assert volume_info(sim, pool=pool_uuid, name="iso/tools.iso") == tools
    added = volume_info(sim, key=DISK_UUID)
    assert [v["path"] for v in added] == ["[LocalDS_0] DC0_H0_VM0/data.vmdk"]
    orphan = volume_info(sim, path="[LocalDS_1] orphans/orphan.vmdk")[0]
    assert volume_info(sim, key=orphan["key"].upper()) == [orphan]


def test_type_filter(sim):
    assert volume_info(sim, pool="LocalDS_0", type="block") == []
    assert volume_info(sim, pool=IQN1, type="file") == []
    assert {v["type"] for v in volume_info(sim, pool="LocalDS_0", type="file")} == {"file"}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"path": "[LocalDS_0] nope/x.vmdk"}, "path: volume '[LocalDS_0] nope/x.vmdk' not found in any datacenter"),
        ({"path": "[NoDS] x.vmdk"},
         "path: storage pool 'NoDS' not found in any datacenter (from path '[NoDS] x.vmdk')"),
        ({"path": "relative/x.vmdk"}, "path 'relative/x.vmdk' is neither a datastore path"),
        ({"path": "/vmfs/devices/disks/naa.0000"},
         "path: volume '/vmfs/devices/disks/naa.0000' not found in any datacenter"),
        ({"pool": "LocalDS_0", "name": "nope.vmdk"},
         "name: volume 'nope.vmdk' not found in storage pool 'LocalDS_0'"),
        ({"key": "00000000-0000-0000-0000-000000000000"},
         "key: volume '00000000-0000-0000-0000-000000000000' not found in any datacenter"),
        ({"pool": "NoPool"}, "pool: storage pool 'NoPool' not found in any datacenter (looked up by name and uuid)"),
        ({"name": "x.vmdk", "key": "abc"}, "missing parameter(s) required by 'name': pool"),
        ({"type": "file"}, "one of the following is required: pool, path, key"),
        ({"pool": "LocalDS_0", "host": "nohost"}, "host 'nohost' not found"),
    ],
)  # fmt: skip
def test_not_found_and_bad_input(sim, args, message):
    assert message in failure(sim, **args)


# ------------------------------------------------------------------------------------ LUNs


def expected_lun(iqn: str, lun: dict) -> dict:
    expected = dict.fromkeys(("thin", "disk_type", "attached_to"))
    expected.update(
        name=lun["canonical_name"], key=reads.libvirt_uuid(lun["uuid"]), path=lun["device_path"],
        pool=iqn, pool_uuid=reads.libvirt_uuid(iqn), type="block", format="lun",
        capacity_bytes=lun["blocks"] * lun["block_size"], allocation_bytes=lun["capacity_bytes"],
        device_path=lun["device_path"], canonical_name=lun["canonical_name"],
        display_name=lun["display_name"], vendor=lun["vendor"].strip(), model=lun["model"].strip(),
        lun_number=lun["lun"], operational_state=lun["operational_state"][0],
    )  # fmt: skip
    return expected


@pytest.mark.parametrize("model", ["iscsi_vpx", "iscsi_esx"])
def test_luns_every_field(model, request):
    sim = request.getfixturevalue(model)
    targets = reads.iscsi_targets(sim.manifest)
    assert len(targets) == 4
    for iqn, target in targets.items():
        volumes = volume_info(sim, pool=iqn)
        assert volumes == [
            expected_lun(iqn, lun) for lun in sorted(target["luns"], key=lambda x: x["lun"])
        ]


def test_lun_lookups(iscsi_vpx):
    lun = reads.iscsi_targets(iscsi_vpx.manifest)[IQN1]["luns"][1]
    expected = [expected_lun(IQN1, lun)]
    assert volume_info(iscsi_vpx, path=lun["device_path"]) == expected
    assert volume_info(iscsi_vpx, key=reads.libvirt_uuid(lun["uuid"])) == expected
    assert volume_info(iscsi_vpx, pool=IQN1, name=lun["canonical_name"]) == expected
    assert volume_info(iscsi_vpx, pool=reads.libvirt_uuid(IQN1), type="block")[1] == expected[0]
    # a host without iSCSI adapters sees no such device
    assert "not found in any datacenter (seen by host 'DC0_C0_H0')" in failure(
        iscsi_vpx, path=lun["device_path"], host="DC0_C0_H0"
    )


def test_esx_datastore_files(iscsi_esx):
    volumes = volume_info(iscsi_esx, pool="LocalDS_0")
    on_disk = reads.files_on_disk(reads.datastore_dir(iscsi_esx, "LocalDS_0"))
    disks = reads.vm_disks(iscsi_esx)
    assert [v["name"] for v in volumes] == sorted(on_disk)
    for vol in volumes:
        assert vol == expected_file(
            iscsi_esx, "LocalDS_0", vol["name"], on_disk[vol["name"]], disks
        )


@pytest.mark.parametrize(
    "args, message",
    [
        ({"pool": "LocalDS_0", "host": "nohost"}, "host: host 'nohost' not found in any datacenter"),
        ({"pool": "LocalDS_0", "host": "nohost", "datacenter": "DC0"},
         "host: host 'nohost' not found in datacenter 'DC0'"),
        ({"pool": "LocalDS_0", "datacenter": "NoDC"},
         "datacenter: datacenter 'NoDC' not found (known: DC0)"),
    ],
)  # fmt: skip
def test_lookup_errors_name_the_option_and_where(sim, args, message):
    assert failure(sim, **args) == message
