"""What esx_migrate asks for, as typed values: built once from the options by the module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..premigration.runner import Options
from ..vi.faults import InvalidArgument

PRIORITIES = ("default", "high", "low")


@dataclass(frozen=True)
class Destination:
    """Where the VM goes, by name; `hosts` are candidates the runner chooses one of."""

    host: str | None = None
    hosts: tuple = ()
    cluster: str | None = None
    resource_pool: str | None = None
    datastore: str | None = None

    def given(self) -> bool:
        """Whether any destination option is set."""
        return any((self.host, self.hosts, self.cluster, self.resource_pool, self.datastore))


@dataclass(frozen=True)
class MigrationRequest:
    """One esx_migrate run: the VM, the destination, the checks, and how long it may take."""

    identity: Any  # the VM identity options, in the form vm/identify.py takes them
    destination: Destination = field(default_factory=Destination)
    checks: Options = field(default_factory=Options)
    datacenter: str | None = None
    wait_timeout: float = 3600.0
    priority: str = "default"
    check_mode: bool = False

    def validate(self) -> None:
        """Refuse bad values and combinations: errors name the option and the value."""
        if self.priority not in PRIORITIES:
            raise InvalidArgument(f"priority: '{self.priority}' is not one of {PRIORITIES}")
        if self.destination.host and self.destination.hosts:
            raise InvalidArgument("host and hosts are mutually exclusive: give one host or a list")
        if not self.destination.given():
            raise InvalidArgument(
                "one of host, hosts, cluster, resource_pool or datastore is required"
            )
        self.checks.validate()
