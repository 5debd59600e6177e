#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_vm
short_description: Create, configure, power and delete virtual machines
version_added: 0.1.0
description:
  - Creates a virtual machine on vCenter or a standalone ESXi host, converges its CPU, memory,
    hardware version, annotation, disks, NICs and CD-ROM to the options given, sets its power
    state, or deletes it.
  - Idempotent - a second run with the same options reports no change and sends no
    reconfiguration to the server.
  - Options that are not set are not managed. Disks, NICs and CD-ROMs that the lists do not name
    are left alone; a device is removed only by an entry with O(disks[].state=absent),
    O(networks[].state=absent) or O(cdroms[].state=absent) that names it.
  - The VM is found by exactly one of O(name) (optionally in O(folder) and O(datacenter)),
    O(uuid) or O(moid). An ambiguous name fails and lists the folders of the VMs that have it.
  - A new VM is created only from O(name), in O(folder) (by default the datacenter's VM folder)
    of O(datacenter) (by default the only one - C(ha-datacenter) on a standalone ESXi host; with
    more than one, it must be set). An existing VM is never moved.
  - See docs/vm.md in the collection for a guide.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.vm_identity
  - viapi.esx.vm_provisioning
  - viapi.esx.vm_placement
  - viapi.esx.vm_config
  - viapi.esx.vm_devices
  - viapi.esx.vm_power
attributes:
  check_mode:
    support: full
    description: Reports the same C(changed), C(changes) and diff, and sends no mutating call.
  diff_mode:
    support: full
    description: The managed fields before and after, with the names of the VM facts.
options:
  state:
    description:
      - V(present) creates the VM if needed and converges its configuration; the power state
        is kept.
      - V(powered_on), V(powered_off), V(suspended) also set the power state (a new VM is
        created powered off unless V(powered_on)). V(suspended) needs a running VM.
      - V(restarted) resets a running VM (hard) or powers on a stopped one; it always changes.
      - V(shutdown_guest) and V(reboot_guest) ask the guest through VMware Tools; without
        running Tools they fail, unless O(force) makes them a hard power off or reset.
        V(reboot_guest) always changes.
      - V(absent) deletes the VM and its disks.
    type: str
    choices: [present, absent, powered_on, powered_off, suspended, restarted, shutdown_guest, reboot_guest]
    default: present
  new_name:
    description:
      - Renames the VM the identity options find (Rename_Task). The diff shows C(name) before
        and after; a VM that already has this name is not changed.
      - Idempotent with O(name) - when no VM has O(name) but one has O(new_name), that one is
        taken as already renamed. A VM is never created by a rename.
      - Fails, before anything changes, when another VM in the VM's folder has O(new_name).
        Not allowed with O(state=absent).
    type: str
notes:
  - Placement options are used only to create a VM; esx_vm never moves an existing VM.
  - A creation that fails on the server is cleaned up - a partly created VM is deleted, and
    the message says so (or names the VM to delete by hand if that failed too).
  - Examples assume the connection options are set with C(module_defaults) for the
    C(group/viapi.esx.esx) action group.
seealso:
  - module: viapi.esx.esx_vm_info
"""

EXAMPLES = r"""
- name: Create a VM in a cluster and power it on
  viapi.esx.esx_vm:
    name: web01
    cluster: DC0_C0
    datastore: LocalDS_0
    guest_id: ubuntu64Guest
    num_cpus: 2
    memory_mb: 2048
    disks:
      - size_gb: 20
    networks:
      - name: VM Network
    cdroms:
      - iso_path: "[LocalDS_0] iso/ubuntu-24.04.iso"
    state: powered_on
  register: web01

- name: Grow the disk, add a data disk and a NIC on a distributed port group (while running)
  viapi.esx.esx_vm:
    name: web01
    disks:
      - size_gb: 40
      - size_gb: 100
        type: thick
    networks:
      - name: VM Network
      - name: DC0_DVPG0
        mac_address: "00:50:56:00:10:01"

- name: Change CPU and memory, powering the VM off and on again if it must
  viapi.esx.esx_vm:
    name: web01
    num_cpus: 4
    memory_mb: 4096
    allow_power_cycle: true

- name: Add a data disk on its own paravirtual controller and an NVMe disk (a new controller needs the VM off)
  viapi.esx.esx_vm:
    name: web01
    disks:
      - {}
      - {}
      - size_gb: 50
        controller: paravirtual
        controller_number: 1
        unit_number: 0
        shares: high
        iops_limit: 1000
      - size_gb: 10
        controller: nvme
    allow_power_cycle: true

- name: Detach the data disk (its file is kept; destroy true would delete it), and remove a NIC
  viapi.esx.esx_vm:
    name: web01
    disks:
      - controller: paravirtual
        controller_number: 1
        unit_number: 0
        state: absent
    networks:
      - name: VM Network
      - name: DC0_DVPG0
        mac_address: "00:50:56:00:10:01"
        state: absent

- name: Eject the ISO
  viapi.esx.esx_vm:
    moid: "{{ web01.vm.moid }}"
    cdroms:
      - type: client

- name: Boot from EFI with secure boot, network first, with hot add and a CPU reservation
  viapi.esx.esx_vm:
    name: web01
    firmware: efi
    secure_boot: true
    boot_order: [network, disk]
    cpu_hot_add: true
    memory_hot_add: true
    cpu_reservation_mhz: 1000
    memory_shares: high
    allow_power_cycle: true

- name: Hand cloud-init its configuration through guestinfo (and drop an old setting)
  viapi.esx.esx_vm:
    name: web01
    extra_config:
      guestinfo.metadata: "{{ 'instance-id: web01\nlocal-hostname: web01\n' | b64encode }}"
      guestinfo.metadata.encoding: base64
      guestinfo.userdata: "{{ '#cloud-config\npackages: [nginx]\n' | b64encode }}"
      guestinfo.userdata.encoding: base64
      guestinfo.old-setting: null

- name: Shut the guest down, or power off if it has no VMware Tools
  viapi.esx.esx_vm:
    name: web01
    state: shutdown_guest
    force: true

- name: Rename the VM (a second run finds it by its new name and changes nothing)
  viapi.esx.esx_vm:
    name: web01
    new_name: web01-old

- name: Make the (powered off) VM a template
  viapi.esx.esx_vm:
    name: web01-old
    is_template: true

- name: Deploy web02 from the template with a static address, and wait until the guest has it
  viapi.esx.esx_vm:
    name: web02
    template: web01-old
    cluster: DC0_C0
    memory_mb: 4096
    networks:
      - name: VM Network
        ip: 10.0.0.22
        netmask: 255.255.255.0
        gateway: 10.0.0.1
    customization:
      hostname: web02
      domain: example.test
      dns_servers: [10.0.0.2]
    state: powered_on
    wait_for: [customization, ip]

- name: Delete the clone
  viapi.esx.esx_vm:
    name: web02
    state: absent
    force: true

- name: Delete the VM
  viapi.esx.esx_vm:
    name: web01-old
    state: absent
"""

RETURN = r"""
vm:
  description:
    - The VM's facts after the task, in the schema esx_vm_info returns (see docs/vm.md); in
      check mode, as they are now. Empty when the VM does not exist (deleted, or not yet created
      in check mode).
  returned: always
  type: dict
  sample:
    name: web01
    moid: vm-1042
    uuid: 4211a1c5-33a2-d5c4-5e1f-1b6f4d2c3b9a
    power_state: powered_on
    num_cpus: 2
    memory_mb: 2048
    hardware_version: vmx-19
changes:
  description:
    - What changed, as facts paths - C(name) (renamed), C(memory_mb),
      C(disks[0].capacity_bytes), C(nics[1]) (added or removed), C(power_state) - or
      C(created) / C(deleted).
    - C(template) (O(is_template) changed it) and C(customization) (O(customization.existing_vm)).
    - A device path's index is the device's place in C(vm.disks), C(vm.nics) or C(vm.cdroms)
      and in the diff - one order, by controller and unit number (NICs by unit number).
    - A setting's path names its key, id or name - C(extra_config.guestinfo.userdata),
      C(vapp_properties.app.port), C(custom_attributes.owner); the other options' paths are their
      names (C(firmware), C(boot_order), C(cpu_shares)).
  returned: changed
  type: list
  elements: str
  sample: [memory_mb, "disks[0].capacity_bytes", "nics[1]"]
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule, typed_request
from ansible_collections.viapi.esx.plugins.module_utils.vm import lifecycle, vapp
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_RULES
from ansible_collections.viapi.esx.plugins.module_utils.vm.options import ARGS, POSITIVE
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import VmRequest


def request(params: dict, check_mode: bool) -> VmRequest:
    """The typed request, built from the options and checked as far as the options alone
    tell (esx_vm_fleet builds and checks each entry's the same way)."""
    built = typed_request(VmRequest, params, check_mode)
    lifecycle.validate(built)
    return built


def run(module, client) -> dict:
    """Converge the VM (a PartialFailure brings its partial result to the failure)."""
    return module.run_request(client, lifecycle.run)


def main() -> None:
    module = EsxModule(ARGS, positive=POSITIVE, supports_check_mode=True, **IDENTITY_RULES)
    # A password vApp property's value is no option of its own: mask it as no_log would.
    module.hide(vapp.secrets(module.params["vapp_properties"]))
    module.run(run, request)


if __name__ == "__main__":
    main()
