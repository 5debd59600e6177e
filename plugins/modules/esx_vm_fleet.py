#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_vm_fleet
short_description: Converge many virtual machines at once, as esx_vm would each
version_added: 0.2.0
description:
  - Converges every entry of O(vms) exactly as M(viapi.esx.esx_vm) would with the same options
    (the same code, the same checks, the same result per VM), up to O(parallel) VMs at once,
    in one module run. Clone tasks, power-ons, customizations and their waits go on side by side
    on the server, so a fleet takes little longer than its slowest VMs.
  - Each VM being worked on has its own session on the server (the task's session and up to
    O(parallel) - 1 more, all logged out at the end). A server that refuses more sessions leaves
    the work to those it opened, with a warning saying how many.
  - A VM that fails does not stop or hide the others - every VM is converged, then the module
    fails naming every VM that failed and its message; the returned C(vms) holds each outcome.
  - Options are checked for every entry before anything changes (an entry's bad option fails
    the whole run, naming the entry) - those esx_vm checks before it looks at the server (a
    C(memory_mb) that is no multiple of 4, a bad C(hardware_version), a malformed
    C(disks[].filename), ...). What only the server can tell (a name that is not found, a guest
    id the host does not offer) fails that VM alone.
  - The role C(viapi.esx.vm_fleet) calls this module once for its whole list.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
attributes:
  check_mode:
    support: full
    description: Each VM reports what esx_vm in check mode would; nothing is sent that changes the server.
  diff_mode:
    support: full
    description: Each changed VM's diff, headed by its name, as M(viapi.esx.esx_vm) shows it.
