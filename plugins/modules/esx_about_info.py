#!/usr/bin/python
# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esx_about_info
short_description: What a vCenter or ESXi server is (product, version, build, API)
version_added: 0.1.0
description:
  - Logs in to a vCenter Server or an ESXi host and returns its about data as typed values.
  - The first thing to run against a new endpoint - it proves reachability, TLS trust and
    credentials in one step.
author:
  - viapi.esx developers (@viapi-esx)
extends_documentation_fragment:
  - viapi.esx.connection
  - viapi.esx.attributes.info
options: {}
"""

EXAMPLES = r"""
- name: Check that the endpoint answers and see what it is
  viapi.esx.esx_about_info:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    ca_path: /etc/pki/vcenter-ca.pem
  register: about

- name: Fail early on an unsupported version
  ansible.builtin.assert:
    that: about.about.version is version('7.0', '>=')
"""

RETURN = r"""
about:
  description: The server's about data.
  returned: success
  type: dict
  contains:
    name:
      description: Product name.
      type: str
      sample: VMware vCenter Server
    full_name:
      description: Product name with version and build.
      type: str
      sample: VMware vCenter Server 8.0.3 build-24022515
    vendor:
      description: The vendor.
      type: str
      sample: VMware, Inc.
    version:
      description: Product version.
      type: str
      sample: 8.0.3
    build:
      description: Build number.
      type: str
      sample: "24022515"
    os_type:
      description: Operating system type and architecture.
      type: str
      sample: linux-x64
    product_line_id:
      description: C(vpx) for vCenter, C(embeddedEsx) for ESXi.
      type: str
      sample: vpx
    api_type:
      description: C(VirtualCenter) or C(HostAgent).
      type: str
      sample: VirtualCenter
    api_version:
      description: The newest vSphere API version the server speaks.
      type: str
      sample: 8.0.3.0
    instance_uuid:
      description: The vCenter instance uuid (null on ESXi).
      type: str
      sample: bebc2ffd-1e78-43f9-bf1c-05a67f5eb56d
    license_product_name:
      description: The licensed product name.
      type: str
      sample: VMware VirtualCenter Server
    license_product_version:
      description: The licensed product version.
      type: str
      sample: "8.0"
"""

from ansible_collections.viapi.esx.plugins.module_utils.module import EsxModule

FIELDS = {
    "name": "name", "full_name": "fullName", "vendor": "vendor", "version": "version",
    "build": "build", "os_type": "osType", "product_line_id": "productLineId",
    "api_type": "apiType", "api_version": "apiVersion", "instance_uuid": "instanceUuid",
    "license_product_name": "licenseProductName",
    "license_product_version": "licenseProductVersion",
}  # fmt: skip


def about_info(module, client) -> dict:
    about = client.about
    return {"changed": False, "about": {k: about.get(v) or None for k, v in FIELDS.items()}}


def main():
    EsxModule({}, supports_check_mode=True).run(about_info)


if __name__ == "__main__":
    main()
