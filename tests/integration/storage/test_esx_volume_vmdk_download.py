"""esx_volume dest on a VMDK descriptor, on the simulator: the descriptor and every data file it
names land beside dest, compared file by file; a raw device mapping, a missing data file and a
file that is no descriptor are errors that leave dest as it was. The disks are put in place by
esx_volume itself (size_mb, whose descriptor and flat file the harness writes as ESXi does, and
src for descriptors written here after the VMDK format's spec); what the server holds is read from
the datastore's directory and its task list (storage_reads), never through the module."""

from __future__ import annotations

import hashlib

import pytest
import storage_reads as reads
from ansible_run import run_module

DISK = "[LocalDS_0] dl/disk.vmdk"


@pytest.fixture(scope="module")
def sim(vcsim_factory):
    """vCenter with the simulator's defaults; these tests change it."""
    return vcsim_factory()


def volume(sim, args: dict, check=False, diff=False, ok=True):
    result = run_module("esx_volume", args, sim, check=check, diff=diff)
    assert (result.rc == 0) is ok, result.stdout[-3000:]
    return result.result


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ds_dir(sim):
    return reads.datastore_dir(sim, "LocalDS_0")


def local_tree(path):
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def put(sim, tmp_path, name: str, data: bytes) -> None:
    """Upload `data` to `[LocalDS_0] hand/<name>` with esx_volume src."""
    src = tmp_path / "src" / name
    src.parent.mkdir(exist_ok=True)
    src.write_bytes(data)
    volume(sim, {"pool": "LocalDS_0", "name": f"hand/{name}", "src": str(src)})
    assert (ds_dir(sim) / "hand" / name).read_bytes() == data


@pytest.fixture(scope="module")
def disk(sim):
    """A 2 MiB disk made by esx_volume, with data in its flat file as a guest would write it."""
    volume(sim, {"name": DISK, "size_mb": 2})
    flat = ds_dir(sim) / "dl" / "disk-flat.vmdk"
    with flat.open("r+b") as f:
        f.write(b"guest data" * 1000)
    return ds_dir(sim) / "dl"


def test_a_disk_comes_with_its_flat_file(sim, disk, tmp_path):
    args = {"name": DISK, "dest": str(tmp_path)}
    server, tasks = reads.tree(ds_dir(sim)), reads.task_ids(sim)
    check = volume(sim, args, check=True, diff=True)
    assert check["changed"] is True and check["actions"] == ["download"]
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a part
    assert reads.changing_tasks(tasks, reads.task_ids(sim)) == []
    assert reads.tree(ds_dir(sim)) == server
    descriptor, flat = (disk / "disk.vmdk").read_bytes(), (disk / "disk-flat.vmdk").read_bytes()
    assert len(flat) == 2 << 20 and b'RW 4096 VMFS "disk-flat.vmdk"' in descriptor
    local, local_flat = str(tmp_path / "disk.vmdk"), str(tmp_path / "disk-flat.vmdk")
    assert check["diff"] == {
        "before": {"dest": local, "size_bytes": None,
                   "extents": [{"dest": local_flat, "size_bytes": None}]},
        "after": {"dest": local, "size_bytes": len(descriptor),
                  "extents": [{"dest": local_flat, "size_bytes": 2 << 20}]},
    }  # fmt: skip
    assert check["transfer"]["sha256"] is None and check["transfer"]["extents"][0]["sha256"] is None

    made = volume(sim, args)
    assert made["changed"] is True and made["actions"] == ["download"]
    assert local_tree(tmp_path) == {"disk-flat.vmdk": flat, "disk.vmdk": descriptor}
    assert made["volume"]["path"] == DISK
    assert made["transfer"] == {
        "dest": local, "size_bytes": len(descriptor), "sha256": sha(descriptor),
        "extents": [{"name": "disk-flat.vmdk", "type": "VMFS", "dest": local_flat,
                     "size_bytes": 2 << 20, "sha256": sha(flat)}],
        "parent": None,
    }  # fmt: skip
    again = volume(sim, args)
    assert again["changed"] is False and again["actions"] == []
    assert again["transfer"] == made["transfer"]

    # The guest writes again (same size): only the flat file is fetched; the descriptor stays.
    inode = (tmp_path / "disk.vmdk").stat().st_ino
    with (disk / "disk-flat.vmdk").open("r+b") as f:
        f.write(b"written since" * 1000)
    changed = volume(sim, dict(args, dest=local))
    assert changed["changed"] is True
    assert (tmp_path / "disk-flat.vmdk").read_bytes() == (disk / "disk-flat.vmdk").read_bytes()
    assert (tmp_path / "disk.vmdk").stat().st_ino == inode
    assert changed["transfer"]["extents"][0]["sha256"] == sha(
        (disk / "disk-flat.vmdk").read_bytes()
    )