options:
  vms:
    description:
      - The VMs, one entry each. An entry takes exactly the options of M(viapi.esx.esx_vm) but
        the connection's, with the same meaning, defaults and rules (one of C(name), C(uuid),
        C(moid); C(customization) passwords are never shown).
      - A VM appears once in the list - two entries with the same C(moid), the same C(uuid), or
        the same C(name) (or C(new_name)) in the same C(folder) and C(datacenter) fail the run
        before anything changes.
      - Results and messages name each VM by its C(name), else C(uuid), else C(moid).
    type: list
    elements: dict
    required: true
    suboptions:
      name: {description: "As O(viapi.esx.esx_vm#module:name).", type: str}
      uuid: {description: "As O(viapi.esx.esx_vm#module:uuid).", type: str}
      use_instance_uuid: {description: "As O(viapi.esx.esx_vm#module:use_instance_uuid).", type: bool, default: false}
      moid: {description: "As O(viapi.esx.esx_vm#module:moid).", type: str}
      folder: {description: "As O(viapi.esx.esx_vm#module:folder).", type: str}
      datacenter: {description: "As O(viapi.esx.esx_vm#module:datacenter).", type: str}
      state:
        description: "As O(viapi.esx.esx_vm#module:state)."
        type: str
        choices: [present, absent, powered_on, powered_off, suspended, restarted, shutdown_guest, reboot_guest]
        default: present
      new_name: {description: "As O(viapi.esx.esx_vm#module:new_name).", type: str}
      force: {description: "As O(viapi.esx.esx_vm#module:force).", type: bool, default: false}
      allow_power_cycle: {description: "As O(viapi.esx.esx_vm#module:allow_power_cycle).", type: bool, default: false}
      guest_timeout: {description: "As O(viapi.esx.esx_vm#module:guest_timeout).", type: int, default: 300}
      wait_timeout: {description: "As O(viapi.esx.esx_vm#module:wait_timeout).", type: int, default: 3600}
      host: {description: "As O(viapi.esx.esx_vm#module:host).", type: str}
      cluster: {description: "As O(viapi.esx.esx_vm#module:cluster).", type: str}
      resource_pool: {description: "As O(viapi.esx.esx_vm#module:resource_pool).", type: str}
      datastore: {description: "As O(viapi.esx.esx_vm#module:datastore).", type: str}
      guest_id: {description: "As O(viapi.esx.esx_vm#module:guest_id).", type: str}
      num_cpus: {description: "As O(viapi.esx.esx_vm#module:num_cpus).", type: int}
      cores_per_socket: {description: "As O(viapi.esx.esx_vm#module:cores_per_socket).", type: int}
      memory_mb: {description: "As O(viapi.esx.esx_vm#module:memory_mb).", type: int}
      hardware_version: {description: "As O(viapi.esx.esx_vm#module:hardware_version).", type: str}
      annotation: {description: "As O(viapi.esx.esx_vm#module:annotation).", type: str}
      disks:
        description: "As O(viapi.esx.esx_vm#module:disks)."
        type: list
        elements: dict
        suboptions:
          size_gb: {description: "As O(viapi.esx.esx_vm#module:disks[].size_gb).", type: float}
          size_mb: {description: "As O(viapi.esx.esx_vm#module:disks[].size_mb).", type: int}
          type: {description: "As O(viapi.esx.esx_vm#module:disks[].type).", type: str, choices: [thin, thick, eager_zeroed]}
          datastore: {description: "As O(viapi.esx.esx_vm#module:disks[].datastore).", type: str}
          mode:
            description: "As O(viapi.esx.esx_vm#module:disks[].mode)."
            type: str
            choices: [persistent, independent_persistent, independent_nonpersistent]
          controller:
            description: "As O(viapi.esx.esx_vm#module:disks[].controller)."
            type: str
            choices: [paravirtual, lsilogic, lsilogic_sas, buslogic, nvme, sata, ide]
          controller_number: {description: "As O(viapi.esx.esx_vm#module:disks[].controller_number).", type: int}
          unit_number: {description: "As O(viapi.esx.esx_vm#module:disks[].unit_number).", type: int}
          filename: {description: "As O(viapi.esx.esx_vm#module:disks[].filename).", type: str}
          shares: {description: "As O(viapi.esx.esx_vm#module:disks[].shares).", type: str}
          iops_limit: {description: "As O(viapi.esx.esx_vm#module:disks[].iops_limit).", type: int}
          state: {description: "As O(viapi.esx.esx_vm#module:disks[].state).", type: str, choices: [present, absent], default: present}
          destroy: {description: "As O(viapi.esx.esx_vm#module:disks[].destroy).", type: bool, default: false}
      networks:
        description: "As O(viapi.esx.esx_vm#module:networks)."
        type: list
        elements: dict
        suboptions:
          name: {description: "As O(viapi.esx.esx_vm#module:networks[].name).", type: str, required: true}
          device_type: {description: "As O(viapi.esx.esx_vm#module:networks[].device_type).", type: str, choices: [vmxnet3, e1000e, e1000, vmxnet2, sriov]}
          connected: {description: "As O(viapi.esx.esx_vm#module:networks[].connected).", type: bool}
          start_connected: {description: "As O(viapi.esx.esx_vm#module:networks[].start_connected).", type: bool}
          mac_address: {description: "As O(viapi.esx.esx_vm#module:networks[].mac_address).", type: str}
          ip: {description: "As O(viapi.esx.esx_vm#module:networks[].ip).", type: str}
          netmask: {description: "As O(viapi.esx.esx_vm#module:networks[].netmask).", type: str}
          gateway: {description: "As O(viapi.esx.esx_vm#module:networks[].gateway).", type: str}
          dvswitch: {description: "As O(viapi.esx.esx_vm#module:networks[].dvswitch).", type: str}
          physical_function: {description: "As O(viapi.esx.esx_vm#module:networks[].physical_function).", type: str}
          state: {description: "As O(viapi.esx.esx_vm#module:networks[].state).", type: str, choices: [present, absent], default: present}
      cdrom:
        description: "As O(viapi.esx.esx_vm#module:cdrom)."
        type: dict
        suboptions:
          type: {description: "As O(viapi.esx.esx_vm#module:cdrom.type).", type: str, choices: [iso, client]}
          iso_path: {description: "As O(viapi.esx.esx_vm#module:cdrom.iso_path).", type: str}
          connected: {description: "As O(viapi.esx.esx_vm#module:cdrom.connected).", type: bool}
      cdroms:
        description: "As O(viapi.esx.esx_vm#module:cdroms)."
        type: list
        elements: dict
        suboptions:
          type: {description: "As O(viapi.esx.esx_vm#module:cdroms[].type).", type: str, choices: [iso, client, none]}
          iso_path: {description: "As O(viapi.esx.esx_vm#module:cdroms[].iso_path).", type: str}
          controller: {description: "As O(viapi.esx.esx_vm#module:cdroms[].controller).", type: str, choices: [ide, sata]}
          controller_number: {description: "As O(viapi.esx.esx_vm#module:cdroms[].controller_number).", type: int}
          unit_number: {description: "As O(viapi.esx.esx_vm#module:cdroms[].unit_number).", type: int}
          connected: {description: "As O(viapi.esx.esx_vm#module:cdroms[].connected).", type: bool}
          start_connected: {description: "As O(viapi.esx.esx_vm#module:cdroms[].start_connected).", type: bool}
          state: {description: "As O(viapi.esx.esx_vm#module:cdroms[].state).", type: str, choices: [present, absent], default: present}
      firmware: {description: "As O(viapi.esx.esx_vm#module:firmware).", type: str, choices: [bios, efi]}
      secure_boot: {description: "As O(viapi.esx.esx_vm#module:secure_boot).", type: bool}
      boot_order: {description: "As O(viapi.esx.esx_vm#module:boot_order).", type: list, elements: str, choices: [disk, cdrom, network, floppy]}
      boot_delay_ms: {description: "As O(viapi.esx.esx_vm#module:boot_delay_ms).", type: int}
      enter_bios_setup: {description: "As O(viapi.esx.esx_vm#module:enter_bios_setup).", type: bool}
      boot_retry_delay_ms: {description: "As O(viapi.esx.esx_vm#module:boot_retry_delay_ms).", type: int}
      cpu_hot_add: {description: "As O(viapi.esx.esx_vm#module:cpu_hot_add).", type: bool}
      cpu_hot_remove: {description: "As O(viapi.esx.esx_vm#module:cpu_hot_remove).", type: bool}
      memory_hot_add: {description: "As O(viapi.esx.esx_vm#module:memory_hot_add).", type: bool}
      nested_virtualization: {description: "As O(viapi.esx.esx_vm#module:nested_virtualization).", type: bool}
      cpu_reservation_mhz: {description: "As O(viapi.esx.esx_vm#module:cpu_reservation_mhz).", type: int}
      cpu_limit_mhz: {description: "As O(viapi.esx.esx_vm#module:cpu_limit_mhz).", type: int}
      cpu_shares: {description: "As O(viapi.esx.esx_vm#module:cpu_shares).", type: raw}
      memory_reservation_mb: {description: "As O(viapi.esx.esx_vm#module:memory_reservation_mb).", type: int}
      memory_reservation_locked: {description: "As O(viapi.esx.esx_vm#module:memory_reservation_locked).", type: bool}
      memory_limit_mb: {description: "As O(viapi.esx.esx_vm#module:memory_limit_mb).", type: int}
      memory_shares: {description: "As O(viapi.esx.esx_vm#module:memory_shares).", type: raw}
      extra_config: {description: "As O(viapi.esx.esx_vm#module:extra_config).", type: dict}
      vapp_properties:
        description: "As O(viapi.esx.esx_vm#module:vapp_properties)."
        type: list
        elements: dict
        suboptions:
          id: {description: "As O(viapi.esx.esx_vm#module:vapp_properties[].id).", type: str, required: true}
          value: {description: "As O(viapi.esx.esx_vm#module:vapp_properties[].value).", type: raw}
          type: {description: "As O(viapi.esx.esx_vm#module:vapp_properties[].type).", type: str}
          label: {description: "As O(viapi.esx.esx_vm#module:vapp_properties[].label).", type: str}
          default: {description: "As O(viapi.esx.esx_vm#module:vapp_properties[].default).", type: raw}
      custom_attributes: {description: "As O(viapi.esx.esx_vm#module:custom_attributes).", type: dict}
      create_custom_attributes: {description: "As O(viapi.esx.esx_vm#module:create_custom_attributes).", type: bool, default: false}
      answers: {description: "As O(viapi.esx.esx_vm#module:answers).", type: dict}
      template: {description: "As O(viapi.esx.esx_vm#module:template).", type: str}
      snapshot_src: {description: "As O(viapi.esx.esx_vm#module:snapshot_src).", type: str}
      linked_clone: {description: "As O(viapi.esx.esx_vm#module:linked_clone).", type: bool, default: false}
      customization:
        description: "As O(viapi.esx.esx_vm#module:customization)."
        type: dict
        suboptions:
          hostname: {description: "As O(viapi.esx.esx_vm#module:customization.hostname).", type: str}
          domain: {description: "As O(viapi.esx.esx_vm#module:customization.domain).", type: str}
          dns_servers: {description: "As O(viapi.esx.esx_vm#module:customization.dns_servers).", type: list, elements: str}
          dns_suffix: {description: "As O(viapi.esx.esx_vm#module:customization.dns_suffix).", type: list, elements: str}
          timezone: {description: "As O(viapi.esx.esx_vm#module:customization.timezone).", type: str}
          linux:
            description: "As O(viapi.esx.esx_vm#module:customization.linux)."
            type: dict
            suboptions:
              hw_clock_utc: {description: "As O(viapi.esx.esx_vm#module:customization.linux.hw_clock_utc).", type: bool}
              script_text: {description: "As O(viapi.esx.esx_vm#module:customization.linux.script_text).", type: str}
          windows:
            description: "As O(viapi.esx.esx_vm#module:customization.windows)."
            type: dict
            suboptions:
              password: {description: "As O(viapi.esx.esx_vm#module:customization.windows.password).", type: str}
              org: {description: "As O(viapi.esx.esx_vm#module:customization.windows.org).", type: str}
              full_name: {description: "As O(viapi.esx.esx_vm#module:customization.windows.full_name).", type: str}
              product_key: {description: "As O(viapi.esx.esx_vm#module:customization.windows.product_key).", type: str}
              workgroup: {description: "As O(viapi.esx.esx_vm#module:customization.windows.workgroup).", type: str}
              join_domain: {description: "As O(viapi.esx.esx_vm#module:customization.windows.join_domain).", type: str}
              domain_admin: {description: "As O(viapi.esx.esx_vm#module:customization.windows.domain_admin).", type: str}
              domain_admin_password: {description: "As O(viapi.esx.esx_vm#module:customization.windows.domain_admin_password).", type: str}
              run_once: {description: "As O(viapi.esx.esx_vm#module:customization.windows.run_once).", type: list, elements: str}
              auto_logon: {description: "As O(viapi.esx.esx_vm#module:customization.windows.auto_logon).", type: bool}
              auto_logon_count: {description: "As O(viapi.esx.esx_vm#module:customization.windows.auto_logon_count).", type: int}
          existing_vm: {description: "As O(viapi.esx.esx_vm#module:customization.existing_vm).", type: bool, default: false}
      customization_spec: {description: "As O(viapi.esx.esx_vm#module:customization_spec).", type: str}
      wait_for: {description: "As O(viapi.esx.esx_vm#module:wait_for).", type: list, elements: str, choices: [customization, tools, ip]}
      is_template: {description: "As O(viapi.esx.esx_vm#module:is_template).", type: bool}
  parallel:
    description:
      - How many VMs are worked on at once (each with its own session on the server).
      - Must be at least 1.
    type: int
    default: 5
