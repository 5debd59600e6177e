# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options that say which VM is meant (vm/identify.py's IDENTITY_ARGS).

    esx_vm and esx_migrate take exactly one of name, uuid and moid; esx_vm_info takes them as
    filters. Each module's own description says which.
    """

    DOCUMENTATION = r"""
options:
  name:
    description:
      - The VM's name, as the inventory shows it. Names need not be unique; O(folder) and
        O(datacenter) narrow the search.
    type: str
  uuid:
    description:
      - The VM's BIOS UUID (C(config.uuid)), or its instance UUID (C(config.instanceUuid)) with
        O(use_instance_uuid). Its letters may be capitals (RFC 4122 reads a UUID's hex digits
        case-insensitively; vSphere writes them in lower case).
      - A BIOS UUID is not unique (a copied VM keeps its source's). A module that acts on one VM
        refuses a UUID that two VMs have, listing their moids; esx_vm_info returns every VM
        that has it.
    type: str
  use_instance_uuid:
    description:
      - Whether O(uuid) is the VM's instance UUID (C(config.instanceUuid)) rather than its BIOS
        UUID.
      - Without O(uuid) it has no effect; V(true) then gives a warning.
    type: bool
    default: false
  moid:
    description:
      - The VM's managed object id, for example C(vm-42).
    type: str
  folder:
    description:
      - The VM folder the VM is directly in, as an inventory path - C(/DC0/vm/web),
        C(DC0/vm/web), C(vm/web) or C(web) (below the datacenter's VM folder).
      - Narrows the search for O(name).
    type: str
  datacenter:
    description:
      - The datacenter to look in, by name (a VM given by O(moid) is found wherever it is). A
        datacenter that does not exist is an error.
    type: str
"""
