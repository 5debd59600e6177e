# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The inventory's options that say what it reads and how, used by
    plugins/module_utils/inventory/source.py and hostvars.py."""

    DOCUMENTATION = r"""
options:
  max_workers:
    description:
      - How many endpoints are read at the same time (one connection each).
    type: int
    default: 4
  parallel_reads:
    description:
      - How many sessions read one endpoint's VMs at the same time, each through its own
        connection. The VMs are split by datacenter, or by cluster and standalone host when
        there are fewer datacenters than this, into at most this many parts of about equal
        numbers of hosts; each session logs out when its part is read.
      - At most O(max_workers) times this many sessions are open at once. A server that
        refuses some of the sessions (a session limit) is read through those it opened, with a
        warning. V(1) reads each endpoint through one session, page after page.
      - The host variables and their order do not depend on this.
    type: int
    default: 4
    version_added: 0.2.0
  properties:
    description:
      - Extra VI property paths of C(VirtualMachine) to read, for example C(config.cpuHotAddEnabled)
        or C(summary.quickStats.overallCpuUsage).
      - Each becomes the variable C(esx_vi_<path>), every character other than a letter, digit or
        underscore replaced by C(_) (C(config.cpuHotAddEnabled) -> C(esx_vi_config_cpuHotAddEnabled)).
        References to other objects become C({_type, type, value}) dicts, C(_type) being
        C(ManagedObjectReference) (as in M(viapi.esx.esx_vm_info)'s C(vi_properties)).
      - A path the server knows but a VM leaves unset is C(null). A path the server does not know
        makes that endpoint unreadable with an error naming this option (a warning, or fatal with
        O(strict)).
    type: list
    elements: str
    default: []
  device_facts:
    description:
      - Also read the VMs' device lists, for the C(esx_disks), C(esx_nics), C(esx_cdroms) and
        C(esx_controllers) variables, and their settings lists, for C(esx_extra_config) and
        C(esx_vapp_properties) (password values hidden). Off by default, as for large fleets the
        device and settings lists are most of the transfer.
    type: bool
    default: false
  include_templates:
    description: List templates too (with C(esx_template=true)).
    type: bool
    default: false
"""
