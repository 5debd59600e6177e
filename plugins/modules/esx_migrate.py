#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_migrate
short_description: Move a VM to another host, cluster, resource pool or datastore, checked first
version_added: 0.1.0
description:
  - Moves a virtual machine with C(RelocateVM_Task) - a compute migration (vMotion when the VM
    runs), a storage migration, or both at once - after running a library of named
    pre-migration checks against one snapshot of the facts.
  - Every check runs and every result is returned, in a fixed order. Each check has a severity
    (C(critical), C(warning) or C(info)) that O(checks.severity) can change; O(checks.fail_on)
    says what blocks. A blocked migration fails with all check results and moves nothing.
  - On vCenter the server's own checks (C(CheckMigrate_Task), C(CheckRelocate_Task),
    C(QueryVMotionCompatibilityEx_Task)) run too, with the same spec, as the check
    C(server_checks); where the server does not offer them (ESXi) that check is skipped.
  - The VM is found by exactly one of O(name) (optionally in O(folder)), O(uuid) or O(moid);
    O(datacenter) narrows the search for the VM and for the destination.
  - After the task, the VM's placement is read again and compared with what was asked.
  - The checks, their severities and what each reads are listed in the collection's
    C(docs/premigration.md).
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.vm_identity
attributes:
  check_mode:
    support: full
    description:
      - Runs every check (against every candidate host) and reports what would move; starts no
        migration task. On vCenter the server's own checks run too (CheckMigrate_Task,
        CheckRelocate_Task, QueryVMotionCompatibilityEx_Task), tasks that change nothing.
  diff_mode:
    support: none
    description: The returned RV(checks), RV(source) and RV(destination) say what changes.
