# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The connection options of the inventory plugin, with their environment variables."""

    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - The vCenter or ESXi host to read (name or IP address).
      - Required unless O(endpoints) lists the endpoints; then it is the default of each entry.
    type: str
    env:
      - name: VMWARE_HOST
  port:
    description:
      - The HTTPS port of the vSphere API (C(/sdk)).
    type: int
    default: 443
    env:
      - name: VMWARE_PORT
  username:
    description:
      - The user to log in as, for example C(administrator@vsphere.local) or C(root).
    type: str
    aliases: [user]
    env:
      - name: VMWARE_USER
      - name: VMWARE_USERNAME
  password:
    description:
      - The password of O(username). It never appears in output, logs, errors or the cache.
    type: str
    aliases: [pass, pwd]
    env:
      - name: VMWARE_PASSWORD
  validate_certs:
    description:
      - Verify the server's TLS certificate (on by default).
      - Setting it to V(false) is reported with a warning; prefer O(ca_path) for private CAs.
    type: bool
    default: true
    env:
      - name: VMWARE_VALIDATE_CERTS
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed the server's certificate.
    type: path
    env:
      - name: VMWARE_CA_PATH
  timeout:
    description:
      - Seconds to wait for the connection and for each answer of the server.
    type: int
    default: 60
    env:
      - name: VMWARE_TIMEOUT
  proxy_host:
    description:
      - An HTTP proxy to reach the server through (HTTPS is tunnelled with CONNECT).
    type: str
    env:
      - name: VMWARE_PROXY_HOST
  proxy_port:
    description:
      - The port of O(proxy_host) (3128 when not set). Set without O(proxy_host), it is an
        error.
    type: int
    env:
      - name: VMWARE_PROXY_PORT
"""
