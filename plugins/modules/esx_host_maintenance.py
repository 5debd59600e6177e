#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_host_maintenance
short_description: Put an ESXi host into maintenance mode or take it out
version_added: 0.1.0
description:
  - Enters or exits maintenance mode on one ESXi host and waits for the task.
  - Entering waits until the host has no running VMs. On a vCenter cluster with DRS fully
    automated, DRS moves them; otherwise move them first (the C(viapi.esx.host_evacuate) role
    does, with pre-migration checks) or the task waits until O(wait_timeout).
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
attributes:
  check_mode:
    support: full
    description: Reports whether the mode would change; sends nothing that changes the host.
  diff_mode:
    support: full
    description: Shows maintenance_mode before and after.
options:
  name:
    description: The host's inventory name.
    type: str
    required: true
  state:
    description:
      - V(present) enters maintenance mode, V(absent) exits it.
    type: str
    choices: [present, absent]
    default: present
  evacuate_powered_off_vms:
    description:
      - On vCenter, powered-off VMs must leave the host too. In a cluster with DRS, vCenter
        registers them on other hosts (a VM stays when no host is compatible or DRS is off for
        it); in a cluster without DRS the task succeeds only once they have been moved by hand,
        so it waits for that up to O(wait_timeout).
      - ESXi without vCenter does not take this; it is not sent there, and V(true) warns that
        it is ignored (the powered-off VMs stay registered on the host).
      - Only with O(state=present); with O(state=absent) it is an error.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the host to enter or exit maintenance mode. The server's task gets
        the same limit, so it does not go on after the module gave up.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: Enter maintenance mode
  viapi.esx.esx_host_maintenance:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    name: DC0_C0_H1
    state: present

- name: Leave maintenance mode
  viapi.esx.esx_host_maintenance:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    name: DC0_C0_H1
    state: absent
"""

RETURN = r"""
host:
  description: The host's facts after the change (see M(viapi.esx.esx_host_info)).
  returned: success
  type: dict
  sample: {name: DC0_C0_H1, maintenance_mode: true, connection_state: connected}
"""

from ansible_collections.viapi.esx.plugins.module_utils.host import maintenance
from ansible_collections.viapi.esx.plugins.module_utils.host.maintenance import MaintenanceRequest
from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule

ARGS = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "evacuate_powered_off_vms": {"type": "bool", "default": False},
    "wait_timeout": {"type": "int", "default": 1800},
}


def request(params: dict, check_mode: bool) -> MaintenanceRequest:
    """The typed request the runner takes, built once from the options and validated."""
    built = MaintenanceRequest(
        name=params["name"],
        state=params["state"],
        evacuate_powered_off_vms=bool(params.get("evacuate_powered_off_vms")),
        wait_timeout=params["wait_timeout"],
        check_mode=check_mode,
    )
    built.validate()
    return built


def run(module, client) -> dict:
    """Run the maintenance runner on the request built from the options."""
    if module.params["evacuate_powered_off_vms"] and not client.is_vcenter:
        module.warn(
            "evacuate_powered_off_vms: true applies to vCenter; ESXi without vCenter does not "
            "take it, so it is ignored and powered-off VMs stay registered on the host"
        )
    return module.run_request(client, maintenance.run)


def main():
    EsxModule(ARGS, positive=("wait_timeout",), supports_check_mode=True).run(run, request)


if __name__ == "__main__":
    main()
