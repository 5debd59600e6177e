"""esx_volume on the simulator: VMDKs (create, grow, inflate, copy, wipe, delete) and files
(upload, download, delete), each in check mode, for real and again. What the server holds is
read from the datastores' directories and the server's task list (storage_reads), never
through the module under test."""

from __future__ import annotations

import hashlib

import pytest
import storage_reads as reads
from ansible_run import run_module

DISK = "[LocalDS_0] disks/a.vmdk"
VM_DISK = "[LocalDS_0] DC0_H0_VM0/disk1.vmdk"  # a disk of DC0_H0_VM0 in the simulator's model


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """vCenter with two datastores; these tests change it."""
    return vcsim_factory("--ds", "2")


def ds_dir(sim, name="LocalDS_0"):
    return reads.datastore_dir(sim, name)


def volume(sim, args: dict, check=False, diff=False, ok=True):
    """Run esx_volume; assert success (or failure with ok=False) and return the result."""
    result = run_module("esx_volume", args, sim, check=check, diff=diff)
    assert (result.rc == 0) is ok, result.stdout[-3000:]
    return result.result


def unchanged_in_check_mode(sim, args: dict) -> dict:
    """Check mode: reports a change, and the datastores' files and the task list show none."""
    files = {ds: reads.tree(ds_dir(sim, ds)) for ds in ("LocalDS_0", "LocalDS_1")}
    tasks = reads.task_ids(sim)
    result = volume(sim, args, check=True, diff=True)
    assert result["changed"] is True
    assert reads.changing_tasks(tasks, reads.task_ids(sim)) == []
    assert {ds: reads.tree(ds_dir(sim, ds)) for ds in files} == files
    return result


def test_create_grow_inflate_delete(sim):
    args = {"name": DISK, "size_mb": 10}
    check = unchanged_in_check_mode(sim, args)
    assert check["actions"] == ["mkdir", "create"]
    assert check["diff"]["before"] == {} and check["diff"]["after"]["capacity_bytes"] == 10 << 20

    made = volume(sim, args)
    assert made["changed"] and made["volume"]["capacity_bytes"] == 10 << 20
    on_disk = reads.descriptor(ds_dir(sim) / "disks" / "a.vmdk")
    assert on_disk == {"sectors": 10 << 11, "extent": "a-flat.vmdk", "thin": True}
    assert (ds_dir(sim) / "disks" / "a-flat.vmdk").stat().st_size == 10 << 20
    assert volume(sim, args)["changed"] is False

    grow = {"name": DISK, "size_mb": 30, "format": "thick"}
    check = unchanged_in_check_mode(sim, grow)
    assert check["actions"] == ["extend", "inflate"]
    assert check["diff"]["before"]["capacity_bytes"] == 10 << 20
    assert check["diff"]["after"]["capacity_bytes"] == 30 << 20
    assert check["diff"]["after"]["thin"] is False
    grown = volume(sim, grow)
    assert grown["volume"]["capacity_bytes"] == 30 << 20 and grown["volume"]["thin"] is False
    on_disk = reads.descriptor(ds_dir(sim) / "disks" / "a.vmdk")
    assert on_disk == {"sectors": 30 << 11, "extent": "a-flat.vmdk", "thin": False}
    assert volume(sim, grow)["changed"] is False

    gone = {"name": DISK, "state": "absent"}
    unchanged_in_check_mode(sim, gone)
    assert volume(sim, gone)["volume"] is None
    assert not (ds_dir(sim) / "disks" / "a.vmdk").exists()
    assert not (ds_dir(sim) / "disks" / "a-flat.vmdk").exists()
    assert volume(sim, gone)["changed"] is False


def test_shrinking_is_an_error_naming_both_sizes(sim):
    args = {"pool": "LocalDS_0", "name": "disks/shrink.vmdk", "size_gb": 2}
    volume(sim, args)
    result = volume(sim, dict(args, size_gb=1), ok=False)
    assert result["msg"] == (
        "size_gb: 1 GiB is smaller than the 2 GiB of VMDK '[LocalDS_0] disks/shrink.vmdk'; "
        "a virtual disk cannot shrink"
    )
    thin = volume(sim, dict(args, format="thick"))
    assert thin["actions"] == ["inflate"]
    result = volume(sim, dict(args, format="thin"), ok=False)
    assert "format: 'thin'" in result["msg"] and "cannot be made thin in place" in result["msg"]


