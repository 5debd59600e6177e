"""Which facts esx_vm_info returns (its `facts` option), and the property paths they need.

The paths come from vm/facts.py READ_ONLY_FOR, the one table of which path each fact is read
from (the inventory leaves out paths by it too). A selection always keeps the keys that
identify a VM and order the results (IDENTITY), and reads the facts the filters judge
(template, power_state, host, cluster, the snapshot facts) without returning them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..vi.faults import InvalidArgument
from .facts import CONFIG_FIELDS, DEVICE_FIELDS, FIELDS, PATHS, READ_ONLY_FOR, SUMMARY_PATHS

# What the VM identity options match (name, folder, datacenter, uuid with or without
# use_instance_uuid, moid): every result names its VM, and sorts as a full read does.
IDENTITY = ("name", "moid", "uuid", "instance_uuid", "datacenter", "folder")
# Every fact a selection may name: the keys of the facts schema, in its order.
NAMES = (*FIELDS, *CONFIG_FIELDS)
SNAPSHOT_FACTS = READ_ONLY_FOR["snapshot"]


@dataclass(frozen=True)
class Selection:
    """The facts to return (None: every one) and the VM property paths to read."""

    keep: frozenset | None
    paths: tuple


def check(names: Iterable[str], devices: bool = True) -> tuple[str, ...]:
    """The `facts` option, checked: every entry a fact name; no device list with devices off."""
    names = tuple(names)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise InvalidArgument(
            f"facts: no such fact: {', '.join(repr(n) for n in unknown)}; "
            f"the facts are: {', '.join(NAMES)}"
        )
    lists = [n for n in names if n in DEVICE_FIELDS]
    if lists and not devices:
        raise InvalidArgument(
            f"facts: {', '.join(lists)} are device lists, which devices: false leaves out "
            "(set devices: true, or leave them out of facts)"
        )
    return names


def paths_for(wanted: Iterable[str], base: Iterable[str] = PATHS) -> tuple[str, ...]:
    """The paths of `base` (in its order) that some fact of `wanted` is read from."""
    wanted = set(wanted)
    return tuple(p for p in base if wanted.intersection(READ_ONLY_FOR[p]))


def select(names, devices: bool, filters: Iterable[str] = ()) -> Selection:
    """What to read and return for the `facts` option `names` (None: every fact, as without
    the option), the `devices` option, and the facts the filters in use judge (`filters`)."""
    base = PATHS if devices else SUMMARY_PATHS
    if names is None:
        return Selection(None, base)
    keep = frozenset((*IDENTITY, *check(names, devices)))
    return Selection(keep, paths_for((*keep, *filters), base))


def project(facts: dict, keep: frozenset | None) -> dict:
    """One VM's facts cut to the selection, in schema order (all of them for None)."""
    if keep is None:
        return facts
    return {key: value for key, value in facts.items() if key in keep}
