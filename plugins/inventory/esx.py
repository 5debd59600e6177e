# Copyright: (c) 2026, viapi.esx developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: esx
short_description: Every VM of many vCenter and ESXi endpoints, one bulk read each
version_added: 0.1.0
description:
  - Lists the virtual machines of one or more vCenter Servers and standalone ESXi hosts as
    inventory hosts, with the collection's VM facts as C(esx_*) host variables.
  - Each endpoint costs one bulk read of the VMs' properties and one bulk read of the names
    they refer to (hosts, clusters, folders, datacenters), never a request per VM. Endpoints
    are read in parallel (O(max_workers)), and each endpoint's VMs through several sessions at
    once (O(parallel_reads)).
  - A VM that a vCenter and the ESXi host it manages both show (the same instance uuid) is
    listed once, as the vCenter shows it.
  - Uses a YAML configuration file whose name ends in C(esx.yml) or C(esx.yaml).
author:
  - viapi.esx developers (@viapi-esx)
requirements:
  - requests
  - lxml
extends_documentation_fragment:
  - viapi.esx.inventory_connection
  - viapi.esx.inventory_hosts
  - viapi.esx.inventory_read
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [viapi.esx.esx]
  endpoints:
    description:
      - The vCenter Servers and ESXi hosts to read. Each entry may set any connection option;
        what it leaves out comes from the top-level options (and their environment variables),
        so shared credentials are written once. Values are converted as the top-level options'
        are (a quoted port V("8443"), a quoted V("no") for validate_certs); a value of another type is
        an error naming the entry and the key.
      - Without O(endpoints), the top-level options name the one endpoint.
    type: list
    elements: dict
    default: []
    suboptions:
      hostname:
        description: The vCenter or ESXi host.
        type: str
      port:
        description: The HTTPS port of the vSphere API.
        type: int
      username:
        description: The user to log in as.
        type: str
      password:
        description: The password of O(endpoints[].username).
        type: str
      validate_certs:
        description: Verify the server's TLS certificate.
        type: bool
      ca_path:
        description: A PEM file with the CA certificate(s) of the server.
        type: path
      timeout:
        description: Seconds to wait for the connection and each answer.
        type: int
      proxy_host:
        description: An HTTP proxy to reach the server through.
        type: str
      proxy_port:
        description: The port of O(endpoints[].proxy_host).
        type: int
  strict:
    description:
      - Make every error fatal - an endpoint that cannot be read, and an expression of O(filters),
        O(hostnames), O(compose), O(groups) or O(keyed_groups) that fails.
      - Otherwise an unreachable endpoint is a warning and the other endpoints are still listed,
        and failing expressions are skipped.
      - A fatal error fails the inventory source; whether that stops the run is Ansible's setting
        C(inventory_unparsed_failed) (E(ANSIBLE_INVENTORY_UNPARSED_FAILED)).
    type: bool
    default: false
  keyed_groups:
    description:
      - Add hosts to groups named after the values of a variable (see ansible.builtin.constructed).
      - The default groups VMs by power state, guest OS id, datacenter, cluster and host, for
        example C(power_state_powered_on), C(guest_otherGuest), C(datacenter_DC0),
        C(cluster_DC0_C0) and C(host_DC0_C0_H0); a VM with no cluster is in no cluster group.
      - Group names have every character that is not valid in a variable name replaced by C(_).
    type: list
    elements: dict
    default:
      - key: esx_power_state or []
        prefix: power_state
      - key: esx_guest_id or []
        prefix: guest
      - key: esx_datacenter or []
        prefix: datacenter
      - key: esx_cluster or []
        prefix: cluster
      - key: esx_host or []
        prefix: host
