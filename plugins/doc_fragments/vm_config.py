# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """esx_vm's configuration options other than the devices: guest, CPU, memory, hardware
    version, notes, firmware and boot, hot add, CPU and memory allocation, advanced settings,
    vApp properties and custom attributes (the other fields of vm/request.py's VmConfig)."""

    DOCUMENTATION = r"""
options:
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
    description: The most CPU the VM may use, in MHz; V(-1) for no limit. Not below O(cpu_reservation_mhz).
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
      - While it is locked (V(true) here or already on the VM), O(memory_reservation_mb) can only
        be the VM's memory size; another value fails before anything changes.
    type: bool
  memory_limit_mb:
    description: The most memory the VM may use, in MiB; V(-1) for no limit. Not below O(memory_reservation_mb).
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
        numbers are written as digits, booleans as C(TRUE) and C(FALSE), which match a stored
        value in any case (C(true) is no change). A key set to null is removed (vSphere removes a key whose value is empty); an empty string is an error.
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
      - The value and default of an entry with O(vapp_properties[].type=password) are kept out
        of the task's output (its invocation too), as a C(no_log) option's; the facts and the
        diff never show a password property's value. Give the type for an existing password
        property too, or its value shows in the invocation.
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
"""