"""

EXAMPLES = r"""
# The connection options come from module_defaults for group/viapi.esx.esx (see docs/connect.md).
- name: Deploy two web servers from a template, customized, at once
  viapi.esx.esx_vm_fleet:
    parallel: 2
    vms:
      - name: web-1
        template: tpl-rhel9
        cluster: DC0_C0
        datastore: LocalDS_0
        state: powered_on
        networks: [{name: VM Network, ip: 10.0.0.11, netmask: 255.255.255.0, gateway: 10.0.0.1}]
        customization: {hostname: web-1, domain: example.com}
        wait_for: [customization]
      - name: web-2
        template: tpl-rhel9
        cluster: DC0_C0
        datastore: LocalDS_0
        state: powered_on
        networks: [{name: VM Network, ip: 10.0.0.12, netmask: 255.255.255.0, gateway: 10.0.0.1}]
        customization: {hostname: web-2, domain: example.com}
        wait_for: [customization]
  register: fleet

- name: Give both more memory (powering them off and on if needed) and remove an old VM, in one run
  viapi.esx.esx_vm_fleet:
    vms:
      - {name: web-1, memory_mb: 2048, allow_power_cycle: true}
      - {name: web-2, memory_mb: 2048, allow_power_cycle: true}
      - {name: old-app, state: absent}
  register: fleet

