"""A disk attached from `disks[].filename` must exist before anything changes.

Without this, the server refuses the CreateVM_Task, CloneVM_Task or ReconfigVM_Task with a
FileNotFound that names no option, and check mode predicts a change no run can make. The file
is asked for with VirtualDiskManager.QueryVirtualDiskUuid: a read of the disk's descriptor,
no task, nothing changed, so check mode asks too. It fails with FileNotFound (a FileFault) when
the disk or its folder is not there. Only disks the plan attaches are asked for: on a second
run the disk is attached, and nothing is asked.
"""

from __future__ import annotations

from ..vi.faults import Fault, NotFound, is_not_offered


def attached_files(devices: list, wanted: list) -> dict[str, str]:
    """The files the device changes attach as they are (an added disk with no fileOperation),
    each with the option that names it."""
    options = {w["filename"]: f"{w['option']}.filename" for w in wanted or [] if w.get("filename")}
    out = {}
    for change in devices or []:
        device = change.get("device") or {}
        name = (device.get("backing") or {}).get("fileName")
        attach = change.get("operation") == "add" and not change.get("fileOperation")
        if attach and device.get("_type") == "VirtualDisk" and name in options:
            out[name] = options[name]
    return out


def check_attached(client, catalog, devices: list, wanted: list) -> None:
    """NotFound naming the option when a disk file the plan attaches is not there.

    Any other fault (a disk locked by a running VM, a file that is not a disk) is left to the
    server's answer to the change itself, as is a server without VirtualDiskManager.
    """
    files = attached_files(devices, wanted)
    manager = (client.content or {}).get("virtualDiskManager")
    if not files or manager is None:
        return
    for path, option in files.items():  # each file's datastore was looked up in the catalog
        try:
            client.call(manager, "QueryVirtualDiskUuid", name=path, datacenter=catalog.datacenter)
        except Fault as e:
            if is_not_offered(e):
                return
            if e.name == "FileNotFound":
                raise NotFound(
                    f"{option}: file '{path}' not found (no such disk to attach)"
                ) from None