notes:
  - Host variables are the facts of viapi.esx.esx_vm_info prefixed with C(esx_) (C(esx_name),
    C(esx_power_state), C(esx_ip_address), C(esx_host), C(esx_cluster), C(esx_datacenter),
    C(esx_folder), C(esx_uuid), C(esx_instance_uuid), C(esx_moid), C(esx_num_cpus),
    C(esx_memory_mb), C(esx_custom_attributes)...), plus C(esx_endpoint) (the endpoint's
    hostname, with C(:port) when not 443) and C(ansible_host) when the guest reports an IP.
  - With O(cache), the cache holds the collected variables of every VM; a cache hit makes no
    request to any endpoint. A cache written for other endpoints (hostname, port, username,
    as templated - a lookup that gives another value is another endpoint), O(properties) or
    O(device_facts) is not used; the endpoints are read again. The cache is not written when an
    endpoint could not be read.
  - C(-v) shows each endpoint's VM count, time and number of requests.
"""

EXAMPLES = r"""
# fleet.esx.yml - two vCenters and a standalone ESXi host, shared credentials from the
# environment (VMWARE_USER, VMWARE_PASSWORD), cached for 10 minutes.
plugin: viapi.esx.esx
ca_path: /etc/pki/vsphere-ca.pem
endpoints:
  - hostname: vc-east.example.com
  - hostname: vc-west.example.com
  - hostname: esx-lab01.example.com
    username: root
    password: "{{ lookup('ansible.builtin.env', 'LAB_ROOT_PASSWORD') }}"
hostnames:
  - guest_hostname
  - name
filters:
  - esx_power_state == 'powered_on'
properties:
  - config.cpuHotAddEnabled
compose:
  ansible_user: "'ansible'"