def test_the_descriptor_takes_the_dest_name_and_its_data_files_keep_theirs(sim, disk, tmp_path):
    dest = tmp_path / "web01.vmdk"
    made = volume(sim, {"name": DISK, "dest": str(dest)})
    assert local_tree(tmp_path) == {
        "disk-flat.vmdk": (disk / "disk-flat.vmdk").read_bytes(),
        "web01.vmdk": (disk / "disk.vmdk").read_bytes(),
    }
    assert made["transfer"]["dest"] == str(dest)
    assert made["transfer"]["extents"][0]["dest"] == str(tmp_path / "disk-flat.vmdk")
    clash = volume(sim, {"name": DISK, "dest": str(tmp_path / "disk-flat.vmdk")}, ok=False)
    assert clash["msg"] == (
        f"dest: '{tmp_path / 'disk-flat.vmdk'}' is where the data file 'disk-flat.vmdk' of VMDK "
        f"'{DISK}' is downloaded to (beside the descriptor, under its own name); give the "
        "descriptor another name or a directory"
    )


SPLIT = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="twoGbMaxExtentFlat"

# Extent description
RW 8 FLAT "split-f001.vmdk" 0
RW 2048 ZERO
RW 16 FLAT "split-f002.vmdk" 0

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.virtualHWVersion = "13"
"""

DELTA = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=d1e2f3a4
parentCID=fffffffe
isNativeSnapshot="no"
createType="vmfsSparse"
parentFileNameHint="split.vmdk"
# Extent description
RW 8208 VMFSSPARSE "split-000001-delta.vmdk"
"""


def test_every_data_file_of_a_descriptor_and_none_for_a_zero_extent(sim, tmp_path):
    files = {"split.vmdk": SPLIT, "split-f001.vmdk": b"1" * 4096, "split-f002.vmdk": b"2" * 8192}
    for name, data in files.items():
        put(sim, tmp_path, name, data)
    down = tmp_path / "down"
    down.mkdir()
    args = {"name": "[LocalDS_0] hand/split.vmdk", "dest": str(down)}
    made = volume(sim, args)
    assert local_tree(down) == files
    assert [(e["name"], e["type"], e["sha256"]) for e in made["transfer"]["extents"]] == [
        ("split-f001.vmdk", "FLAT", sha(files["split-f001.vmdk"])),
        ("split-f002.vmdk", "FLAT", sha(files["split-f002.vmdk"])),
    ]
    assert volume(sim, args)["changed"] is False

    # A delta disk (a snapshot's) brings its own data and names the parent it needs.
    put(sim, tmp_path, "split-000001.vmdk", DELTA)
    put(sim, tmp_path, "split-000001-delta.vmdk", b"COWD" + b"\0" * 2044)
    delta = volume(sim, dict(args, name="[LocalDS_0] hand/split-000001.vmdk"))
    assert delta["transfer"]["parent"] == "split.vmdk"
    assert [e["name"] for e in delta["transfer"]["extents"]] == ["split-000001-delta.vmdk"]
    assert (down / "split-000001-delta.vmdk").read_bytes() == b"COWD" + b"\0" * 2044


RDM = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="vmfsPassthroughRawDeviceMap"

# Extent description
RW 41943040 VMFSRDM "db01-rdmp.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
"""


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("db01.vmdk", RDM,
         "name: VMDK '[LocalDS_0] hand/db01.vmdk' maps a device (VMFSRDM extent "
         "'db01-rdmp.vmdk'): its data is on the device, not in the datastore, and the descriptor "
         "alone is no usable disk; not going to download it (copy the disk to a new VMDK with "
         "source, then download the copy)"),
        ("lost.vmdk", SPLIT.replace(b"split-f002", b"lost-f002"),
         "name: VMDK '[LocalDS_0] hand/lost.vmdk' has its data in 'lost-f002.vmdk', which is not "
         "in the datastore; nothing downloaded"),
        ("notes.vmdk", b"disk of the web server\n",
         "name: VMDK '[LocalDS_0] hand/notes.vmdk' has no descriptor that can be read: line 1 "
         "('disk of the web server') is neither an extent nor a key = value"),
        ("escape.vmdk", b'createType="vmfs"\nRW 8 VMFS "../../etc/escape-flat.vmdk"\n',
         "name: VMDK '[LocalDS_0] hand/escape.vmdk' has its data in '../../etc/escape-flat.vmdk', "
         "which is not a file in the descriptor's folder; only such extents can be downloaded "
         "through the datastore's file access"),
    ],
)  # fmt: skip
def test_what_is_no_downloadable_disk_leaves_dest_as_it_was(sim, tmp_path, name, data, message):
    put(sim, tmp_path, name, data)
    put(sim, tmp_path, "split-f001.vmdk", b"1" * 4096)
    put(sim, tmp_path, "db01-rdmp.vmdk", b"\0" * 512)  # the mapping file, as VMFS lists it
    down = tmp_path / "down"
    down.mkdir()
    (down / name).write_bytes(b"kept")
    args = {"name": f"[LocalDS_0] hand/{name}", "dest": str(down)}
    for check in (True, False):
        assert volume(sim, args, check=check, ok=False)["msg"] == message
        assert local_tree(down) == {name: b"kept"}
