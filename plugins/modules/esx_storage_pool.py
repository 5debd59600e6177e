#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_storage_pool
short_description: Mount, unmount and refresh NFS datastores on ESXi hosts
version_added: 0.2.0
description:
  - Makes one storage pool (see M(viapi.esx.esx_storage_pool_info)) as asked, the way libvirt's
    pool-define and pool-start, pool-destroy and pool-undefine, and pool-refresh do.
  - "V(present): the NFS export O(server):O(path) is mounted as datastore O(name) on each host
    of O(hosts), or on every host of O(cluster) (HostDatastoreSystem.CreateNasDatastore). An
    export has one name everywhere: a host that mounts it under another name, or has a datastore
    O(name) from another export, is an error naming both."
  - "V(absent): the datastore is unmounted (HostDatastoreSystem.RemoveDatastore) from the hosts
    given, or from every host that mounts it. A datastore that holds files of registered VMs or
    templates is not removed; the refusal lists them. O(force) does not override this."
  - "V(refreshed): every host bus adapter and VMFS volume of the hosts is rescanned
    (RescanAllHba, RescanVmfs) and the datastore refreshed (RefreshDatastore); the run reports a
    change only when a host sees a datastore or a LUN it did not see before."
  - Only O(type=nfs) is offered for now; VMFS datastores and iSCSI targets are not made here yet.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
attributes:
  check_mode:
    support: full
    description:
      - Reports the mounts and unmounts that would be made and the pool as it would be; sends no
        call that changes anything. For V(refreshed) nothing is rescanned, so it cannot tell
        whether something new would appear and reports no change.
  diff_mode:
    support: full
    description: Shows the pool before and after (its hosts, in check mode).
options:
  name:
    description: The datastore's name.
    type: str
    required: true
  type:
    description: The kind of pool.
    type: str
    choices: [nfs]
    default: nfs
  state:
    description:
      - V(present) mounts it, V(absent) unmounts it, V(refreshed) rescans and refreshes.
    type: str
    choices: [present, absent, refreshed]
    default: present
  server:
    description: The NFS server's name or address. Required with V(present).
    type: str
  path:
    description: The exported path on the server, absolute. Required with V(present).
    type: str
  nfs_version:
    description: NFS version 3 or 4.1.
    type: str
    choices: ["3", "4.1"]
    default: "3"
  access:
    description: Mount read-write or read-only.
    type: str
    choices: [read_write, read_only]
    default: read_write
  hosts:
    description:
      - The hosts, by name. With V(absent) and V(refreshed), every host that mounts it when
        neither O(hosts) nor O(cluster) is given.
    type: list
    elements: str
  cluster:
    description: Every host of this cluster, instead of O(hosts).
    type: str
  datacenter:
    description: The datacenter to look in (vCenter).
    type: str
  force:
    description:
      - Accepted for familiarity and overrides nothing; a datastore with files of registered VMs
        or templates is never removed.
    type: bool
    default: false
seealso:
  - module: viapi.esx.esx_storage_pool_info
  - module: viapi.esx.esx_volume
"""

EXAMPLES = r"""
# Connection options are left to module_defaults (group/viapi.esx.esx) or the VMWARE_* variables.
- name: Mount an NFS export on every host of a cluster
  viapi.esx.esx_storage_pool:
    name: nfs-iso
    type: nfs
    server: nas.example.com
    path: /exports/iso
    access: read_only
    cluster: DC0_C0

- name: Rescan the hosts that mount it
  viapi.esx.esx_storage_pool:
    name: nfs-iso
    state: refreshed

- name: Unmount it everywhere
  viapi.esx.esx_storage_pool:
    name: nfs-iso
    state: absent
"""

RETURN = r"""
pool:
  description:
    - The pool after the run, as M(viapi.esx.esx_storage_pool_info) returns it (in check mode
      its predicted hosts), null once unmounted from every host.
  returned: success
  type: dict
  sample: {name: nfs-iso, backend: datastore, type: nfs, hosts: [DC0_C0_H0, DC0_C0_H1]}
actions:
  description: The calls made (or that would be, in check mode), one per host and call.
  returned: success
  type: list
  elements: dict
  sample: [{host: DC0_C0_H0, action: mount, method: CreateNasDatastore}]
diff:
  description: The pool before and after (with C(--diff)).
  returned: with --diff
  type: dict
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.storage import pool
from ansible_collections.viapi.esx.plugins.module_utils.storage.pool import PoolRequest

ARGS = {
    "name": {"type": "str", "required": True},
    "type": {"type": "str", "choices": ["nfs"], "default": "nfs"},
    "state": {"type": "str", "choices": list(pool.STATES), "default": "present"},
    "server": {"type": "str"},
    "path": {"type": "str"},
    "nfs_version": {"type": "str", "choices": list(pool.NFS_TYPES), "default": "3"},
    "access": {"type": "str", "choices": list(pool.ACCESS), "default": "read_write"},
    "hosts": {"type": "list", "elements": "str"},
    "cluster": {"type": "str"},
    "datacenter": {"type": "str"},
    "force": {"type": "bool", "default": False},
}


def run(module, client) -> dict:
    """Build the request once and run the pool runner."""
    result = pool.run(client, PoolRequest.from_params(module.params, module.check_mode))
    if not module.diff_mode:
        result.pop("diff")
    return result


def main():
    EsxModule(ARGS, supports_check_mode=True, mutually_exclusive=[("hosts", "cluster")]).run(run)


if __name__ == "__main__":
    main()
