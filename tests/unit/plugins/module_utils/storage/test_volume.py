"""esx_volume's request and disk plan, on plain values (no server)."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import vmdk
from ansible_collections.viapi.esx.plugins.module_utils.storage.backend import Pool, volume_record
from ansible_collections.viapi.esx.plugins.module_utils.storage.volume import (
    Target,
    VolumeRequest,
    is_vmdk,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.modules import esx_volume


def request(**params) -> VolumeRequest:
    params.setdefault("name", "[ds1] d/a.vmdk")
    return esx_volume.request(params, check_mode=False)


def test_a_datastore_path_names_the_pool():
    r = request(name="[ds1] d/a.vmdk", size_gb=2)
    assert (r.pool, r.name, r.size_kb, r.size_option) == ("ds1", "d/a.vmdk", 2 << 20, "size_gb")
    assert r.is_disk
    assert request(name="a.vmdk", pool="ds2", size_mb=3).size_kb == 3 << 10
    # A pool given too stays as given (a uuid, maybe); the runner checks it is that datastore.
    r = request(name="[ds1] d/a.vmdk", pool="ea377eb8-b583-ab6e-b5f9-e2a8d583942b")
    assert (r.pool, r.datastore, r.name, r.path) == (
        "ea377eb8-b583-ab6e-b5f9-e2a8d583942b", "ds1", "d/a.vmdk", "[ds1] d/a.vmdk")  # fmt: skip


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"name": "d/a.vmdk"}, "pool is required unless name is a '[datastore] path' (name: 'd/a.vmdk')"),
        ({"size_gb": 1, "size_mb": 1}, "size_gb and size_mb exclude each other; give one"),
        ({"size_gb": -1}, "size_gb: -1 is not a positive size"),
        ({"format": "sparse"}, "format: 'sparse' is not one of thin, thick, eager_zeroed"),
        ({"src": "/a", "dest": "/b"}, "src '/a' and dest '/b' exclude each other"),
        ({"dest": "/b", "state": "absent"}, "dest: '/b' needs state present, not absent"),
        ({"dest": "/b", "wipe": True}, "wipe does not apply with dest '/b'"),
        ({"size_mb": 1, "state": "absent"}, "size_mb does not apply with state absent"),
        ({"name": "[ds1] iso/x.iso", "format": "thin"}, "format applies to VMDKs only; name 'iso/x.iso' is not one"),
    ],
)  # fmt: skip
def test_bad_combinations_name_the_options(params, message):
    with pytest.raises(InvalidArgument) as e:
        request(**params)
    assert str(e.value) == message


def test_disk_extents_are_not_disks():
    assert is_vmdk("d/a.vmdk") and not is_vmdk("d/a-flat.vmdk") and not is_vmdk("d/a.iso")
    assert not request(name="[ds1] d/a-flat.vmdk").is_disk


def target() -> Target:
    facts = {"name": "ds1", "uuid": "u-1", "datacenter": "DC0"}
    return Target(Pool(facts, {"datacenter": "dc-ref"}), "d/a.vmdk")


def disk(**values) -> dict:
    base = dict(name="d/a.vmdk", path="[ds1] d/a.vmdk", pool="ds1", format="vmdk",
                capacity_bytes=1 << 30, thin=True, disk_type="thin", attached_to=[])  # fmt: skip
    base.update(values)
    return volume_record(**base)


def test_an_existing_disk_grows_then_inflates():
    planned = vmdk.plan(None, None, target(), request(size_gb=2, format="thick"), disk())
    assert [s.action for s in planned.steps] == ["extend", "inflate"]
    assert planned.after["capacity_bytes"] == 2 << 30 and planned.after["thin"] is False
    assert planned.before["capacity_bytes"] == 1 << 30


def test_an_existing_disk_as_asked_has_no_steps():
    assert vmdk.plan(None, None, target(), request(size_gb=1, format="thin"), disk()).steps == []
    # eager_zeroed on a thick disk: the browser cannot tell lazy from eager, so nothing to do
    thick = disk(thin=False, disk_type="thick")
    assert vmdk.plan(None, None, target(), request(format="eager_zeroed"), thick).steps == []


def test_a_disk_in_use_is_not_changed():
    used = disk(attached_to=["vm1", "vm2"])
    with pytest.raises(
        InvalidArgument, match=r"is a disk of VM\(s\) vm1, vm2; not going to extend"
    ):
        vmdk.plan(None, None, target(), request(size_gb=5), used)
    with pytest.raises(InvalidArgument, match="not going to delete"):
        vmdk.plan(None, None, target(), request(state="absent"), used)
    assert vmdk.plan(None, None, target(), request(), used).steps == []  # as it is: fine


def test_a_new_disk_is_made_in_its_folder():
    planned = vmdk.plan(None, None, target(), request(size_mb=10, format="eager_zeroed"), None)
    assert [s.action for s in planned.steps] == ["mkdir", "create"]
    there = dataclasses.replace(target(), folder_there=True)  # seen by the volume's read
    assert [s.action for s in vmdk.plan(None, None, there, request(size_mb=10), None).steps] == [
        "create"
    ]
    assert planned.after["capacity_bytes"] == 10 << 20 and planned.after["thin"] is False
    with pytest.raises(InvalidArgument, match="size_gb or size_mb is required"):
        vmdk.plan(None, None, target(), request(), None)
