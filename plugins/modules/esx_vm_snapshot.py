#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_vm_snapshot
short_description: Create, remove, revert and rename snapshots of a virtual machine
version_added: 0.2.0
description:
  - Manages one snapshot of one VM, named by O(snapshot_name), O(snapshot_path) or
    O(snapshot_id), or all of them (O(remove_all)).
  - vSphere does not keep snapshot names unique. A O(snapshot_name) that more than one snapshot
    of the VM has is an error that lists their paths; O(snapshot_path) or O(snapshot_id) then
    say which one is meant. Two snapshots of one parent may share a name too; a
    O(snapshot_path) through them is an error that lists their ids, for O(snapshot_id).
  - V(present) creates the snapshot when the VM has none of that name (for O(snapshot_path), at
    that path), and otherwise reports no change, unless O(description), O(new_description) or
    O(new_snapshot_name) differ from what the snapshot has, which updates it in place.
    vSphere creates a new snapshot below the VM's current snapshot; a O(snapshot_path) whose
    parent is not the current snapshot is an error (revert to the parent first).
  - V(absent) removes the snapshot (and with O(remove_children) its children; without, they take
    its place in the tree), or every snapshot with O(remove_all). A snapshot that does not exist
    is no change.
  - V(reverted) reverts the VM to the snapshot, or with O(current) to its current snapshot.
    A revert always reports a change - it discards the VM's running state since the snapshot,
    which the module cannot compare.
  - Snapshot names are sent and read like VM names (a C(/) in a name is C(%2f) on the server),
    so a name reads back as written.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.vm_identity
attributes:
  check_mode:
    support: full
    description: Reports what would change and the tree it would leave; sends no snapshot call.
  diff_mode:
    support: full
    description: Shows the VM's snapshot tree and its current snapshot before and after.
options:
  state:
    description:
      - V(present) creates (or updates) the snapshot, V(absent) removes it, V(reverted) reverts
        the VM to it.
    type: str
    choices: [present, absent, reverted]
    default: present
  snapshot_name:
    description:
      - The snapshot's name, anywhere in the VM's snapshot tree. A new snapshot with this name
        is created below the current snapshot.
    type: str
  snapshot_path:
    description:
      - The snapshot's path from a root snapshot, names joined by C(/), for example
        C(before-patch/after-reboot). A C(/) inside a name is written C(%2f).
    type: str
  snapshot_id:
    description:
      - The snapshot's id, as the facts give it (C(id), the snapshot's managed object id such as
        C(snapshot-42)), or its number within the VM (C(number)). Names an existing snapshot
        only.
    type: str
  description:
    description:
      - The snapshot's description. On an existing snapshot a different, non-empty description
        is an update (vSphere keeps the old description when the new one is empty).
      - Only with V(present); with another O(state) it is an error.
    type: str
  memory:
    description:
      - With V(present), include the memory of a running VM in the new snapshot, so that a
        revert resumes the VM where it was. V(true) with another O(state) fails.
      - Without it, the snapshot of a running VM records the state V(powered_off) (the
        server's rule), and a revert to it powers the VM off. A suspended VM's memory is
        always included.
    type: bool
    default: false
  quiesce:
    description:
      - With V(present), ask VMware Tools to quiesce the guest's file systems before the
        snapshot is taken. V(true) with another O(state) fails.
      - The server ignores it unless the VM is powered on with VMware Tools running; the
        snapshot's C(quiesced) then reads V(false).
    type: bool
    default: false
  remove_children:
    description:
      - With V(absent), remove the snapshot's children too. V(true) with another O(state), or
        with O(remove_all), fails.
    type: bool
    default: false
  consolidate:
    description:
      - With V(absent), consolidate the VM's disks after the removal (the server's default).
        V(false) leaves redundant delta disks in place, to consolidate later; the server then
        reports that the VM needs consolidation (C(runtime.consolidationNeeded)). V(false)
        with another O(state) fails.
    type: bool
    default: true
  remove_all:
    description:
      - With V(absent) and no snapshot named, remove every snapshot of the VM.
    type: bool
    default: false
  current:
    description:
      - With V(reverted) and no snapshot named, revert to the VM's current snapshot.
    type: bool
    default: false
  suppress_power_on:
    description:
      - With V(reverted), leave the VM powered off even if the snapshot was taken while it ran.
        V(true) with another O(state) fails.
      - Without it, a revert gives the VM the power state of the snapshot (C(state) in its
        facts), so a revert of a powered-off VM to a snapshot taken with O(memory) powers it
        on.
    type: bool
    default: false
  new_snapshot_name:
    description:
      - With V(present), the name the existing snapshot gets. When the snapshot is not found
        under its old name but is under the new one, nothing changes (the rename was done).
      - A sibling with that name refuses the rename (the two would share one path). Named by
        O(snapshot_name), a snapshot with that name anywhere in the tree refuses it too, as the
        next run would find two by the new name. Use O(snapshot_path) or O(snapshot_id) to
        rename a snapshot to a name used elsewhere.
    type: str
  new_description:
    description:
      - With V(present), the description the existing snapshot gets (overrides O(description)),
        or the one a snapshot created by the run gets.
    type: str
  wait_timeout:
    description:
      - Seconds to wait for the snapshot task. A task still running then is reported with its
        id; it goes on on the server.
    type: int
    default: 3600
