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
    # firmware and boot, hot add, allocation, advanced settings (vm/hardware.py, vm/advanced.py)
    firmware: str | None = None
    secure_boot: bool | None = None
    boot_order: list | None = None
    boot_delay_ms: int | None = None
    enter_bios_setup: bool | None = None
    boot_retry_delay_ms: int | None = None
    cpu_hot_add: bool | None = None
    cpu_hot_remove: bool | None = None
    memory_hot_add: bool | None = None
    nested_virtualization: bool | None = None
    cpu_reservation_mhz: int | None = None
    cpu_limit_mhz: int | None = None
    cpu_shares: str | int | None = None
    memory_reservation_mb: int | None = None
    memory_reservation_locked: bool | None = None
    memory_limit_mb: int | None = None
    memory_shares: str | int | None = None
    extra_config: dict | None = None
    vapp_properties: list | None = None
    custom_attributes: dict | None = None  # vm/attributes.py; set through CustomFieldsManager
    create_custom_attributes: bool | None = None


@dataclass(frozen=True)
class CloneRequest:
    """Provisioning from a template (vm/clone.py) and guest customization (vm/customization.py);
    template and customization are ignored for a VM that exists (but customization.existing_vm)."""

    template: str | None = None
    snapshot_src: str | None = None
    linked_clone: bool = False
    customization: dict | None = None
    customization_spec: str | None = None
    wait_for: tuple = ()
    is_template: bool | None = None


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
    answers: dict | None = None  # VM questions at power on: question or message id -> choice
    clone: CloneRequest = field(default_factory=CloneRequest)


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
    parallel_reads: int | None = None  # sessions reading at once; None: vm/bulk.py's default
    facts: tuple | None = None  # the fact names to return (and read); None: every fact


def field_names(cls) -> tuple[str, ...]:
    """The field names of a request dataclass: the options a module copies into it."""
    return tuple(f.name for f in fields(cls))
