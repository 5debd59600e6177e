#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_storage_pool
short_description: NFS and VMFS datastores and iSCSI targets on ESXi hosts - add, remove, refresh
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
  - "O(type=iscsi): a static target (O(name) is the target IQN, O(address), O(target_port)) or, with
    O(discovery=send_targets), a send target (O(address), O(target_port); hosts keep no name for it,
    so O(name) only labels it and the pool is named C(address:port)) on the
    iSCSI adapter O(adapter) or on the software iSCSI adapter of each host, which
    O(enable_software_adapter) enables when the host has none. CHAP (O(chap_name),
    O(chap_secret); mutual with O(mutual_chap_name), O(mutual_chap_secret)) is set on the target.
    Then the adapter is rescanned (RescanHba), so the target's LUNs show as volumes
    (M(viapi.esx.esx_volume_info)). V(absent) removes the target and rescans; a target whose
    LUNs back a mounted datastore is not removed (the refusal names them)."
  - CHAP secrets cannot be read back from a host, so a changed O(chap_secret) alone is not seen
    as a change; the CHAP settings are sent when the target is added or its CHAP names differ.
  - "O(type=vmfs): a VMFS datastore O(name) on the whole LUN O(lun) (canonical name or device
    path) of the one host in O(hosts), with the partition layout the host offers
    (QueryVmfsDatastoreCreateOptions, then CreateVmfsDatastore), O(vmfs_version) 5 or 6. A
    LUN with partitions is refused unless O(overwrite_partitions), and one that backs a VM's raw
    device mapping is always refused; both errors name the LUN and what is on it. The
    datastore spans that one LUN (extents are not managed).
    V(absent) removes it (RemoveDatastore, which deletes a VMFS datastore), refused while
    registered VMs or templates have files there."
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
    description:
      - The pool's name - a datastore's name (V(nfs), V(vmfs)), the target's IQN (V(iscsi)
        static target), or a label of an iSCSI send target.
      - A static target added (O(state=present)) needs an iSCSI name (RFC 3720 3.2.6.3,
        RFC 3980) - C(iqn.yyyy-mm.reversed.domain[:unique]), C(eui.) and 16 hex digits, or
        C(naa.) and 16 or 32 hex digits; another name is an error before any call.
      - An IQN names the configured target in any case (iSCSI names compare as RFC 3722 maps
        them); the calls and the pool use the spelling the hosts have, and a host that lacks
        the target gets that spelling.
      - O(iqn) is an alias, for an iSCSI static target.
    type: str
    required: true
    aliases: [iqn]
  type:
    description: The kind of pool.
    type: str
    choices: [nfs, iscsi, vmfs]
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
    description:
      - The exported path on the server, absolute. Required with V(present).
      - Compared with a mounted export without regard to trailing or doubled slashes
        (V(/exports/iso/) is V(/exports/iso)); O(server) in any case.
    type: str
  nfs_version:
    description:
      - NFS version 3 or 4.1.
      - A host that mounts the datastore with the other version is an error (the version of a
        mounted datastore does not change; unmount it first).
    type: str
    choices: ["3", "4.1"]
    default: "3"
  access:
    description:
      - Mount read-write or read-only.
      - A host that mounts the datastore with the other access mode is an error (it does not
        change while mounted; unmount it first).
    type: str
    choices: [read_write, read_only]
    default: read_write
  hosts:
    description:
      - The hosts, by name. With V(absent) and V(refreshed), every host that mounts it when
        neither O(hosts) nor O(cluster) is given.
      - O(host) is an alias, for the one host of a V(vmfs) pool.
    type: list
    elements: str
    aliases: [host]
  cluster:
    description: Every host of this cluster, instead of O(hosts) (not for a V(vmfs) pool, made on one host).
    type: str
  datacenter:
    description: The datacenter to look in (vCenter).
    type: str
  address:
    description: The iSCSI target's (or send target's) address. Required with O(type=iscsi).
    type: str
  target_port:
    description: The iSCSI target's (or send target's) TCP port.
    type: int
    default: 3260
  discovery:
    description:
      - V(static) configures the static target O(name) (an IQN); V(send_targets) configures a
        send target (dynamic discovery), whose targets the rescan adds as static targets and
        the result lists as RV(discovered).
    type: str
    choices: [static, send_targets]
    default: static
  adapter:
    description:
      - The iSCSI adapter's device (C(vmhba65)); the host's software adapter when not given.
      - With V(absent), the target is removed from this adapter only (a host without it is an
        error); without it, from every adapter of the host that has the target.
    type: str
  lun:
    description:
      - The LUN of a VMFS pool, by canonical name (C(naa.…)) or device path. Required with
        O(type=vmfs) and V(present).
    type: str
  vmfs_version:
    description: The VMFS major version of a new VMFS pool.
    type: str
    choices: ["5", "6"]
    default: "6"
  overwrite_partitions:
    description:
      - Make a V(vmfs) pool on a LUN that has partitions, replacing them (their data is lost).
        Without it such a LUN is refused, and the error lists its partitions
        (HostStorageSystem.RetrieveDiskPartitionInfo).
      - A LUN that backs a raw device mapping of a VM is refused whatever this says.
    type: bool
    default: false
  enable_software_adapter:
    description: Enable software iSCSI on a host that has no software adapter.
    type: bool
    default: false
  chap_name:
    description: The CHAP name the host gives the target (CHAP required).
    type: str
  chap_secret:
    description: The CHAP secret. Required with O(chap_name); never shown.
    type: str
  mutual_chap_name:
    description: The CHAP name the target gives the host (mutual CHAP); needs O(chap_name).
    type: str
  mutual_chap_secret:
    description: The mutual CHAP secret. Required with O(mutual_chap_name); never shown.
    type: str
  wait_timeout:
    description:
      - Seconds the whole run may take - every read, rescan, mount and target change together.
        The calls are synchronous (RescanAllHba, RescanVmfs, CreateNasDatastore, ...), so each
        may take all that is left of it, longer than the connection's O(timeout) (a rescan of
        a host with many LUNs can).
      - When it runs out the module fails naming the call and the host, and what was done
        before it. A rescan cut short goes on on the host, which finishes it; a refresh run
        again then sees what it found. No call is sent once it has run out.
    type: int
    default: 3600
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

