"""VMDK descriptors: which files hold a virtual disk's data (VMware Virtual Disk Format 1.1).

A descriptor is a small text file: a header (version, CID, parentCID, createType,
parentFileNameHint), the extent description, and the disk database (ddb.*). Each extent line is
`<access> <size in 512-byte sectors> <type> ["<file>" [<offset>]]`, access RW, RDONLY or
NOACCESS. A ZERO extent has no file; an RDM or raw extent names a device (or the mapping file
that stands for one), whose data is not in the datastore. A hosted sparse disk (monolithicSparse,
streamOptimized) carries its descriptor inside its binary file, which starts with the sparse
header's magic "KDMV": that one file is the whole disk.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..vi.faults import InvalidArgument

LIMIT = 1 << 20  # bytes: a text descriptor is a few hundred; more is no descriptor
SPARSE_MAGIC = b"KDMV"
DATA = ("FLAT", "SPARSE", "VMFS", "VMFSSPARSE", "SESPARSE", "VSANSPARSE")  # files of data
DEVICES = ("VMFSRDM", "VMFSRDMP", "VMFSRAW")  # a LUN (through a mapping file) or a raw device
NO_FILE = ("ZERO",)
_EXTENT = re.compile(
    r'^(?P<access>RW|RDONLY|NOACCESS)\s+(?P<sectors>\d+)\s+(?P<type>[A-Za-z]+)'
    r'(?:\s+"(?P<file>[^"]*)"(?:\s+(?P<offset>\d+))?)?$'
)  # fmt: skip
_ENTRY = re.compile(r'^(?P<key>[A-Za-z][\w.-]*)\s*=\s*(?P<value>"[^"]*"|\S*)$')
_ENCODING = re.compile(rb'^encoding\s*=\s*"([^"]+)"', re.M)


@dataclass(frozen=True)
class Extent:
    """One extent line: its access, size in sectors, type, file and offset (as written)."""

    access: str
    sectors: int
    type: str
    file: str | None = None
    offset: int | None = None


@dataclass(frozen=True)
class Descriptor:
    """What a descriptor says: its createType, its parent disk, its extents."""

    create_type: str | None
    parent: str | None = None  # parentFileNameHint of a delta (snapshot or linked clone) disk
    extents: tuple[Extent, ...] = ()
    embedded: bool = False  # a sparse disk holding its own descriptor: the file is the disk

    def data_extents(self) -> list[Extent]:
        """The extents whose files hold the disk's data, the first one of each file, in the
        descriptor's order (a ZERO extent has no file)."""
        first: dict[str, Extent] = {}
        for extent in self.extents:
            if extent.type in DATA:
                first.setdefault(extent.file, extent)
        return list(first.values())

    def devices(self) -> list[Extent]:
        """The extents whose data is on a device (raw device mappings, raw disks)."""
        return [e for e in self.extents if e.type in DEVICES]


def parse(data: bytes, what: str) -> Descriptor:
    """The descriptor in `data` (the file's first bytes, at most LIMIT + 1), or an error naming
    `what` (the volume) and the reason."""
    if data.startswith(SPARSE_MAGIC):
        return Descriptor(create_type=None, embedded=True)
    if len(data) > LIMIT:
        raise _unparsed(what, f"it is larger than {LIMIT >> 20} MiB and no sparse disk")
    if b"\0" in data:
        raise _unparsed(what, "it is binary, not descriptor text")
    text = _decode(data, what)
    header: dict[str, str] = {}
    extents = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        extent = _EXTENT.match(line)
        if extent:
            extents.append(_extent(extent, what, number))
            continue
        entry = _ENTRY.match(line)
        if entry is None:
            raise _unparsed(
                what, f"line {number} ({_cut(line)}) is neither an extent nor a key = value"
            )
        header.setdefault(entry["key"], entry["value"].strip('"'))
    if not extents:
        raise _unparsed(what, "it describes no extent")
    return Descriptor(
        create_type=header.get("createType"), parent=header.get("parentFileNameHint") or None,
        extents=tuple(extents),
    )  # fmt: skip


def _extent(match: re.Match, what: str, number: int) -> Extent:
    kind, name = match["type"].upper(), match["file"]
    if kind not in DATA + DEVICES + NO_FILE:
        raise _unparsed(what, f"line {number}: extent type '{match['type']}' is not one known")
    if kind not in NO_FILE and name is None:
        raise _unparsed(what, f"line {number}: the {kind} extent names no file")
    if kind in DATA and not _is_plain_name(name):
        raise InvalidArgument(
            f"name: VMDK '{what}' has its data in '{name}', which is not a file in the "
            "descriptor's folder; only such extents can be downloaded through the datastore's "
            "file access"
        )
    offset = int(match["offset"]) if match["offset"] is not None else None
    return Extent(match["access"], int(match["sectors"]), kind, name, offset)


def _is_plain_name(name: str) -> bool:
    """A file name without a folder (no '/', no '\\', not '.' or '..'): written beside dest, it
    cannot land anywhere else."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


def _decode(data: bytes, what: str) -> str:
    """The text, in the encoding the descriptor names (UTF-8 when it names none)."""
    named = _ENCODING.search(data)
    encoding = named.group(1).decode("ascii", "replace") if named else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _unparsed(what, f"its encoding '{encoding}' is not one known") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _unparsed(what, f"it is not {encoding} text") from None


def _cut(line: str, width: int = 60) -> str:
    return repr(line if len(line) <= width else line[:width] + "...")


def _unparsed(what: str, why: str) -> InvalidArgument:
    return InvalidArgument(f"name: VMDK '{what}' has no descriptor that can be read: {why}")
