#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_vm_info
short_description: Facts of virtual machines, read in bulk
version_added: 0.1.0
description:
  - Returns the facts of the VMs on a vCenter or standalone ESXi host that pass the filters, in
    the one VM facts schema esx_vm and the inventory plugin use.
  - Any number of VMs costs one read of the names they refer to (hosts, clusters, pools,
    folders, datastores, networks) and one paged property read through ContainerViews - never a
    call per VM - split over up to O(parallel_reads) sessions read at once. A single VM by O(name), O(uuid) or O(moid) is looked up first and read alone.
  - Templates are left out unless O(include_templates) is set.
  - The VM identity options are filters here, and none is required. O(moid) picks one VM, or
    else O(uuid) every VM with that UUID (a BIOS UUID is not unique - a copied VM keeps it - and
    an instance UUID is), which the other filters must match; O(name) may match several VMs (in
    different folders); O(folder) keeps the VMs directly in that folder. A O(uuid) or O(moid)
    that no VM has gives an empty list; a O(folder), O(datacenter), O(host) or O(cluster) that
    does not exist is an error, beside a lookup by O(name), O(uuid) or O(moid) too. An empty
    one (V('')) is an error too, since it names no object (unset, the option reads every VM).
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.attributes.info
  - viapi.esx.vm_identity
options:
  host:
    description: Only VMs on this ESXi host, by name (an error if it does not exist).
    type: str
  cluster:
    description: Only VMs in this cluster (an error if it does not exist).
    type: str
  power_state:
    description: Only VMs in this power state.
    type: str
    choices: [powered_on, powered_off, suspended]
  include_templates:
    description: Return templates too (their C(template) fact is true).
    type: bool
    default: false
  devices:
    description:
      - Return the device lists C(disks), C(nics), C(cdroms) and C(controllers). With V(false) those keys are
        left out and the VMs' device lists are not read, which on large fleets takes about half
        the time (the device lists are most of the data the server sends).
    type: bool
    default: true
  facts:
    description:
      - The facts to return, by their names under RV(vms) (for example V(snapshots), V(power_state),
        V(disks)); unset, every fact. Each VM then has the facts named and, always, the keys that
        identify it and order the list - C(name), C(moid), C(uuid), C(instance_uuid),
        C(datacenter) and C(folder) (what the VM identity options match). V([]) returns those
        alone.
      - Only the VI property paths those facts are made of are read (and only the names they refer
        to), so the server sends and the controller takes in less. The values are those of a full
        read.
      - Filters need no fact in this list. O(power_state), O(host), O(cluster), leaving templates
        out, O(has_snapshots) and O(snapshot_older_than_days) read what they judge (for the last
        two the VMs' C(snapshot) property, whatever is selected), without returning it unless
        named here.
      - With O(devices=false), naming C(disks), C(nics), C(cdroms) or C(controllers) is an error;
        C(linked_clone) is then null, as without this option. With O(devices=true) the device lists
        are read only when one of them or C(linked_clone) is named.
      - A name that is no fact is an error naming this option and the value, and listing the
        facts.
    type: list
    elements: str
    version_added: 0.2.0
  properties:
    description:
      - Extra VI property paths to read, for example C(summary.quickStats.overallCpuUsage) or
        C(config.cpuHotAddEnabled). Each VM then has C(vi_properties), a dict of path to the
        decoded, typed value (C(null) when the server has none; managed object references as
        C({_type, type, value}) dicts).
      - The value and default of a password vApp property (in C(config.vAppConfig) or any path
        holding it) show as C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER), as in C(vapp_properties).
      - A path that is not a property path, or that the server does not know, is an error
        naming this option.
    type: list
    elements: str
  has_snapshots:
    description:
      - V(true) keeps only the VMs that have at least one snapshot, V(false) only those that
        have none. Unset, both.
    type: bool
    version_added: 0.2.0
  snapshot_older_than_days:
    description:
      - Only VMs whose oldest snapshot was taken more than this many days ago, on the server's
        clock (read from its answers, not the local one).
      - With O(has_snapshots) and the rest of the filters this is a fleet report in one module
        call, for example every VM with a snapshot older than 3 days across a vCenter. With
        O(has_snapshots=true) or this option, a first bulk read of every VM's snapshot tree
        alone picks the VMs, and a second one reads the other facts of those VMs only (their
        snapshot facts are the trees the first read judged), both through the module's one
        session, in a few requests whatever the number of VMs.
      - With O(has_snapshots=false) it fails (the two would keep no VM).
    type: int
    version_added: 0.2.0
  parallel_reads:
    description:
      - How many sessions read the VMs at the same time, each through its own connection, when
        no O(name), O(uuid) or O(moid) is given. The VMs are split by datacenter, or by cluster
        and standalone host when there are fewer datacenters than this (within O(datacenter)
        when it is set), into at most this many parts of about equal numbers of hosts. With
        O(host), O(cluster) or O(folder) one session reads them, and with O(has_snapshots=true)
        or O(snapshot_older_than_days) too (see there).
      - Each extra session logs out when its part is read. A server that refuses some of them
        (a session limit) is read through those it opened, with a warning. The result does not
        depend on this; V(1) reads through the module's one session.
    type: int
    default: 4
    version_added: 0.2.0
