"""Downloading a VMDK (`dest` with a descriptor `name`): the descriptor and every data file its
extents name, so that what lands locally is a disk, not a few hundred bytes of text.

The extents are files in the descriptor's folder (the descriptor names them relative to itself),
and each keeps its name beside the local descriptor: renamed, the descriptor would no longer
find it. Each file is compared as a single-file download is (same size and same SHA-256: not
sent again). The files that differ are all fetched into temporary files beside their targets
first, and only when every one is complete are they renamed, the descriptor last; a run cut
short leaves dest as it was. A disk whose data is on a device (a raw device mapping or a raw
disk) is refused: its descriptor alone is no disk.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from ..vi import files
from ..vi.faults import InvalidArgument, NotFound, PartialFailure, ViError
from ..vi.values import join_datastore_path
from . import vmdk_descriptor
from .volume import Plan, Step, Target, local_error, local_errors


@dataclass
class _File:
    """One file of the disk: where it is on both sides, and its entry in the result."""

    path: str  # the datastore path, for messages
    url: str
    local: str
    size: int | None  # on the server
    entry: dict  # dest, size_bytes, sha256 (and name, type for an extent)
    fetch: bool = False
    old_size: int | None = None  # of the local file before the run
    sha256: str | None = None  # on the server, when already known (a descriptor read whole)


def plan(client, target: Target, dest: str, before: dict, deadline) -> Plan:
    """The download of the VMDK at `target` and its data files to `dest` (a file path)."""
    url = _url(client, target, target.rel)
    head = files.head(client, url, vmdk_descriptor.LIMIT + 1, deadline)
    disk = vmdk_descriptor.parse(head, target.path)
    _refuse_devices(target, disk)
    if len(head) <= vmdk_descriptor.LIMIT:  # the whole descriptor: no second or third GET
        descriptor = _File(target.path, url, dest, len(head), {},
                           sha256=hashlib.sha256(head).hexdigest())  # fmt: skip
    else:  # a hosted sparse disk, one binary file larger than what was read
        descriptor = _File(target.path, url, dest, files.remote_size(client, url), {})
    folder, local_folder = target.rel.rpartition("/")[0], os.path.dirname(dest)
    extents = []
    for extent in disk.data_extents():
        rel = f"{folder}/{extent.file}" if folder else extent.file
        local = os.path.join(local_folder, extent.file)
        _refuse_clash(target, dest, local, extent.file)
        url = _url(client, target, rel)
        size = _extent_size(client, target, url, extent.file, deadline)
        entry = {"name": extent.file, "type": extent.type}
        extents.append(_File(join_datastore_path(target.pool.name, rel), url, local, size, entry))
    for f in extents + [descriptor]:
        _compare(client, f, deadline)
    transfer = descriptor.entry  # the entries fill in as the files are fetched
    transfer.update(extents=[f.entry for f in extents], parent=disk.parent)
    was = _shown(descriptor, extents, "was")
    fetched = [f for f in extents + [descriptor] if f.fetch]
    if not fetched:
        return Plan(was, was, transfer=transfer, reread=False, volume=before)
    names = ", ".join(f"'{os.path.basename(f.local)}'" for f in fetched)
    step = Step(
        "download",
        f"download {names} of VMDK '{target.path}' to '{local_folder or '.'}'",
        _run(fetched),
    )
    after = _shown(descriptor, extents, "after")
    return Plan(was, after, [step], transfer, reread=False, volume=before)


def _url(client, target: Target, rel: str) -> str:
    return files.folder_url(client, target.datacenter_name, target.pool.name, rel)


def _refuse_devices(target: Target, disk) -> None:
    """A raw device mapping or raw disk keeps its data on a device: refused, naming it."""
    devices = disk.devices()
    if devices:
        shown = ", ".join(f"{e.type} extent '{e.file}'" for e in devices)
        raise InvalidArgument(
            f"name: VMDK '{target.path}' maps a device ({shown}): its data is on the device, "
            "not in the datastore, and the descriptor alone is no usable disk; not going to "
            "download it (copy the disk to a new VMDK with source, then download the copy)"
        )


def _refuse_clash(target: Target, dest: str, local: str, name: str) -> None:
    """An extent must not land on the descriptor's dest, nor on a local folder."""
    if os.path.abspath(local) == os.path.abspath(dest):
        raise InvalidArgument(
            f"dest: '{dest}' is where the data file '{name}' of VMDK '{target.path}' is "
            "downloaded to (beside the descriptor, under its own name); give the descriptor "
            "another name or a directory"
        )
    if os.path.isdir(local):
        raise InvalidArgument(
            f"dest: '{local}', where the data file '{name}' of VMDK '{target.path}' is "
            "downloaded to, is a directory"
        )


def _extent_size(client, target: Target, url: str, name: str, deadline) -> int | None:
    """The size of a data file on the server; a file that is not there is an error naming it."""
    size = files.remote_size(client, url)
    if size is None:  # no such file, or an answer without Content-Length: ask for a byte
        try:
            files.head(client, url, 1, deadline)
        except NotFound:
            raise NotFound(
                f"name: VMDK '{target.path}' has its data in '{name}', which is not in the "
                "datastore; nothing downloaded"
            ) from None
    return size


def _compare(client, f: _File, deadline) -> None:
    """Mark the file to fetch unless the local one has the server's size and SHA-256."""
    with local_errors("read", f.local):
        old = files.local_file(f.local, f.size, deadline)
    f.old_size = old["size_bytes"]
    remote = f.sha256 or (old["sha256"] and files.remote_sha256(client, f.url, deadline))
    if old["sha256"] is not None and old["sha256"] == remote:
        f.entry.update(old)
        return
    f.entry.update(dest=f.local, size_bytes=f.size, sha256=None)
    f.fetch = True


def _shown(descriptor: _File, extents: list[_File], when: str) -> dict:
    """The local files (dest and size_bytes) before or after, for the diff."""

    def size(f: _File):
        return f.old_size if when == "was" else f.size

    return {
        "dest": descriptor.local, "size_bytes": size(descriptor),
        "extents": [{"dest": f.local, "size_bytes": size(f)} for f in extents],
    }  # fmt: skip


def _run(fetched: list[_File]):
    """Fetch every file into its temporary file, then rename them all (the descriptor last)."""

    def run(client, deadline) -> None:
        parts: list[tuple[str, _File]] = []
        try:
            for f in fetched:
                tmp, written, digest = _fetch(client, f, deadline)
                parts.append((tmp, f))
                if f.size is not None and written != f.size:
                    raise ViError(
                        f"download of '{f.path}' to '{f.local}' got {written} bytes of {f.size}"
                    )
                f.entry.update(size_bytes=written, sha256=digest)
            _rename(parts)
        finally:
            for tmp, _f in parts:
                if os.path.exists(tmp):
                    os.unlink(tmp)

    return run


def _fetch(client, f: _File, deadline) -> tuple[str, int, str]:
    with local_errors("write", f.local):
        return files.download_part(client, f.url, f.local, deadline)


def _rename(parts: list[tuple[str, _File]]) -> None:
    """Put every complete file in place; a rename that fails after others says which are."""
    done: list[str] = []
    for tmp, f in parts:
        try:
            os.replace(tmp, f.local)
        except OSError as e:
            error = local_error("write", f.local, e)
            if not done:
                raise error from None
            raise PartialFailure(
                f"downloaded {', '.join(done)}, then {error}", error, changed=True,
                actions=["download"],
            ) from None  # fmt: skip
        done.append(f"'{f.local}'")