- name: The names of the VMs that changed
  ansible.builtin.debug:
    msg: "{{ fleet.vms | selectattr('changed') | map(attribute='name') | list }}"

- name: Remove the web servers (force - they are running)
  viapi.esx.esx_vm_fleet:
    vms:
      - {name: web-1, state: absent, force: true}
      - {name: web-2, state: absent, force: true}
"""

RETURN = r"""
vms:
  description:
    - One entry per entry of O(vms), in the same order, for VMs that converged and VMs that
      failed alike.
    - Besides the keys below, each holds what M(viapi.esx.esx_vm) returns for that VM (C(vm),
      C(changes), and C(diff) in diff mode) or fails with (C(error_type), C(fault), and the
      partial result of a run that failed after a change).
  returned: whenever the options are valid (every run that reached the server)
  type: list
  elements: dict
  contains:
    name:
      description: The VM's C(name), else its C(uuid), else its C(moid), as the entry gives it.
      type: str
      sample: web-1
    changed:
      description: Whether this VM changed.
      type: bool
    failed:
      description: Whether this VM's run failed.
      type: bool
    msg:
      description: Why it failed, as M(viapi.esx.esx_vm) would say; empty when it did not.
      type: str
      sample: ""
    vm:
      description: The VM's facts after the run, as M(viapi.esx.esx_vm) returns them.
      type: dict
      returned: when the VM exists after the run
    changes:
      description: What changed, as M(viapi.esx.esx_vm) returns it.
      type: list
      elements: str
      returned: when this VM changed
    diff:
      description: The VM's managed fields before and after, as M(viapi.esx.esx_vm) shows them.
      type: dict
      returned: in diff mode, for a VM that did not fail
    error_type:
      description: The kind of error that ended this VM's run.
      type: str
      returned: when this VM failed
      sample: NotFound
    fault:
      description: The VI fault the server answered, when the error is one.
      type: str
      returned: when this VM failed with a VI fault
      sample: DuplicateName
    privileges:
      description: The privileges a C(NoPermission) fault names.
      type: str
      returned: when this VM failed for a missing privilege
    exception:
      description: The traceback of an unexpected error (a bug) in this VM's run.
      type: str
      returned: when this VM's run raised an unexpected error