notes:
  - Examples assume the connection options are set with C(module_defaults) for the
    C(group/viapi.esx.esx) action group.
seealso:
  - module: viapi.esx.esx_vm
"""

EXAMPLES = r"""
- name: Every VM (templates left out)
  viapi.esx.esx_vm_info:
  register: all_vms

- name: Every VM with a snapshot older than 3 days, with its snapshot tree
  viapi.esx.esx_vm_info:
    has_snapshots: true
    snapshot_older_than_days: 3
    facts: [snapshots, snapshot_count]
  register: stale

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.folder }}/{{ item.name }}: {{ item.snapshot_count }} snapshots"
  loop: "{{ stale.vms }}"
  loop_control:
    label: "{{ item.name }}"

- name: Power state and IP address of every VM, nothing else read
  viapi.esx.esx_vm_info:
    facts: [power_state, ip_address]
  register: addresses

- name: Names of the powered-on VMs of one cluster
  viapi.esx.esx_vm_info:
    cluster: DC0_C0
    power_state: powered_on
  register: running

- name: Show them
  ansible.builtin.debug:
    msg: "{{ running.vms | map(attribute='name') | list }}"

- name: One VM by name, with two raw VI properties
  viapi.esx.esx_vm_info:
    name: DC0_H0_VM0
    properties:
      - config.cpuHotAddEnabled
      - summary.quickStats.overallCpuUsage
  register: one