def test_copy_to_another_pool_then_wipe(sim):
    source = {"pool": "LocalDS_0", "name": "disks/src.vmdk", "size_mb": 4}
    volume(sim, source)
    flat = ds_dir(sim) / "disks" / "src-flat.vmdk"
    with flat.open("r+b") as f:  # data in the source disk, as a guest would have written it
        f.write(b"guest data" * 1000)
    data = flat.read_bytes()

    copy = {"name": "[LocalDS_1] copies/dst.vmdk", "source": "[LocalDS_0] disks/src.vmdk"}
    check = unchanged_in_check_mode(sim, copy)
    assert check["actions"] == ["mkdir", "copy"]
    made = volume(sim, copy)
    assert made["volume"]["capacity_bytes"] == 4 << 20 and made["volume"]["thin"] is False
    copied = ds_dir(sim, "LocalDS_1") / "copies"
    # The API: "If not specified, a preallocated format and busLogic adapter type is assumed".
    assert reads.descriptor(copied / "dst.vmdk") == {
        "sectors": 4 << 11, "extent": "dst-flat.vmdk", "thin": False,
    }  # fmt: skip
    assert (copied / "dst-flat.vmdk").read_bytes() == data
    assert volume(sim, copy)["changed"] is False

    wipe = {"name": "[LocalDS_1] copies/dst.vmdk", "wipe": True}
    unchanged_in_check_mode(sim, wipe)
    assert (copied / "dst-flat.vmdk").read_bytes() == data
    assert volume(sim, wipe)["actions"] == ["wipe"]
    assert (copied / "dst-flat.vmdk").read_bytes() == b"\0" * (4 << 20)
    assert flat.read_bytes() == data  # the source is untouched


def test_wipe_is_an_action_every_run_that_sets_it(sim):
    args = {"pool": "LocalDS_0", "name": "wipes/w.vmdk", "size_mb": 2, "wipe": True}
    # A disk the run creates empty is zeroed already: no wipe on top.
    assert volume(sim, args)["actions"] == ["mkdir", "create"]
    flat = ds_dir(sim) / "wipes" / "w-flat.vmdk"
    with flat.open("r+b") as f:
        f.write(b"written since" * 100)
    # Then each run wipes, and says so; check mode reports the same change and makes none.
    check = unchanged_in_check_mode(sim, args)
    assert check["actions"] == ["wipe"]
    assert flat.read_bytes().startswith(b"written since")
    for _run in range(2):
        done = volume(sim, args)
        assert done["changed"] is True and done["actions"] == ["wipe"]
        assert flat.read_bytes() == b"\0" * (2 << 20)
    volume(sim, {"pool": "LocalDS_0", "name": "wipes/w.vmdk", "state": "absent"})


def test_thin_copy_needs_esxi(sim):
    volume(sim, {"pool": "LocalDS_0", "name": "disks/t.vmdk", "size_mb": 1})
    args = {"name": "[LocalDS_0] disks/t2.vmdk", "source": "[LocalDS_0] disks/t.vmdk"}
    result = volume(sim, dict(args, format="thin"), ok=False)
    assert result["msg"].startswith("format: 'thin' with source: vCenter copies")


def test_thin_copy_on_esxi(vcsim_factory):
    esx = vcsim_factory("--esx")
    volume(esx, {"pool": "LocalDS_0", "name": "disks/t.vmdk", "size_mb": 1, "format": "thick"})
    copy = {
        "name": "[LocalDS_0] disks/t2.vmdk",
        "source": "[LocalDS_0] disks/t.vmdk",
        "format": "thin",
    }
    made = volume(esx, copy)
    assert made["volume"]["thin"] is True
    assert reads.descriptor(ds_dir(esx) / "disks" / "t2.vmdk")["thin"] is True
    assert volume(esx, copy)["changed"] is False


def test_disks_of_vms_are_refused(sim):
    for args, what in (
        ({"name": VM_DISK, "state": "absent"}, "delete"),
        ({"name": VM_DISK, "wipe": True}, "wipe"),
    ):
        result = volume(sim, args, ok=False)
        assert result["msg"] == (
            f"VMDK '{VM_DISK}' is a disk of VM(s) DC0_H0_VM0; not going to {what} it "
            "(change the VM's disks instead)"
        )