options:
  host:
    description:
      - The name of the ESXi host to move the VM to.
      - In another cluster or standalone host, the VM goes to that compute resource's root
        resource pool unless O(resource_pool) names another.
      - Mutually exclusive with O(hosts).
    type: str
  hosts:
    description:
      - Candidate hosts to move the VM to; the module chooses one. Every check runs against
        each candidate (from the same two bulk reads); a candidate is accepted when no check
        blocks it and, for a running VM, it has vMotion enabled (also when O(checks) skips
        C(vmotion_enabled)). Of the accepted hosts the one with the most free memory
        (memory size less C(summary.quickStats.overallMemoryUsage)) is chosen, the first
        listed on a tie.
      - When the VM already runs on one of them, it stays there.
      - With O(cluster) or O(resource_pool), a candidate outside that cluster, or outside the
        compute resource the pool belongs to, is refused before any check; when all are, the
        module fails naming each.
      - When no candidate accepts the VM, the module fails and RV(choice) says, per host,
        which checks refused it.
      - RV(choice) reports the chosen host, why, and what refused the others.
      - Mutually exclusive with O(host).
    type: list
    elements: str
    version_added: 0.2.0
  cluster:
    description:
      - The cluster to move the VM to.
      - Without O(host) or O(hosts), on a cluster with DRS enabled, DRS picks the host and
        the checks of the destination host are skipped (O(checks) C(server_checks) still
        cover it); those of the VM and its current host (C(host_devices), C(passthrough),
        C(vmotion_enabled) of the source) still run. On a
        cluster without DRS (where vCenter needs a host named), the module chooses among the
        cluster's hosts as for O(hosts).
      - With O(host) or O(hosts), those hosts must be in this cluster.
    type: str
  resource_pool:
    description:
      - The resource pool to move the VM to, looked up in O(cluster) or in the compute resource
        of O(host) when given.
      - With O(hosts), a candidate outside the cluster or host the pool belongs to is refused
        (C(blocked_by) C(resource_pool) in RV(choice)); the server takes no host outside the
        pool's compute resource.
    type: str
  datastore:
    description:
      - The datastore to move the VM's configuration and disks to (a storage migration).
      - Files on other datastores that are not disks (ISO images) stay where they are.
    type: str
  checks:
    description:
      - Which pre-migration checks run and what blocks the migration.
    type: dict
    default: {}
    suboptions:
      skip:
        description:
          - Checks not to run; they are reported as C(skipped).
        type: list
        elements: str
        default: []
        choices: [vm_state, destination_host_state, same_placement, vmotion_enabled,
                  cpu_compatibility, hardware_version, product_version, shared_storage, networks,
                  host_devices, passthrough, independent_disks, snapshots, destination_memory,
                  datastore_space, server_checks]
      severity:
        description:
          - A new severity per check name - C(critical), C(warning), C(info) or C(ignore).
          - A problem found by a C(critical) check is C(failed), by a C(warning) check
            C(warning), by an C(info) check C(passed) (its message kept).
          - C(ignore) still runs the check and reports what it found as C(skipped); it never
            blocks.
          - A check in O(checks.skip) has no severity to change; naming it here too is an
            error.
        type: dict
        default: {}
      fail_on:
        description:
          - C(critical) blocks on C(failed) results only; C(warning) blocks on warnings too.
        type: str
        choices: [critical, warning]
        default: critical
      snapshot_depth:
        description:
          - The deepest chain of snapshots (root to leaf) the C(snapshots) check passes for a
            storage move; a deeper one is its problem. V(0) flags any snapshot.
        type: int
        default: 8
        version_added: 0.2.0
  wait_timeout:
    description:
      - Seconds to wait for the migration task (and each of the server's check tasks).
      - O(timeout) is the connection option (each answer of the server), not this one.
    type: int
    default: 3600
  priority:
    description:
      - The priority vCenter gives the migration.
    type: str
    choices: [default, high, low]
    default: default
notes:
  - Examples assume the connection options are set with C(module_defaults) for the
    C(group/viapi.esx.esx) action group.
  - All facts the client-side checks need come from two bulk property reads.
"""

EXAMPLES = r"""
# Names as in the simulator's pre-migration model (tests/vcsim/vcsim serve --scenario premigration).
- name: Check whether a VM could move to another host, without moving it
  viapi.esx.esx_migrate:
    name: DC0_C0_RP0_VM0
    host: DC0_C0_H1
  check_mode: true
  register: precheck

- name: Check a move that is blocked (the host is in maintenance mode), without failing the play
  viapi.esx.esx_migrate:
    name: DC0_C0_RP0_VM0
    host: DC0_C0_H2
  check_mode: true
  register: blocked
  failed_when: false

- name: Show what blocked it and every check's verdict
  ansible.builtin.debug:
    msg:
      - "{{ blocked.msg }}"
      - "{{ blocked.blocked_by }}"
      - "{{ blocked.checks | map(attribute='name') | zip(blocked.checks | map(attribute='status')) | list }}"

- name: Let the module choose the host (every check runs against each; the most free memory wins)
  viapi.esx.esx_migrate:
    name: DC0_C0_RP0_VM0
    hosts: [DC0_C0_H3, DC0_C0_H4, DC0_C0_H1]
  check_mode: true
  register: chosen

- name: Show the chosen host, why, and which hosts refused the VM
  ansible.builtin.debug:
    msg:
      - "{{ chosen.choice.host }}: {{ chosen.choice.reason }}"
      - "{{ chosen.choice.candidates | rejectattr('accepted') | items2dict(key_name='host', value_name='blocked_by') }}"

- name: Move a VM whose CD-ROM is connected to a host drive, skipping that check
  viapi.esx.esx_migrate:
    name: DC0_C0_RP0_VM1
    host: DC0_C0_H1
    checks:
      skip: [host_devices]

- name: Move a VM, reporting an ESXi version mismatch as info only but blocking on any warning
  viapi.esx.esx_migrate:
    name: DC0_C0_RP0_VM0
    cluster: DC0_C0
    host: DC0_C0_H1
    checks:
      severity:
        product_version: info
        destination_memory: ignore
      fail_on: warning

- name: Move the VM's files and disks to another datastore (storage migration)
  viapi.esx.esx_migrate:
    name: DC0_C0_RP0_VM0
    datastore: LocalDS_1
    priority: high
    wait_timeout: 1800
"""

RETURN = r"""
checks:
  description: Every check's result, in the registry's order (also when blocked or failed).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The check's name.
      type: str
      sample: destination_host_state
    severity:
      description: Its severity for this run (C(critical), C(warning) or C(info)).
      type: str
      sample: critical
    status:
      description: C(passed), C(warning), C(failed) or C(skipped).
      type: str
      sample: failed
    message:
      description: What the check found, naming the object at fault; for skipped checks why.
      type: str
      sample: "host 'esx02' cannot take VMs: it is in maintenance mode"
    details:
      description: Check-specific values behind the message.
      type: dict
      sample: {"issues": ["it is in maintenance mode"]}
blocked_by:
  description: Names of the checks that block the migration (empty when it may run).
  returned: success
  type: list
  elements: str
  sample: [destination_host_state]
source:
  description: Where the VM was before the module ran.
  returned: success
  type: dict
  contains:
    host:
      description: Host name.
      type: str
      sample: esx01.example.com
    cluster:
      description: Cluster name (null for a standalone host).
      type: str
      sample: prod
    resource_pool:
      description: Resource pool name.
      type: str
      sample: Resources
    datastores:
      description: Names of the datastores holding the VM's files.
      type: list
      elements: str
      sample: [ssd-01]
destination:
  description:
    - Where the VM is after the move, also when it did not land where asked or the task did
      not finish in O(wait_timeout) (the module then fails and C(msg) says what differs); in
      check mode, when blocked or when nothing moves, where it was asked to be (host null when
      the cluster's DRS picks it, or when no candidate of O(hosts) accepts the VM).
  returned: success
  type: dict
  contains:
    host:
      description: Host name.
      type: str
      sample: esx02.example.com
    cluster:
      description: Cluster name (null for a standalone host).
      type: str
      sample: prod
    resource_pool:
      description: Resource pool name.
      type: str
      sample: Resources
    datastores:
      description: Names of the datastores holding the VM's files.
      type: list
      elements: str
      sample: [ssd-02]
choice:
  description:
    - How the destination host was chosen, when the module chose it (O(hosts), or O(cluster)
      without DRS).
    - RV(checks) are those of the chosen host; when no candidate accepts the VM, those of the
      candidate refused by the fewest checks, RV(blocked_by) lists every check that refused
      some candidate, and RV(destination.host) is null.
  returned: when the module chose the host among candidates
  type: dict
  version_added: 0.2.0
  contains:
    host:
      description: The chosen host; null when no candidate accepts the VM.
      type: str
      sample: esx02.example.com
    reason:
      description: Why this host (or that none was chosen).
      type: str
      sample: "the most free memory (61440 MiB) of the 2 candidate hosts whose checks pass; 1 refused"
    candidates:
      description:
        - Every candidate in the order given, with what the checks said of it (empty when
          the VM already runs on a candidate and stays there).
      type: list
      elements: dict
      contains:
        host:
          description: Host name.
          type: str
          sample: esx03.example.com
        accepted:
          description: Whether the VM could move there.
          type: bool
          sample: false
        free_memory_mb:
          description: The host's free memory in MiB (null when unknown).
          type: int
          sample: 2048
        blocked_by:
          description:
            - The checks that refused the host (C(vmotion_enabled) also when that check is skipped, for a running VM).
            - C(resource_pool) or C(cluster) for a host outside the compute resource of that option, refused before any check.
          type: list
          elements: str
          sample: [cpu_compatibility, hardware_version]
        reasons:
          description: "The refusing checks' messages, as C(name: message)."
          type: list
          elements: str
          sample: ["cpu_compatibility: host 'esx03': the CPU vendor differs (intel on the source, amd there)"]
vm:
  description:
    - The VM's facts after the module ran, in the collection's one VM facts schema (as
      returned by the C(esx_vm_info) module).
  returned: success
  type: dict
  sample: {"name": "web01", "moid": "vm-42", "host": "esx02.example.com", "datastores": ["ssd-02"]}
"""

from ansible_collections.viapi.esx.plugins.module_utils.migration import migrate as migration
from ansible_collections.viapi.esx.plugins.module_utils.migration.request import (
    Destination,
    MigrationRequest,
)
from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.premigration.check import Severity
from ansible_collections.viapi.esx.plugins.module_utils.premigration.checks import (
    NAMES,
    SNAPSHOT_CHAIN,
)
from ansible_collections.viapi.esx.plugins.module_utils.premigration.runner import Options
from ansible_collections.viapi.esx.plugins.module_utils.vm import identify
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmIdentity

ARGUMENT_SPEC = dict(
    identify.IDENTITY_ARGS,
    host={"type": "str"},
    hosts={"type": "list", "elements": "str"},
    cluster={"type": "str"},
    resource_pool={"type": "str"},
    datastore={"type": "str"},
    checks={
        "type": "dict",
        "default": {},
        "options": {
            "skip": {"type": "list", "elements": "str", "default": [], "choices": list(NAMES)},
            "severity": {"type": "dict", "default": {}},
            "fail_on": {"type": "str", "choices": ["critical", "warning"], "default": "critical"},
            "snapshot_depth": {"type": "int", "default": SNAPSHOT_CHAIN},
        },
    },
    wait_timeout={"type": "int", "default": 3600},
    priority={"type": "str", "choices": ["default", "high", "low"], "default": "default"},
)


def request(params: dict, check_mode: bool) -> MigrationRequest:
    """The typed request the runner takes, built once from the options and validated."""
    identity = VmIdentity(**{k: params[k] for k in identify.IDENTITY_ARGS})
    checks = params.get("checks") or {}
    built = MigrationRequest(
        identity=identity,
        destination=Destination(
            host=params.get("host"),
            hosts=tuple(dict.fromkeys(params.get("hosts") or ())),
            cluster=params.get("cluster"),
            resource_pool=params.get("resource_pool"),
            datastore=params.get("datastore"),
        ),
        checks=Options(
            skip=tuple(checks.get("skip") or ()),
            severity=dict(checks.get("severity") or {}),
            fail_on=checks.get("fail_on") or Severity.CRITICAL,
            snapshot_depth=(
                SNAPSHOT_CHAIN if checks.get("snapshot_depth") is None else checks["snapshot_depth"]
            ),
        ),
        datacenter=params.get("datacenter"),
        wait_timeout=params["wait_timeout"],
        priority=params.get("priority", "default"),
        check_mode=check_mode,
    )
    built.validate()
    return built


def migrate(module, client) -> dict:
    """Run the migration runner on the request built from the options."""
    return module.run_request(client, migration.run)


def main():
    rules = dict(identify.IDENTITY_RULES)
    rules["required_one_of"] = rules["required_one_of"] + [
        ("host", "cluster", "resource_pool", "datastore", "hosts")
    ]
    rules["mutually_exclusive"] = rules["mutually_exclusive"] + [("host", "hosts")]
    EsxModule(ARGUMENT_SPEC, positive=("wait_timeout",), supports_check_mode=True, **rules).run(
        migrate, request
    )


if __name__ == "__main__":
    main()
