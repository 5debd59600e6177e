"""esx_storage_pool_info against the simulator: every field checked against an independent read
of the server (the VI client's collector) or the simulator's manifest."""

from __future__ import annotations

import pytest
import storage_reads as reads
from ansible_run import run_module
from return_docs import assert_matches_return

from ansible_collections.viapi.esx.plugins.module_utils.storage.facade import Storage

IQN1 = "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e"
TYPE_OF_INFO = {
    "LocalDatastoreInfo": "local",
    "VmfsDatastoreInfo": "vmfs",
    "NasDatastoreInfo": "nfs",
}


def pool_info(sim, **args):
    result = run_module("esx_storage_pool_info", args, sim=sim)
    assert result.rc == 0 and not result.failed, result.stdout[-3000:] + result.stderr[-2000:]
    assert result["changed"] is False
    assert_matches_return("esx_storage_pool_info", result.result)
    return result["pools"]


def failure(sim, module="esx_storage_pool_info", **args):
    result = run_module(module, args, sim=sim)
    assert result.failed, result.result
    assert "Traceback" not in result.stdout + result.stderr
    return result["msg"]


def check_datastore_pool(pool, server, manifest_entry, hosts_in_dc):
    """One datastore pool against the server's summary/info/mounts and the manifest."""
    summary, info = server["summary"], server["info"]
    mount_paths = [m["mountInfo"].get("path") for m in server["host"] if m["mountInfo"].get("path")]
    path = (
        mount_paths[0] if mount_paths else summary["url"].rstrip("/")
    )  # the simulator has no mount path
    capacity, free = summary["capacity"], summary["freeSpace"]
    assert pool == {
        "name": manifest_entry["name"],
        "uuid": reads.libvirt_uuid(path),
        "backend": "datastore",
        "type": TYPE_OF_INFO[info["_type"]],
        "state": "running" if summary["accessible"] else "inaccessible",
        "capacity_bytes": capacity,
        "allocation_bytes": capacity - free,
        "available_bytes": free,
        "accessible": summary["accessible"],
        "multiple_host_access": summary.get("multipleHostAccess", len(hosts_in_dc) > 1),
        "url": summary["url"],
        "path": path,
        "hosts": sorted(hosts_in_dc),
        "datacenter": manifest_entry["datacenter"],
        "moid": manifest_entry["moid"],
        "iqn": None, "address": None, "port": None, "adapter": None, "adapter_type": None,
        "send_target": None, "targets": None,
    }  # fmt: skip
    assert pool["path"] == manifest_entry["url"]


def check_iscsi_pool(pool, iqn, expected):
    capacity = sum(lun["capacity_bytes"] for lun in expected["luns"])
    assert pool == {
        "name": iqn, "uuid": reads.libvirt_uuid(iqn), "backend": "iscsi", "type": "iscsi",
        "state": "running", "capacity_bytes": capacity, "allocation_bytes": capacity,
        "available_bytes": 0, "accessible": True,
        "multiple_host_access": len(expected["hosts"]) > 1, "url": None, "path": None,
        "hosts": expected["hosts"], "datacenter": None, "moid": None, "iqn": iqn,
        "address": expected["address"], "port": expected["port"], "adapter": expected["adapter"],
        "adapter_type": expected["adapter_type"], "send_target": None, "targets": None,
    }  # fmt: skip


@pytest.mark.parametrize("model", ["iscsi_vpx", "iscsi_esx"])
def test_every_pool_every_field(model, request):
    sim = request.getfixturevalue(model)
    pools = pool_info(sim)
    server = reads.datastores(sim)
    manifest = sim.manifest
    by_name = {d["name"]: d for d in manifest["datastores"]}
    targets = reads.iscsi_targets(manifest)
    assert [p["name"] for p in pools] == sorted(by_name) + sorted(targets)
    for pool in pools:
        if pool["backend"] == "datastore":
            entry = by_name[pool["name"]]
            in_dc = [h["name"] for h in manifest["hosts"] if h["datacenter"] == entry["datacenter"]]
            check_datastore_pool(pool, server[pool["name"]], entry, in_dc)
            assert set(pool["hosts"]) == server[pool["name"]]["listed_by"]
        else:
            check_iscsi_pool(pool, pool["name"], targets[pool["name"]])


