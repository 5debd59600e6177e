#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_volume
short_description: Create, grow, copy, wipe, upload, download and delete volumes of vCenter or ESXi storage pools
version_added: 0.2.0
description:
  - Makes one volume of a storage pool (see M(viapi.esx.esx_volume_info)) as asked, the way
    libvirt's vol-create, vol-clone, vol-resize, vol-wipe, vol-upload, vol-download and
    vol-delete do on an ESX storage pool.
  - "A VMDK in a datastore (O(name) ending in C(.vmdk), without O(src) or O(dest)): V(present)
    creates it (O(size_gb) or O(size_mb), O(format)), or copies O(source) to it; grows it when the
    size asked is larger (a smaller size is an error naming both sizes); inflates a thin disk when
    O(format) is V(thick) or V(eager_zeroed); zero-fills it with O(wipe). V(absent) deletes it,
    descriptor and data files."
  - "Any file in a datastore: O(src) uploads a local file to O(name), O(dest) downloads O(name)
    to a local path, both through the server's HTTPS file access (C(/folder)), streamed (a file
    is never held in memory) and checked by size. When both sides have the same size and the
    same SHA-256 nothing is sent (comparing reads both files once). V(absent) deletes the file."
  - "O(dest) on a VMDK descriptor (O(name) C(dir/disk.vmdk)) downloads the disk: the descriptor
    and every data file its extents name (C(disk-flat.vmdk), C(disk-000001-delta.vmdk),
    C(disk-f001.vmdk) ...), each compared and fetched as a single file is. A ZERO extent has no
    file, and a hosted sparse disk (monolithicSparse, streamOptimized) is one binary file,
    downloaded as it is. A raw device mapping or raw disk (a VMFSRDM or VMFSRAW extent) is refused: its data is
    on a device, and its descriptor alone is no usable disk. A descriptor that cannot be read, or
    that names a data file that is not in its folder of the datastore, is an error naming the
    volume; dest is left as it was."
  - Folders in the datastore are made as needed (FileManager.MakeDirectory).
  - A VMDK that a VM uses is never grown, inflated, wiped or deleted here, and a file in the
    home folder or file layout of a registered VM or template is never deleted; the refusal
    names the VMs. Change a VM's disks with M(viapi.esx.esx_vm).
  - An iSCSI LUN (O(pool) is a target) is only checked to be there; LUNs are made and removed
    on the storage array, and V(absent) on a LUN is an error that says so.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
