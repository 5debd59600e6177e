# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """esx_vm's provisioning options: clone from a template, customize the guest, wait for it,
    make templates (vm/clone.py, vm/customization.py, vm/provision.py)."""

    DOCUMENTATION = r"""
options:
  template:
    description:
      - The template or VM to clone the new VM from, by name or inventory path
        (C(/DC0/vm/templates/rhel9)), in the datacenter of the new VM. One CloneVM_Task makes
        the VM, with the other options (CPU, memory, disks grown or added, networks,
        annotation) in the clone's configuration, the customization, and the power-on of
        O(state=powered_on).
      - The placement options O(host), O(cluster), O(resource_pool), O(datastore) and
        O(folder) say where the clone goes; the source's own placement is reused only where
        they leave it open.
      - With none of them, the clone goes where the source is - its host, its resource pool
        (a template has none - the root pool of its host's cluster or standalone host) and
        its datastore.
      - O(host), O(cluster) and O(resource_pool) place it as they place a new VM.
      - O(datastore) without them puts it on the source's host when that host mounts the
        datastore, else on a connected host outside maintenance mode that does (one of the
        source's cluster first, then the first by name).
      - O(folder) without any of them gives it a new VM's compute placement - the only
        cluster or standalone host of the datacenter, else the task fails asking for
        O(host), O(cluster) or O(resource_pool).
      - Without O(datastore), the clone's files go to the source's datastore when the
        clone's host (or cluster) sees it, else to the only one it sees, else the task fails
        asking for O(datastore). A given O(datastore) must be mounted by the host, or by a
        host of the cluster; the error names both. Without O(folder), the clone goes to the
        VM folder of the source's datacenter.
      - Used only to create the VM - a VM that exists is never cloned again, and O(template)
        and O(customization) are then ignored with no change reported.
      - Needs vCenter; on a standalone ESXi host (the server reports C(apiType) C(HostAgent))
        the task fails before any change.
    type: str
    version_added: 0.2.0
  snapshot_src:
    description:
      - Clone from this snapshot of the source (its name, or its path like C(base/patched))
        rather than from the source's current state.
    type: str
    version_added: 0.2.0
  linked_clone:
    description:
      - Make a linked clone - its disks are child (delta) disks of the disks of
        O(snapshot_src), which it shares with the source (C(diskMoveType)
        C(createNewChildDiskBacking)). Needs O(snapshot_src).
    type: bool
    version_added: 0.2.0
    default: false
  customization:
    description:
      - Guest customization at clone time (a CustomizationSpec in the CloneVM_Task). The guest
        needs VMware Tools. Linux (LinuxPrep) unless O(customization.windows) is set or the
        guest id is a Windows one (Sysprep).
      - Per NIC, O(networks[].ip), O(networks[].netmask) and O(networks[].gateway) give a
        static address; a NIC without O(networks[].ip) (or not listed) uses DHCP, and
        O(wait_for=ip) then waits for the guest to report its lease.
      - For a VM that exists, nothing is customized unless O(customization.existing_vm) is
        set.
      - The passwords and the product key are never shown in output, diff, errors or logs.
    type: dict
    version_added: 0.2.0
    suboptions:
      hostname:
        description: The guest's host name (computer name); the VM's name when not set.
        type: str
      domain:
        description: The DNS domain (Linux), also the NICs' DNS domain (Windows).
        type: str
      dns_servers:
        description: DNS servers.
        type: list
        elements: str
      dns_suffix:
        description: DNS search suffixes.
        type: list
        elements: str
      timezone:
        description:
          - The time zone - a tz name like C(Europe/Berlin) (Linux), or the Windows time zone
            index like C(85) (GMT; Windows; 85 when not set).
        type: str
      linux:
        description: Linux settings.
        type: dict
        suboptions:
          hw_clock_utc:
            description: Whether the hardware clock is in UTC.
            type: bool
          script_text:
            description: A script the guest runs before and after customization (vSphere 7.0 U1 and later).
            type: str
      windows:
        description: Windows (Sysprep) settings.
        type: dict
        suboptions:
          password:
            description: The Administrator password.
            type: str
          org:
            description: The organization name (C(Organization) when not set).
            type: str
          full_name:
            description: The user's full name (C(Administrator) when not set).
            type: str
          product_key:
            description: The product key.
            type: str
          workgroup:
            description: The workgroup to join (C(WORKGROUP) when neither this nor join_domain is set).
            type: str
          join_domain:
            description: The domain to join; needs domain_admin and domain_admin_password.
            type: str
          domain_admin:
            description: The account that joins the domain.
            type: str
          domain_admin_password:
            description: Its password.
            type: str
          run_once:
            description: Commands run at the first logon.
            type: list
            elements: str
          auto_logon:
            description: Log on as Administrator automatically.
            type: bool
          auto_logon_count:
            description: How many automatic logons (1 when not set).
            type: int
      existing_vm:
        description:
          - Customize a VM that exists (CustomizeVM_Task); it must be powered off at that point,
            and the customization runs at its next power-on. Always reports a change.
        type: bool
        default: false
  customization_spec:
    description:
      - The name of a customization specification saved in vCenter (CustomizationSpecManager),
        used instead of O(customization); an unknown name fails naming it. Beside it,
        O(customization) may only set O(customization.existing_vm).
    type: str
    version_added: 0.2.0
  wait_for:
    description:
      - After the other changes, wait for each of these (in this order, under one deadline of
        O(wait_timeout) seconds) - V(customization) (the VM's last customization ended - the
        event collector sees CustomizationSucceeded; CustomizationFailed fails the task with
        the event's message, the VM left as it is), V(tools) (VMware Tools running),
        V(ip) (the guest reports an IP address other than a link-local one).
      - Waits use the server's change notifications, never polling. A timeout says what was
        waited for and what was seen last. The VM must be running at the end
        (O(state=powered_on), or already running with V(present)).
    type: list
    version_added: 0.2.0
    elements: str
    choices: [customization, tools, ip]
  is_template:
    description:
      - V(true) marks the VM as a template (MarkAsTemplate; it must be powered off at that
        point); for a new clone, the clone is made as a template; a new VM made without
        O(template) is marked once created (not with O(state=powered_on)).
      - V(false) turns a template into a VM (MarkAsVirtualMachine) in the resource pool and on
        the host the placement options name, else in the root resource pool of its host's
        cluster or host, on that host.
    type: bool
    version_added: 0.2.0
"""
