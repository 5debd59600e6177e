# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The inventory's options that name and select its hosts, evaluated by
    plugins/module_utils/inventory/hosts.py."""

    DOCUMENTATION = r"""
options:
  hostnames:
    description:
      - How to name each host, in order of preference; the first entry that gives a non-empty
        value wins. An entry is a Jinja2 expression over the host's variables; the bare name of a
        fact (V(name), V(guest_hostname), V(ip_address), V(instance_uuid)...) stands for its
        C(esx_) variable.
      - An entry that fails for a VM (an error in the expression, a missing variable) is
        passed over for it, with one warning per entry that counts the VMs and names the first
        one (a fatal error with O(strict)).
      - When no entry gives a value, the VM's name is used.
      - When two VMs get the same name, the first (in endpoint order, then by datacenter, folder
        and name) keeps it and the others get C(_<instance uuid>) appended, with a warning.
    type: list
    elements: str
    default: [name]
  filters:
    description:
      - Jinja2 expressions over the host's variables. A VM is kept only when B(all) of them are
        true. An expression that fails for a VM counts as false for it (a fatal error with
        O(strict)).
      - Note that vmware.vmware.vms does the opposite with its C(filter_expressions)/C(filters)
        (drops a VM when any is true).
    type: list
    elements: str
    default: []
"""