diff:
  description: Each changed VM's diff (C(before), C(after)), headed by the VM's name.
  returned: in diff mode
  type: list
  elements: dict
msg:
  description: Every VM that failed, with its message - C(2 of 5 VMs failed; web-2 ...; web-4 ...).
  returned: failure
  type: str
  sample: "1 of 3 VMs failed: web-2: template 'tpl-rhel8' not found"
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import (
    EsxModule,
    failure,
    typed_request,
)
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import PartialFailure
from ansible_collections.viapi.esx.plugins.module_utils.vm import fleet, vapp
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_RULES
from ansible_collections.viapi.esx.plugins.module_utils.vm.options import ARGS as VM_ARGS
from ansible_collections.viapi.esx.plugins.module_utils.vm.options import POSITIVE
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmRequest

# Each entry takes exactly esx_vm's options, with esx_vm's rules between them.
ARGS = {
    "vms": {"type": "list", "elements": "dict", "required": True, "options": VM_ARGS,
            **IDENTITY_RULES},
    "parallel": {"type": "int", "default": fleet.DEFAULT_PARALLEL},
}  # fmt: skip


def name_of(entry: dict) -> str:
    """How results and messages name an entry's VM: its name, else uuid, else moid."""
    return entry["name"] or entry["uuid"] or entry["moid"]


