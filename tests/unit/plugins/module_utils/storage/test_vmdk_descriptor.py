"""VMDK descriptors as ESXi (and hosted products) write them: which files hold the data."""

from __future__ import annotations

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import vmdk_descriptor
from ansible_collections.viapi.esx.plugins.module_utils.storage.vmdk_descriptor import Extent
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument

WHAT = "[ds1] web01/web01.vmdk"

# A base disk on VMFS (ESXi 7, thin, with changed block tracking on).
VMFS = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=a4f7d2e1
parentCID=ffffffff
createType="vmfs"

# Extent description
RW 16777216 VMFS "web01-flat.vmdk"

# Change Tracking File
changeTrackPath="web01-ctk.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.deletable = "true"
ddb.geometry.cylinders = "1044"
ddb.geometry.heads = "255"
ddb.geometry.sectors = "63"
ddb.longContentID = "4e2b0b8c1d3f5a7e9c0b2d4fa4f7d2e1"
ddb.thinProvisioned = "1"
ddb.toolsInstallType = "4"
ddb.toolsVersion = "12352"
ddb.uuid = "60 00 C2 9a 1b 2c 3d 4e-5f 60 71 82 93 a4 b5 c6"
ddb.virtualHWVersion = "19"
"""

# A snapshot's delta disk on VMFS 5 (redo log).
VMFS_SPARSE = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=d1e2f3a4
parentCID=a4f7d2e1
isNativeSnapshot="no"
createType="vmfsSparse"
parentFileNameHint="web01.vmdk"
# Extent description
RW 16777216 VMFSSPARSE "web01-000001-delta.vmdk"

# The Disk Data Base
#DDB

ddb.longContentID = "0f1e2d3c4b5a69788796a5b4d1e2f3a4"
"""

# A snapshot's delta disk on VMFS 6.
SE_SPARSE = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=b5c6d7e8
parentCID=a4f7d2e1
isNativeSnapshot="no"
createType="seSparse"
parentFileNameHint="web01.vmdk"
# Extent description
RW 16777216 SESPARSE "web01-000001-sesparse.vmdk"

# The Disk Data Base
#DDB

ddb.grain = "8"
ddb.longContentID = "5f6e7d8c9bab0c1d2e3f4a5bb5c6d7e8"
ddb.sidecars = ""
"""

# A raw device mapping in virtual compatibility mode; physical mode names a -rdmp.vmdk.
RDM = b"""# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="vmfsRawDeviceMap"

# Extent description
RW 41943040 VMFSRDM "db01_1-rdm.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.uuid = "60 00 C2 94 aa bb cc dd-ee ff 00 11 22 33 44 55"
ddb.virtualHWVersion = "19"
"""

RDMP = RDM.replace(b"vmfsRawDeviceMap", b"vmfsPassthroughRawDeviceMap").replace(
    b"db01_1-rdm.vmdk", b"db01_1-rdmp.vmdk"
)

# A disk made by a hosted product (or qemu-img -o subformat=monolithicFlat).
MONOLITHIC_FLAT = b"""# Disk DescriptorFile
version=1
CID=12345678
parentCID=ffffffff
createType="monolithicFlat"

# Extent description
RW 2097152 FLAT "disk-flat.vmdk" 0

# The Disk Data Base
#DDB

ddb.virtualHWVersion = "4"
ddb.geometry.cylinders = "2080"
ddb.geometry.heads = "16"
ddb.geometry.sectors = "63"
ddb.adapterType = "ide"
"""

# Split in 2 GB files, with a hole (ZERO: no file) and a file named twice.
SPLIT = b"""# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="twoGbMaxExtentFlat"