keyed_groups:
  - key: esx_datacenter
    prefix: dc
  - key: esx_custom_attributes.owner | default([])
    prefix: owner
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 600
"""

import time

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import combine_vars

try:
    from ansible_collections.viapi.esx.plugins.module_utils.inventory import (
        hosts,
        hostvars,
        source,
    )
    from ansible_collections.viapi.esx.plugins.module_utils.vi.faults import InvalidArgument

    IMPORT_ERROR = None
except ImportError as e:  # requests or lxml missing on the controller
    IMPORT_ERROR = e

# 2: records hold ansible_host (version 1 entries are read again).
CACHE_VERSION = 2
_TEMPLATED = ("hostname", "username", "password", "ca_path", "proxy_host")
_PASSWORD_ERROR = (
    " (the error is not shown, as it may quote the password; a password that holds '{{' or "
    "'{%' is written with !unsafe)"
)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """The viapi.esx.esx inventory plugin: VMs of vCenter and ESXi endpoints as hosts."""

    NAME = "viapi.esx.esx"
    # Server values (VM names, annotations) are data, never templates.
    trusted_by_default = False

    @staticmethod
    def _sanitize_group_name(name):
        return to_safe_group_name(name, force=True, silent=True)

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("esx.yml", "esx.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._warn_unknown(self._read_config_data(path))
        if IMPORT_ERROR is not None:
            raise AnsibleError(
                f"viapi.esx.esx needs the Python packages requests and lxml: {IMPORT_ERROR}"
            )
        self._strict = self.get_option("strict")
        try:  # before any endpoint is read
            for option in ("filters", "hostnames"):
                hosts.strings(option, self.get_option(option))
            hostvars.property_paths(self.get_option("properties"))
        except InvalidArgument as e:
            raise AnsibleParserError(str(e)) from None
        self._populate(self._records(path, cache))

    def _warn_unknown(self, config):
        """Ansible ignores a key no option has: a typo (`filter` for `filters`) would go unseen."""
        from ansible import constants as C

        known = {"plugin", *self._options}
        definitions = C.config.get_configuration_definitions("inventory", self._load_name)
        for definition in (definitions or {}).values():
            known.update(definition.get("aliases") or ())
        unknown = sorted(str(key) for key in config if key not in known)
        if unknown:
            self.display.warning(f"viapi.esx.esx: unknown option(s) {', '.join(unknown)}, ignored")

    # ------------------------------------------------------------ collecting, or the cache

    def _records(self, path, cache):
        """The merged VM records: from the cache when enabled and fresh, otherwise read."""
        use_cache = self.get_option("cache")
        key, read = self.get_cache_key(path), self._read_of()
        if use_cache and cache:
            try:
                data = self._cache[key]
            except KeyError:
                data = None
            if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
                if data.get("read") == read:
                    self.display.v(f"viapi.esx.esx: {len(data['records'])} VMs from the cache")
                    return list(data["records"])  # _populate() empties the list it is given
                self.display.v(
                    "viapi.esx.esx: the cache was read with other endpoints, properties or "
                    "device_facts; reading the endpoints"
                )
        records, complete = self._collect()
        if use_cache:
            if complete:
                self._cache[key] = {"version": CACHE_VERSION, "read": read, "records": records[:]}
            else:
                self.display.warning(
                    "viapi.esx.esx: the cache was not updated (an endpoint could not be read)"
                )
        return records

    def _read_of(self):
        """What the records depend on (source.read_key): the endpoints as templated, so that
        a hostname or username from a lookup reads again when the lookup gives another."""
        keys = ("hostname", "port", "username")
        top = {k: self.get_option(k) for k in keys}
        self._template_values(top, "", keys)
        entries = [
            dict(e) if isinstance(e, dict) else e for e in self.get_option("endpoints") or []
        ]
        for n, entry in enumerate(entries, 1):
            if isinstance(entry, dict):
                self._template_values(entry, f"endpoints[{n}].", keys)
        return source.read_key(
            top, entries, self.get_option("properties"), self.get_option("device_facts")
        )

    def _collect(self):
        """Read every endpoint; return (merged records, whether every endpoint answered)."""
        started = time.monotonic()
        try:
            endpoints = source.endpoints_from(
                self._connection_options(), self.get_option("endpoints")
            )
        except InvalidArgument as e:
            raise AnsibleParserError(str(e)) from None
        workers = self.get_option("max_workers")
        if workers < 1:
            raise AnsibleParserError(f"max_workers must be at least 1, got {workers}")
        parallel = self.get_option("parallel_reads")
        if parallel < 1:
            raise AnsibleParserError(f"parallel_reads must be at least 1, got {parallel}")
        properties = self.get_option("properties")
        results = source.read_all(
            endpoints, workers, properties, self.get_option("device_facts"), self._report, parallel
        )
        records, dropped = hostvars.merge((r.is_vcenter, r.records) for r in results if not r.error)
        self.display.v(
            f"viapi.esx.esx: {len(records)} VMs from {len(endpoints)} endpoint(s) in "
            f"{time.monotonic() - started:.2f}s ({dropped} also seen through another endpoint)"
        )
        return records, not any(r.error for r in results)

    def _report(self, result):
        """Progress and errors of one endpoint, as it finishes (in the main thread)."""
        for warning in result.warnings:
            self.display.warning(f"viapi.esx.esx: {warning}")
        if result.error:
            message = f"viapi.esx.esx: endpoint {result.endpoint} could not be read: {result.error}"
            if self._strict:
                raise AnsibleError(message)
            self.display.warning(message + "; its VMs are not listed")
            return
        self.display.v(
            f"viapi.esx.esx: {result.endpoint}: {len(result.records)} VMs in {result.seconds:.2f}s, "
            f"{result.round_trips} requests ({result.product}), {result.partitions} part(s) read "
            f"by {result.sessions} session(s)"
        )

    def _connection_options(self):
        """The top-level connection options, templated; entries of endpoints templated too."""
        options = {k: self.get_option(k) for k in source.CONNECTION_KEYS}
        self._template_values(options, "")
        for n, entry in enumerate(self.get_option("endpoints") or [], 1):
            if isinstance(entry, dict):
                self._template_values(entry, f"endpoints[{n}].")
        return options

    def _template_values(self, options, where, keys=_TEMPLATED):
        """Template the values of `keys` (those of _TEMPLATED) in `options`, in place."""
        for key in (k for k in keys if k in _TEMPLATED):
            value = options.get(key)
            if isinstance(value, str) and self.templar.is_possibly_template(value):
                try:
                    options[key] = self.templar.template(value)
                except Exception as e:
                    # A template error quotes the template ("unknown tag 'rest-of-password'").
                    shown = f": {e}" if key != "password" else _PASSWORD_ERROR
                    raise AnsibleParserError(f"could not template {where}{key}{shown}") from None

    # ------------------------------------------------------------ hosts and groups

    def _populate(self, records):
        """Filter, name and add the hosts, then compose their variables and groups.

        `records` is emptied: each record is dropped once its host holds the variables, so the
        inventory never holds two full copies of them (a large share of a fleet's memory).
        """
        templates = self.get_option("include_templates")
        kept = [r for r in records if templates or not r.get("esx_template")]
        records.clear()
        if getattr(self.inventory, "__wrapped__", None) is None:
            # Before ansible-core 2.19 a plain string is a template wherever an expression reads
            # it (filters, hostnames, compose): server data is marked unsafe before any does.
            from ansible.utils.unsafe_proxy import wrap_var

            kept = [wrap_var(record) for record in kept]
        records = self._filtered(kept)
        del kept
        names = self._shown(hosts.unique, self._hostnames(records), records)
        for n, name in enumerate(names):
            record, records[n] = records[n], None
            self._add_host(str.__str__(name), record)  # a plain str, not an unsafe one

    def _add_host(self, name, record):
        strict = self._strict
        self.inventory.add_host(name)
        variables = dict(record)
        self._set_variables(name, variables)
        compose = self.get_option("compose")
        if compose:  # over what groups see too: inventory_hostname and the other magic vars
            seen = {**variables, **self.inventory.get_host(name).get_magic_vars()}
            self._set_composite_vars(compose, seen, name, strict=strict)
        # Host variables once (with composed ones and inventory_hostname), not once per group.
        variables = combine_vars(variables, self.inventory.get_host(name).get_vars())
        self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict, False)
        self._add_host_to_keyed_groups(
            self.get_option("keyed_groups"), variables, name, strict, False
        )

    def _set_variables(self, name, variables):
        """Set a host's variables as untrusted data (never templated)."""
        # ansible-core 2.19 hands plugins a proxy whose set_variable re-walks every value to tag
        # its trust and origin: a third of the run for a large fleet. These values are plain
        # JSON data and must stay untrusted, which is what setting them directly gives; before
        # 2.19 there is no proxy and untrusted strings are marked with wrap_var instead.
        inventory = getattr(self.inventory, "__wrapped__", None)
        if inventory is None:
            from ansible.utils.unsafe_proxy import wrap_var

            inventory, variables = self.inventory, wrap_var(variables)
        for key, value in variables.items():
            inventory.set_variable(name, key, value)

    def _filtered(self, records):
        """The records for which every expression of `filters` is true."""
        filters = self.get_option("filters")
        if not filters:
            return records
        return self._shown(hosts.selected, records, filters, self._compose, self._strict)

    def _hostnames(self, records):
        """The hostname of each record; one warning per `hostnames` entry that failed."""
        entries = self.get_option("hostnames")
        return self._shown(hosts.hostnames, records, entries, self._compose, self._strict)

    def _shown(self, step, *args):
        """step(*args)'s result, its warnings shown; a strict failure is an AnsibleError."""
        try:
            result, warnings = step(*args)
        except hosts.ExpressionFailed as e:
            raise AnsibleError(str(e)) from e.__cause__
        for warning in warnings:
            self.display.warning(warning)
        return result

    def _compose(self, template, variables, *args, **kwargs):
        """A bare variable name (or `name or []`) is looked up directly: what Jinja2 would give.

        ansible-core compiles every expression anew, about 0.5 ms each: for the default keyed
        groups of a 5,000-VM fleet that alone would take over ten seconds.
        """
        value = hosts.bare_value(template, variables)
        if value is not hosts.NOT_BARE and not self.get_option("use_extra_vars"):
            return value
        return super()._compose(template, variables, *args, **kwargs)