- name: An iSCSI static target with CHAP on the software adapter of two hosts
  viapi.esx.esx_storage_pool:
    name: iqn.2003-01.org.linux-iscsi.storage1.x8664:sn.1f6a2c3b4d5e
    type: iscsi
    address: 192.168.50.10
    hosts: [DC0_H0, DC0_C0_H0]
    enable_software_adapter: true
    chap_name: esx
    chap_secret: "{{ iscsi_chap_secret }}"

- name: A VMFS datastore on one of its LUNs, on one host
  viapi.esx.esx_storage_pool:
    name: vmfs-data
    type: vmfs
    lun: naa.600140500a0348a022e8ca87e6be41bc
    hosts: [DC0_H0]

- name: Unmount the NFS datastore everywhere
  viapi.esx.esx_storage_pool:
    name: nfs-iso
    state: absent
"""

RETURN = r"""
pool:
  description:
    - The pool after the run, as M(viapi.esx.esx_storage_pool_info) returns it (in check mode
      its predicted hosts), null once unmounted from every host. For a send target, the pool of
      type C(iscsi_send_target) named C(address:port).
  returned: success
  type: dict
  sample: {name: nfs-iso, backend: datastore, type: nfs, hosts: [DC0_C0_H0, DC0_C0_H1]}
actions:
  description: The calls made (or that would be, in check mode), one per host and call.
  returned: success
  type: list
  elements: dict
  sample: [{host: DC0_C0_H0, action: mount, method: CreateNasDatastore}]
discovered:
  description: The iSCSI pools (targets) a send target found, as M(viapi.esx.esx_storage_pool_info) returns them.
  returned: with O(discovery=send_targets)
  type: list
  elements: dict
diff:
  description: The pool before and after (with C(--diff)).
  returned: with --diff
  type: dict
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.storage import pool
from ansible_collections.viapi.esx.plugins.module_utils.storage.pool import PoolRequest

ARGS = {
    "name": {"type": "str", "required": True, "aliases": ["iqn"]},
    "type": {"type": "str", "choices": list(pool.TYPES), "default": "nfs"},
    "state": {"type": "str", "choices": list(pool.STATES), "default": "present"},
    "server": {"type": "str"},
    "path": {"type": "str"},
    "nfs_version": {"type": "str", "choices": list(pool.NFS_TYPES), "default": "3"},
    "access": {"type": "str", "choices": list(pool.ACCESS), "default": "read_write"},
    "hosts": {"type": "list", "elements": "str", "aliases": ["host"]},
    "cluster": {"type": "str"},
    "datacenter": {"type": "str"},
    "force": {"type": "bool", "default": False},
    "address": {"type": "str"},
    "target_port": {"type": "int", "default": 3260},
    "discovery": {"type": "str", "choices": list(pool.DISCOVERY), "default": "static"},
    "adapter": {"type": "str"},
    "enable_software_adapter": {"type": "bool", "default": False},
    "lun": {"type": "str"},
    "vmfs_version": {"type": "str", "choices": ["5", "6"], "default": "6"},
    "overwrite_partitions": {"type": "bool", "default": False},
    "chap_name": {"type": "str"},
    "chap_secret": {"type": "str", "no_log": True},
    "mutual_chap_name": {"type": "str"},
    "mutual_chap_secret": {"type": "str", "no_log": True},
    "wait_timeout": {"type": "int", "default": 3600},
}


def request(params: dict, check_mode: bool) -> PoolRequest:
    """The typed request the runner takes, built once from the options and validated."""
    built = PoolRequest(
        name=params["name"], state=params.get("state") or "present",
        type=params.get("type") or "nfs", server=params.get("server"),
        path=params.get("path"), nfs_version=params.get("nfs_version") or "3",
        access=params.get("access") or "read_write",
        hosts=tuple(dict.fromkeys(params.get("hosts") or ())),  # a host named twice is one host
        cluster=params.get("cluster"), datacenter=params.get("datacenter"),
        address=params.get("address"), port=params.get("target_port") or 3260,
        discovery=params.get("discovery") or "static", adapter=params.get("adapter"),
        enable_software_adapter=bool(params.get("enable_software_adapter")),
        chap_name=params.get("chap_name"), chap_secret=params.get("chap_secret"),
        mutual_chap_name=params.get("mutual_chap_name"),
        mutual_chap_secret=params.get("mutual_chap_secret"), lun=params.get("lun"),
        vmfs_version=params.get("vmfs_version") or "6",
        overwrite_partitions=bool(params.get("overwrite_partitions")),
        wait_timeout=params.get("wait_timeout") or 3600.0, check_mode=check_mode,
    )  # fmt: skip
    built.validate()
    return built


def run(module, client) -> dict:
    """Run the pool runner on the request built from the options."""
    return module.run_request(client, pool.run)


def main():
    EsxModule(
        ARGS, positive=("wait_timeout",), supports_check_mode=True,
        mutually_exclusive=[("hosts", "cluster")],
    ).run(run, request)  # fmt: skip


if __name__ == "__main__":
    main()
