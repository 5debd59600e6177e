#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_volume_info
short_description: Volumes of vCenter or ESXi storage pools - datastore files and iSCSI LUNs
version_added: 0.1.0
description:
  - Lists the volumes of a storage pool (see M(viapi.esx.esx_storage_pool_info)), or finds
    volumes by path or key, the way libvirt's ESX storage driver shows them.
  - A datastore's volumes are its files (VMDK, ISO, VMX, NVRAM, logs, others) found with one
    datastore browser search per datastore; a VMDK's key is its virtual disk uuid, and the VMs
    using it come from one bulk read of the VMs' disks.
  - An iSCSI target's volumes are its LUNs, from the hosts' storage devices.
  - A path starting with C([) is looked up on datastores, one starting with C(/vmfs/devices/)
    among the LUNs.
  - A O(name), O(key) or O(path) that matches nothing is an error naming what was looked for; a
    O(type) filter that matches nothing returns an empty list.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.attributes.info
options:
  pool:
    description:
      - The pool whose volumes to list, by name or uuid.
      - Required unless O(path) or O(key) is given.
    type: str
  name:
    description:
      - Only the volume with this name in O(pool) - a file's path inside the datastore
        (C(dir/file.vmdk)), or a LUN's canonical name (C(naa.6001405...)).
    type: str
  key:
    description:
      - Only the volume with this key - a VMDK's virtual disk uuid, or the key of a LUN.
      - Without O(pool), every pool is searched (LUNs first).
    type: str
  path:
    description:
      - Only the volume with this path - a datastore path C([datastore] dir/file.vmdk) or a LUN's
        device path C(/vmfs/devices/disks/naa.6001405...).
    type: str
  type:
    description:
      - Only C(file) volumes (datastore files) or C(block) volumes (LUNs).
    type: str
    choices: [file, block]
  host:
    description:
      - Only what this host (by name) sees; a host that does not exist is an error.
    type: str
  datacenter:
    description:
      - Only pools below this datacenter (vCenter); a datacenter that does not exist is an error.
    type: str
notes:
  - See docs/storage.md in the collection for how files and LUNs map to volumes and keys.
seealso:
  - module: viapi.esx.esx_storage_pool_info
"""

EXAMPLES = r"""
# Connection options are left to module_defaults (group/viapi.esx.esx) or the VMWARE_* variables.
# The names are those of the simulator in tests/vcsim started with --iscsi.
- name: Every file of a datastore
  viapi.esx.esx_volume_info:
    pool: LocalDS_0
  register: files

- name: Virtual disks no VM uses
  ansible.builtin.debug:
    msg: "{{ files.volumes | selectattr('format', 'equalto', 'vmdk') | rejectattr('attached_to') | map(attribute='path') }}"

- name: One file by its datastore path
  viapi.esx.esx_volume_info:
    path: "[LocalDS_0] DC0_H0_VM0/disk1.vmdk"
  register: disk

- name: The LUNs behind an iSCSI target
  viapi.esx.esx_volume_info:
    pool: iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e
  register: luns

- name: A LUN by its device path, then by its key
  viapi.esx.esx_volume_info:
    path: "{{ luns.volumes[0].path }}"
  register: by_path

- name: The same LUN by key, searching every pool
  viapi.esx.esx_volume_info:
    key: "{{ by_path.volumes[0].key }}"
  register: by_key

- name: The lookups agree
  ansible.builtin.assert:
    that:
      - disk.volumes[0].attached_to == ['DC0_H0_VM0']
      - by_key.volumes[0].canonical_name == luns.volumes[0].canonical_name
"""

RETURN = r"""
volumes:
  description: The volumes found. Every volume has every key (null where it does not apply).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: A file's path inside its datastore, or a LUN's canonical name.
      type: str
      sample: vm1/vm1.vmdk
    key:
      description:
        - A VMDK's virtual disk uuid (from the disk backing of a VM that uses it, else from
          QueryVirtualDiskUuid where the server has it; null otherwise), or for a LUN the MD5 of
          ScsiLun.uuid printed as a uuid. Null for other files.
        - A VMDK no VM uses whose uuid the server refuses to give (the file was removed or is
          locked) has a null key, and the module warns, naming the file and the fault.
      type: str
      sample: 6000c29a-1b2c-3d4e-5f60-718293a4b5c6
    path:
      description: C([datastore] dir/file), or the LUN's device path.
      type: str
      sample: "[datastore1] vm1/vm1.vmdk"
    pool:
      description: The name of the pool it is in.
      type: str
      sample: datastore1
    pool_uuid:
      description: The uuid of that pool.
      type: str
      sample: 7c1b3f0e-5d7a-2b8e-91a4-0f6c2d3e4b5a
    type:
      description: C(file) or C(block).
      type: str
      sample: file
    format:
      description: vmdk, iso, vmx, nvram, log or other for files; lun for LUNs.
      type: str
      sample: vmdk
    capacity_bytes:
      description:
        - A VMDK's virtual size (from the datastore browser, else from the VM's disk), another
          file's size, or a LUN's blocks x block size.
      type: int
      sample: 42949672960
    allocation_bytes:
      description: Space the file takes on the datastore; a LUN's whole size.
      type: int
      sample: 10737418240
    thin:
      description: Whether a VMDK is thin provisioned (null when unknown, and for other volumes).
      type: bool
      sample: true
    disk_type:
      description:
        - thin, thick, eager_zeroed, rdm or sparse for a VMDK (a disk no VM uses cannot be told
          apart from thick when eager zeroed).
      type: str
      sample: thin
    attached_to:
      description: Names of the VMs that use a VMDK (empty when none; null for other volumes).
      type: list
      elements: str
      sample: [vm1]
    device_path:
      description: A LUN's device path.
      type: str
      sample: /vmfs/devices/disks/naa.600140500a0348a022e8ca87e6be41bc
    canonical_name:
      description: A LUN's canonical name.
      type: str
      sample: naa.600140500a0348a022e8ca87e6be41bc
    display_name:
      description: A LUN's display name.
      type: str
      sample: LIO-ORG iSCSI Disk (naa.600140500a0348a022e8ca87e6be41bc)
    vendor:
      description: A LUN's SCSI vendor (without its padding).
      type: str
      sample: LIO-ORG
    model:
      description: A LUN's SCSI model (without its padding).
      type: str
      sample: block_lun0
    lun_number:
      description: The LUN number on its target.
      type: int
      sample: 0
    operational_state:
      description: A LUN's primary operational state (ok, degraded, off, lostCommunication, ...).
      type: str
      sample: ok
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.storage.facade import VOLUME_TYPES, Storage

ARGUMENT_SPEC = {
    "pool": {"type": "str"},
    "name": {"type": "str"},
    "key": {"type": "str", "no_log": False},  # a volume's uuid, not a secret
    "path": {"type": "str"},
    "type": {"type": "str", "choices": list(VOLUME_TYPES)},
    "host": {"type": "str"},
    "datacenter": {"type": "str"},
}


def volume_info(module, client) -> dict:
    p = module.params
    storage = Storage(client, datacenter=p["datacenter"], host=p["host"])
    volumes = storage.volumes(
        pool=p["pool"], name=p["name"], key=p["key"], path=p["path"], volume_type=p["type"]
    )
    for warning in storage.warnings:
        module.warn(warning)
    return {"changed": False, "volumes": volumes}


def main():
    module = EsxModule(
        ARGUMENT_SPEC,
        supports_check_mode=True,
        required_one_of=[("pool", "path", "key")],
        required_by={"name": "pool"},
    )
    module.run(volume_info)


if __name__ == "__main__":
    main()