attributes:
  check_mode:
    support: full
    description:
      - Reports what would change and the volume as it would be; sends no call that changes
        anything and writes no local file. The comparisons of O(src) or O(dest) still read the
        files.
  diff_mode:
    support: full
    description:
      - Shows the volume before and after (with O(dest), the local file's path and size).
options:
  name:
    description:
      - The volume - a path in the pool (C(dir/disk.vmdk), C(iso/tools.iso)) or a datastore
        path C([datastore] dir/disk.vmdk), which names the pool too; or a LUN's canonical name
        or device path when O(pool) is an iSCSI target.
      - A path in a datastore starts at its top, with or without a leading C(/).
      - A folder of the datastore is not a volume - O(src), O(dest) or V(absent) on one is an
        error; name the file.
    type: str
    required: true
  pool:
    description:
      - The pool by name or uuid (see M(viapi.esx.esx_storage_pool_info)). Required unless
        O(name) is a datastore path; when both are given they must agree.
    type: str
  state:
    description:
      - V(present) makes the volume as asked, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  size_gb:
    description:
      - The size of a VMDK in GiB. Required to create one (unless O(source) is given); a larger
        size grows an existing disk (ExtendVirtualDisk_Task). Excludes O(size_mb).
    type: int
  size_mb:
    description:
      - The size of a VMDK in MiB, as O(size_gb).
    type: int
  format:
    description:
      - How a new VMDK is provisioned; V(thin) when not given.
      - For an existing thin disk, V(thick) or V(eager_zeroed) inflates it
        (InflateVirtualDisk_Task, which allocates and zeroes all of it). A thick disk is never
        made thin in place (an error); copy it with O(source) and V(thin) on ESXi.
      - A disk no VM uses shows as thick whether it was eagerly zeroed or not (the datastore
        browser does not say), so V(eager_zeroed) on an existing thick disk changes nothing.
      - With O(source), vCenter copies preallocated (thick) only; V(thin) and V(eager_zeroed)
        copies need a connection to the ESXi host.
    type: str
    choices: [thin, thick, eager_zeroed]
  adapter_type:
    description:
      - The adapter type written into a new VMDK (VirtualDiskAdapterType).
    type: str
    choices: [lsiLogic, busLogic, ide]
    default: lsiLogic
  source:
    description:
      - Another VMDK, in any datastore pool, given as C([datastore] dir/disk.vmdk), that a new
        VMDK is copied from (CopyVirtualDisk_Task) instead of being created empty. Not used when
        O(name) exists already.
      - Without O(format) the copy is preallocated (thick), as the API defines.
    type: str
  wipe:
    description:
      - Zero-fill the VMDK (ZeroFillVirtualDisk_Task). All its data is lost.
      - This is an action, like a service's V(restarted); every run that sets it and finds the
        disk there zero-fills it and reports a change, in check mode too. Nothing on the
        server says whether a disk holds only zeros (no property, no answer of
        ZeroFillVirtualDisk_Task), and a guest may have written to it since, so a second run
        cannot know the wipe is done; reading the whole disk to find out would cost as much as
        the wipe.
      - A disk this run creates empty is zeroed already (whatever its O(format)) and is not
        wiped; a disk this run copies from O(source) is wiped after the copy.
      - Set it in a task of its own (or under C(when)), not in the task that keeps a disk
        present, so that later runs do not wipe the disk again; a disk a VM uses is refused.
    type: bool
    default: false
  src:
    description:
      - A local file (on the host that runs the module) to upload to O(name).
    type: path
  dest:
    description:
      - A local path to download O(name) to; an existing directory takes the file's own name.
        The file is written beside it first and renamed when complete.
      - "For a VMDK descriptor, its data files are written beside it under their own names
        (C(dest: /backup/web01.vmdk) gives C(/backup/web01.vmdk) and C(/backup/disk-flat.vmdk)):
        the descriptor names them relative to itself, so a renamed data file would break it. Give
        a directory to keep the disk's own names. The files that differ are all fetched first,
        and renamed in place only when every one is complete (the descriptor last)."
      - "A delta disk (a snapshot's or a linked clone's) needs its parent disk, which is not
        fetched with it: RV(transfer.parent) names it, download it too."
    type: path
  datacenter:
    description:
      - The datacenter of the pool (vCenter), when pools of several datacenters share a name.
    type: str
  wait_timeout:
    description:
      - Seconds the whole run may take - every server call, task, comparison and transfer
        together. No call is sent once it has run out; each answer of the server still comes
        within the connection's O(timeout).
      - A task still running then goes on on the server (the module fails naming it); a
        download cut short leaves O(dest) (and a VMDK's data files beside it) as it was.
    type: int
    default: 3600
notes:
  - The C(/folder) transfers use the session, TLS settings and proxy of the connection.
  - O(src) uploads one file. Uploading a VMDK descriptor uploads that file only; upload each of
    its data files too (O(name) C(dir/disk-flat.vmdk)).
  - A disk's change tracking file (C(-ctk.vmdk)) is no data of the disk and is not downloaded.
  - See docs/storage.md "Changing storage" in the collection for the libvirt correspondence.
seealso:
  - module: viapi.esx.esx_volume_info
  - module: viapi.esx.esx_storage_pool_info
"""

EXAMPLES = r"""
# Connection options are left to module_defaults (group/viapi.esx.esx) or the VMWARE_* variables.
- name: A 256 MiB thin disk no VM uses yet
  viapi.esx.esx_volume:
    pool: LocalDS_0
    name: disks/data.vmdk
    size_mb: 256

# A VMDK downloads as a disk: its descriptor and the data files it names (data-flat.vmdk).
- name: Download the disk to the playbook's directory
  viapi.esx.esx_volume:
    name: "[LocalDS_0] disks/data.vmdk"
    dest: "{{ playbook_dir }}"

- name: Grow it to 512 MiB and make it thick
  viapi.esx.esx_volume:
    name: "[LocalDS_0] disks/data.vmdk"
    size_mb: 512
    format: thick

- name: A copy of it (preallocated)
  viapi.esx.esx_volume:
    pool: LocalDS_0
    name: disks/data-copy.vmdk
    source: "[LocalDS_0] disks/data.vmdk"

# wipe is an action (every run that sets it zero-fills the disk): give it a task of its own.
- name: Zero-fill the copy
  viapi.esx.esx_volume:
    name: "[LocalDS_0] disks/data-copy.vmdk"
    wipe: true

- name: Upload an ISO kept beside the playbook (nothing is sent when the same file is there)
  viapi.esx.esx_volume:
    pool: LocalDS_0
    name: iso/tools.iso
    src: "{{ playbook_dir }}/files/tools.iso"

- name: Download it again
  viapi.esx.esx_volume:
    pool: LocalDS_0
    name: iso/tools.iso
    dest: "{{ playbook_dir }}/tools-downloaded.iso"

- name: Delete the copy and the ISO
  viapi.esx.esx_volume:
    pool: LocalDS_0
    name: "{{ item }}"
    state: absent
  loop:
    - disks/data-copy.vmdk
    - iso/tools.iso
"""

RETURN = r"""
volume:
  description:
    - The volume after the run (as M(viapi.esx.esx_volume_info) returns it; predicted in check
      mode), null once deleted. With O(dest), the volume downloaded (RV(transfer) describes the
      local file).
  returned: success
  type: dict
  sample:
    name: disks/data.vmdk
    path: "[LocalDS_0] disks/data.vmdk"
    pool: LocalDS_0
    type: file
    format: vmdk
    capacity_bytes: 10737418240
    thin: true
    disk_type: thin
    attached_to: []
actions:
  description:
    - What was done (or would be, in check mode), in order - mkdir, create, copy, extend,
      inflate, wipe, upload, download, delete. Empty when nothing changed. V(mkdir) only when
      the volume's folder is not there yet.
  returned: success
  type: list
  elements: str
  sample: [extend, inflate]
transfer:
  description:
    - The local file of an upload or download - src or dest, size_bytes, sha256 (null in check
      mode for a file that would be fetched). For a VMDK download, this is the descriptor, and
      RV(transfer.extents) its data files.
  returned: when O(src) or O(dest) is given
  type: dict
  sample: {src: /srv/iso/tools.iso, size_bytes: 12345, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
  contains:
    extents:
      description:
        - The data files of a downloaded VMDK, in the descriptor's order, each once - name (as
          the descriptor names it), type (the extent type - VMFS, FLAT, VMFSSPARSE, SESPARSE,
          SPARSE), dest, size_bytes, sha256. Empty for a hosted sparse disk, which is one file.
      returned: with O(dest) on a VMDK descriptor
      type: list
      elements: dict
      sample:
        - name: disk-flat.vmdk
          type: VMFS
          dest: /backup/disks/disk-flat.vmdk
          size_bytes: 10737418240
          sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
    parent:
      description:
        - The parent disk a downloaded delta disk needs, as its descriptor's parentFileNameHint
          gives it (a name in its folder, or a path on the host for a linked clone's base
          disk); null for a base disk.
      returned: with O(dest) on a VMDK descriptor
      type: str
      sample: disk.vmdk
diff:
  description:
    - The volume before and after (with O(dest), the local file's dest and size_bytes; for a VMDK
      also its data files' under C(extents)).
  returned: with --diff
  type: dict
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.storage import volume
from ansible_collections.viapi.esx.plugins.module_utils.storage.volume import VolumeRequest

ARGS = {
    "name": {"type": "str", "required": True},
    "pool": {"type": "str"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "size_gb": {"type": "int"},
    "size_mb": {"type": "int"},
    "format": {"type": "str", "choices": ["thin", "thick", "eager_zeroed"]},
    "adapter_type": {"type": "str", "choices": list(volume.ADAPTERS), "default": "lsiLogic"},
    "source": {"type": "str"},
    "wipe": {"type": "bool", "default": False},
    "src": {"type": "path"},
    "dest": {"type": "path"},
    "datacenter": {"type": "str"},
    "wait_timeout": {"type": "int", "default": 3600},
}


def request(params: dict, check_mode: bool) -> VolumeRequest:
    """The typed request the runner takes, built once from the options and validated."""
    pool, name = volume.pool_and_name(params.get("pool"), params["name"])
    size_kb, size_option = volume.requested_size(params.get("size_gb"), params.get("size_mb"))
    built = VolumeRequest(
        name=name, pool=pool, state=params.get("state") or "present", size_kb=size_kb,
        size_option=size_option, format=params.get("format"),
        adapter_type=params.get("adapter_type") or "lsiLogic", source=params.get("source"),
        wipe=bool(params.get("wipe")), src=params.get("src"), dest=params.get("dest"),
        datacenter=params.get("datacenter"), wait_timeout=params.get("wait_timeout") or 3600.0,
        check_mode=check_mode, datastore=volume.named_datastore(params.get("pool"), params["name"]),
    )  # fmt: skip
    built.validate()
    return built


def run(module, client) -> dict:
    """Run the volume runner on the request built from the options."""
    return module.run_request(client, volume.run)


def main():
    EsxModule(
        ARGS,
        positive=("wait_timeout",),
        supports_check_mode=True,
        mutually_exclusive=[("size_gb", "size_mb"), ("src", "dest")],
    ).run(run, request)


if __name__ == "__main__":
    main()
