"""Datastore summary / info / host mounts -> pool fields.

The hand-built property dicts have the shape of what ESXi 8.0 / vCenter 8.0 return (see the
recorded datastore in ../shared/fixtures/real-vsphere/test_json_datastore_explode.yaml); the last
tests decode that recording itself and map it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import datastore
from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import POOL_FIELDS
from ansible_collections.viapi.esx.plugins.module_utils.storage.ids import md5_uuid
from ansible_collections.viapi.esx.plugins.module_utils.vi import envelope
from ansible_collections.viapi.esx.plugins.module_utils.vi.envelope import MoRef

H1, H2, H3 = (MoRef("HostSystem", f"host-{n}") for n in (21, 22, 23))
VMFS_ID = "64f1a2b3-c4d5e6f7-0a1b-0050568a1b2c"
DS = MoRef("Datastore", "datastore-31")


def mount(host, path, accessible=True):
    info = {"_type": "HostMountInfo", "accessMode": "readWrite", "mounted": True}
    info.update({"path": path, "accessible": accessible} if path else {"accessible": accessible})
    return {"_type": "DatastoreHostMount", "key": host, "mountInfo": info}


def vmfs_props(**summary):
    url = f"ds:///vmfs/volumes/{VMFS_ID}/"
    props = {
        "name": "shared-vmfs01",
        "summary": {
            "_type": "DatastoreSummary", "datastore": DS, "name": "shared-vmfs01", "url": url,
            "capacity": 1099243192320, "freeSpace": 412316860416, "uncommitted": 5368709120,
            "accessible": True, "multipleHostAccess": True, "type": "VMFS",
            "maintenanceMode": "normal",
        },
        "info": {
            "_type": "VmfsDatastoreInfo", "name": "shared-vmfs01", "url": url,
            "freeSpace": 412316860416, "maxFileSize": 70368744177664,
            "vmfs": {"_type": "HostVmfsVolume", "type": "VMFS", "name": "shared-vmfs01",
                     "capacity": 1099243192320, "uuid": VMFS_ID, "version": "6.82", "local": False},
        },
        "host": [mount(h, f"/vmfs/volumes/{VMFS_ID}") for h in (H1, H2)],
    }  # fmt: skip
    props["summary"].update(summary)
    return props


@pytest.mark.parametrize(
    "summary_type, info_type, expected",
    [
        ("VMFS", "VmfsDatastoreInfo", "vmfs"),
        ("NFS", "NasDatastoreInfo", "nfs"),
        ("NFS41", "NasDatastoreInfo", "nfs41"),
        ("vsan", "VsanDatastoreInfo", "vsan"),
        ("VVOL", "VvolDatastoreInfo", "vvol"),
        ("OTHER", "LocalDatastoreInfo", "local"),
        ("PMEM", "PMemDatastoreInfo", "other"),
        (None, None, "other"),
    ],
)
def test_datastore_type(summary_type, info_type, expected):
    assert datastore.datastore_type(summary_type, info_type) == expected


@pytest.mark.parametrize(
    "accessible, mode, expected",
    [
        (True, "normal", "running"),
        (False, "normal", "inaccessible"),
        (None, None, "inaccessible"),
        (True, "inMaintenance", "maintenance"),
        (True, "enteringMaintenance", "running"),
    ],
)
def test_pool_state(accessible, mode, expected):
    assert datastore.pool_state(accessible, mode) == expected


def test_vmfs_pool_every_field():
    pool = datastore.datastore_pool(DS, vmfs_props(), ["esx1", "esx2"], "DC1")
    assert list(pool) == list(POOL_FIELDS)
    assert pool == {
        "name": "shared-vmfs01",
        "uuid": md5_uuid(f"/vmfs/volumes/{VMFS_ID}"),
        "backend": "datastore",
        "type": "vmfs",
        "state": "running",
        "capacity_bytes": 1099243192320,
        "allocation_bytes": 1099243192320 - 412316860416,
        "available_bytes": 412316860416,
        "accessible": True,
        "multiple_host_access": True,
        "url": f"ds:///vmfs/volumes/{VMFS_ID}/",
        "path": f"/vmfs/volumes/{VMFS_ID}",
        "hosts": ["esx1", "esx2"],
        "datacenter": "DC1",
        "moid": "datastore-31",
        "iqn": None, "address": None, "port": None, "adapter": None, "adapter_type": None,
        "send_target": None, "targets": None,
    }  # fmt: skip


def test_mount_path_of_the_scoped_host():
    props = vmfs_props()
    props["host"] = [mount(H1, "/vmfs/volumes/a"), mount(H2, "/vmfs/volumes/b")]
    assert datastore.datastore_pool(DS, props, [], None)["path"] == "/vmfs/volumes/a"
    scoped = datastore.datastore_pool(DS, props, [], None, host=H2)
    assert scoped["path"] == "/vmfs/volumes/b"
    assert scoped["uuid"] == md5_uuid("/vmfs/volumes/b")


def test_mount_without_path_falls_back_to_url():
    # The simulator's local datastores: a mount without a path, the url a local directory.
    props = vmfs_props(url="/tmp/datastores/govcsim-DC0-LocalDS_0-1", type="OTHER")
    props["info"] = {"_type": "LocalDatastoreInfo", "url": props["summary"]["url"], "path": "x"}
    props["host"] = [mount(H1, None)]
    pool = datastore.datastore_pool(DS, props, ["h"], None)
    assert pool["path"] == "/tmp/datastores/govcsim-DC0-LocalDS_0-1"
    assert pool["uuid"] == md5_uuid("/tmp/datastores/govcsim-DC0-LocalDS_0-1")
    assert pool["type"] == "local"


def test_no_mount_and_no_url_has_no_uuid():
    props = {"name": "ghost", "summary": {"name": "ghost", "accessible": False}, "info": {}}
    pool = datastore.datastore_pool(DS, props, [], None)
    assert (pool["uuid"], pool["path"], pool["url"], pool["state"]) == (
        None,
        None,
        None,
        "inaccessible",
    )
    assert pool["allocation_bytes"] is None


def test_inaccessible_and_maintenance():
    props = vmfs_props(accessible=False)
    pool = datastore.datastore_pool(DS, props, ["esx1"], None)
    assert (pool["state"], pool["accessible"]) == ("inaccessible", False)
    pool = datastore.datastore_pool(DS, vmfs_props(maintenanceMode="inMaintenance"), [], None)
    assert pool["state"] == "maintenance"


def test_multiple_host_access_falls_back_to_the_mounts():
    props = vmfs_props()
    del props["summary"]["multipleHostAccess"]
    assert datastore.datastore_pool(DS, props, ["a", "b"], None)["multiple_host_access"] is True
    assert datastore.datastore_pool(DS, props, ["a"], None)["multiple_host_access"] is False
    props = vmfs_props(multipleHostAccess=False)
    assert datastore.datastore_pool(DS, props, ["a", "b"], None)["multiple_host_access"] is False


def test_escaped_names_are_shown_unescaped():
    props = vmfs_props(name="nfs%2fbackup")
    assert datastore.datastore_pool(DS, props, [], None)["name"] == "nfs/backup"


def test_seen_by_unites_mounts_and_host_lists():
    ds2 = MoRef("Datastore", "datastore-32")
    datastores = [(DS, {"host": [mount(H1, "/p")]}), (ds2, {"host": []})]
    hosts = [(H2, {"datastore": [DS, ds2]}), (H3, {"datastore": []})]
    assert datastore._seen_by(hosts, datastores) == {DS: {H1, H2}, ds2: {H2}}


# ---------------------------------------------------------------- the recorded ESXi 8.0 datastore

REPO = Path(__file__).resolve().parents[5]
CASSETTE = REPO.parent / "shared" / "fixtures" / "real-vsphere" / "test_json_datastore_explode.yaml"
_PROP = re.compile(r"<prop[^>]*>(\w+)</prop>")


def _recorded() -> dict:
    """The recorded Fetch answers for the datastore, decoded: {property: value}."""
    spec = importlib.util.spec_from_file_location(
        "real_vsphere", REPO / "tests" / "unit" / "real_vsphere.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("real_vsphere", module)
    spec.loader.exec_module(module)
    out = {}
    for call in module.load(CASSETTE):
        if call.soap_method == "Fetch":
            prop = _PROP.search(call.request).group(1)
            out[prop] = envelope.parse_response("Fetch", call.status, call.body)
    return out


needs_cassette = pytest.mark.skipif(not CASSETTE.is_file(), reason="../shared fixtures are absent")


@needs_cassette
def test_recorded_vsan_datastore_as_a_pool():
    props = _recorded()
    names = {m["key"]: f"esx-{m['key'].value}" for m in props["host"]}
    ref = props["summary"]["datastore"]
    pool = datastore.datastore_pool(ref, props, sorted(names.values()), "Datacenter")
    mount_path = props["host"][0]["mountInfo"]["path"]
    assert mount_path == "/vmfs/volumes/vsan:5281f817da2563b1-f53a57a4a4c49434"
    assert pool["uuid"] == "d0b68336-28fd-0251-0592-63e18de8aaae"  # test_ids.MOUNT_PATHS[0]
    assert pool["path"] == mount_path
    assert pool["name"] == "vsanDatastore"
    assert pool["type"] == "vsan"
    assert pool["state"] == "running" and pool["accessible"] is True
    summary = props["summary"]
    assert pool["capacity_bytes"] == summary["capacity"] == 386479947776
    assert pool["available_bytes"] == summary["freeSpace"] == 362348271376
    assert pool["allocation_bytes"] == 386479947776 - 362348271376
    assert pool["multiple_host_access"] is True
    assert pool["url"] == "ds:///vmfs/volumes/vsan:5281f817da2563b1-f53a57a4a4c49434/"
    assert pool["hosts"] == ["esx-host-12", "esx-host-14", "esx-host-15", "esx-host-16"]
    assert pool["moid"] == "datastore-17"


@needs_cassette
def test_recorded_info_url_gives_the_same_path_as_the_mounts():
    props = _recorded()
    assert props["info"]["_type"] == "VsanDatastoreInfo"
    assert datastore.mount_path([], props["info"]["url"]) == props["host"][0]["mountInfo"]["path"]
