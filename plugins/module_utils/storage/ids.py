"""Storage identities: the uuids libvirt's ESX storage driver gives pools and LUN volumes.

Datastores, iSCSI targets and LUNs have no uuid of their own in the VI API, so libvirt's ESX
driver (src/esx/esx_storage_backend_vmfs.c and esx_storage_backend_iscsi.c) derives one: the
16-byte MD5 digest of a stable string, used as the raw uuid and printed by virUUIDFormat
("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x": lowercase hex, 8-4-4-4-12,
no version or variant bits set). The strings are:

- a datastore pool: its mount path (DatastoreHostMount.mountInfo.path, e.g. /vmfs/volumes/<id>);
- an iSCSI pool: the static target's IQN (HostInternetScsiHbaStaticTarget.iScsiName);
- an iSCSI LUN volume's key: ScsiLun.uuid.

Virtual disk uuids (VirtualDiskFlatVer2BackingInfo.uuid, QueryVirtualDiskUuid) are printed by
ESX in other layouts ("6000C29a-...", "60 00 c2 9a ... -..."); `reformat_uuid` puts them in the
same layout, as libvirt's esxUtil_ReformatUuid does.
"""

from __future__ import annotations

import hashlib
import re
import stringprep
import unicodedata

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")

# iSCSI names, RFC 3720 3.2.6.3: "iqn." + the year and month the naming authority owned its
# domain (yyyy-mm) + "." + that domain reversed + optionally ":" and a string of its choosing;
# "eui." + 16 hex digits (an EUI-64); RFC 3980 adds "naa." + 16 or 32 hex digits. The names
# are case-insensitive (RFC 3722 maps them to lower case) and at most 223 bytes (UTF-8); of
# ASCII only letters, digits, "-", "." and ":" are allowed (RFC 3720 3.2.6.2).
ISCSI_NAME_FORMS = (
    "iqn.yyyy-mm.reversed.domain[:unique], eui. + 16 hex digits, naa. + 16 or 32 hex digits"
)
_IQN = re.compile(r"^iqn\.\d{4}-(0[1-9]|1[0-2])\.[^.:][^:]*(:.*)?$", re.IGNORECASE)
_EUI = re.compile(r"^eui\.[0-9a-f]{16}$", re.IGNORECASE)
_NAA = re.compile(r"^naa\.([0-9a-f]{16}|[0-9a-f]{32})$", re.IGNORECASE)
_ISCSI_ASCII = re.compile(r"[A-Za-z0-9.:-]")


def format_uuid(raw: bytes) -> str:
    """16 bytes as libvirt's virUUIDFormat prints them."""
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def md5_uuid(text: str) -> str:
    """The MD5 digest of `text` (UTF-8, no terminator) as a uuid string."""
    return format_uuid(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest())


def datastore_pool_uuid(mount_path: str) -> str:
    """A datastore pool's uuid from its mount path."""
    return md5_uuid(mount_path)


def iscsi_pool_uuid(iqn: str) -> str:
    """An iSCSI pool's uuid from its target IQN."""
    return md5_uuid(iqn)


def iscsi_name_problem(name: str) -> str | None:
    """Why `name` is not an iSCSI name (RFC 3720 3.2.6); None when it is one."""
    if len(name.encode("utf-8")) > 223:
        return "longer than 223 bytes"
    bad = sorted({c for c in name if c.isascii() and not _ISCSI_ASCII.match(c)})
    if bad:
        return f"{', '.join(repr(c) for c in bad)} not allowed"
    for prefix, form in (("iqn.", _IQN), ("eui.", _EUI), ("naa.", _NAA)):
        if name.lower().startswith(prefix):
            return None if form.match(name) else f"not of the {prefix[:3]} form"
    return "no iqn., eui. or naa. prefix"


def iscsi_key(name: str | None) -> str | None:
    """The form two iSCSI names are compared in: RFC 3722 section 4 maps each name with
    stringprep tables B.1 (characters that vanish) and B.2 (case folding), then normalizes it
    (Unicode form KC, section 5). "IQN.2003-01.COM.Example:Disk1" and
    "iqn.2003-01.com.example:disk1" are one target; the server's spelling is kept for calls."""
    if name is None:
        return None
    mapped = "".join(stringprep.map_table_b2(c) for c in name if not stringprep.in_table_b1(c))
    return unicodedata.normalize("NFKC", mapped)


def lun_key(scsi_lun_uuid: str) -> str:
    """An iSCSI LUN volume's key from ScsiLun.uuid."""
    return md5_uuid(scsi_lun_uuid)


def reformat_uuid(text: str | None) -> str | None:
    """A uuid in any ESX layout (dashes, spaces, any case) in the libvirt layout; None if not one."""
    if not text:
        return None
    digits = re.sub(r"[\s-]", "", text)
    if not _HEX32.match(digits):
        return None
    return format_uuid(bytes.fromhex(digits))


def mount_path_from_url(url: str | None) -> str | None:
    """The mount path a datastore url names: ds:///vmfs/volumes/<id>/ -> /vmfs/volumes/<id>."""
    if not url:
        return None
    path = url[len("ds://") :] if url.startswith("ds://") else url
    return path.rstrip("/") or path
