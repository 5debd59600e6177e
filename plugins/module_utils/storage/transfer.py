"""Datastore files: upload (`src`), download (`dest`), delete, through the server's /folder
file access (libvirt's vol-upload, vol-download and vol-delete).

Same size and same SHA-256 on both sides is no change; comparing reads both files as streams.
A file in a registered VM's (or template's) home folder, or listed in its file layout, is
never deleted here: the refusal names the VMs.
"""

from __future__ import annotations

import os

from ..vi import files
from ..vi.collector import get_properties
from ..vi.faults import InvalidArgument, NotFound, ViError
from ..vi.find import unescape
from ..vi.tasks import wait_for_task
from ..vi.values import split_datastore_path
from . import datastore_files, vmdk_download
from .backend import volume_record
from .vmdk import disk_step, mkdir_steps
from .volume import Plan, Step, Target, VolumeRequest, is_vmdk, local_errors, remaining


def plan(client, target: Target, request: VolumeRequest, before, deadline) -> Plan:
    """The steps for a file: upload, download, delete, or none."""
    if before is None:
        _refuse_folder(target, request)
    if request.src:
        return _upload(client, target, request.src, before, deadline)
    if request.dest:
        return _download(client, target, request.dest, before, deadline)
    if request.state == "absent":
        if datastore_files._EXTENTS.search(target.rel.lower()):
            raise InvalidArgument(
                f"name: '{target.rel}' is a data file of a virtual disk; delete the disk's "
                "descriptor (.vmdk), which takes its data files with it"
            )
        if before is None:
            return Plan(None, None)
        users = vm_files_users(client, target)
        if users:
            raise InvalidArgument(
                f"file '{target.path}' belongs to registered VM(s) {', '.join(users)}; "
                "not going to delete it (remove the VM first)"
            )
        if before["format"] == "vmdk":  # a descriptor: its data files go with it
            return Plan(before, None, [disk_step(target, "delete", "DeleteVirtualDisk_Task")])
        return Plan(before, None, [_delete_step(target)])
    if before is None:
        raise NotFound(f"name: file '{target.path}' not found (give src to upload it)")
    return Plan(before, before)


def _refuse_folder(target: Target, request: VolumeRequest) -> None:
    """A name that is a folder of the datastore is an error: volumes are files (an upload to it
    would fail on the server, and absent would report a folder that stays as gone)."""
    if not target.is_folder:  # seen by the read of the volume (volume.current)
        return
    if request.src:
        doing = f"name the file to upload src to ('{target.rel}/{os.path.basename(request.src)}')"
    elif request.dest:
        doing = "name a file in it to download to dest"
    elif request.state == "absent":
        doing = "esx_volume deletes files, not folders"
    else:
        doing = "name a file in it"
    raise InvalidArgument(f"name: '{target.path}' is a folder; {doing}")


def _upload(client, target: Target, src: str, before, deadline) -> Plan:
    url = files.folder_url(client, target.datacenter_name, target.pool.name, target.rel)
    size = os.path.getsize(src)
    digest = files.local_sha256(src, deadline)
    transfer = {"src": src, "size_bytes": size, "sha256": digest}
    remote = files.remote_size(client, url)
    if remote == size and files.remote_sha256(client, url, deadline) == digest:
        return Plan(before, before, transfer=transfer)
    steps = mkdir_steps(target) if before is None else []
    steps.append(_upload_step(target, src, url, size))
    after = dict(before) if before else _file_record(target)
    after.update(capacity_bytes=size, allocation_bytes=size)
    return Plan(before, after, steps, transfer=transfer)


def _upload_step(target: Target, src: str, url: str, size: int) -> Step:
    def run(client, deadline) -> None:
        files.upload(client, src, url, deadline)
        landed = files.remote_size(client, url)
        if landed != size:
            raise ViError(
                f"upload of '{src}' to '{target.path}': the server holds {landed} bytes, the "
                f"file has {size}"
            )

    return Step("upload", f"upload '{src}' to '{target.path}'", run)


def _download(client, target: Target, dest: str, before, deadline) -> Plan:
    if before is None:
        raise NotFound(f"name: file '{target.path}' not found, nothing to download to dest")
    if os.path.isdir(dest):
        dest = os.path.join(dest, os.path.basename(target.rel))
    elif dest.endswith(("/", os.sep)):  # a directory meant, not a file name
        raise InvalidArgument(f"dest: the directory '{dest}' does not exist")
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise InvalidArgument(f"dest: the directory '{folder}' of '{dest}' does not exist")
    if is_vmdk(target.rel):  # a descriptor: its data files come with it
        return vmdk_download.plan(client, target, dest, before, deadline)
    url = files.folder_url(client, target.datacenter_name, target.pool.name, target.rel)
    size = files.remote_size(client, url)
    with local_errors("read", dest):
        old = files.local_file(dest, size, deadline)
    if old["sha256"] is not None and old["sha256"] == files.remote_sha256(client, url, deadline):
        return Plan(old, old, transfer=dict(old), reread=False, volume=before)
    transfer = {"dest": dest, "size_bytes": size, "sha256": None}
    step = Step(
        "download",
        f"download '{target.path}' to '{dest}'",
        _download_run(url, dest, size, transfer),
    )
    after = {"dest": dest, "size_bytes": size}
    was = {"dest": dest, "size_bytes": old["size_bytes"]}
    return Plan(was, after, [step], transfer, reread=False, volume=before)


def _download_run(url: str, dest: str, size, transfer: dict):
    def run(client, deadline) -> None:
        with local_errors("write", dest):
            written, digest = files.download(client, url, dest, deadline)
        if size is not None and written != size:
            raise ViError(f"download to '{dest}' got {written} bytes of {size}")
        transfer.update(size_bytes=written, sha256=digest)

    return run


def _delete_step(target: Target) -> Step:
    def run(client, deadline) -> None:
        task = client.call(
            client.content["fileManager"], "DeleteDatastoreFile_Task",
            name=target.path, datacenter=target.datacenter,
        )  # fmt: skip
        wait_for_task(client, task, remaining(deadline))

    return Step("delete", f"delete file '{target.path}' (DeleteDatastoreFile_Task)", run)


def _file_record(target: Target) -> dict:
    ext = target.rel.rpartition(".")[2].lower() if "." in target.rel else ""
    return volume_record(
        name=target.rel, path=target.path, pool=target.pool.name, pool_uuid=target.pool.uuid,
        type="file", format=datastore_files.EXTENSIONS.get("." + ext, "vmdk" if ext == "vmdk" else "other"),
    )  # fmt: skip


def vm_files_users(client, target: Target) -> list[str]:
    """The registered VMs (templates too) whose home folder or file layout holds the file."""
    vms = target.pool.handle.get("vms") or []
    rows = get_properties(
        client, vms, {"VirtualMachine": ["name", "config.files.vmPathName", "layoutEx.file"]}
    )
    users = []
    for props in rows.values():
        names = {f.get("name") for f in props.get("layoutEx.file") or []}
        home_ds, home = split_datastore_path(props.get("config.files.vmPathName") or "")
        folder = home.rpartition("/")[0] if home else ""
        in_home = home_ds == target.pool.name and folder and target.rel.startswith(folder + "/")
        if target.path in names or in_home:
            users.append(unescape(props.get("name")))
    return sorted(users)
