#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_storage_pool_info
short_description: Storage pools of vCenter or ESXi - datastores and iSCSI targets
version_added: 0.1.0
description:
  - Lists the storage pools a vCenter Server or an ESXi host sees, the way libvirt's ESX storage
    driver shows them. Every datastore (VMFS, NFS, NFS 4.1, vSAN, vVol, local) is a pool of
    backend C(datastore); every configured static target of every iSCSI adapter (software and
    hardware) is a pool of backend C(iscsi), type V(iscsi).
  - Every send target (dynamic discovery) is a pool of backend C(iscsi) too, type
    V(iscsi_send_target), named C(address:port) as hosts name it. It lists the targets it
    discovered in RV(pools[].targets); each of those is also a pool of type V(iscsi) whose
    RV(pools[].send_target) names the send target. The LUNs are volumes of the targets, not of
    the send target.
  - Pool uuids are the ones libvirt computes - the MD5 of the datastore's mount path, or of the
    iSCSI target's IQN - so C(virsh pool-list --uuid) and this module agree.
  - Reads in bulk - one read for the datastores (with the hosts and datacenters), one for the
    hosts' storage devices - whatever the number of pools.
  - A O(name) or O(uuid) that matches no pool is an error naming what was looked for; a O(type)
    filter that matches nothing returns an empty list.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.attributes.info
options:
  name:
    description:
      - Only the pool with this name (a datastore name, an iSCSI target IQN, or a send target's
        C(address:port)).
    type: str
  uuid:
    description:
      - Only the pool with this uuid (as returned in RV(pools[].uuid)).
    type: str
  type:
    description:
      - Only pools of these types.
      - V(local) is a datastore on a directory of the host's own file system (LocalDatastoreInfo);
        a VMFS datastore on a local disk is V(vmfs) with RV(pools[].multiple_host_access=false).
    type: list
    elements: str
    choices: [vmfs, nfs, nfs41, vsan, vvol, local, other, iscsi, iscsi_send_target]
  host:
    description:
      - Only what this host (by name) sees - datastores it mounts, targets configured on its
        adapters. Per-host fields (mount path, adapter) are then this host's.
      - A host that does not exist is an error.
    type: str
  datacenter:
    description:
      - Only pools below this datacenter (vCenter); a datacenter that does not exist is an error.
    type: str
notes:
  - See docs/storage.md in the collection for how datastores and iSCSI targets map to pools.
seealso:
  - module: viapi.esx.esx_volume_info
"""

EXAMPLES = r"""
# Connection options are left to module_defaults (group/viapi.esx.esx) or the VMWARE_* variables.
# The names are those of the simulator in tests/vcsim started with --iscsi.
- name: List every pool
  viapi.esx.esx_storage_pool_info:
  register: storage

- name: One datastore by name
  viapi.esx.esx_storage_pool_info:
    name: LocalDS_0
  register: ds

- name: The same pool by its libvirt uuid
  viapi.esx.esx_storage_pool_info:
    uuid: "{{ ds.pools[0].uuid }}"
  register: by_uuid

- name: The iSCSI targets one host has configured
  viapi.esx.esx_storage_pool_info:
    type: [iscsi]
    host: DC0_H0
  register: targets

- name: Show free space per pool, and the iSCSI targets with their adapters
  ansible.builtin.debug:
    msg:
      free: "{{ storage.pools | items2dict(key_name='name', value_name='available_bytes') }}"
      targets: "{{ targets.pools | map(attribute='iqn') | zip(targets.pools | map(attribute='adapter')) }}"

- name: Both lookups found the same datastore
  ansible.builtin.assert:
    that:
      - by_uuid.pools[0].name == 'LocalDS_0'
      - targets.pools | length > 0