def test_upload_download_delete(sim, tmp_path):
    src = tmp_path / "tools.iso"
    src.write_bytes(bytes(range(256)) * 4000)
    up = {"pool": "LocalDS_0", "name": "iso/sub/tools.iso", "src": str(src)}
    check = unchanged_in_check_mode(sim, up)
    assert check["actions"] == ["mkdir", "upload"]
    made = volume(sim, up)
    remote = ds_dir(sim) / "iso" / "sub" / "tools.iso"
    assert remote.read_bytes() == src.read_bytes()
    assert made["volume"]["capacity_bytes"] == src.stat().st_size
    assert made["transfer"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert volume(sim, up)["changed"] is False

    src.write_bytes(bytes(reversed(range(256))) * 4000)  # same size, other content
    assert volume(sim, up)["actions"] == ["upload"]
    assert remote.read_bytes() == src.read_bytes()

    dest = tmp_path / "back.iso"
    down = {"name": "[LocalDS_0] iso/sub/tools.iso", "dest": str(dest)}
    check = volume(sim, down, check=True, diff=True)
    assert check["changed"] and not dest.exists()
    assert check["diff"] == {
        "before": {"dest": str(dest), "size_bytes": None},
        "after": {"dest": str(dest), "size_bytes": src.stat().st_size},
    }
    long_name = str(tmp_path / ("x" * 300))  # no file system takes a 300-byte name
    unwritable = volume(sim, dict(down, dest=long_name), ok=False)
    assert unwritable["msg"] == f"dest: cannot write '{long_name}': File name too long"
    assert "Traceback" not in str(unwritable) and sorted(p.name for p in tmp_path.iterdir()) == [
        "tools.iso"]  # fmt: skip
    fetched = volume(sim, down)
    assert dest.read_bytes() == src.read_bytes()
    assert fetched["volume"]["path"] == "[LocalDS_0] iso/sub/tools.iso"
    assert volume(sim, down)["changed"] is False

    gone = {"name": "[LocalDS_0] iso/sub/tools.iso", "state": "absent"}
    unchanged_in_check_mode(sim, gone)
    volume(sim, gone)
    assert not remote.exists()
    assert volume(sim, gone)["changed"] is False


def test_files_of_registered_vms_are_refused(sim):
    result = volume(
        sim, {"name": "[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmx", "state": "absent"}, ok=False
    )
    assert result["msg"] == (
        "file '[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmx' belongs to registered VM(s) DC0_H0_VM0; "
        "not going to delete it (remove the VM first)"
    )
    assert (ds_dir(sim) / "DC0_H0_VM0" / "DC0_H0_VM0.vmx").exists()


def test_a_pool_by_uuid_agrees_with_a_datastore_path(sim):
    uuid = reads.libvirt_uuid(reads.datastores(sim)["LocalDS_0"]["info"]["url"])
    args = {"pool": uuid, "name": "[LocalDS_0] byuuid/u.vmdk", "size_mb": 1}
    made = volume(sim, args)
    assert made["changed"] and made["volume"]["path"] == "[LocalDS_0] byuuid/u.vmdk"
    assert (ds_dir(sim) / "byuuid" / "u.vmdk").is_file()
    assert volume(sim, args)["changed"] is False
    other = reads.libvirt_uuid(reads.datastores(sim)["LocalDS_1"]["info"]["url"])
    refused = volume(sim, dict(args, pool=other), ok=False)
    assert refused["msg"] == (
        f"name '[LocalDS_0] byuuid/u.vmdk' is in datastore 'LocalDS_0', but pool is '{other}'"
    )
    volume(sim, {"pool": uuid, "name": args["name"], "state": "absent"})
    assert not (ds_dir(sim) / "byuuid" / "u.vmdk").exists()


def test_a_folder_that_is_there_is_not_made_again(sim, tmp_path):
    src = tmp_path / "b.iso"
    src.write_bytes(b"iso" * 1000)
    up = {"pool": "LocalDS_0", "name": "there/b.iso", "src": str(src)}
    assert volume(sim, up)["actions"] == ["mkdir", "upload"]
    # A second file and a new disk in that folder: nothing to make, and actions say so.
    second = dict(up, name="there/deeper/c.iso")
    assert unchanged_in_check_mode(sim, second)["actions"] == ["mkdir", "upload"]
    assert volume(sim, second)["actions"] == ["mkdir", "upload"]
    for args, actions in (
        (dict(up, name="there/d.iso"), ["upload"]),
        ({"pool": "LocalDS_0", "name": "there/deeper/e.vmdk", "size_mb": 1}, ["create"]),
    ):
        assert unchanged_in_check_mode(sim, args)["actions"] == actions
        assert volume(sim, args)["actions"] == actions
    assert sorted(reads.tree(ds_dir(sim) / "there")) == [
        "b.iso", "d.iso", "deeper/c.iso", "deeper/e-flat.vmdk", "deeper/e.vmdk"]  # fmt: skip


def test_a_leading_slash_is_the_top_of_the_datastore(sim, tmp_path):
    src = tmp_path / "s.iso"
    src.write_bytes(b"slash" * 1000)
    up = {"pool": "LocalDS_0", "name": "/slash/s.iso", "src": str(src)}
    made = volume(sim, up)
    assert made["actions"] == ["mkdir", "upload"]
    assert made["volume"]["path"] == "[LocalDS_0] slash/s.iso"
    assert (ds_dir(sim) / "slash" / "s.iso").read_bytes() == src.read_bytes()
    assert volume(sim, dict(up, name="slash/s.iso"))["changed"] is False
    disk = {"pool": "LocalDS_0", "name": "/slash/d.vmdk", "size_mb": 1}
    check = unchanged_in_check_mode(sim, disk)
    assert check["actions"] == ["create"] and check["volume"]["path"] == "[LocalDS_0] slash/d.vmdk"
    assert volume(sim, disk)["volume"]["path"] == "[LocalDS_0] slash/d.vmdk"
    assert volume(sim, dict(disk, name="slash/d.vmdk"))["changed"] is False
    assert volume(sim, {"pool": "LocalDS_0", "name": "/slash/d.vmdk", "state": "absent"})["changed"]
    assert not (ds_dir(sim) / "slash" / "d.vmdk").exists()


def test_a_folder_is_no_volume(sim, tmp_path):
    src = tmp_path / "a.iso"
    src.write_bytes(b"iso" * 1000)
    volume(sim, {"pool": "LocalDS_0", "name": "folders/in/a.iso", "src": str(src)})
    folder = ds_dir(sim) / "folders" / "in"
    files = reads.tree(ds_dir(sim))
    for args, message in (
        ({"src": str(src)}, "name the file to upload src to ('folders/in/a.iso')"),
        ({"dest": str(tmp_path)}, "name a file in it to download to dest"),
        ({"state": "absent"}, "esx_volume deletes files, not folders"),
        ({}, "name a file in it"),
    ):
        for name in ("folders/in", "folders/in/"):
            result = volume(sim, dict(args, pool="LocalDS_0", name=name), ok=False)
            assert result["msg"] == f"name: '[LocalDS_0] folders/in' is a folder; {message}"
    assert folder.is_dir() and reads.tree(ds_dir(sim)) == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.iso"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"pool": "LocalDS_0", "name": "disks/new.vmdk"},
         "size_gb or size_mb is required to create VMDK '[LocalDS_0] disks/new.vmdk' (or give source)"),
        ({"pool": "LocalDS_1", "name": "[LocalDS_0] x.vmdk", "size_mb": 1},
         "name '[LocalDS_0] x.vmdk' is in datastore 'LocalDS_0', but pool is 'LocalDS_1'"),
        ({"pool": "LocalDS_0", "name": "x.iso", "size_mb": 1},
         "size_mb applies to VMDKs only; name 'x.iso' is not one"),
        ({"pool": "LocalDS_0", "name": "x.vmdk", "size_mb": 0}, "size_mb: 0 is not a positive size"),
        ({"pool": "LocalDS_0", "name": "x.iso", "src": "/nonexistent/x.iso"},
         "src: '/nonexistent/x.iso' is not a readable file"),
        ({"pool": "LocalDS_0", "name": "x.iso"}, "name: file '[LocalDS_0] x.iso' not found (give src to upload it)"),
        ({"pool": "NoSuchDS", "name": "x.vmdk", "size_mb": 1},
         "pool: storage pool 'NoSuchDS' not found in any datacenter (looked up by name and uuid)"),
        ({"name": "[LocalDS_0] disks/x.vmdk", "source": "[LocalDS_0] nope.vmdk"},
         "source: volume '[LocalDS_0] nope.vmdk' not found in any datacenter"),
        ({"name": "[LocalDS_0] disks/a-flat.vmdk", "state": "absent"},
         "name: 'disks/a-flat.vmdk' is a data file of a virtual disk; delete the disk's descriptor "
         "(.vmdk), which takes its data files with it"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(sim, args, message):
    assert volume(sim, args, ok=False)["msg"] == message


def test_luns_are_only_checked(iscsi_vpx):
    pool = reads.IQN1 if hasattr(reads, "IQN1") else None
    targets = reads.iscsi_targets(iscsi_vpx.manifest)
    iqn = pool or sorted(targets)[0]
    lun = targets[iqn]["luns"][0]
    present = volume(iscsi_vpx, {"pool": iqn, "name": lun["canonical_name"]})
    assert (
        present["changed"] is False and present["volume"]["canonical_name"] == lun["canonical_name"]
    )
    absent = volume(
        iscsi_vpx, {"pool": iqn, "name": lun["canonical_name"], "state": "absent"}, ok=False
    )
    assert absent["msg"].startswith(
        f"state: absent on LUN '{lun['canonical_name']}' of iSCSI target"
    )
