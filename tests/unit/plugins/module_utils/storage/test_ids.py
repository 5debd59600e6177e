"""The storage uuid formulas, with known vectors.

libvirt's ESX storage driver (src/esx/esx_storage_backend_vmfs.c, esxStorageBackendVMFSPoolLookupByName;
src/esx/esx_storage_backend_iscsi.c, esxStorageBackendISCSIPoolLookupByName and
esxStorageBackendISCSIVolumeLookupByName) computes

    md5_buffer(string, strlen(string), md5);   /* 16 raw bytes, used as the uuid */
    virUUIDFormat(md5, uuid_string);            /* "%02x%02x%02x%02x-%02x%02x-..." */

with string = the datastore's host mount path, the iSCSI target IQN, or ScsiLun.uuid. The
expected values below were computed by hand from that formula with coreutils
(`printf '%s' STRING | md5sum`), then split 8-4-4-4-12: no version or variant bits are set.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from ansible_collections.viapi.esx.plugins.module_utils.storage import ids

# RFC 1321 appendix A.5 test suite, printed the libvirt way.
RFC1321 = [
    ("", "d41d8cd9-8f00-b204-e980-0998ecf8427e"),
    ("abc", "90015098-3cd2-4fb0-d696-3f7d28e17f72"),
    ("message digest", "f96b697d-7cb7-938d-525a-2f31aaf161d0"),
]
# Pool uuids: the mount path of the vSAN datastore in ../shared/fixtures/real-vsphere (ESXi 8.0),
# a VMFS mount path, and the IQN of the first target of tests/vcsim/iscsi.go.
MOUNT_PATHS = [
    (
        "/vmfs/volumes/vsan:5281f817da2563b1-f53a57a4a4c49434",
        "d0b68336-28fd-0251-0592-63e18de8aaae",
    ),
    ("/vmfs/volumes/5f1e2d3c-4b5a6978-1a2b-001122334455", "73c8896d-9e71-0635-54ff-fe0827cb731b"),
]
IQNS = [
    (
        "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e",
        "0ae0ebc4-20e5-4cf5-bfa8-3d63ae8639ca",
    ),
]
# LUN keys: the ScsiLun.uuid of the simulator's local disk, and an ESXi-style iSCSI LUN uuid.
LUN_UUIDS = [
    ("0000000000766d686261303a303a30", "5b1466c4-b27c-eb44-1bb9-cd0b5bdc4d83"),
    (
        "020000000060014055c2c9e8e8fc444a3bd6d6e2ab4c494f2d4c",
        "11bceab5-9142-29f6-c421-226ac57a7f7a",
    ),
]


@pytest.mark.parametrize("text, expected", RFC1321)
def test_md5_uuid_rfc1321(text, expected):
    assert ids.md5_uuid(text) == expected


@pytest.mark.parametrize("path, expected", MOUNT_PATHS)
def test_datastore_pool_uuid(path, expected):
    assert ids.datastore_pool_uuid(path) == expected


@pytest.mark.parametrize("iqn, expected", IQNS)
def test_iscsi_pool_uuid(iqn, expected):
    assert ids.iscsi_pool_uuid(iqn) == expected


@pytest.mark.parametrize("lun_uuid, expected", LUN_UUIDS)
def test_lun_key(lun_uuid, expected):
    assert ids.lun_key(lun_uuid) == expected


def test_not_an_rfc4122_name_based_uuid():
    # uuid3 would set the version nibble to 3 and the variant bits: libvirt does not.
    path = MOUNT_PATHS[0][0]
    assert ids.datastore_pool_uuid(path) != str(uuid.uuid3(uuid.NAMESPACE_URL, path))
    assert ids.datastore_pool_uuid(path)[14] == "0"  # the raw digest's nibble, untouched


def test_md5_uuid_hashes_utf8_bytes():
    digest = hashlib.md5("datastöre".encode()).hexdigest()
    assert ids.md5_uuid("datastöre").replace("-", "") == digest


def test_format_uuid_layout():
    assert ids.format_uuid(bytes(range(16))) == "00010203-0405-0607-0809-0a0b0c0d0e0f"


@pytest.mark.parametrize(
    "text, expected",
    [
        # VirtualDiskFlatVer2BackingInfo.uuid
        ("6000C29a-1b2c-3d4e-5f60-718293A4B5C6", "6000c29a-1b2c-3d4e-5f60-718293a4b5c6"),
        # QueryVirtualDiskUuid on ESXi
        ("60 00 C2 9a 1b 2c 3d 4e-5f 60 71 82 93 a4 b5 c6", "6000c29a-1b2c-3d4e-5f60-718293a4b5c6"),
        ("6000c29a1b2c3d4e5f60718293a4b5c6", "6000c29a-1b2c-3d4e-5f60-718293a4b5c6"),
        ("", None),
        (None, None),
        ("not-a-uuid", None),
        ("6000C29a-1b2c-3d4e-5f60-718293A4B5", None),
    ],
)
def test_reformat_uuid(text, expected):
    assert ids.reformat_uuid(text) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("ds:///vmfs/volumes/vsan:5281f817da2563b1-f53a57a4a4c49434/", MOUNT_PATHS[0][0]),
        ("ds:///vmfs/volumes/5f1e2d3c-4b5a6978-1a2b-001122334455/", MOUNT_PATHS[1][0]),
        ("/tmp/govcsim-DC0-LocalDS_0-123", "/tmp/govcsim-DC0-LocalDS_0-123"),
        ("", None),
        (None, None),
    ],
)
def test_mount_path_from_url(url, expected):
    assert ids.mount_path_from_url(url) == expected


@pytest.mark.parametrize(
    "name",
    [
        "iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e",  # LIO (targetcli)
        "iqn.1992-08.com.netapp:sn.4082367740:vs.3",  # ONTAP: colons after the first
        "iqn.2010-06.com.purestorage:flasharray.5b1c2d3e4f",
        "iqn.2001-04.com.example",  # RFC 3720 3.2.6.3.1: the unique part is optional
        "IQN.2001-04.COM.EXAMPLE:Storage",  # case-insensitive (RFC 3722)
        "eui.02004567A425678D",  # RFC 3720 3.2.6.3.2's example
        "naa.52004567BA64678D",  # RFC 3980: 16 hex digits
        "naa.62004567BA64678D0123456789ABCDEF",  # RFC 3980: 32 hex digits
    ],
)
def test_iscsi_names_of_every_form(name):
    assert ids.iscsi_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("storage1", "no iqn., eui. or naa. prefix"),
        ("iqn.2001-13.com.example", "not of the iqn form"),  # no 13th month
        ("iqn.01-04.com.example", "not of the iqn form"),  # a four-digit year
        ("iqn.2001-04", "not of the iqn form"),  # no naming authority
        ("iqn.2001-04.:x", "not of the iqn form"),
        ("eui.02004567A425678", "not of the eui form"),  # 15 digits
        ("naa.52004567BA64678D01", "not of the naa form"),  # 18 digits
        ("iqn.2001-04.com.example:a b", "' ' not allowed"),
        ("iqn.2001-04.com.example:a_b/c", "'/', '_' not allowed"),
        ("iqn.2001-04.com.example:" + "x" * 200, "longer than 223 bytes"),
    ],
)
def test_what_is_not_an_iscsi_name(name, problem):
    assert ids.iscsi_name_problem(name) == problem


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("IQN.2001-04.COM.Example:Storage", "iqn.2001-04.com.example:storage"),
        ("eui.02004567A425678D", "eui.02004567a425678d"),
        ("naa.52004567BA64678D", "naa.52004567ba64678d"),
        # RFC 3722 section 4: B.1 characters vanish (a soft hyphen), B.2 folds non-ASCII case
        ("iqn.2001-04.com.example:disk\u00ad1", "iqn.2001-04.com.example:disk1"),
        ("iqn.2001-04.com.example:\u00c9t\u00c9", "iqn.2001-04.com.example:\u00e9t\u00e9"),
        # section 5: normalization form KC (a fullwidth digit is the digit)
        ("iqn.2001-04.com.example:disk\uff11", "iqn.2001-04.com.example:disk1"),
    ],
)
def test_iscsi_names_compare_as_rfc_3722_maps_them(one, other):
    assert ids.iscsi_key(one) == ids.iscsi_key(other)


def test_iscsi_names_that_differ_stay_apart():
    assert ids.iscsi_key("iqn.2001-04.com.example:disk1") != ids.iscsi_key(
        "iqn.2001-04.com.example:disk2"
    )
    assert ids.iscsi_key(None) is None
