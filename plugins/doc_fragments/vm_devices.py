# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """esx_vm's device options: virtual disks, network adapters and CD-ROM drives (the device
    fields of vm/request.py's VmConfig, planned in vm/devices.py and vm/controllers.py)."""

    DOCUMENTATION = r"""
options:
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
            copied) and keeps its own size - set no size until it is attached. A file that
            is not there is an error naming this option before anything changes, in check
            mode too.
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
        description:
          - The ISO image, as a datastore path like C([datastore1] iso/ubuntu.iso).
          - Only with O(cdrom.type=iso) (or no O(cdrom.type)).
        type: str
      connected:
        description: Whether the drive is connected (now, while the VM runs, and at power on).
        type: bool
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
            on (the facts show it as V(client)); O(cdroms[].connected) or
            O(cdroms[].start_connected) V(true) with it fails.
          - V(iso) when O(cdroms[].iso_path) is set, else V(client).
        type: str
        choices: [iso, client, none]
      iso_path:
        description:
          - The ISO image, as a datastore path like C([datastore1] iso/ubuntu.iso).
          - Only with O(cdroms[].type=iso) (or no O(cdroms[].type)).
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
"""
