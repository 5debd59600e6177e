"""What a VM module asks for, as typed values: built once from the options by the module.

Nothing below the modules reads Ansible's options dict; the runners take these instead, so they
can be called (and tested) with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class VmIdentity:
    """Which VM: moid, else uuid, else name (narrowed by folder and datacenter)."""

    name: str | None = None
    uuid: str | None = None
    use_instance_uuid: bool = False
    moid: str | None = None
    folder: str | None = None
    datacenter: str | None = None


@dataclass(frozen=True)
class PlacementRequest:
    """Where a new VM goes; unused for a VM that exists."""

    datacenter: str | None = None
    folder: str | None = None
    host: str | None = None
    cluster: str | None = None
    resource_pool: str | None = None
    datastore: str | None = None


@dataclass(frozen=True)
class VmConfig:
    """The configuration options (None: not managed); vm/spec.py validates them."""

    guest_id: str | None = None
    num_cpus: int | None = None
    cores_per_socket: int | None = None
    memory_mb: int | None = None
    hardware_version: str | int | None = None
    annotation: str | None = None
    disks: list | None = None
    networks: list | None = None
    cdrom: dict | None = None
    cdroms: list | None = None


@dataclass(frozen=True)
class VmRequest:
    """One esx_vm run: the VM, what it should be, and how far the run may go to get there."""

    identity: VmIdentity
    config: VmConfig = field(default_factory=VmConfig)
    placement: PlacementRequest = field(default_factory=PlacementRequest)
    state: str = "present"
    new_name: str | None = None
    force: bool = False
    allow_power_cycle: bool = False
    guest_timeout: float = 300.0
    wait_timeout: float = 3600.0
    check_mode: bool = False


@dataclass(frozen=True)
class VmQuery:
    """esx_vm_info's filters: an identity (any part may be unset) and the facts filters."""

    identity: VmIdentity = field(default_factory=VmIdentity)
    host: str | None = None
    cluster: str | None = None
    power_state: str | None = None
    include_templates: bool = False
    devices: bool = True
    properties: tuple = ()
    has_snapshots: bool | None = None
    snapshot_older_than_days: float | None = None


def field_names(cls) -> tuple[str, ...]:
    """The field names of a request dataclass: the options a module copies into it."""
    return tuple(f.name for f in fields(cls))
