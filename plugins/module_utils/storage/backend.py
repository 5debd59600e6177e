"""The storage backend contract and the pool and volume records.

A backend turns one kind of vSphere storage into pools and volumes (see the Backend protocol).
Adding a backend (vVols, NVMe-oF, ...) is one new module and one entry in facade.BACKENDS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from ..vi.envelope import MoRef
from ..vi.find import in_datacenter, inside, not_found
from .ids import iscsi_key

# Every pool has every key (None where it does not apply); iSCSI-only keys are last.
POOL_FIELDS = (
    "name", "uuid", "backend", "type", "state", "capacity_bytes", "allocation_bytes",
    "available_bytes", "accessible", "multiple_host_access", "url", "path", "hosts",
    "datacenter", "moid", "iqn", "address", "port", "adapter", "adapter_type", "send_target",
    "targets",
)  # fmt: skip
# Every volume has every key; VMDK-only keys, then LUN-only keys, are last.
VOLUME_FIELDS = (
    "name", "key", "path", "pool", "pool_uuid", "type", "format", "capacity_bytes",
    "allocation_bytes", "thin", "disk_type", "attached_to", "device_path", "canonical_name",
    "display_name", "vendor", "model", "lun_number", "operational_state",
)  # fmt: skip


def _record(fields: tuple, values: dict) -> dict:
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"not a field: {', '.join(sorted(unknown))}")
    return {f: values.get(f) for f in fields}


def pool_record(**values) -> dict:
    """A pool dict with every field of POOL_FIELDS (None unless given)."""
    return _record(POOL_FIELDS, values)


def volume_record(**values) -> dict:
    """A volume dict with every field of VOLUME_FIELDS (None unless given)."""
    return _record(VOLUME_FIELDS, values)


@dataclass
class Scope:
    """What the user asked to look at: below a datacenter (root), as seen by one host."""

    root: MoRef | None = None
    datacenter: str | None = None
    host: str | None = None

    def where(self) -> str:
        """' in datacenter 'dc' on host 'h'' for messages."""
        parts = [f" in datacenter '{self.datacenter}'" if self.datacenter else ""]
        parts.append(f" on host '{self.host}'" if self.host else "")
        return "".join(parts)

    def place(self, *notes: str, within: str = "") -> str:
        """Where a lookup looked, for not_found(): "any datacenter (seen by host 'h')", or
        "storage pool 'p' in datacenter 'dc'" `within` a pool."""
        notes = [n for n in notes if n] + ([f"seen by host '{self.host}'"] if self.host else [])
        where = in_datacenter(self.datacenter)
        where = inside(within, where) if within else where
        return where + (f" ({', '.join(notes)})" if notes else "")


@dataclass
class Pool:
    """One pool: the facts returned to users and what its backend needs to list its volumes."""

    facts: dict
    handle: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.facts["name"]

    @property
    def uuid(self) -> str:
        return self.facts["uuid"]

    @property
    def backend(self) -> str:
        return self.facts["backend"]

    def named(self, name: str) -> bool:
        """Whether `name` names this pool: an iSCSI target's IQN in any case (ids.iscsi_key),
        a send target's address:port too (a host name is case-insensitive, RFC 4343)."""
        if self.facts.get("type") in ("iscsi", "iscsi_send_target"):
            return iscsi_key(self.name) == iscsi_key(name)
        return self.name == name


class Backend(Protocol):
    """One kind of storage as pools and volumes. Every method reads in bulk, never per object."""

    name: ClassVar[str]  # the pools' `backend` field
    pool_types: ClassVar[frozenset]  # the `type` values its pools can have
    volume_type: ClassVar[str]  # "file" or "block"
    warnings: list[str]  # what the user should be told about this run's reads

    def __init__(self, client, scope: Scope) -> None:
        """A backend for the reads of one run in `scope`."""

    def pools(self) -> list[Pool]:
        """Every pool in scope (read once, then cached by the backend)."""

    def volumes(self, pools: list[Pool]) -> list[dict]:
        """Every volume of the given pools (all of this backend's)."""

    def owns_path(self, path: str) -> bool:
        """Whether a volume path is one of this backend's ('[ds] dir/file', '/vmfs/devices/...')."""

    def volumes_at(self, path: str) -> list[dict]:
        """The volumes with this path (usually one; none when there is no such volume)."""


class CachedPools:
    """The part every backend shares: its client and scope, and pools read once per run."""

    def __init__(self, client, scope: Scope) -> None:
        self.client = client
        self.scope = scope
        self.warnings: list[str] = []
        self._pools: list[Pool] | None = None

    def pools(self) -> list[Pool]:
        if self._pools is None:
            self._pools = self._read_pools()
        return self._pools

    def _read_pools(self) -> list[Pool]:
        raise NotImplementedError  # each backend reads its pools in bulk


def host_in_scope(names: Iterable[str], scope: Scope) -> None:
    """Raise NotFound when the scope names a host that is not among `names`."""
    if scope.host is not None and scope.host not in set(names):
        raise not_found("host", scope.host, in_datacenter(scope.datacenter), "host")