def identities(entry: dict) -> list[tuple]:
    """(option, what it finds) for the VM an entry names: its moid, uuid, or name in its folder
    and datacenter; and the name new_name gives it there."""
    if entry["moid"]:
        found = [("moid", ("moid", entry["moid"]))]
    elif entry["uuid"]:
        found = [("uuid", ("uuid", entry["uuid"].lower(), entry["use_instance_uuid"]))]
    else:
        found = [("name", ("name", entry["name"], entry["folder"], entry["datacenter"]))]
    if entry["new_name"]:
        found.append(
            ("new_name", ("name", entry["new_name"], entry["folder"], entry["datacenter"]))
        )
    return found


def bad_input(params: dict) -> str | None:
    """What esx_vm would refuse before connecting, for any entry (naming it), or parallel;
    and a VM that two entries name (their runs would race, a create would make it twice)."""
    if params["parallel"] < 1:
        return f"parallel must be a positive number of VMs, got {params['parallel']}"
    seen: dict = {}
    for n, entry in enumerate(params["vms"]):
        for option in POSITIVE:
            value = entry[option]
            if value is not None and value <= 0:
                return f"vms[{n}].{option} must be a positive number of seconds, got {value}"
        for option, key in identities(entry):
            first, its = seen.setdefault(key, (n, option))
            if first != n:
                return (
                    f"vms[{n}].{option}: VM '{entry[option]}' is also vms[{first}].{its}; "
                    "a VM appears once in the list"
                )
    return None


def request(params: dict, check_mode: bool) -> list:
    """Every entry's typed VmRequest, each checked as esx_vm checks its options (the error
    names the entry), so that one bad entry fails the run before it connects."""
    entries = params["vms"]
    requests = [typed_request(VmRequest, entry, check_mode) for entry in entries]
    fleet.validate([name_of(entry) for entry in entries], requests)
    return requests


def run(module, client) -> dict:
    """Converge every entry through esx_vm's runner; fail at the end if any VM failed."""
    names = [name_of(entry) for entry in module.params["vms"]]
    done = fleet.run(client, module.request, module.params["parallel"], module.new_client)
    for warning in done.warnings:
        module.warn(warning)
    result = fleet.report(names, done, failure, module.diff_mode)
    if "msg" in result:
        raise PartialFailure(result.pop("msg"), None, **result)
    return result


def main() -> None:
    module = EsxModule(ARGS, supports_check_mode=True)
    for entry in module.params["vms"]:  # password vApp property values, masked as no_log would
        module.hide(vapp.secrets(entry["vapp_properties"]))
    problem = bad_input(module.params)
    if problem:
        module.fail(problem)
    module.run(run, request)


if __name__ == "__main__":
    main()
