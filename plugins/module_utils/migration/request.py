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

    @classmethod
    def from_params(cls, params: dict, identity: Any, check_mode: bool = False):
        """The request from the module's options (validated: errors name the option)."""
        if params.get("priority", "default") not in PRIORITIES:
            raise InvalidArgument(f"priority: '{params['priority']}' is not one of {PRIORITIES}")
        hosts = tuple(dict.fromkeys(params.get("hosts") or ()))
        if params.get("host") and hosts:
            raise InvalidArgument("host and hosts are mutually exclusive: give one host or a list")
        destination = Destination(
            host=params.get("host"),
            hosts=hosts,
            cluster=params.get("cluster"),
            resource_pool=params.get("resource_pool"),
            datastore=params.get("datastore"),
        )
        if not destination.given():
            raise InvalidArgument(
                "one of host, hosts, cluster, resource_pool or datastore is required"
            )
        return cls(
            identity=identity,
            destination=destination,
            checks=Options.from_params(params.get("checks")),
            datacenter=params.get("datacenter"),
            wait_timeout=params["wait_timeout"],
            priority=params.get("priority") or "default",
            check_mode=check_mode,
        )
