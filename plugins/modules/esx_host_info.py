#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_host_info
short_description: Facts about ESXi hosts (state, version, CPU, vMotion, maintenance)
version_added: 0.1.0
description:
  - Returns every ESXi host a vCenter or ESXi endpoint manages, or the hosts named or in a
    cluster, from one bulk read (plus one read for the names they refer to).
  - An empty O(name), O(cluster) or O(datacenter) (V('')) is an error, since it names no object
    (unset, the option lists every host).
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.attributes.info
options:
  name:
    description:
      - Only the host with this name (as shown in the inventory). Fails when there is none.
    type: str
  cluster:
    description:
      - Only the hosts of this cluster. Fails when there is no such cluster.
    type: str
  datacenter:
    description:
      - Only the hosts of this datacenter. Fails when there is no such datacenter.
    type: str
"""

EXAMPLES = r"""
- name: Every host of a cluster
  viapi.esx.esx_host_info:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    cluster: DC0_C0
  register: cluster_hosts

- name: The hosts that are not in maintenance mode
  ansible.builtin.debug:
    msg: "{{ cluster_hosts.hosts | rejectattr('maintenance_mode') | map(attribute='name') }}"
"""

RETURN = r"""
hosts:
  description: The hosts, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name: {description: The host's inventory name., type: str, sample: esx01.example.com}
    moid: {description: Managed object id., type: str, sample: host-21}
    datacenter: {description: Its datacenter., type: str, sample: DC0}
    cluster: {description: Its cluster (null for a standalone host)., type: str, sample: DC0_C0}
    connection_state:
      description: C(connected), C(disconnected) or C(notResponding).
      type: str
      sample: connected
    power_state:
      description: C(powered_on), C(powered_off), C(standby) or C(unknown).
      type: str
      sample: powered_on
    maintenance_mode: {description: In maintenance mode., type: bool, sample: false}
    quarantine_mode: {description: In quarantine mode (vCenter Proactive HA)., type: bool, sample: false}
    product: {description: Product name., type: str, sample: VMware ESXi}
    version: {description: ESXi version., type: str, sample: 8.0.2}
    build: {description: ESXi build., type: str, sample: "22380479"}
    api_version: {description: API version of the host., type: str, sample: 8.0.2.0}
    cpu_vendor: {description: "CPU vendor (C(intel), C(amd)) when the server reports it.", type: str, sample: intel}
    cpu_model: {description: CPU model., type: str, sample: "Intel(R) Xeon(R) Gold 6248"}
    cpu_cores: {description: Physical CPU cores., type: int, sample: 40}
    cpu_threads: {description: CPU threads., type: int, sample: 80}
    memory_bytes: {description: Physical memory., type: int, sample: 412316860416}
    vmotion_enabled: {description: vMotion enabled on a VMkernel interface., type: bool, sample: true}
    evc_mode: {description: The EVC mode the host runs in (null without EVC)., type: str, sample: intel-cascadelake}
    vm_count: {description: VMs registered on the host., type: int, sample: 12}
    datastores: {description: Names of the datastores it mounts., type: list, elements: str, sample: [datastore1]}
    networks: {description: Names of the networks it sees., type: list, elements: str, sample: [VM Network]}
"""

from ansible_collections.viapi.esx.plugins.module_utils.host import facts
from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule
from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument
from ansible_collections.viapi.esx.plugins.module_utils.vi.find import (
    find_by_name,
    find_datacenter,
    in_datacenter,
)

ARGS = {"name": {"type": "str"}, "cluster": {"type": "str"}, "datacenter": {"type": "str"}}


def host_info(module, client) -> dict:
    p = module.params
    for option in ARGS:  # an empty one names no object: unset, it would list every host
        if p[option] == "":
            raise InvalidArgument(f"{option}: '' is empty; leave {option} out for every host")
    root = find_datacenter(client, p["datacenter"], "datacenter") if p["datacenter"] else None
    where = in_datacenter(p["datacenter"])
    if p["cluster"]:
        root = find_by_name(client, "ClusterComputeResource", p["cluster"], root, where, "cluster")
        where = f"cluster '{p['cluster']}'"
    if p["name"]:
        ref = find_by_name(client, "HostSystem", p["name"], root, where, "name")
        hosts = facts.gather(client, [ref])
    else:
        hosts = facts.gather(client, root=root)
    return {"changed": False, "hosts": sorted(hosts, key=lambda h: h["name"] or "")}


def main():
    EsxModule(ARGS, supports_check_mode=True).run(host_info)


if __name__ == "__main__":
    main()
