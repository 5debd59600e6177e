# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The connection options every viapi.esx module shares (EsxModule's CONNECTION_ARGS).

    The inventory plugin documents its own, with their environment variables, in
    inventory_connection.py.
    """

    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - The vCenter or ESXi host to connect to (name or IP address).
      - If not set, the value of the E(VMWARE_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - The HTTPS port of the vSphere API (C(/sdk)).
      - If not set, the value of the E(VMWARE_PORT) environment variable is used.
    type: int
    default: 443
  username:
    description:
      - The user to log in as, for example C(administrator@vsphere.local) or C(root).
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
    type: str
    required: true
    aliases: [user]
  password:
    description:
      - The password of O(username). It never appears in output, logs or errors.
      - If not set, the value of the E(VMWARE_PASSWORD) environment variable is used.
    type: str
    required: true
    aliases: [pass, pwd]
  validate_certs:
    description:
      - Verify the server's TLS certificate (on by default).
      - Setting it to V(false) is reported with a warning; prefer O(ca_path) for private CAs.
      - If not set, the value of the E(VMWARE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed the server's certificate.
      - If not set, the value of the E(VMWARE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the connection and for each answer of the server.
      - If not set, the value of the E(VMWARE_TIMEOUT) environment variable is used.
    type: int
    default: 60
  proxy_host:
    description:
      - An HTTP proxy to reach the server through (HTTPS is tunnelled with CONNECT).
      - If not set, the value of the E(VMWARE_PROXY_HOST) environment variable is used.
    type: str
  proxy_port:
    description:
      - The port of O(proxy_host) (3128 when not set). Set without O(proxy_host), it is an
        error.
      - If not set, the value of the E(VMWARE_PROXY_PORT) environment variable is used.
    type: int
notes:
  - All connection options can also be set once for every module of this collection with
    C(module_defaults) and the action group C(group/viapi.esx.esx).
"""
