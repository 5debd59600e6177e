# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """esx_vm's placement options: where a new VM goes (vm/request.py's PlacementRequest, less
    the folder and datacenter of the identity options)."""

    DOCUMENTATION = r"""
options:
  host:
    description:
      - Placement of a new VM - the ESXi host (its name in the inventory). Ignored, with no
        change reported, when the VM exists.
    type: str
  cluster:
    description:
      - Placement of a new VM - the cluster; the VM goes to its root resource pool unless
        O(resource_pool) is set. Ignored when the VM exists.
      - Not needed on a standalone ESXi host or when the datacenter has a single host or
        cluster.
      - Without O(host), DRS places the VM when the cluster has DRS on; otherwise the VM goes
        to the cluster's first host (by name) that is connected, not in maintenance mode and
        mounts O(datastore) when it is set (for a clone without O(datastore), one that mounts
        the source's datastore when any does).
    type: str
  resource_pool:
    description: Placement of a new VM - the resource pool (by name). Ignored when the VM exists.
    type: str
  datastore:
    description:
      - Placement of a new VM - the datastore of its files and (by default) of its disks.
        Defaults to the only datastore the host or cluster sees. Ignored when the VM exists.
    type: str
"""