notes:
  - Examples assume the connection options are set with C(module_defaults) for the
    C(group/viapi.esx.esx) action group.
seealso:
  - module: viapi.esx.esx_vm_info
"""

EXAMPLES = r"""
- name: Take a snapshot before patching
  viapi.esx.esx_vm_snapshot:
    name: web01
    snapshot_name: before-patch
    description: before the kernel update
    quiesce: true

- name: Take a second one below it, with the memory of the running VM
  viapi.esx.esx_vm_snapshot:
    name: web01
    snapshot_path: before-patch/after-reboot
    memory: true

- name: Go back to the first one, leaving the VM powered off
  viapi.esx.esx_vm_snapshot:
    name: web01
    snapshot_name: before-patch
    state: reverted
    suppress_power_on: true

- name: Rename it
  viapi.esx.esx_vm_snapshot:
    name: web01
    snapshot_name: before-patch
    new_snapshot_name: patched-2026-12

- name: Remove it and everything below it
  viapi.esx.esx_vm_snapshot:
    name: web01
    snapshot_name: patched-2026-12
    state: absent
    remove_children: true

- name: Remove every snapshot of the VM
  viapi.esx.esx_vm_snapshot:
    name: web01
    state: absent
    remove_all: true
"""

RETURN = r"""
snapshot:
  description:
    - The snapshot the task named, as it is after the run (predicted in check mode, where a new
      one has no C(id) yet); null after V(absent).
  returned: success
  type: dict
  contains:
    name:
      description: The snapshot's name.
      type: str
    path:
      description: Its path from a root snapshot (names joined by C(/), a C(/) in a name as C(%2f)).
      type: str
    description:
      description: Its description.
      type: str
    id:
      description: Its managed object id, for example C(snapshot-42).
      type: str
    number:
      description: Its number within the VM (the server's C(id) of the tree node).
      type: int
    created:
      description: When it was taken, ISO 8601 in UTC.
      type: str
    state:
      description: The VM's power state when it was taken (C(powered_on), C(powered_off), C(suspended)).
      type: str
    quiesced:
      description: Whether the guest was quiesced for it.
      type: bool
    children:
      description: The snapshots below it, each of the same shape.
      type: list
      elements: dict
snapshots:
  description: The VM's snapshot tree after the run (the root snapshots, each as RV(snapshot)).
  returned: success, and when a task failed after changing the tree
  type: list
  elements: dict
current_snapshot:
  description: The VM's current snapshot (C(name), C(path), C(id)), null when it has none.
  returned: success, and when a task failed after changing the tree
  type: dict
snapshot_count:
  description: How many snapshots the VM has after the run.
  returned: success, and when a task failed after changing the tree
  type: int
task:
  description:
    - The id of a task still running on the server when the module gave up waiting, or of a
      task that failed after changing the snapshot tree.
  returned: when a task timed out, or failed after changing the tree
  type: str
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.vm import snapshots
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import (
    IDENTITY_ARGS,
    IDENTITY_RULES,
)
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity, field_names
from ansible_collections.viapi.esx.plugins.module_utils.vm.snapshots import SnapshotRequest

ARGS = dict(IDENTITY_ARGS)
ARGS.update(
    {
        "state": {
            "type": "str",
            "choices": ["present", "absent", "reverted"],
            "default": "present",
        },
        "snapshot_name": {"type": "str"},
        "snapshot_path": {"type": "str"},
        "snapshot_id": {"type": "str"},
        "description": {"type": "str"},
        "memory": {"type": "bool", "default": False},
        "quiesce": {"type": "bool", "default": False},
        "remove_children": {"type": "bool", "default": False},
        "consolidate": {"type": "bool", "default": True},
        "remove_all": {"type": "bool", "default": False},
        "current": {"type": "bool", "default": False},
        "suppress_power_on": {"type": "bool", "default": False},
        "new_snapshot_name": {"type": "str"},
        "new_description": {"type": "str"},
        "wait_timeout": {"type": "int", "default": 3600},
    }
)


def request(params: dict, check_mode: bool) -> SnapshotRequest:
    """The typed request the runner takes, built once from the options and validated."""
    names = ("name", "uuid", "use_instance_uuid", "moid", "folder", "datacenter")
    identity = VmIdentity(**{k: params.get(k) for k in names if params.get(k) is not None})
    own = {k: params[k] for k in field_names(SnapshotRequest) if params.get(k) is not None}
    own.pop("identity", None)
    own.pop("check_mode", None)
    built = SnapshotRequest(identity=identity, check_mode=check_mode, **own)
    built.validate()
    return built


def run(module, client) -> dict:
    """Run the snapshot runner on the request built from the options."""
    return module.run_request(client, snapshots.run)


def main():
    EsxModule(
        ARGS, positive=("wait_timeout",), supports_check_mode=True,
        mutually_exclusive=[("snapshot_name", "snapshot_path", "snapshot_id")]
        + IDENTITY_RULES["mutually_exclusive"],
        required_one_of=IDENTITY_RULES["required_one_of"],
    ).run(run, request)  # fmt: skip


if __name__ == "__main__":
    main()