"""

RETURN = r"""
vms:
  description:
    - The facts of the VMs that pass the filters, ordered by datacenter, folder and name.
      Every VM has every key (but C(disks), C(nics), C(cdroms) and C(controllers) with O(devices=false)); a
      value the server does not have is C(null).
    - With O(facts), each VM has the facts named there and C(name), C(moid), C(uuid),
      C(instance_uuid), C(datacenter) and C(folder), with the values a full read gives.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The VM's name.
      type: str
      returned: always
    moid:
      description: Managed object id.
      type: str
      returned: always
    uuid:
      description: BIOS UUID.
      type: str
      returned: always
    instance_uuid:
      description: vCenter instance UUID.
      type: str
      returned: always
    datacenter:
      description: Datacenter name.
      type: str
      returned: always
    folder:
      description: Inventory path of the VM's folder, for example C(/DC0/vm/web).
      type: str
      returned: always
    host:
      description: ESXi host name.
      type: str
    cluster:
      description: Cluster name (null on a standalone host).
      type: str
    resource_pool:
      description: Resource pool name.
      type: str
    power_state:
      description: C(powered_on), C(powered_off) or C(suspended).
      type: str
    connection_state:
      description: C(connected), C(disconnected), C(orphaned), C(inaccessible) or C(invalid).
      type: str
    template:
      description: Whether the VM is a template.
      type: bool
    guest_id:
      description: Configured guest OS id.
      type: str
    guest_full_name:
      description: Configured guest OS name.
      type: str
    guest_hostname:
      description: Host name reported by VMware Tools.
      type: str
    ip_address:
      description: Primary IP address reported by VMware Tools.
      type: str
    ip_addresses:
      description: Every IP address reported by VMware Tools.
      type: list
      elements: str
    tools_status:
      description: C(ok), C(old), C(not_running) or C(not_installed).
      type: str
    num_cpus:
      description: Virtual CPUs.
      type: int
    cores_per_socket:
      description: Cores per socket.
      type: int
    memory_mb:
      description: Memory in MiB.
      type: int
    hardware_version:
      description: Virtual hardware version, for example C(vmx-19).
      type: str
    annotation:
      description: Notes.
      type: str
    datastores:
      description: Names of the datastores the VM uses.
      type: list
      elements: str
    disks:
      description:
        - Virtual disks (label, key, capacity_bytes, datastore, file, thin, disk_type, mode, controller, unit_number, uuid,
          controller_kind, controller_number, shares, iops_limit).
        - C(controller_kind) is V(paravirtual), V(lsilogic), V(lsilogic_sas), V(buslogic), V(sata), V(nvme) or V(ide) and
          C(controller_number) its bus number; C(shares) the storage I/O shares (V(low), V(normal), V(high) or a number) and
          C(iops_limit) the IOPS limit (-1 is unlimited), both null when the server sets none.
      returned: when devices is true, and facts is unset or names it
      type: list
      elements: dict
    nics:
      description: Network adapters (label, key, mac_address, network, device_type, connected, start_connected).
      returned: when devices is true, and facts is unset or names it
      type: list
      elements: dict
    cdroms:
      description:
        - Every CD-ROM drive (label, key, type - V(iso), V(client) or V(host) -, iso_path, controller, unit_number, connected,
          start_connected, controller_kind, controller_number).
      returned: when devices is true, and facts is unset or names it
      type: list
      elements: dict
    custom_attributes:
      description: Custom attribute name to value (null on ESXi).
      type: dict
    snapshots:
      description:
        - The VM's snapshot tree, a list of the root snapshots (empty without snapshots). Each has
          C(name), C(path) (names from the root joined by C(/), a C(/) inside a name as C(%2f)),
          C(description), C(id) (the snapshot's managed object id, as M(viapi.esx.esx_vm_snapshot)'s
          O(viapi.esx.esx_vm_snapshot#module:snapshot_id) takes it), C(number) (its number within the VM),
          C(created) (ISO 8601, UTC), C(state) (the VM's power state when it was taken), C(quiesced)
          and C(children) (snapshots of the same shape).
      type: list
      elements: dict
      version_added: 0.2.0
    current_snapshot:
      description: The current snapshot (C(name), C(path), C(id)); null without snapshots.
      type: dict
      version_added: 0.2.0
    snapshot_count:
      description: How many snapshots the VM has.
      type: int
      version_added: 0.2.0
    firmware:
      description: C(bios) or C(efi).
      type: str
    secure_boot:
      description: Whether UEFI secure boot is on.
      type: bool
    boot_order:
      description: The boot order as device kinds - C(disk), C(cdrom), C(network), C(floppy); empty for the default order.
      type: list
      elements: str
    boot_delay_ms:
      description: Milliseconds the firmware waits before it boots.
      type: int
    enter_bios_setup:
      description: Whether the VM enters the BIOS or EFI setup at its next boot.
      type: bool
    boot_retry_delay_ms:
      description: Milliseconds before a failed boot is retried; 0 when retry is off.
      type: int
    cpu_hot_add:
      description: Whether CPUs can be added while the VM runs.
      type: bool
    cpu_hot_remove:
      description: Whether CPUs can be removed while the VM runs.
      type: bool
    memory_hot_add:
      description: Whether memory can be added while the VM runs.
      type: bool
    nested_virtualization:
      description: Whether hardware-assisted virtualization is exposed to the guest.
      type: bool
    memory_reservation_locked:
      description: Whether all of the VM's memory is reserved.
      type: bool
    cpu_reservation_mhz:
      description: CPU reservation in MHz.
      type: int
    cpu_limit_mhz:
      description: CPU limit in MHz; -1 for none.
      type: int
    cpu_shares:
      description: CPU shares (the number).
      type: int
    cpu_shares_level:
      description: C(low), C(normal), C(high) or C(custom).
      type: str
    memory_reservation_mb:
      description: Memory reservation in MiB.
      type: int
    memory_limit_mb:
      description: Memory limit in MiB; -1 for none.
      type: int
    memory_shares:
      description: Memory shares (the number).
      type: int
    memory_shares_level:
      description: C(low), C(normal), C(high) or C(custom).
      type: str
    vapp_properties:
      description:
        - vApp properties - C(id), C(key), C(value), C(type), C(label), C(default),
          C(user_configurable).
      type: list
      elements: dict
    extra_config:
      description: Advanced settings, key to value, without the keys vSphere owns (see docs/vm.md).
      type: dict
    linked_clone:
      description:
        - For a linked clone, the disks it shares with its source - for each disk whose delta
          chain reaches a disk in another VM's directory, C(label), C(file) (its own delta
          disk) and C(parent) (the source's snapshot disk it is a child of). Null for a VM
          that is no linked clone (a snapshot's delta disks, in the VM's own directory, do not
          count), and when devices is false.
      type: list
      elements: dict
      version_added: 0.2.0
    controllers:
      description:
        - The storage controllers (IDE, SCSI, SATA, NVMe), in the order of the device lists - label, key, kind (as
          C(disks[].controller_kind)), bus_number, shared_bus (SCSI bus sharing, else null) and devices, the disks and
          CD-ROMs on it by unit number (label, key, unit_number, type - V(disk) or V(cdrom)).
      returned: when devices is true, and facts is unset or names it
      type: list
      elements: dict
      version_added: 0.2.0
    vi_properties:
      description: The O(properties) paths and their values, when O(properties) is set.
      type: dict
      returned: when properties is set
  sample:
    - name: DC0_H0_VM0
      moid: vm-57
      datacenter: DC0
      folder: /DC0/vm
      host: DC0_H0
      cluster: null
      power_state: powered_on
      num_cpus: 1
      memory_mb: 32
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.vm import query as vm_query
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_ARGS
from ansible_collections.viapi.esx.plugins.module_utils.vm.request import (
    VmIdentity,
    VmQuery,
    field_names,
)

# The identity options of esx_vm, here as filters (none required, any combination).
ARGS = dict(IDENTITY_ARGS)
ARGS.update(
    {
        "host": {"type": "str"},
        "cluster": {"type": "str"},
        "power_state": {"type": "str", "choices": ["powered_on", "powered_off", "suspended"]},
        "include_templates": {"type": "bool", "default": False},
        "devices": {"type": "bool", "default": True},
        "facts": {"type": "list", "elements": "str"},
        "properties": {"type": "list", "elements": "str"},
        "has_snapshots": {"type": "bool"},
        "snapshot_older_than_days": {"type": "int"},
        "parallel_reads": {"type": "int", "default": 4},
    }
)


def query(params: dict, _check_mode: bool = False) -> VmQuery:
    """The filters as the typed query the runner takes, checked as far as they alone tell."""
    p = params
    built = VmQuery(
        identity=VmIdentity(**{k: p[k] for k in field_names(VmIdentity)}),
        host=p["host"], cluster=p["cluster"], power_state=p["power_state"],
        include_templates=p["include_templates"], devices=p["devices"],
        properties=tuple(p["properties"] or ()),
        facts=None if p["facts"] is None else tuple(p["facts"]),
        has_snapshots=p["has_snapshots"], snapshot_older_than_days=p["snapshot_older_than_days"],
        parallel_reads=p["parallel_reads"],
    )  # fmt: skip
    vm_query.validate(built)
    return built


def run(module, client) -> dict:
    """Read the selected VMs' facts."""
    return vm_query.run(client, module.request, module.new_client, module.warn)


def main() -> None:
    EsxModule(ARGS, supports_check_mode=True).run(run, query)


if __name__ == "__main__":
    main()