"""

RETURN = r"""
pools:
  description:
    - The pools - datastores, iSCSI targets, then send targets - each sorted by name. Every pool
      has every key.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The datastore name, the iSCSI target IQN, or the send target's C(address:port).
      type: str
      sample: datastore1
    uuid:
      description:
        - libvirt's pool uuid - the MD5 of the mount path (datastore) or of the IQN (iSCSI),
          printed as a uuid; for a send target the MD5 of its name. Null for a datastore
          without a mount path or url.
      type: str
      sample: 7c1b3f0e-5d7a-2b8e-91a4-0f6c2d3e4b5a
    backend:
      description: C(datastore) or C(iscsi).
      type: str
      sample: datastore
    type:
      description: vmfs, nfs, nfs41, vsan, vvol, local, other (datastores), iscsi or iscsi_send_target.
      type: str
      sample: vmfs
    state:
      description:
        - C(running), C(inaccessible) (not accessible; for iSCSI, every LUN unreachable) or
          C(maintenance) (datastore in maintenance mode).
      type: str
      sample: running
    capacity_bytes:
      description:
        - Size. For an iSCSI target, the sum of its LUNs; for a send target, of the LUNs of the
          targets it discovered.
      type: int
      sample: 107105746944
    allocation_bytes:
      description: Used (capacity minus free). For an iSCSI target, all of its LUNs.
      type: int
      sample: 45097156608
    available_bytes:
      description: Free space (0 for an iSCSI target).
      type: int
      sample: 62008590336
    accessible:
      description: Whether the pool can be used now.
      type: bool
      sample: true
    multiple_host_access:
      description:
        - Whether more than one host can use it (the server's answer for datastores; when it
          gives none, whether more than one host mounts it).
      type: bool
      sample: true
    url:
      description: The datastore url (null for iSCSI).
      type: str
      sample: ds:///vmfs/volumes/5f1e2d3c-4b5a6978-1a2b-001122334455/
    path:
      description: The datastore's mount path on the host (null for iSCSI).
      type: str
      sample: /vmfs/volumes/5f1e2d3c-4b5a6978-1a2b-001122334455
    hosts:
      description: Names of the hosts that mount the datastore, or have the iSCSI target configured.
      type: list
      elements: str
      sample: [esx1.example.com, esx2.example.com]
    datacenter:
      description: The datacenter of a datastore (null for iSCSI).
      type: str
      sample: DC1
    moid:
      description: The datastore's managed object id (null for iSCSI).
      type: str
      sample: datastore-17
    iqn:
      description: The iSCSI target IQN (null for datastores and send targets).
      type: str
      sample: iqn.1992-08.com.netapp:sn.4082367740:vs.3
    address:
      description: The iSCSI target address (null for datastores).
      type: str
      sample: 192.168.60.20
    port:
      description: The iSCSI target port (null when the server does not say, and for datastores).
      type: int
      sample: 3260
    adapter:
      description: The iSCSI adapter with this target (of the O(host), else the first host listed).
      type: str
      sample: vmhba65
    adapter_type:
      description: C(software) or C(hardware) iSCSI adapter (null for datastores).
      type: str
      sample: software
    send_target:
      description:
        - The send target (its pool name) that discovered this iSCSI target; null for a target
          configured by hand, and for other pools.
      type: str
      sample: 192.168.60.20:3260
    targets:
      description:
        - The IQNs of the iSCSI targets a send target discovered (each a pool of its own); null
          for other pools.
      type: list
      elements: str
      sample: [iqn.1992-08.com.netapp:sn.4082367740:vs.3]
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.storage.facade import Storage

# The pool types the backends report (facade.pool_types()), in the documented order.
POOL_TYPES = [
    "vmfs",
    "nfs",
    "nfs41",
    "vsan",
    "vvol",
    "local",
    "other",
    "iscsi",
    "iscsi_send_target",
]
ARGUMENT_SPEC = {
    "name": {"type": "str"},
    "uuid": {"type": "str"},
    "type": {"type": "list", "elements": "str", "choices": POOL_TYPES},
    "host": {"type": "str"},
    "datacenter": {"type": "str"},
}


def pool_info(module, client) -> dict:
    p = module.params
    storage = Storage(client, datacenter=p["datacenter"], host=p["host"])
    pools = storage.pools(name=p["name"], uuid=p["uuid"], types=p["type"])
    return {"changed": False, "pools": [pool.facts for pool in pools]}


def main():
    EsxModule(ARGUMENT_SPEC, supports_check_mode=True).run(pool_info)


if __name__ == "__main__":
    main()
