"""The inventory's pure parts: VM facts as `esx_*` variables, dedup by instance uuid, hostnames.

No Ansible and no network here; plugins/inventory/esx.py templates and adds the hosts.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable

from ..vi.values import plain
from ..vm.facts import (
    CONFIG_FIELDS,
    DEVICE_FIELDS,
    FIELDS,
    LIST_FIELDS,
    PATHS,
    READ_ONLY_FOR,
    SUMMARY_PATHS,
)
from ..vm.query import check_properties
from ..vm.vapp import hide_passwords

PREFIX = "esx_"
EXTRA_PREFIX = "esx_vi_"
_NOT_IN_NAME = re.compile(r"[^0-9A-Za-z_]")
_BARE_NAME = re.compile(r"^[A-Za-z_][0-9A-Za-z_]*$")
# One key string per variable name, shared by every VM (a fleet has hundreds of thousands).
_KEYS = {f: sys.intern(PREFIX + f) for f in FIELDS}
_KEYS.update((f, sys.intern(PREFIX + f)) for f in CONFIG_FIELDS)
# Facts with few distinct values across a fleet: one string object each, not one per VM.
_REPEATED = ("guest_id", "guest_full_name", "hardware_version", "connection_state")


@functools.cache
def extra_variable(path: str) -> str:
    """The variable of a raw VI property path: config.hardware.numCPU -> esx_vi_config_hardware_numCPU."""
    return sys.intern(EXTRA_PREFIX + _NOT_IN_NAME.sub("_", path))


def property_paths(paths: list | None) -> None:
    """Each of `properties` is a string and a VI property path, checked as esx_vm_info checks
    its own (an empty name in one, "" or "config.", is no property, and some servers drop the
    connection rather than refuse it)."""
    from .hosts import strings  # hosts imports this module

    strings("properties", paths)
    check_properties(paths or [])


def left_out(devices: bool) -> tuple[str, ...]:
    """The facts the host variables leave out: device lists and settings lists, unless devices."""
    return () if devices else (*DEVICE_FIELDS, *LIST_FIELDS)


def read_paths(devices: bool = False, extra_paths: Iterable[str] = ()) -> list[str]:
    """The VI property paths the host variables need: the facts' paths but those read only for
    facts left_out() drops (a VM's advanced settings and vApp properties can be most of its
    answer), then the extra paths (which may name any of them again)."""
    dropped = set(left_out(devices))
    unused = {path for path, fields in READ_ONLY_FOR.items() if dropped.issuperset(fields)}
    base = PATHS if devices else SUMMARY_PATHS
    return list(dict.fromkeys((*(p for p in base if p not in unused), *extra_paths)))


def vm_variables(
    facts: dict, props: dict, endpoint: str, extra_paths: Iterable[str] = (), devices: bool = False
) -> dict:
    """The host variables of one VM: its facts as esx_*, esx_endpoint, ansible_host when the
    guest reports an IP, and esx_vi_* extras."""
    keys = _KEYS
    dropped = left_out(devices)  # scalars only without devices (esx_firmware, esx_cpu_hot_add...)
    variables = {keys.get(k) or PREFIX + k: v for k, v in facts.items() if k not in dropped}
    for fact in _REPEATED:
        if isinstance(facts.get(fact), str):
            variables[keys[fact]] = sys.intern(facts[fact])
    variables["esx_endpoint"] = endpoint
    if variables.get("esx_ip_address"):  # here, so filters and hostnames see it too
        variables["ansible_host"] = variables["esx_ip_address"]
    for path in extra_paths:
        variables[extra_variable(path)] = hide_passwords(plain(props.get(path)))
    return variables


def merge(views: Iterable[tuple[bool, list[dict]]]) -> tuple[list[dict], int]:
    """One record per VM from every endpoint's records; returns (records, duplicates dropped).

    `views` are (is_vcenter, records) in endpoint order. A VM that several endpoints show (same
    instance uuid: a vCenter and the ESXi host it manages) keeps the vCenter's record; between
    two of the same kind, the earlier endpoint's. Records of one endpoint are never merged with
    each other, and VMs without an instance uuid never at all. The records keep endpoint order.
    """
    views = list(views)
    owner: dict[str, int] = {}  # instance uuid -> the endpoint whose view is kept
    for want_vcenter in (True, False):
        for index, (is_vcenter, records) in enumerate(views):
            if bool(is_vcenter) == want_vcenter:
                for record in records:
                    if record.get("esx_instance_uuid"):
                        owner.setdefault(record["esx_instance_uuid"], index)
    merged = [
        record
        for index, (_vc, records) in enumerate(views)
        for record in records
        if not record.get("esx_instance_uuid") or owner[record["esx_instance_uuid"]] == index
    ]
    return merged, sum(len(records) for _vc, records in views) - len(merged)


def sort_key(record: dict) -> tuple:
    """A stable order within one endpoint: datacenter, folder, name, moid."""
    return tuple(
        record.get(k) or "" for k in ("esx_datacenter", "esx_folder", "esx_name", "esx_moid")
    )


def bare_name(entry: str, variables: dict) -> str | None:
    """The variable a `hostnames` entry names directly (esx_name, or name for esx_name), if any."""
    if not _BARE_NAME.match(entry):
        return None
    if entry in variables:
        return entry
    if PREFIX + entry in variables:
        return PREFIX + entry
    return None


def identity(record: dict) -> str:
    """What tells a VM apart from any other: instance uuid, BIOS uuid, or endpoint and moid."""
    return (
        record.get("esx_instance_uuid")
        or record.get("esx_uuid")
        or f"{record.get('esx_endpoint')}_{record.get('esx_moid')}"
    )


def unique_hostnames(names: list[str], records: list[dict]) -> tuple[list[str], list[str]]:
    """Make names unique: the first keeps it, later ones get `_<identity>`; also the duplicates."""
    taken: set[str] = set()
    unique, duplicates = [], []
    for name, record in zip(names, records):
        chosen = name
        if chosen in taken:
            duplicates.append(name)
            chosen = f"{name}_{identity(record)}"
            n = 2
            while chosen in taken:
                chosen, n = f"{name}_{identity(record)}_{n}", n + 1
        taken.add(chosen)
        unique.append(chosen)
    return unique, duplicates