def test_iscsi_targets_are_on_the_server(iscsi_vpx):
    """The extension's adapters are what RetrievePropertiesEx of config.storageDevice returns."""
    with reads.client(iscsi_vpx) as c:
        rows = reads.collect(c, {"HostSystem": ["name", "config.storageDevice"]})
    seen = {}
    for _ref, props in rows:
        hbas = [
            a
            for a in props["config.storageDevice"]["hostBusAdapter"]
            if a["_type"] == "HostInternetScsiHba"
        ]
        seen[props["name"]] = sorted(
            (a["device"], a["isSoftwareBased"], len(a["configuredStaticTarget"])) for a in hbas
        )
    with_iscsi = [("vmhba33", False, 2), ("vmhba65", True, 2)]
    assert seen == {
        h["name"]: with_iscsi if h["name"] in reads.ISCSI_HOSTS else []
        for h in iscsi_vpx.manifest["hosts"]
    }


def test_lookup_by_name_and_uuid(iscsi_vpx):
    everything = {p["name"]: p for p in pool_info(iscsi_vpx)}
    for name, pool in everything.items():
        assert pool_info(iscsi_vpx, name=name) == [pool]
        assert pool_info(iscsi_vpx, uuid=pool["uuid"].upper()) == [pool]


def test_type_filter(iscsi_vpx):
    assert {p["backend"] for p in pool_info(iscsi_vpx, type=["iscsi"])} == {"iscsi"}
    assert [p["name"] for p in pool_info(iscsi_vpx, type=["local"])] == ["LocalDS_0", "LocalDS_1"]
    assert pool_info(iscsi_vpx, type=["nfs", "vsan"]) == []  # an empty filter is not an error


def test_host_scope(iscsi_vpx):
    on_h0 = pool_info(iscsi_vpx, host="DC0_H0")
    assert sorted(p["name"] for p in on_h0 if p["backend"] == "iscsi") == sorted(
        reads.iscsi_targets(iscsi_vpx.manifest)
    )
    no_iscsi = pool_info(iscsi_vpx, host="DC0_C0_H0")
    assert [p["backend"] for p in no_iscsi] == ["datastore", "datastore"]
    assert pool_info(iscsi_vpx, host="DC0_C0_H0", type=["iscsi"]) == []
    # the per-host fields are the scoped host's, the hosts list stays complete
    for pool in pool_info(iscsi_vpx, host="DC0_C0_H1", type=["iscsi"]):
        assert pool["hosts"] == sorted(reads.ISCSI_HOSTS)


def test_datacenter_scope(iscsi_vpx):
    assert pool_info(iscsi_vpx, datacenter="DC0") == pool_info(iscsi_vpx)


def test_check_mode_gives_the_same_answer(iscsi_vpx):
    result = run_module("esx_storage_pool_info", {"name": "LocalDS_0"}, sim=iscsi_vpx, check=True)
    assert result["pools"] == pool_info(iscsi_vpx, name="LocalDS_0")


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": "NoSuchDS"}, "name: storage pool 'NoSuchDS' not found in any datacenter"),
        ({"uuid": "00000000-0000-0000-0000-000000000000"},
         "uuid: storage pool '00000000-0000-0000-0000-000000000000' not found in any datacenter"),
        ({"name": "LocalDS_0", "type": ["nfs"]},
         "name: storage pool 'LocalDS_0' not found in any datacenter (type nfs)"),
        ({"name": IQN1, "host": "DC0_C0_H0"},
         f"name: storage pool '{IQN1}' not found in any datacenter (seen by host 'DC0_C0_H0')"),
        ({"host": "nohost"}, "host 'nohost' not found"),
        ({"datacenter": "NoDC"}, "datacenter 'NoDC' not found"),
        ({"type": ["tape"]}, "value of type must be one or more of"),
    ],
)  # fmt: skip
def test_not_found_and_bad_input(iscsi_vpx, args, message):
    assert message in failure(iscsi_vpx, **args)


def test_bulk_reads_only(iscsi_vpx):
    """Listing every pool is one view + one read per backend, whatever the number of pools."""
    with reads.client(iscsi_vpx) as c:
        recorder = reads.Recorder(c)
        pools = Storage(c).pools()
        methods = list(recorder.methods)
    assert len(pools) == 6
    assert methods == ["CreateContainerView", "RetrievePropertiesEx", "DestroyView"] * 2


@pytest.mark.parametrize(
    "args, message",
    [
        ({"host": "nohost"}, "host: host 'nohost' not found in any datacenter"),
        ({"host": "nohost", "datacenter": "DC0"}, "host: host 'nohost' not found in datacenter 'DC0'"),
        ({"datacenter": "NoDC"}, "datacenter: datacenter 'NoDC' not found (known: DC0)"),
    ],
)  # fmt: skip
def test_lookup_errors_name_the_option_and_where(iscsi_vpx, args, message):
    assert failure(iscsi_vpx, **args) == message
