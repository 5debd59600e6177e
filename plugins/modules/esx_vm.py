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
  force:
    description:
      - Let V(shutdown_guest) and V(reboot_guest) fall back to a hard power off or reset when
        the guest cannot be asked (no VMware Tools, suspended VM, O(guest_timeout) passed).
      - Let V(absent) power off a running VM before deleting it.
    type: bool
    default: false
  allow_power_cycle:
    description:
      - Changes that need the VM powered off (for example O(cores_per_socket), O(guest_id),
        O(hardware_version), CPU or memory without hot add) are refused on a running VM, with a
        message naming the options. With V(true), the VM is powered off (hard), reconfigured,
        and powered on again.
    type: bool
    default: false
  guest_timeout:
    description: Seconds to wait for a guest shutdown (V(shutdown_guest)) to power the VM off.
    type: int
    default: 300
  wait_timeout:
    description:
      - Seconds each server task (create, reconfigure, power, delete) may take.
      - On timeout the module fails with the task's state; the server may still finish it.
    type: int
    default: 3600
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
        to the cluster's first host (by name) that is connected and not in maintenance mode.
    type: str
  resource_pool:
    description: Placement of a new VM - the resource pool (by name). Ignored when the VM exists.
    type: str
  datastore:
    description:
      - Placement of a new VM - the datastore of its files and (by default) of its disks.
        Defaults to the only datastore the host or cluster sees. Ignored when the VM exists.
    type: str
  guest_id:
    description:
      - The guest OS identifier, for example C(otherGuest64), C(ubuntu64Guest),
        C(windows2019srv_64Guest). Required to create a VM. Changing it needs the VM off.
      - Checked, in check mode too, against the guest ids the host offers at the VM's
        hardware version (its environment browser's config options); an id it does not offer
        fails with the nearest ids it does.
    type: str
  num_cpus:
    description:
      - Virtual CPUs; 1 for a new VM when not set. A change on a running VM needs CPU hot
        add (or hot remove, to lower it) enabled, else the VM off.
    type: int
  cores_per_socket:
    description: Cores per virtual socket; O(num_cpus) must be a multiple of it.
    type: int
  memory_mb:
    description:
      - Memory in MiB, a multiple of 4; 1024 for a new VM when not set. Growing it on a
        running VM needs memory hot add enabled; shrinking it needs the VM off.
    type: int
  hardware_version:
    description:
      - The virtual hardware version, C(vmx-19) or C(19). A new VM gets it at creation; an
        existing VM is upgraded (never downgraded - a lower version is an error).
      - Checked, in check mode too, against the versions the host offers for a new VM or as
        an upgrade (EnvironmentBrowser.QueryConfigOptionDescriptor); a version it does not offer
        fails with the nearest versions it does.
      - V(latest) is the newest version the host offers - for a new VM, the newest it creates;
        for an existing VM, the newest it upgrades to (no change when the VM has that or newer).
    type: str
  annotation:
    description: The VM's notes.
    type: str
  disks:
    description:
      - Virtual disks. An entry with O(disks[].filename) is the disk with that file; one with
        O(disks[].unit_number) is the disk at that place (O(disks[].controller),
        O(disks[].controller_number)); the others are matched in list order to the VM's
        remaining disks in the order of C(vm.disks) (by controller - IDE, SCSI, SATA, NVMe -,
        bus number, then unit number), among the disks of their O(disks[].controller) (and
        O(disks[].controller_number)) when set, among all otherwise.
      - A listed disk that the VM lacks is added. Without O(disks[].unit_number) it goes on the
        first free unit after every disk its entry could be matched with (so the next run
        matches it the same way; a gap left by a removed disk is filled only by naming its
        unit), on a controller of its kind - any SCSI controller without
        O(disks[].controller). A controller is added when none has room (a paravirtual one
        without O(disks[].controller)), at creation too; adding a controller needs the VM off.
        A larger size grows a disk (also on a running VM); a smaller size is an error naming
        the disk.
    type: list
    elements: dict
    suboptions:
      size_gb:
        description:
          - Size in GiB. At most one of O(disks[].size_gb) and O(disks[].size_mb).
          - A disk the VM lacks needs one of them. Without either, an existing disk keeps its
            size, so a list may name the existing disks with C({}) and add one at the end.
        type: float
      size_mb:
        description: Size in MiB.
        type: int
      type:
        description:
          - Provisioning of a new disk (V(thin) when not set). For an existing disk, a
            different type is an error (conversion is not supported).
        type: str
        choices: [thin, thick, eager_zeroed]
      datastore:
        description:
          - Datastore of a new disk (the VM's datastore when not set). For an existing disk,
            a different datastore is an error (moving disks is not supported).
        type: str
      mode:
        description: Disk mode (V(persistent) for a new disk). Changing it needs the VM off.
        type: str
        choices: [persistent, independent_persistent, independent_nonpersistent]
      controller:
        description:
          - The kind of controller the disk is on. A new disk goes on one of this kind, added
            when none has a free unit; an existing disk on another kind is an error (disks are
            not moved). Not set - any SCSI controller, a paravirtual one when one is added.
          - SCSI kinds (V(paravirtual), V(lsilogic), V(lsilogic_sas), V(buslogic)) share the
            4 SCSI bus numbers. V(sata) is an AHCI controller (4, 30 units each), V(nvme) 4
            with 15 units each, V(ide) the VM's two IDE controllers (2 units each; never
            added; IDE disks are added and removed with the VM off).
        type: str
        choices: [paravirtual, lsilogic, lsilogic_sas, buslogic, nvme, sata, ide]
      controller_number:
        description:
          - The bus number of the disk's controller (0 to 3; IDE 0 or 1). With
            O(disks[].unit_number), the place of the disk; without, the controller a new disk
            goes on. Defaults to 0 when O(disks[].unit_number) is set.
        type: int
      unit_number:
        description:
          - The disk's unit on its controller (SCSI 0 to 15 but 7, the controller's own; SATA
            0 to 29; NVMe 0 to 14; IDE 0 or 1). A unit another device holds, or a full
            controller, is an error naming it.
        type: int
      filename:
        description:
          - An existing VMDK, C([datastore] dir/disk.vmdk). A disk the VM has with this file
            is the one this entry manages; otherwise the file is attached (not created, not
            copied) and keeps its own size - set no size until it is attached.
        type: str
      shares:
        description:
          - The disk's storage I/O shares (StorageIOAllocationInfo) - V(low), V(normal),
            V(high) or a number of shares. Changed on a running VM too.
        type: str
      iops_limit:
        description: The disk's IOPS limit; V(-1) is unlimited. Changed on a running VM too.
        type: int
      state:
        description:
          - V(absent) removes the disk this entry names by O(disks[].unit_number) or
            O(disks[].filename) (an absent disk without either is an error, so that a second
            run cannot remove another disk); nothing happens when the VM has no such disk.
          - The file is kept unless O(disks[].destroy). Removing an IDE disk needs the VM off.
        type: str
        choices: [present, absent]
        default: present
      destroy:
        description: With O(disks[].state=absent), also delete the disk's file.
        type: bool
        default: false
  networks:
    description:
      - Network adapters, matched to the VM's NICs in order (by unit number), the order of
        C(vm.nics). A listed NIC that the VM lacks is added.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The port group - a standard network or a distributed port group, by name, in the
            VM's datacenter.
        type: str
        required: true
      device_type:
        description:
          - Adapter type; V(vmxnet3) for a new NIC. Changing it on an existing NIC replaces the
            NIC in its slot and needs the VM off. A manual MAC address (O(networks[].mac_address),
            now or in an earlier run) is kept; a generated one is not - the server generates a
            new one, and the diff shows C(mac_address) as null.
        type: str
        choices: [vmxnet3, e1000e, e1000, vmxnet2, sriov]
      connected:
        description:
          - Whether the NIC is connected now. Compared and changed only while the VM runs;
            true for a new NIC.
        type: bool
      start_connected:
        description: Whether the NIC connects at power on; true for a new NIC.
        type: bool
      mac_address:
        description:
          - A static MAC address (VMware's range is 00:50:56:00:00:00 - 00:50:56:3f:ff:ff).
            Generated when not set. Changing it needs the VM off.
          - With O(networks[].state=absent), the NIC to remove.
        type: str
      ip:
        description:
          - A static IPv4 address the guest customization (O(customization)) gives this NIC;
            without it the NIC uses DHCP. Used only with O(customization).
        type: str
        version_added: 0.2.0
      netmask:
        description: The subnet mask of O(networks[].ip), for example C(255.255.255.0).
        type: str
        version_added: 0.2.0
      gateway:
        description: The default gateway of this NIC.
        type: str
        version_added: 0.2.0
      dvswitch:
        description:
          - The distributed switch of the port group O(networks[].name), to tell apart port
            groups of one name on two switches. The diff then shows each such NIC's
            C(dvswitch).
        type: str
      physical_function:
        description:
          - For O(networks[].device_type=sriov), the PCI id of the host's physical function
            (C(0000:3b:00.0)); without it, the spec names no physical function. A VM with an
            SR-IOV adapter needs all its memory reserved to power on. Compared only when the NIC
            is added or replaced.
        type: str
      state:
        description:
          - V(absent) removes the NIC with the MAC address O(networks[].mac_address) (required
            then); nothing happens when the VM has none. The other entries are matched in
            order to the NICs that are left.
        type: str
        choices: [present, absent]
        default: present
  cdrom:
    description:
      - Deprecated, use O(cdroms) - the same as a one-entry O(cdroms) list (the first CD-ROM
        drive). Added (on a free slot of the VM's IDE controllers, with the VM off) when the
        VM has none; a new VM's drive goes on its default IDE 0 controller.
      - Not with O(cdroms).
    type: dict
    suboptions:
      type:
        description:
          - V(iso) mounts O(cdrom.iso_path); V(client) is the client device (nothing inserted).
          - V(iso) when O(cdrom.iso_path) is set, else V(client).
        type: str
        choices: [iso, client]
      iso_path:
        description: The ISO image, as a datastore path like C([datastore1] iso/ubuntu.iso).
        type: str
      connected:
        description: Whether the drive is connected (now, while the VM runs, and at power on).
        type: bool
  firmware:
    description:
      - The VM's firmware, V(bios) or V(efi). Changing it needs the VM off; the guest may no
        longer boot from a disk installed for the other firmware.
    type: str
    choices: [bios, efi]
  secure_boot:
    description:
      - UEFI secure boot (boot options C(efiSecureBootEnabled)). V(true) needs
        O(firmware=efi) (set now or already the VM's). Changing it needs the VM off.
    type: bool
  boot_order:
    description:
      - The boot order, a list of device kinds - V(disk) (the VM's first disk, the first of
        C(vm.disks)), V(cdrom), V(network) (the first NIC) and V(floppy). Each kind at most
        once; a V(disk) or V(network) the VM lacks is an error.
      - Set on a running VM too; it takes effect at the next boot. A new VM gets it right after
        its creation (a second reconfiguration, once its devices have keys).
    type: list
    elements: str
    choices: [disk, cdrom, network, floppy]
  boot_delay_ms:
    description: Milliseconds the firmware waits before it boots (0 for none).
    type: int
  enter_bios_setup:
    description: Enter the BIOS or EFI setup at the next boot (the server clears it once done).
    type: bool
  boot_retry_delay_ms:
    description:
      - Milliseconds before a failed boot is retried; V(0) turns the retry off.
    type: int
  cpu_hot_add:
    description: Let CPUs be added while the VM runs. Changing it needs the VM off.
    type: bool
  cpu_hot_remove:
    description: Let CPUs be removed while the VM runs. Changing it needs the VM off.
    type: bool
  memory_hot_add:
    description: Let memory be added while the VM runs. Changing it needs the VM off.
    type: bool
  nested_virtualization:
    description:
      - Expose hardware-assisted virtualization to the guest (C(nestedHVEnabled)). Changing it
        needs the VM off.
    type: bool
  cpu_reservation_mhz:
    description: CPU guaranteed to the VM, in MHz (0 for none). Changed on a running VM too.
    type: int
  cpu_limit_mhz:
    description: The most CPU the VM may use, in MHz; V(-1) for no limit.
    type: int
  cpu_shares:
    description:
      - The VM's CPU shares against its siblings - V(low), V(normal), V(high), or a number of
        shares (level C(custom)).
      - The facts give C(cpu_shares) (the number) and C(cpu_shares_level); a level is compared
        with the level, a number with the number of a C(custom) level.
    type: raw
  memory_reservation_mb:
    description: Memory guaranteed to the VM, in MiB (0 for none).
    type: int
  memory_reservation_locked:
    description:
      - Reserve all of the VM's memory, following O(memory_mb) (C(memoryReservationLockedToMax)).
    type: bool
  memory_limit_mb:
    description: The most memory the VM may use, in MiB; V(-1) for no limit.
    type: int
  memory_shares:
    description: The VM's memory shares - V(low), V(normal), V(high), or a number of shares.
    type: raw
  extra_config:
    description:
      - Advanced settings (C(config.extraConfig)), for example C(guestinfo.*) keys for
        cloud-init. A dict of key to value; only the keys listed are managed, others are left
        as they are.
      - Keys are compared exactly (case and all). Values are text, as the server stores them -
        numbers are written as digits, booleans as C(TRUE) and C(FALSE). A key set to null is
        removed (vSphere removes a key whose value is empty); an empty string is an error.
      - Keys vSphere owns are refused, naming the key - those other options or the VM's
        configuration set (for example C(numvcpus), C(memsize), C(firmware), C(bios.bootOrder),
        C(sched.cpu.min), C(vhv.enable)), those of virtual devices (C(scsi0:0.*),
        C(ethernet0.*), ...) and those vSphere writes itself (C(vmware.tools.*) versions,
        C(migrate.*), C(guestinfo.vmtools.*), ...). See docs/vm.md for the full list.
      - Changed on a running VM too; some settings take effect at the next power on.
    type: dict
  vapp_properties:
    description:
      - vApp properties (C(config.vAppConfig.property)), matched by O(vapp_properties[].id).
        A property the VM lacks is added; one it has gets the listed fields that differ.
        Properties not listed are left alone.
      - Changed on a running VM too. A new VM gets them right after its creation (a second
        reconfiguration).
    type: list
    elements: dict
    suboptions:
      id:
        description: The property's id, for example C(guestinfo.hostname) or C(ip0).
        type: str
        required: true
      value:
        description: Its value (text; booleans as C(True) and C(False)).
        type: raw
      type:
        description:
          - The OVF type of a new property (V(string) when not set), for example C(string),
            C(int), C(boolean), C(password), C(ip). A different type for an existing property is
            an error.
        type: str
      label:
        description: The label shown for the property.
        type: str
      default:
        description: The default value.
        type: raw
  custom_attributes:
    description:
      - Values of vCenter custom attributes on the VM, a dict of attribute name to value
        (CustomFieldsManager.SetField); null sets an empty value. Attributes not listed are
        left alone. Compared with C(vm.custom_attributes).
      - An attribute vCenter does not define (for VMs, or for every type) is an error naming it,
        unless O(create_custom_attributes=true). Not available on a standalone ESXi host.
      - Set on a running VM and on a template too; a new VM gets them right after its creation.
    type: dict
  create_custom_attributes:
    description:
      - Define the O(custom_attributes) vCenter lacks, as attributes of virtual machines
        (AddCustomFieldDef), before setting their values. In check mode nothing is defined.
    type: bool
    default: false
  answers:
    description:
      - Answers to the questions a VM asks when it powers on (C(runtime.question)), for
        example the one of a VM whose files were moved or copied (message id
        C(msg.uuid.altered)). A dict of the question's id or one of its message ids to the
        choice - its key (C("2")) or its label (C(I Copied It)).
      - A power on that a question blocks is answered from this dict (VirtualMachine.AnswerVM);
        without an answer it fails at once with the question's text, ids and choices, instead of
        waiting until O(wait_timeout). The question stays on the VM, and a later run with
        O(answers) answers it. Questions are never answered otherwise.
    type: dict
  cdroms:
    description:
      - CD-ROM drives. An entry with O(cdroms[].unit_number) is the drive at that place; the
        others are matched in order to the VM's remaining drives in the order of C(vm.cdroms)
        (of their O(cdroms[].controller) kind when set). A listed drive the VM lacks is added,
        after the drives its entry could be matched with; on IDE (the default) with the VM
        off, on SATA while it runs too (a SATA controller added when none has room, with the
        VM off).
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - V(iso) mounts O(cdroms[].iso_path); V(client) is the client device (nothing
            inserted); V(none) is the client device, disconnected and not connected at power
            on (the facts show it as V(client)).
          - V(iso) when O(cdroms[].iso_path) is set, else V(client).
        type: str
        choices: [iso, client, none]
      iso_path:
        description: The ISO image, as a datastore path like C([datastore1] iso/ubuntu.iso).
        type: str
      controller:
        description: The controller kind of the drive (V(ide) for a new drive when not set).
        type: str
        choices: [ide, sata]
      controller_number:
        description: The bus number of the drive's controller; 0 when O(cdroms[].unit_number) is set.
        type: int
      unit_number:
        description: The drive's unit on its controller (IDE 0 or 1; SATA 0 to 29).
        type: int
      connected:
        description: Whether the drive is connected now (compared while the VM runs).
        type: bool
      start_connected:
        description: Whether the drive connects at power on; O(cdroms[].connected) when not set.
        type: bool
      state:
        description:
          - V(absent) removes the drive at O(cdroms[].unit_number) (required then); nothing
            happens - and no drive is added - when the VM has none there. Removing an IDE
            drive needs the VM off.
        type: str
        choices: [present, absent]
        default: present
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

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.vm import lifecycle
from ansible_collections.viapi.esx.plugins.module_utils.vm.identify import IDENTITY_RULES
from ansible_collections.viapi.esx.plugins.module_utils.vm.options import ARGS, POSITIVE, request


def run(module, client) -> dict:
    """Converge the VM (a PartialFailure brings its partial result to the failure)."""
    result = lifecycle.run(client, request(module.params, module.check_mode))
    if not module.diff_mode:
        result.pop("diff", None)
    return result


def main() -> None:
    EsxModule(ARGS, positive=POSITIVE, supports_check_mode=True, **IDENTITY_RULES).run(run)


if __name__ == "__main__":
    main()