RW 4192256 FLAT "big-f001.vmdk" 0
RW 1048576 ZERO
RDONLY 4192256 FLAT "big-f002.vmdk" 0
NOACCESS 1024 FLAT "big-f001.vmdk" 4192256
"""


def extents(data: bytes) -> list[tuple[str, str]]:
    return [(e.file, e.type) for e in vmdk_descriptor.parse(data, WHAT).data_extents()]


def test_a_vmfs_disk_has_its_data_in_its_flat_file():
    disk = vmdk_descriptor.parse(VMFS, WHAT)
    assert disk.create_type == "vmfs" and disk.parent is None and not disk.embedded
    assert disk.extents == (Extent("RW", 16777216, "VMFS", "web01-flat.vmdk"),)
    # The change tracking file is no data of the disk.
    assert extents(VMFS) == [("web01-flat.vmdk", "VMFS")]
    assert disk.devices() == []


@pytest.mark.parametrize(
    ("data", "create_type", "extent"),
    [
        (VMFS_SPARSE, "vmfsSparse", ("web01-000001-delta.vmdk", "VMFSSPARSE")),
        (SE_SPARSE, "seSparse", ("web01-000001-sesparse.vmdk", "SESPARSE")),
    ],
)
def test_a_delta_disk_has_its_own_data_and_names_its_parent(data, create_type, extent):
    disk = vmdk_descriptor.parse(data, WHAT)
    assert (disk.create_type, disk.parent) == (create_type, "web01.vmdk")
    assert extents(data) == [extent]


def test_a_hosted_flat_disk_gives_the_offset():
    disk = vmdk_descriptor.parse(MONOLITHIC_FLAT, WHAT)
    assert disk.create_type == "monolithicFlat"
    assert disk.extents == (Extent("RW", 2097152, "FLAT", "disk-flat.vmdk", 0),)


def test_every_file_of_a_split_disk_once_and_no_file_for_a_zero_extent():
    disk = vmdk_descriptor.parse(SPLIT, WHAT)
    assert [e.type for e in disk.extents] == ["FLAT", "ZERO", "FLAT", "FLAT"]
    assert disk.extents[1] == Extent("RW", 1048576, "ZERO")
    assert disk.extents[3] == Extent("NOACCESS", 1024, "FLAT", "big-f001.vmdk", 4192256)
    assert extents(SPLIT) == [("big-f001.vmdk", "FLAT"), ("big-f002.vmdk", "FLAT")]


@pytest.mark.parametrize(
    ("data", "device"),
    [
        (RDM, Extent("RW", 41943040, "VMFSRDM", "db01_1-rdm.vmdk")),
        (RDMP, Extent("RW", 41943040, "VMFSRDM", "db01_1-rdmp.vmdk")),
        (
            VMFS.replace(b'createType="vmfs"', b'createType="vmfsRaw"').replace(
                b'VMFS "web01-flat.vmdk"', b'VMFSRAW "/vmfs/devices/disks/naa.600a0b80001"'
            ),
            Extent("RW", 16777216, "VMFSRAW", "/vmfs/devices/disks/naa.600a0b80001"),
        ),
    ],
)
def test_a_mapped_device_is_no_data_file(data, device):
    disk = vmdk_descriptor.parse(data, WHAT)
    assert disk.devices() == [device] and disk.data_extents() == []


def test_a_hosted_sparse_disk_is_one_file():
    header = b"KDMV\x01\x00\x00\x00\x03\x00\x00\x00" + b"\0" * 500
    disk = vmdk_descriptor.parse(header, WHAT)
    assert disk.embedded and disk.extents == () and disk.data_extents() == []


def test_a_descriptor_in_another_encoding():
    data = MONOLITHIC_FLAT.replace(b"version=1\n", b'version=1\nencoding="windows-1252"\n')
    data = data.replace(b'"disk-flat.vmdk"', b'"d\xe9mo-flat.vmdk"')
    assert extents(data) == [("d\u00e9mo-flat.vmdk", "FLAT")]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "it describes no extent"),
        (b'# Disk DescriptorFile\nversion=1\ncreateType="vmfs"\n', "it describes no extent"),
        (b"hello world\n", "line 1 ('hello world') is neither an extent nor a key = value"),
        (b"\x7fELF\x02\x01\x01\0\0\0", "it is binary, not descriptor text"),
        (b'version=1\nRW 8 VMFS "a\xff-flat.vmdk"\n', "it is not utf-8 text"),
        (
            b'encoding="klingon"\nRW 8 VMFS "a-flat.vmdk"\n',
            "its encoding 'klingon' is not one known",
        ),
        (b'RW 8 TAPE "a-flat.vmdk"\n', "line 1: extent type 'TAPE' is not one known"),
        (b"version=1\n\nRW 8 VMFS\n", "line 3: the VMFS extent names no file"),
        (b"x" * (vmdk_descriptor.LIMIT + 1), "it is larger than 1 MiB and no sparse disk"),
    ],
)
def test_what_is_no_descriptor_is_an_error_naming_the_volume(data, why):
    with pytest.raises(InvalidArgument) as e:
        vmdk_descriptor.parse(data, WHAT)
    assert str(e.value) == f"name: VMDK '{WHAT}' has no descriptor that can be read: {why}"


@pytest.mark.parametrize(
    "name",
    ["../../../etc/cron.d/x", "/vmfs/volumes/ds2/other-flat.vmdk", "sub/a-flat.vmdk",
     "vsan://52a6c4f1-9a3b-4c2d-8e1f-0a1b2c3d4e5f", "..", "a\\b-flat.vmdk", ""],
)  # fmt: skip
def test_data_outside_the_descriptors_folder_is_refused(name):
    data = b'createType="vmfs"\nRW 8 VMFS "' + name.encode() + b'"\n'
    with pytest.raises(InvalidArgument) as e:
        vmdk_descriptor.parse(data, WHAT)
    assert str(e.value) == (
        f"name: VMDK '{WHAT}' has its data in '{name}', which is not a file in the descriptor's "
        "folder; only such extents can be downloaded through the datastore's file access"
    )
